"""A fixed-window counter in the shared cache, for the apps below the processes (the
password reset request). The public opinion pages have their own (opinions/ratelimit.py),
counted the same way: `cache.add` then `cache.incr`, atomic across processes in Redis
and in zhitong.core.cache.DatabaseCache.
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
    key = _key(scope, ident, window)
    cache.add(key, 0, timeout=window + 1)
    try:
        total = cache.incr(key)
    except ValueError:
        # The window expired between add() and incr(): this is its first event.
        cache.add(key, 1, timeout=window + 1)
        total = 1
    return total <= limit
