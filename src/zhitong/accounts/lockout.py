"""Login lockout (登录锁定) with django-axes, counted three ways.

Failed sign-ins in the cool-off window (AXES_COOLOFF_HOURS) are counted

- per account and address (AXES_FAILURE_LIMIT, 5): someone mistyping their password;
- per account, from any address (AXES_ACCOUNT_FAILURE_LIMIT, 10): guessing one account's
  password from many addresses, which the first count alone never stops;
- per address, whatever the account (AXES_ADDRESS_FAILURE_LIMIT, 30): trying a few
  common passwords on many accounts ("spraying").

Each limit, once reached, locks what it counts until the window has passed: the pair,
the account (from every address: its owner is told so and may reset the password by
e-mail, which lifts the lock), or the address (every account signing in from it; a
district office whose staff share one NAT address may need a higher limit). The
address is the client's behind trusted proxies (zhitong.core.clientip).

Axes compares one number with one limit, so `LockoutHandler.get_failures` returns the
worst of the three counts rescaled to AXES_FAILURE_LIMIT: it reaches that limit exactly
when one of the counts reaches its own.

`username_from_request` (AXES_USERNAME_CALLABLE) is how axes reads the account name of
an attempt.
"""

from dataclasses import dataclass

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

PAIR, ACCOUNT, ADDRESS = "pair", "account", "address"


# --- how axes reads the account name of a login attempt -------------------------------

USERNAME_MAX = 150


def username_from_request(request, credentials) -> str | None:
    """The name tried, as axes records it: at most USERNAME_MAX characters, no NUL."""
    name = (credentials or {}).get("username")
    if name is None:
        name = request.POST.get("username") if request is not None else None
    if name is None:
        return None
    return str(name).replace("\x00", "")[:USERNAME_MAX]


# --- the three counts ----------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    scope: str  # PAIR, ACCOUNT or ADDRESS
    failures: int
    limit: int

    @property
    def reached(self) -> bool:
        return self.failures >= self.limit


def _scope(parameter) -> str:
    names = {parameter} if isinstance(parameter, str) else set(parameter)
    if names == {"username"}:
        return ACCOUNT
    if names == {"ip_address"}:
        return ADDRESS
    return PAIR


def limit_for(scope: str) -> int:
    if scope == ACCOUNT:
        return settings.AXES_ACCOUNT_FAILURE_LIMIT
    if scope == ADDRESS:
        return settings.AXES_ADDRESS_FAILURE_LIMIT
    return settings.AXES_FAILURE_LIMIT


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for each lockout parameter."""

    def counts(self, request, credentials=None) -> list[Count]:
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        counts = []
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            scope = _scope(parameter)
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            counts.append(Count(scope=scope, failures=failures, limit=limit_for(scope)))
        return counts

    def get_failures(self, request, credentials=None) -> int:
        counts = self.counts(request, credentials)
        # Which count locked the request, for the lockout page (the account's before the
        # address's: its owner can do something about it).
        order = {PAIR: 0, ACCOUNT: 1, ADDRESS: 2}
        reached = sorted((c for c in counts if c.reached), key=lambda c: order[c.scope])
        request.zhitong_lockout = reached[0] if reached else None
        scale = settings.AXES_FAILURE_LIMIT
        return max((c.failures * scale // c.limit for c in counts), default=0)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful sign-in clears its account's failures, not its address's: one
        valid account must not reset the count of an address spraying others."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def lockout_response(request, original_response=None, credentials=None):
    """The lockout page (AXES_LOCKOUT_CALLABLE): what is locked, for how long, what to do."""
    count = getattr(request, "zhitong_lockout", None) or Count(
        PAIR, settings.AXES_FAILURE_LIMIT, settings.AXES_FAILURE_LIMIT
    )
    context = {
        "scope": count.scope,
        "failure_limit": count.limit,
        "cooloff_timedelta": get_cool_off(request),
    }
    return render(request, "accounts/locked_out.html", context, status=429)
