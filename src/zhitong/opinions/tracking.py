"""Tracking codes (查询码): short, unguessable, easy to read out over the phone."""

import re
import secrets

# No 0/O, 1/I/L: a code read aloud or copied from a text message must not be ambiguous.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10
# Groups as printed, e.g. "K7QX-9MPA-3R"; 31**10 ≈ 8.2e14 codes (about 49 bits).
GROUPS = (4, 4, 2)
SEPARATOR = "-"
# What people type between groups: spaces (also full-width), dashes of every kind, dots.
NOISE = re.compile(r"[\s\-‐‑‒–—―－_.。·]+")
CANONICAL = re.compile(rf"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{2}}")


def format_code(raw: str) -> str:
    """Ten characters grouped as stored and shown: "K7QX9MPA3R" -> "K7QX-9MPA-3R"."""
    parts, start = [], 0
    for size in GROUPS:
        parts.append(raw[start : start + size])
        start += size
    return SEPARATOR.join(parts)


def new_code() -> str:
    """A fresh random code in its grouped form (not checked against the database)."""
    return format_code("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def normalize_code(text: str) -> str | None:
    """The canonical form of a code as a person typed it, or None if it cannot be one.

    Case, spaces and dashes do not matter ("k7qx 9mpa 3r", "K7QX9MPA3R").
    """
    if not text:
        return None
    raw = NOISE.sub("", text.strip()).upper()
    # Full-width letters and digits typed on a Chinese keyboard: "Ｋ７ＱＸ…".
    raw = raw.translate({code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)})
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return format_code(raw)


def is_canonical(code: str) -> bool:
    return bool(CANONICAL.fullmatch(code or ""))


def unused_codes(count: int) -> list[str]:
    """`count` fresh codes, none of them already used by an opinion."""
    from zhitong.opinions.models import Opinion

    codes: set[str] = set()
    while len(codes) < count:
        batch = {new_code() for _ in range(count - len(codes))} - codes
        taken = set(
            Opinion.objects.filter(tracking_code__in=batch).values_list("tracking_code", flat=True)
        )
        codes |= batch - taken
    return list(codes)


def unused_code() -> str:
    return unused_codes(1)[0]
