"""Tracking codes (查询码): short, unguessable, easy to read out over the phone."""

import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# No 0/O, 1/I/L: a code read aloud or copied from a text message must not be ambiguous.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10
# Groups as printed, e.g. "K7QX-9MPA-3R"; 31**10 ≈ 8.2e14 codes (about 49 bits).
GROUPS = (4, 4, 2)
SEPARATOR = "-"
# What people type between groups: spaces (also full-width), dashes of every kind, dots.
NOISE = re.compile(r"[\s\-‐‑‒–—―－_.。·]+")
CANONICAL = re.compile(rf"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{2}}")


# Full-width letters and digits typed on a Chinese keyboard ("Ｋ７ＱＸ…") -> ASCII.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def _compact(text: str) -> str:
    """What a person typed, without separators, upper case, full-width made ASCII."""
    return NOISE.sub("", text.strip()).upper().translate(_FULL_WIDTH)


def format_code(raw: str) -> str:
    """Ten characters grouped as stored and shown: "K7QX9MPA3R" -> "K7QX-9MPA-3R"."""
    parts, start = [], 0
    for size in GROUPS:
        parts.append(raw[start : start + size])
        start += size
    return SEPARATOR.join(parts)


# Codes chosen in advance, taken in turn by new_code() inside `codes_from` (the demo).
_chosen: ContextVar[Iterator[str] | None] = ContextVar("tracking_codes_chosen", default=None)


def new_code() -> str:
    """A fresh random code in its grouped form (not checked against the database)."""
    chosen = _chosen.get()
    if chosen is not None:
        code = next(chosen, None)
        if code is not None:
            return code
    return format_code("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


@contextmanager
def codes_from(codes: Iterable[str]):
    """Inside the block, new codes are taken from `codes` (canonical, unused), then drawn.

    For the demo, whose opinions keep the same codes on every build (drawn from its fixed
    seed): never for real opinions, whose codes must not be guessable. A clash still draws
    a random code (intake retries on the unique index).
    """
    token = _chosen.set(iter(codes))
    try:
        yield
    finally:
        _chosen.reset(token)


def normalize_code(text: str) -> str | None:
    """The canonical form of a code as a person typed it, or None if it cannot be one.

    Case, spaces and dashes do not matter ("k7qx 9mpa 3r", "K7QX9MPA3R").
    """
    if not text:
        return None
    raw = _compact(text)
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


# --- the rating key (评价码) --------------------------------------------------------------
#
# The tracking code is read by everyone who handles the opinion (case page, ledgers,
# notifications): it shows progress, but must not let a handler rate the case as the
# citizen. The rating key is a second secret that only the submitter receives (on the
# confirmation page and in the message with the code). It is derived from the code with
# the server's secret key, so it is never stored, never shown on a work page, and can be
# shown again on the confirmation page after a retry. Rotating SECRET_KEY keeps old keys
# valid while the old secret stays in SECRET_KEY_FALLBACKS.
RATING_KEY_SALT = "zhitong.opinions.rating_key"
RATING_KEY_LENGTH = 8
# 31**8 ≈ 8.5e11 keys; a wrong key is counted by the lookup rate limit like a wrong code.
RATING_KEY_GROUPS = (4, 4)


def _rating_key_raw(code: str, secret) -> str:
    from django.utils.crypto import salted_hmac

    digest = salted_hmac(RATING_KEY_SALT, code, secret=secret, algorithm="sha256").digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(RATING_KEY_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def rating_key(code: str) -> str:
    """The rating key of the opinion with tracking code `code`, grouped: "Q7MX-4KPA"."""
    from django.conf import settings

    raw = _rating_key_raw(code, settings.SECRET_KEY)
    return SEPARATOR.join((raw[: RATING_KEY_GROUPS[0]], raw[RATING_KEY_GROUPS[0] :]))


def rating_key_matches(code: str, typed: str) -> bool:
    """Whether `typed` (loosely: case, spaces, dashes) is the rating key of `code`."""
    from django.conf import settings
    from django.utils.crypto import constant_time_compare

    if not code or not typed or len(typed) > 40:
        return False
    raw = _compact(typed)
    if len(raw) != RATING_KEY_LENGTH:
        return False
    secrets_to_try = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    # Every secret is tried (no early exit), so the time taken tells nothing.
    matched = False
    for secret in secrets_to_try:
        matched |= constant_time_compare(_rating_key_raw(code, secret), raw)
    return matched
