"""Rate limits on the public opinion pages (提交频率限制), counted in Django's cache.

Counts live in the default cache, which every web process shares: Redis when REDIS_URL
is set, otherwise a table in the database (zhitong.core.cache.DatabaseCache).

Limits are fixed windows ("at most 5 in each 10-minute window"), counted with the
cache's atomic increment, so two requests at once cannot both take the last place.
Settings may override each rate: OPINIONS_RATE_LIMITS = {"submit_ip": "5/600", ...}.
"""

import contextlib
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from zhitong.core import throttle

# The client's address (behind trusted proxies, IPv6 by its /64) is zhitong.core's; kept
# here under its old name for the callers in this app.
from zhitong.core.clientip import client_address  # noqa: F401

DEFAULT_RATES = {
    # Every POST of the public form from one client address, accepted or refused, counted
    # before its body is read: refused posts (bad photos, expired keys) cost a worker too.
    "post_ip": "20/600",
    # Opinions submitted from one client address.
    "submit_ip": "5/600",
    # Tracking codes sent to one phone number or e-mail address. Past it the opinion is
    # still taken (and its code shown on the page): a stranger typing a citizen's number
    # can neither flood that phone nor stop the citizen from writing.
    "message_to": "3/3600",
    # Tracking codes sent on behalf of one client address, whatever the numbers typed.
    "message_ip": "5/3600",
    # Asks for the open opinions like the one being written (the form's script asks as
    # the citizen types, at most once a second or so; a check without script is a POST).
    "similar_ip": "120/600",
    # Tracking-code lookups that found nothing, from one client address (guessing codes).
    "lookup_ip": "20/600",
}


@dataclass(frozen=True)
class Rate:
    limit: int
    window: int  # seconds

    @classmethod
    def parse(cls, text: str) -> "Rate":
        limit, _sep, window = str(text).partition("/")
        return cls(limit=int(limit), window=int(window))

    @property
    def minutes(self) -> int:
        return max(1, round(self.window / 60))


def rate_for(name: str) -> Rate:
    overrides = getattr(settings, "OPINIONS_RATE_LIMITS", None) or {}
    return Rate.parse(overrides.get(name, DEFAULT_RATES[name]))


def _key(name: str, ident: str, rate: Rate) -> str:
    # Hashed: client addresses and phone numbers are personal data and must not sit in
    # the cache (or Redis) in the clear.
    digest = hashlib.sha256(f"{name}:{ident}".encode()).hexdigest()[:32]
    bucket = int(time.time() // rate.window)
    return f"zt:rl:{name}:{digest}:{bucket}"


@dataclass(frozen=True)
class Counted:
    """One event counted: the window's cache key it went to, and whether it was in the limit."""

    key: str
    allowed: bool


def count(name: str, ident: str) -> Counted | None:
    """Count one event for `ident` (None: nothing to count by, so nothing counted)."""
    if not ident:
        return None
    rate = rate_for(name)
    key = _key(name, ident, rate)
    # incr() is atomic in Redis and in the database cache; add() starts a window.
    total = throttle.count(key, timeout=rate.window + 1)
    return Counted(key=key, allowed=total <= rate.limit)


def hit(name: str, ident: str) -> bool:
    """Count one event for `ident`; True while the count stays within the limit."""
    counted = count(name, ident)
    return counted is None or counted.allowed


def uncount(counts) -> None:
    """Take back `counts` (Counted) made by a request that turned out to change nothing.

    Each goes back to the window it was counted in; one that has expired since is gone
    already. Atomic like the count itself.
    """
    for counted in counts:
        with contextlib.suppress(ValueError):
            cache.decr(counted.key)


def exceeded(name: str, ident: str) -> bool:
    """True if `ident` has used up its limit in this window (counts nothing)."""
    if not ident:
        return False
    rate = rate_for(name)
    return (cache.get(_key(name, ident, rate)) or 0) >= rate.limit
