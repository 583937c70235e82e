"""What each process offers the statistics (统计): its source rows and dimensions,
registered in its AppConfig.ready; the per-unit figures that span every process, computed
from the assignments and the ratings of their replies.

The statistics summary and its read path live in `dashboards`, above the processes: it reads
what is registered here, so no process imports dashboards (handling.md, the layers).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhitong.core.scoping import ScopeKind, work_scope
from zhitong.handling import models
from zhitong.handling.models import Assignment, Rating
from zhitong.regions.models import RegionLevel

# The counts every summary row holds. A source's case rows carry each as 0 or 1 per case
# (so the counts of a group are sums, and any grouping of the rows adds up).
# `rated` counts the ratings people gave; `closed_default` the cases nobody rated in time,
# closed as 默认满意 (never counted as rated or satisfied).
COUNTS = (
    "collected",
    "closed",
    "closed_referred",
    "on_time",
    "rated",
    "satisfied",
    "closed_default",
)
SATISFIED_SCORES = [Rating.Score.SATISFIED, Rating.Score.BASICALLY]
GIVEN_SCORES = [score.value for score in models.GIVEN_SCORES]
# The assignments a unit is working on or has answered: returned ones were handed back
# (not its business), withdrawn ones taken off.
ACTIVE_STATES = [Assignment.State.PENDING, Assignment.State.ACCEPTED, Assignment.State.REPLIED]


@dataclass(frozen=True)
class FigureDimension:
    """A breakdown of a process's figures: its name (the summary's `dimension`), whether
    its case rows carry a label for the group (`label_<name>`, e.g. a unit's name as it was
    when referred), and whether cases without a group count as one (未填写) or not at all."""

    name: str
    labelled: bool = False
    empty_group: bool = True

    def __post_init__(self):
        # The name becomes a column name in the summary's SQL (dashboards.services).
        if not self.name.isidentifier():
            raise ValueError(f"a dimension's name must be an identifier: {self.name!r}")


@dataclass(frozen=True)
class FigureSource:
    """A process's figures for the summary.

    `case_rows(district_id, days)` is a query with one row per case of the district
    received on `days` (every day when None), with the values: `f_case` (the handling case
    id), `f_day` (the local day received), `f_street` (the street partition, may be null),
    `f_k_<dimension>` (the group of each dimension but the total) and `f_l_<dimension>` for
    labelled ones, and `n_<count>` for each of COUNTS (0 or 1). `changed_days(since)` gives
    the (district id, day) pairs whose rows may have changed since `since`, and
    `latest_change()` the time to remember for the next run.
    """

    process: str
    dimensions: tuple[FigureDimension, ...]
    case_rows: Callable[[int, set[datetime.date] | None], QuerySet]
    changed_days: Callable[[datetime.datetime], Iterable[tuple[int, datetime.date]]]
    latest_change: Callable[[], datetime.datetime | None]


_SOURCES: dict[str, FigureSource] = {}


def register_figures(source: FigureSource) -> FigureSource:
    """Register a process's figures (in its AppConfig.ready); registering again replaces."""
    _SOURCES[source.process] = source
    return source


def figure_sources() -> list[FigureSource]:
    return list(_SOURCES.values())


def _rated_assignments(scores: list[str]) -> Q:
    """The assignments with a rating of their reply of one of `scores`, whatever the
    process; a reply on the spot has no assignment."""
    ratings = Rating.objects.filter(reply__assignment__isnull=False, score__in=scores)
    return Q(pk__in=ratings.values("reply__assignment_id"))


def _day(field_name: str) -> TruncDate:
    return TruncDate(field_name, tzinfo=timezone.get_current_timezone())


def unit_metrics() -> dict:
    """The counts of one unit's assignments, whatever the process: assigned (not returned
    or withdrawn), replied, replied with a due date, replied on time (the local date of the
    reply on or before the due date), rated (by a person), satisfied (满意 or 基本满意; an
    assignment rated twice counts once), closed by default (默认满意, nobody rated). Needs the alias `replied_on` (see unit_assignments)."""
    replied = Q(replied_at__isnull=False)
    dated = replied & Q(due_date__isnull=False)
    return {
        "name": Max("unit_name"),
        "collected": Count("pk"),
        "closed": Count("pk", filter=replied),
        "closed_referred": Count("pk", filter=dated),
        "on_time": Count("pk", filter=dated & Q(replied_on__lte=F("due_date"))),
        "rated": Count("pk", filter=_rated_assignments(GIVEN_SCORES)),
        "satisfied": Count("pk", filter=_rated_assignments(SATISFIED_SCORES)),
        "closed_default": Count("pk", filter=_rated_assignments([Rating.Score.DEFAULT])),
    }


def unit_assignments() -> QuerySet[Assignment]:
    """The assignments the per-unit figures count (by the day they were assigned)."""
    return (
        Assignment.objects.filter(state__in=ACTIVE_STATES)
        .order_by()
        .alias(replied_on=_day("replied_at"))
    )


def unit_figures_live(
    assignments: QuerySet[Assignment], start: datetime.date, end: datetime.date
) -> list[dict]:
    """The per-unit counts of `assignments` (from unit_assignments, scoped) assigned from
    `start` to `end` (local dates), ordered by the unit's name then id."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return list(
        assignments.filter(assigned_at__gte=since, assigned_at__lt=until)
        .values("unit_id")
        .annotate(**unit_metrics())
        .order_by("name", "unit_id")
    )


def unit_assignments_in_scope(user) -> QuerySet[Assignment] | None:
    """The assignments whose per-unit figures `user` sees, or None when none: every one for
    a superuser, those of the districts of a region role at district level or above, a unit
    account's own. Street and community staff, deputies and liaisons see cases, not
    units' work across districts (and an assignment carries its district, not a street)."""
    scope = work_scope(user)
    assignments = unit_assignments()
    if scope.kind == ScopeKind.ALL:
        return assignments
    if scope.kind == ScopeKind.UNIT and scope.unit_id is not None:
        return assignments.filter(unit_id=scope.unit_id)
    wide = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.DISTRICT)
    if scope.kind == ScopeKind.REGION and scope.region_level in wide:
        return assignments.filter(district__path__startswith=scope.region_path)
    return None
