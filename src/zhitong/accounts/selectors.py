"""Reads behind the role home pages (工作台), each scoped to the user who asks."""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from zhitong.accounts.models import Role, User
from zhitong.core.scoping import is_unrestricted, scope_region_path
from zhitong.deputies.models import Deputy, GroupMembership
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations.models import DutyRota, Station, StationAssignment
from zhitong.stations.selectors import stations_visible_to, stations_with_duty_on
from zhitong.units.selectors import units_visible_to


def _current(prefix: str, on: datetime.date) -> Q:
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
    )


def deputies_in_scope(user) -> QuerySet[Deputy]:
    """The deputies `user` works with.

    Region roles: deputies of a district in their subtree, and deputies currently at a
    station in their subtree (so street staff see their street's deputies). Liaisons:
    deputies at the stations they keep. Deputies: themselves. Others: none.
    """
    deputies = Deputy.objects.all()
    if not (user.is_authenticated and user.is_active):
        return deputies.none()
    if is_unrestricted(user):
        return deputies
    if user.is_region_scoped:
        path = scope_region_path(user)
        if path is None:
            return deputies.none()
        at_stations = StationAssignment.objects.current().filter(
            station__region__path__startswith=path
        )
        return deputies.filter(
            Q(district__path__startswith=path) | Q(pk__in=at_stations.values("deputy_id"))
        )
    if user.role == Role.LIAISON:
        at_kept = StationAssignment.objects.current().filter(station__in=stations_visible_to(user))
        return deputies.filter(pk__in=at_kept.values("deputy_id"))
    if user.role == Role.DEPUTY:
        return deputies.filter(user=user)
    return deputies.none()


def accounts_in_scope(user) -> QuerySet[User]:
    """Accounts a region administrator manages.

    Region-scoped accounts in the subtree, unit accounts of units there, the accounts of
    the subtree's deputies and the liaisons of its stations. Citizens' accounts belong
    to no region and are not counted.
    """
    users = User.objects.all()
    if is_unrestricted(user):
        return users
    path = scope_region_path(user)
    if path is None or user.role != Role.ADMIN:
        return users.none()
    return _accounts_under(users, path)


def unlockable_accounts(user) -> QuerySet[User]:
    """Accounts whose login lockout `user` may lift: an administrator's (accounts_in_scope);
    for the committee's staff (工作人员), who answer the phone when someone is locked out,
    the same accounts of their region subtree but administrators' and superusers'."""
    if is_unrestricted(user) or getattr(user, "role", None) == Role.ADMIN:
        return accounts_in_scope(user)
    path = scope_region_path(user)
    if path is None or getattr(user, "role", None) != Role.STAFF:
        return User.objects.none()
    users = User.objects.exclude(role=Role.ADMIN).exclude(is_superuser=True)
    return _accounts_under(users, path)


def _accounts_under(users: QuerySet[User], path: str) -> QuerySet[User]:
    deputy_users = Deputy.objects.filter(district__path__startswith=path, user__isnull=False)
    liaison_users = Station.liaisons.through.objects.filter(station__region__path__startswith=path)
    # Subqueries, not joins, so no account is counted twice.
    return users.filter(
        Q(region__path__startswith=path)
        | Q(unit__region__path__startswith=path)
        | Q(pk__in=deputy_users.values("user_id"))
        | Q(pk__in=liaison_users.values("user_id"))
    )


# The roles of the people on the rosters: who is invited to sign in (全进网).
ROSTER_ROLES = (Role.DEPUTY, Role.LIAISON, Role.UNIT)
# Who invites them: the offices that keep the rosters (the importers).
INVITER_ROLES = (Role.ADMIN, Role.STAFF)


def roster_accounts_in_scope(user) -> QuerySet[User]:
    """The deputies', liaisons' and unit handlers' accounts an administrator or committee
    staff member of a region may invite (their region subtree); none for other roles."""
    users = User.objects.filter(role__in=ROSTER_ROLES)
    if is_unrestricted(user):
        return users
    if not (user.is_authenticated and user.is_active and user.role in INVITER_ROLES):
        return users.none()
    path = scope_region_path(user)
    if path is None:
        return users.none()
    return _accounts_under(users, path)


def regions_in_scope(user) -> QuerySet[Region]:
    """The user's region and its subtree; everything for a superuser; none for other roles."""
    regions = Region.objects.all()
    if is_unrestricted(user):
        return regions
    path = scope_region_path(user)
    return regions.none() if path is None else regions.filter(path__startswith=path)


def admin_overview(user) -> dict:
    """Counts of what an administrator's scope holds."""
    return {
        "regions": regions_in_scope(user).count(),
        "stations": stations_visible_to(user).count(),
        "deputies": deputies_in_scope(user).count(),
        "units": units_visible_to(user).count(),
        "accounts": accounts_in_scope(user).count(),
    }


def streets_overview(user, *, on: datetime.date | None = None) -> QuerySet[Region]:
    """Streets in the user's scope with their active station and current deputy counts."""
    on = on or timezone.localdate()
    return (
        regions_in_scope(user)
        .filter(level=RegionLevel.STREET)
        .select_related("parent")
        .annotate(
            station_count=Count(
                "street_stations", filter=Q(street_stations__is_active=True), distinct=True
            ),
            deputy_count=Count(
                "street_stations__assignments__deputy",
                filter=_current("street_stations__assignments__", on),
                distinct=True,
            ),
        )
        .order_by("path")
    )


def scope_totals(user) -> dict:
    """Headline numbers for the district overview."""
    return {
        "stations": stations_visible_to(user).filter(is_active=True).count(),
        "deputies": deputies_in_scope(user).count(),
    }


def street_deputies(user, *, on: datetime.date | None = None) -> QuerySet[Deputy]:
    """Deputies in scope, each with `current_assignments` (and their stations) prefetched."""
    on = on or timezone.localdate()
    return (
        deputies_in_scope(user)
        .prefetch_related(
            Prefetch(
                "station_assignments",
                queryset=StationAssignment.objects.current(on)
                .filter(station__in=stations_visible_to(user))
                .select_related("station"),
                to_attr="current_assignments",
            )
        )
        .order_by("name", "pk")
    )


def deputy_home(user, *, on: datetime.date | None = None) -> Deputy | None:
    """The user's own deputy record with seats, groups, stations and duty days, or None."""
    on = on or timezone.localdate()
    return (
        Deputy.objects.filter(user=user)
        .select_related("district")
        .prefetch_related(
            "memberships__term__region",
            Prefetch(
                "station_assignments",
                queryset=StationAssignment.objects.current(on).select_related(
                    "station", "station__street"
                ),
                to_attr="current_assignments",
            ),
            Prefetch(
                "duty_rota",
                queryset=DutyRota.objects.filter(
                    Q(valid_until__isnull=True) | Q(valid_until__gte=on)
                )
                .select_related("station")
                .order_by("weekday", "period"),
                to_attr="current_rota",
            ),
            Prefetch(
                "group_memberships",
                queryset=GroupMembership.objects.filter(_current("", on))
                .select_related("group")
                .order_by("group__kind", "group__name"),
                to_attr="current_groups",
            ),
        )
        .first()
    )


def liaison_stations(user, *, on: datetime.date | None = None) -> QuerySet[Station]:
    """The stations a liaison keeps, with today's duty deputies as `duty_today`."""
    return stations_with_duty_on(user, on or timezone.localdate())
