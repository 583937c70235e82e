"""Reads of stations (代表联络站点), always scoped to the user who asks."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhitong.core.roles import Role
from zhitong.core.scoping import ScopeKind, is_unrestricted, scope_by_region, work_scope
from zhitong.regions.models import Region
from zhitong.stations.hours import read_hours
from zhitong.stations.models import DutyPeriod, DutyRota, Station, StationAssignment, Weekday


def _current_assignment_q(prefix: str, on: datetime.date) -> Q:
    """Q for assignments current on `on`, reached through `prefix` (e.g. "assignments__")."""
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
    )


def stations_visible_to(user) -> QuerySet[Station]:
    """Every station whose private page `user` may open.

    Region roles: their region subtree (street staff: their street). Liaisons: the
    stations they keep. Deputies: the stations they are currently assigned to. Every
    other role, and anyone signed out or inactive: none.
    """
    stations = Station.objects.all()
    scope = work_scope(user)
    if scope.kind in (ScopeKind.ALL, ScopeKind.REGION):
        return scope_by_region(stations, user, "region")
    if scope.kind in (ScopeKind.STATIONS, ScopeKind.DEPUTY):
        # Liaisons: the stations they keep; deputies: those they sit at today.
        return stations.filter(pk__in=scope.station_ids)
    return stations.none()
    if is_unrestricted(user) or user.is_region_scoped:
        return scope_by_region(stations, user, "region")
    if user.role == Role.LIAISON:
        # A subquery, not a join: a join would also narrow later Count("liaisons") annotations.
        kept = Station.liaisons.through.objects.filter(user=user).values("station_id")
        return stations.filter(pk__in=kept)
    if user.role == Role.DEPUTY:
        return stations.filter(
            pk__in=StationAssignment.objects.current()
            .filter(deputy__user=user)
            .values("station_id")
        )
    return stations.none()


def access_station(user, pk) -> Station:
    """The station `pk` if `user` may see its private page; one uniform 404 otherwise.

    Missing and out-of-scope answer alike, so nobody learns which stations exist
    outside their scope.
    """
    try:
        return stations_visible_to(user).select_related("region", "street").get(pk=pk)
    except (Station.DoesNotExist, ValueError, TypeError):
        raise Http404("no such station") from None


def station_list(
    user, *, street_id: int | None = None, kind: str = "", on: datetime.date | None = None
) -> QuerySet[Station]:
    """The private station list: scoped, filtered, with the counts the list shows."""
    on = on or timezone.localdate()
    stations = stations_visible_to(user)
    if street_id:
        stations = stations.filter(street_id=street_id)
    if kind:
        stations = stations.filter(kind=kind)
    return (
        stations.select_related("region", "street")
        .annotate(
            deputy_count=Count(
                "assignments__deputy",
                filter=_current_assignment_q("assignments__", on),
                distinct=True,
            ),
            liaison_count=Count("liaisons", distinct=True),
        )
        .order_by("street__path", "kind", "name", "pk")
    )


def streets_for_filter(user) -> QuerySet[Region]:
    """The streets offered in the list's street filter: those holding a visible station."""
    return Region.objects.filter(pk__in=stations_visible_to(user).values("street_id")).order_by(
        "path"
    )


def station_detail_parts(station: Station, *, on: datetime.date | None = None) -> dict:
    """What the private station page shows beside the station itself, in a fixed number of queries."""
    on = on or timezone.localdate()
    assignments = list(
        station.assignments.select_related("deputy").order_by(
            "-start_date", "-is_head", "deputy__name", "pk"
        )
    )
    current = [
        a for a in assignments if a.start_date <= on and (a.end_date is None or a.end_date >= on)
    ]
    current.sort(key=lambda a: (not a.is_head, a.deputy.name, a.pk))
    rota = list(
        station.rota.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("deputy")
        .order_by("weekday", "period", "deputy__name")
    )
    return {
        "current_assignments": current,
        "assignment_history": assignments,
        "rota": rota,
        "liaisons": list(station.liaisons.order_by("display_name", "username")),
        "linked_communities": list(station.linked_communities.order_by("path")),
    }


def stations_with_duty_on(user, day: datetime.date) -> QuerySet[Station]:
    """The user's visible stations, each with `duty_today` (rota lines on `day`) prefetched."""
    return (
        stations_visible_to(user)
        .select_related("region", "street")
        .annotate(
            deputy_count=Count(
                "assignments__deputy",
                filter=_current_assignment_q("assignments__", day),
                distinct=True,
            )
        )
        .prefetch_related(
            Prefetch(
                "rota",
                queryset=DutyRota.objects.on(day)
                .select_related("deputy")
                .order_by("period", "deputy__name"),
                to_attr="duty_today",
            )
        )
        .order_by("street__path", "kind", "name", "pk")
    )


# --- the duty rota (值班表) ------------------------------------------------------------------


def access_rota(user, pk) -> Station:
    """The station `pk` whose rota `user` keeps. A station they cannot see answers the same
    404 as a missing one; one they see but do not keep (a leader, a deputy) is refused."""
    station = access_station(user, pk)
    if not user.has_perm("stations.change_rota", station):
        raise PermissionDenied
    return station


def rota_line(station: Station, line_pk) -> DutyRota:
    """One line of the station's rota, or 404 (a line of another station included)."""
    try:
        return DutyRota.objects.select_related("deputy", "station", "station__street").get(
            pk=line_pk, station=station
        )
    except (DutyRota.DoesNotExist, ValueError, TypeError):
        raise Http404("no such rota line") from None


@dataclass
class RotaDay:
    """One weekday of a station's rota page: its lines in period order, and whether the
    station's hours open it."""

    weekday: int
    label: str
    lines: list[DutyRota]
    open_periods: str


def rota_week(station: Station, *, on: datetime.date | None = None) -> list[RotaDay]:
    """The station's rota lines in force on `on` or later, by weekday and period."""
    on = on or timezone.localdate()
    lines = list(
        station.rota.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("deputy")
        .order_by("weekday", "valid_from", "deputy__name", "pk")
    )
    order = {p: n for n, p in enumerate(DutyPeriod.values)}
    hours = read_hours(station.opening_hours)
    names = dict(DutyPeriod.choices)
    days = []
    for weekday, label in Weekday.choices:
        day_lines = sorted(
            (line for line in lines if line.weekday == weekday), key=lambda x: order[x.period]
        )
        periods = hours.periods_on(weekday) if hours is not None else set()
        open_text = "、".join(str(names[p]) for p in DutyPeriod.values if p in periods)
        days.append(RotaDay(weekday, str(label), day_lines, open_text))
    return days
