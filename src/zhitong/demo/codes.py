"""Deterministic public codes for demo deputies and stations, derived from their natural keys."""

import hashlib

# No 0/O, 1/I/L: codes are read aloud and typed from printed QR cards.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8


def public_code(natural_key: str, *, taken: set[str]) -> str:
    """An 8-character code hashed from `natural_key`, unique against (and added to) `taken`.

    Hashing the key instead of drawing from a shared RNG keeps a station's or deputy's
    code the same however many other objects are generated before it.
    """
    attempt = 0
    while True:
        salt = f"#{attempt}" if attempt else ""
        digest = hashlib.sha256(f"zhitong-demo:{natural_key}{salt}".encode()).digest()
        number = int.from_bytes(digest[:8], "big")
        chars = []
        for _ in range(LENGTH):
            number, index = divmod(number, len(ALPHABET))
            chars.append(ALPHABET[index])
        code = "".join(chars)
        if code not in taken:
            taken.add(code)
            return code
        attempt += 1
