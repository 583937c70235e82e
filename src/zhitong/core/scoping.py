"""Region scoping: narrow any queryset to the region subtree a user works in (工作范围)."""

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


def is_unrestricted(user) -> bool:
    """Superusers (who hold the admin site anyway) see every region."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def scope_region_path(user) -> str | None:
    """The region path prefix a region-scoped user may see, or None when the user has none.

    Only active accounts of the region roles (admin, staff, leader, street) that carry a
    region have one; every other role is scoped by assignment, not by region.
    """
    if not (user.is_authenticated and user.is_active):
        return None
    # `is_region_scoped` lives on the user model, so core needs no import from accounts.
    if not user.is_region_scoped or user.region_id is None:
        return None
    return user.region.path


def scope_by_region(queryset: QuerySet, user, region_field: str) -> QuerySet:
    """`queryset` narrowed to rows whose `region_field` lies in the user's region subtree.

    `region_field` is the ORM path to a Region foreign key, e.g. "region" on a station or
    "station__region" on an assignment. A user without a region scope gets `none()`,
    never everything: forgetting to configure an account must not open the data.
    """
    if is_unrestricted(user):
        return queryset
    path = scope_region_path(user)
    if path is None:
        return queryset.none()
    return queryset.filter(**{f"{region_field}__path__startswith": path})


def region_in_scope(user, region) -> bool:
    """True if `region` lies in the user's region subtree (the object-level twin of the above)."""
    if region is None:
        return False
    if is_unrestricted(user):
        return True
    path = scope_region_path(user)
    return path is not None and region.path.startswith(path)


# --- the one scope value per user (工作范围) ------------------------------------------------


class ScopeKind:
    ALL = "all"  # a superuser: every district
    REGION = "region"  # admin, staff, leader, street committee: a region subtree
    UNIT = "unit"  # a unit account: what is assigned to its unit
    DEPUTY = "deputy"  # a deputy: addressed to them, or to stations they sit at today
    STATIONS = "stations"  # a liaison: the stations they keep
    NONE = "none"  # signed out, inactive, not configured, or a role without work pages


@dataclass(frozen=True)
class WorkScope:
    """Where a user works: read by selectors, forms, statistics and dashboards instead of
    branching on the role again in each place. Computed by `work_scope` (the accounts app
    provides the computation: it knows deputies and stations)."""

    kind: str
    # REGION: the subtree (path, level, id of the region the account is scoped to).
    region_path: str = ""
    region_level: str = ""
    region_id: int | None = None
    # The districts the user works in, as path prefixes; None: every district.
    district_paths: tuple[str, ...] | None = ()
    unit_id: int | None = None
    deputy_id: int | None = None
    # DEPUTY: the stations they sit at today; STATIONS: the stations they keep.
    station_ids: tuple[int, ...] = ()

    @property
    def is_small(self) -> bool:
        """A deputy's or a liaison's: hundreds of opinions a year, whatever the district."""
        return self.kind in (ScopeKind.DEPUTY, ScopeKind.STATIONS)

    @property
    def cache_key(self) -> str:
        """What figures computed for this scope depend on (all staff of a region share)."""
        if self.kind == ScopeKind.ALL:
            return "all"
        if self.kind == ScopeKind.REGION:
            return f"region:{self.region_id}"
        if self.kind == ScopeKind.UNIT:
            return f"unit:{self.unit_id}"
        if self.kind == ScopeKind.DEPUTY:
            return f"deputy:{self.deputy_id}:{','.join(map(str, self.station_ids))}"
        if self.kind == ScopeKind.STATIONS:
            return f"stations:{','.join(map(str, self.station_ids))}"
        return "none"


NO_SCOPE = WorkScope(ScopeKind.NONE)
_provider: Callable[[Any], WorkScope] | None = None


def provide_work_scope(function: Callable[[Any], WorkScope]) -> None:
    """Register the computation of a user's scope (the accounts app, at start-up)."""
    global _provider
    _provider = function


# Within a request the scope is computed once per user (ScopeMiddleware); outside one
# (services, commands, tests) it is computed afresh, so it never goes stale there.
_request_scopes: ContextVar[dict | None] = ContextVar("zhitong_request_scopes", default=None)


def work_scope(user) -> WorkScope:
    """The user's WorkScope."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    if _provider is None:
        raise RuntimeError("no work scope provider registered (zhitong.accounts)")
    cache = _request_scopes.get()
    if cache is None:
        return _provider(user)
    key = (user.pk, user.role, user.region_id, getattr(user, "unit_id", None), user.is_superuser)
    if key not in cache:
        cache[key] = _provider(user)
    return cache[key]


class ScopeMiddleware:
    """Compute each user's scope at most once per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_scopes.set({})
        try:
            return self.get_response(request)
        finally:
            _request_scopes.reset(token)
