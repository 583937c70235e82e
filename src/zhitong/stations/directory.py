"""The public directory of stations and deputies (联络站与代表公开信息): what citizens may
see, and the stations the opinion form keeps between requests. Read by the public pages and
by the opinion form, both above stations in the layers."""

import datetime
import threading
import time
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Case,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils import timezone

from zhitong.deputies.models import (
    Deputy,
    DeputyLevel,
    DeputyMembership,
    GroupMembership,
    MembershipStatus,
)
from zhitong.regions.models import Region
from zhitong.stations.models import DutyPeriod, DutyRota, Station, StationAssignment

# Fields a public page may read from a deputy. Loading only these keeps private
# columns (mobile, ID tail, login account) out of every public query.
DEPUTY_PUBLIC_FIELDS = ("id", "name", "gender", "occupation", "public_code", "district_id")
STATION_PRIVATE_FIELDS = ("internal_notes",)

LEVEL_ORDER = [level.value for level in DeputyLevel]
PERIOD_ORDER = [period.value for period in DutyPeriod]


def _today() -> datetime.date:
    return timezone.localdate()


# ---- building blocks -------------------------------------------------------


def _in_force(prefix: str, on: datetime.date, start: str, end: str) -> Q:
    """Dated rows in force on `on`: started, and not yet ended."""
    return Q(**{f"{prefix}{start}__lte": on}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": on})
    )


def _serving_memberships(on: datetime.date) -> QuerySet:
    return DeputyMembership.objects.filter(
        Q(status=MembershipStatus.SERVING) & _in_force("", on, "start_date", "end_date")
    )


def _serving_exists(on: datetime.date, field_name: str = "pk") -> Exists:
    # Exists rather than a join: a join over memberships would need DISTINCT and
    # would let a level filter match a different seat than the serving one.
    return Exists(_serving_memberships(on).filter(deputy=OuterRef(field_name)))


def serving_deputies(on: datetime.date | None = None) -> QuerySet:
    """Deputies holding at least one serving seat on `on`, public columns only."""
    on = on or _today()
    return Deputy.objects.filter(_serving_exists(on)).only(*DEPUTY_PUBLIC_FIELDS)


def active_stations() -> QuerySet:
    return Station.objects.active().defer(*STATION_PRIVATE_FIELDS)


def _current_assignments(on: datetime.date) -> QuerySet:
    return StationAssignment.objects.current(on).filter(station__is_active=True)


def _levels_prefetch(on: datetime.date, lookup: str = "memberships") -> Prefetch:
    return Prefetch(
        lookup,
        queryset=_serving_memberships(on)
        .select_related("term", "term__region")
        .order_by(_level_rank(), "pk"),
        to_attr="serving_memberships",
    )


def _groups_prefetch(on: datetime.date, lookup: str = "group_memberships") -> Prefetch:
    return Prefetch(
        lookup,
        queryset=GroupMembership.objects.filter(_in_force("", on, "start_date", "end_date"))
        .select_related("group")
        .order_by("group__kind", "group__name"),
        to_attr="current_groups",
    )


def _stations_prefetch(on: datetime.date, lookup: str = "station_assignments") -> Prefetch:
    return Prefetch(
        lookup,
        queryset=_current_assignments(on)
        # The street's district too: an opinion filed through the deputy's form needs it.
        .select_related("station", "station__street", "station__street__parent")
        .defer(*(f"station__{name}" for name in STATION_PRIVATE_FIELDS))
        .order_by("-is_head", "station__name"),
        to_attr="current_assignments",
    )


def _level_rank() -> Case:
    # Highest level first (全国 … 乡镇); the stored values do not sort that way.
    return Case(
        *(When(level=level, then=Value(rank)) for rank, level in enumerate(LEVEL_ORDER)),
        default=Value(len(LEVEL_ORDER)),
    )


def levels_of(deputy: Deputy) -> list[DeputyMembership]:
    """The deputy's serving seats, highest level first (needs the levels prefetch)."""
    return deputy.serving_memberships


def _sort_rota(lines) -> list[DutyRota]:
    return sorted(lines, key=lambda r: (PERIOD_ORDER.index(r.period), r.deputy.name))


# ---- index -----------------------------------------------------------------


def public_counts() -> dict[str, int]:
    return {
        "stations": Station.objects.active().count(),
        "deputies": serving_deputies().count(),
    }


# ---- stations --------------------------------------------------------------


def streets_with_stations() -> list[Region]:
    """Streets that have at least one active station, for the filter selects."""
    return list(
        Region.objects.streets()
        .filter(Exists(Station.objects.active().filter(street=OuterRef("pk"))))
        .select_related("parent")
        .order_by("path")
    )


def station_list(*, street_code: str = "", kind: str = "") -> QuerySet:
    """Active stations, optionally of one street (by region code) and one kind."""
    stations = active_stations().select_related("street", "street__parent", "region")
    if street_code:
        stations = stations.filter(street__code=street_code)
    if kind:
        stations = stations.filter(kind=kind)
    return stations.order_by("street__path", "kind", "name", "pk")


def station_get(public_code: str) -> Station:
    """The active station with this public code, or 404 (unknown and inactive look the same)."""
    station = (
        active_stations()
        .select_related("street", "street__parent", "region")
        .filter(public_code=public_code)
        .first()
    )
    if station is None:
        raise Http404("station not found")
    return station


# ---- the station behind an opinion form, kept between requests ----------------
#
# Every opinion filed through a station's QR code starts by finding the station, its street
# and its district, which change a few times a year. Each process keeps their rows for
# FORM_STATION_TTL seconds, tagged with a version number kept in Django's cache; saving or
# deleting any station or region bumps it (form_stations_changed_on_save, connected in
# PublicConfig.ready), at once in this process and, with a shared cache (Redis), in every
# process on its next request: a station deactivated through the admin or a service stops
# taking opinions at once. The TTL bounds how long a process can miss a change made without
# signals (QuerySet.update, bulk_create, raw SQL), or made by another process over a
# per-process cache (local memory; a deployment of several processes sets REDIS_URL, as the
# rate limits already require). Only stations found are kept: an unknown or inactive code is
# looked up every time, so a new station is found at once.

FORM_STATION_TTL = 60
FORM_STATION_VERSION_KEY = "zt:public:form-station-version"
# The columns kept: the station's public ones (what the form page shows too), and all of
# its street's and district's.
_STATION_COLUMNS = tuple(
    f.attname for f in Station._meta.concrete_fields if f.name not in STATION_PRIVATE_FIELDS
)
_REGION_COLUMNS = tuple(f.attname for f in Region._meta.concrete_fields)
_form_stations: dict[str, "_KeptStation"] = {}
_form_stations_lock = threading.Lock()


@dataclass(frozen=True)
class _KeptStation:
    """The rows read for one form station, and under which version and until when they hold."""

    db: str
    station: tuple
    street: tuple
    district: tuple | None
    version: int
    expires: float

    def build(self) -> Station:
        """Fresh model instances, every call: what one request sets on them stays its own.
        Private columns are deferred: reading one is a query, never a wrong value."""
        station = Station.from_db(self.db, _STATION_COLUMNS, self.station)
        street = Region.from_db(self.db, _REGION_COLUMNS, self.street)
        if self.district is not None:
            street.parent = Region.from_db(self.db, _REGION_COLUMNS, self.district)
        station.street = street
        return station


def _form_station_version() -> int:
    version = cache.get(FORM_STATION_VERSION_KEY)
    if version is None:
        # Never set, evicted or cleared: start from a number no process can hold already,
        # so rows kept under an earlier number are read again.
        version = time.time_ns()
        if not cache.add(FORM_STATION_VERSION_KEY, version, timeout=None):
            version = cache.get(FORM_STATION_VERSION_KEY, version)
    return version


def form_stations_changed(**_kwargs) -> None:
    """Forget the kept form stations, here at once and, through the cache, in every process."""
    with _form_stations_lock:
        _form_stations.clear()
    try:
        cache.incr(FORM_STATION_VERSION_KEY)
    except ValueError:
        _form_station_version()


def form_stations_changed_on_save(**_kwargs) -> None:
    """Receiver for saved and deleted stations and regions."""
    form_stations_changed()
    # Bumped again once the change is visible to others: a process that read the rows
    # between the first bump and the commit kept the old ones.
    transaction.on_commit(form_stations_changed)


def _read_form_station(public_code: str, *, version: int, now: float) -> _KeptStation | None:
    street = tuple(f"street__{name}" for name in _REGION_COLUMNS)
    district = tuple(f"street__parent__{name}" for name in _REGION_COLUMNS)
    rows = (
        Station.objects.active()
        .filter(public_code=public_code)
        .order_by()
        .values_list(*_STATION_COLUMNS, *street, *district)
    )
    row = next(iter(rows[:1]), None)
    if row is None:
        return None
    first_street, first_district = len(_STATION_COLUMNS), len(_STATION_COLUMNS) + len(street)
    district_row = row[first_district:]
    return _KeptStation(
        db=rows.db,
        station=row[:first_street],
        street=row[first_street:first_district],
        # The street's parent, through an outer join: absent only in broken data.
        district=district_row if district_row[0] is not None else None,
        version=version,
        expires=now + FORM_STATION_TTL,
    )


def station_for_form(public_code: str) -> Station:
    """The active station behind an opinion form QR code, or 404: the station with its street
    and district (what filing the opinion needs), kept between requests (see above)."""
    # The version is read before the rows: rows read under a version that a change bumps
    # meanwhile are stored under the old one and read again next time.
    version = _form_station_version()
    now = time.monotonic()
    kept = _form_stations.get(public_code)
    if kept is None or kept.expires <= now or kept.version != version:
        kept = _read_form_station(public_code, version=version, now=now)
        if kept is None:
            raise Http404("station not found")
        with _form_stations_lock:
            _form_stations[public_code] = kept
    return kept.build()


def station_duty_today(station: Station, on: datetime.date | None = None) -> list[DutyRota]:
    """Serving deputies on duty at the station on `on` (today by default), by period."""
    on = on or _today()
    lines = (
        DutyRota.objects.on(on)
        .filter(station=station)
        .filter(_serving_exists(on, "deputy"))
        .select_related("deputy")
        .only(
            "id", "period", "weekday", "station_id", *(f"deputy__{f}" for f in DEPUTY_PUBLIC_FIELDS)
        )
    )
    return _sort_rota(lines)


@dataclass
class RotaDay:
    date: datetime.date
    is_today: bool
    lines: list = field(default_factory=list)


def station_week_rota(
    station: Station, start: datetime.date | None = None, days: int = 7
) -> list[RotaDay]:
    """The rota for the `days` days from `start` (today), each day with its duty lines."""
    start = start or _today()
    end = start + datetime.timedelta(days=days - 1)
    lines = list(
        DutyRota.objects.filter(station=station, valid_from__lte=end)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
        .filter(_serving_exists(start, "deputy"))
        .select_related("deputy")
        .only(
            "id",
            "period",
            "weekday",
            "valid_from",
            "valid_until",
            "station_id",
            *(f"deputy__{f}" for f in DEPUTY_PUBLIC_FIELDS),
        )
    )
    week = []
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        todays = [
            line
            for line in lines
            if line.weekday == day.weekday()
            and line.valid_from <= day
            and (line.valid_until is None or line.valid_until >= day)
        ]
        week.append(RotaDay(date=day, is_today=offset == 0, lines=_sort_rota(todays)))
    return week


def station_deputies(station: Station, on: datetime.date | None = None) -> list[StationAssignment]:
    """Current assignments of serving deputies to the station, the head first."""
    on = on or _today()
    return list(
        StationAssignment.objects.current(on)
        .filter(station=station)
        .filter(_serving_exists(on, "deputy"))
        .select_related("deputy")
        .only("id", "is_head", "station_id", *(f"deputy__{f}" for f in DEPUTY_PUBLIC_FIELDS))
        .prefetch_related(_levels_prefetch(on, "deputy__memberships"))
        .order_by("-is_head", "deputy__name", "deputy__pk")
    )


def station_communities(station: Station) -> list[Region]:
    return list(station.linked_communities.order_by("path"))


# ---- deputies --------------------------------------------------------------


def deputy_list(
    *, q: str = "", street_code: str = "", level: str = "", on: datetime.date | None = None
) -> QuerySet:
    """Serving deputies, searchable by name, filterable by street (station) and level."""
    on = on or _today()
    deputies = serving_deputies(on)
    if q:
        deputies = deputies.filter(name__icontains=q)
    if street_code:
        deputies = deputies.filter(
            Exists(
                _current_assignments(on).filter(
                    deputy=OuterRef("pk"), station__street__code=street_code
                )
            )
        )
    if level:
        deputies = deputies.filter(
            Exists(_serving_memberships(on).filter(deputy=OuterRef("pk"), level=level))
        )
    return deputies.order_by("name", "pk").prefetch_related(
        _levels_prefetch(on), _stations_prefetch(on), _groups_prefetch(on)
    )


def deputy_get(public_code: str, on: datetime.date | None = None, *, display=True) -> Deputy:
    """The serving deputy with this public code, with seats, stations and groups; or 404.

    With display=False only the stations are loaded (what an opinion needs to be filed);
    deputy_add_display() loads the rest when the page is shown after all.
    """
    on = on or _today()
    prefetches = [_stations_prefetch(on)]
    if display:
        prefetches += [_levels_prefetch(on), _groups_prefetch(on)]
    deputy = (
        serving_deputies(on).filter(public_code=public_code).prefetch_related(*prefetches).first()
    )
    if deputy is None:
        raise Http404("deputy not found")
    deputy.display_on = on if display else None
    return deputy


def deputy_add_display(deputy: Deputy) -> Deputy:
    """Load the seats and groups that deputy_get(display=False) left out."""
    if getattr(deputy, "display_on", None) is None:
        on = _today()
        prefetch_related_objects([deputy], _levels_prefetch(on), _groups_prefetch(on))
        deputy.display_on = on
    return deputy


def deputy_duty(deputy: Deputy, on: datetime.date | None = None) -> list[DutyRota]:
    """The deputy's rota lines in force on `on` at active stations, by weekday and period."""
    on = on or _today()
    lines = (
        DutyRota.objects.filter(deputy=deputy, station__is_active=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("station")
        .only(
            "id",
            "weekday",
            "period",
            "valid_from",
            "valid_until",
            "deputy_id",
            "station__name",
            "station__public_code",
        )
    )
    return sorted(lines, key=lambda r: (r.weekday, PERIOD_ORDER.index(r.period), r.station.name))


def deputy_main_station(deputy: Deputy) -> Station | None:
    """The station a deputy's opinions go to: the one they head, else the first assigned."""
    assignments = deputy.current_assignments
    return assignments[0].station if assignments else None


def station_is_public(public_code: str) -> bool:
    """True if the code belongs to an active station (for the QR endpoints)."""
    return Station.objects.active().filter(public_code=public_code).exists()


def deputy_is_public(public_code: str, on: datetime.date | None = None) -> bool:
    """True if the code belongs to a serving deputy (for the QR endpoints)."""
    return serving_deputies(on).filter(public_code=public_code).exists()
