"""A fixed-window counter in the shared cache, for the apps below the processes (the
password reset request). The public opinion pages have their own (opinions/ratelimit.py),
counted the same way (`count`: `cache.incr`, or `cache.add` for a window's first event),
atomic across processes in Redis and in zhitong.core.cache.DatabaseCache.
"""

import hashlib
import time

from django.core.cache import cache


def _key(scope: str, ident: str, window: int) -> str:
    # Hashed: addresses and e-mail addresses are personal data.
    digest = hashlib.sha256(f"{scope}:{ident}".encode()).hexdigest()[:32]
    return f"zt:th:{scope}:{digest}:{int(time.time() // window)}"


def hit(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Count one event for `ident`; True while at most `limit` in this `window` (seconds)."""
    if not ident:
        return True
    return count(_key(scope, ident, window), timeout=window + 1) <= limit


def count(key: str, *, timeout: int) -> int:
    """Add one to the window's count at `key` (made with `timeout` by its first event); the
    count. The increment comes first: a window counted before costs one atomic `incr`
    (not an `add` that finds the key, then the `incr`)."""
    try:
        return cache.incr(key)
    except ValueError:
        pass
    # The window's first event (or its key has just expired). Of two processes starting
    # it at once, one adds it; the other counts on it.
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        # It expired between add() and incr(): this is its first event.
        cache.add(key, 1, timeout=timeout)
        return 1
