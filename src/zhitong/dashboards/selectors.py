"""Reading the opinion figures summary for a user's scope (统计页面)."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from zhitong.core.scoping import ScopeKind, work_scope
from zhitong.dashboards.models import ALL_PROCESSES, Dimension, Figure, Grain
from zhitong.dashboards.periods import split_period
from zhitong.dashboards.services import COUNTS
from zhitong.handling import deadlines
from zhitong.handling.figures import unit_assignments_in_scope
from zhitong.handling.models import Assignment
from zhitong.opinions import stats
from zhitong.opinions.figures import PROCESS as OPINIONS
from zhitong.opinions.models import OPEN_STATUSES, Opinion
from zhitong.opinions.search import overdue_q, very_overdue_q
from zhitong.opinions.selectors import opinions_visible_to
from zhitong.opinions.stats import FigureRow
from zhitong.regions.models import Region, RegionLevel


@dataclass(frozen=True)
class SummaryScope:
    """The summary rows that make up exactly what a user may see: the rows of `districts`,
    or of one street of them when `street_id` is set, or the unit partition of one unit
    when `unit_id` is set (`districts` are then those that must have been computed)."""

    districts: QuerySet[Region]
    street_id: int | None = None
    unit_id: int | None = None


def summary_scope(user) -> SummaryScope | None:
    """Where the summary serves `user`, or None when it cannot.

    Served: superusers and region roles at district level or above (whole districts),
    street staff (their street, a partition of the summary) and unit accounts (their
    unit's partition; a unit may be sent opinions of any district, so every district must
    have been computed). Community-level accounts see no opinions at all. Deputies and
    liaisons see sets the summary's keys cannot isolate (a deputy's own opinions and their
    stations'); they keep the live queries, which their small scopes keep cheap.
    """
    scope = work_scope(user)
    districts = Region.objects.filter(level=RegionLevel.DISTRICT)
    if scope.kind == ScopeKind.ALL:
        return SummaryScope(districts)
    if scope.kind == ScopeKind.UNIT:
        # opinions_visible_to: a unit sees the opinions referred to it.
        return SummaryScope(districts, unit_id=scope.unit_id)
    if scope.kind != ScopeKind.REGION or scope.region_id is None:
        return None
    if scope.region_level == RegionLevel.COMMUNITY:
        return None
    if scope.region_level == RegionLevel.STREET:
        # opinions_visible_to: a street's staff see the opinions of their street.
        parent_id = Region.objects.filter(pk=scope.region_id).values("parent_id")
        return SummaryScope(districts.filter(pk__in=parent_id), street_id=scope.region_id)
    if scope.region_level == RegionLevel.DISTRICT:
        return SummaryScope(districts.filter(pk=scope.region_id))
    return SummaryScope(districts.filter(path__startswith=scope.region_path))


def _period_rows(months, ranges) -> Q:
    parts = [Q(grain=Grain.DAY, period__range=pair) for pair in ranges]
    if months:
        parts.append(Q(grain=Grain.MONTH, period__in=months))
    return reduce(or_, parts) if parts else Q(pk__in=[])


def figures_from_summary(user, *, start: datetime.date, end: datetime.date):
    """The Figures of zhitong.opinions.stats read from the summary, or None when the
    summary cannot serve the user's scope or has not been computed for all of it yet."""
    from zhitong.opinions import stats
    from zhitong.stations.models import Station
    from zhitong.units.models import Category

    scope = summary_scope(user)
    if scope is None:
        return None
    # One query: is every district of the scope computed, and since when.
    state = scope.districts.aggregate(
        n=Count("pk"),
        computed=Count("figure_state__computed_at"),
        computed_at=Min("figure_state__computed_at"),
    )
    if not state["n"] or state["computed"] < state["n"]:
        return None
    opinions = Figure.objects.filter(process=OPINIONS)
    if scope.unit_id is not None:
        rows = opinions.filter(unit_id=scope.unit_id)
    elif scope.street_id is not None:
        rows = opinions.filter(street_id=scope.street_id, unit__isnull=True)
    else:
        rows = opinions.filter(district_id__in=scope.districts.values("pk"), unit__isnull=True)
    sums = {count: Sum(count) for count in COUNTS}
    # Channels are ordered by code and units by name as the live queries do (units with
    # the same name by id, below); the other dimensions by their current names, below.
    grouped = (
        rows.filter(_period_rows(*split_period(start, end)))
        .values("dimension", "key")
        .annotate(name=Max("label"), **sums)
        .order_by("dimension", "name", "key")
    )
    by_dimension: dict[str, dict[str, dict]] = {dimension: {} for dimension in Dimension}
    for row in grouped:
        by_dimension[row["dimension"]][row["key"]] = dict(row)

    def ids(dimension):
        return [int(key) for key in by_dimension[dimension] if key]

    def ordered(dimension, labelled: list[tuple[str, str]]) -> list:
        """Rows in the order of `labelled` (key, label), with the group without a key
        (未填写) where the database sorts NULLs, as the live ORDER BY does."""
        groups = by_dimension[dimension]
        rows = [stats._row(label, groups[key]) for key, label in labelled if key in groups]
        if "" in groups:
            unknown = stats._row(stats._unknown(), groups[""])
            rows = rows + [unknown] if connection.features.nulls_order_largest else [unknown] + rows
        return rows

    channel_labels = dict(stats.Channel.choices)
    channels = [
        stats._row(str(channel_labels.get(key, key)), row)
        for key, row in by_dimension[Dimension.CHANNEL].items()
    ]
    categories = (
        Category.objects.filter(pk__in=ids(Dimension.CATEGORY))
        .order_by("parent__name", "name", "id")
        .values("pk", "name", "parent__name")
    )
    streets = (
        Region.objects.filter(pk__in=ids(Dimension.STREET))
        .order_by("path", "name", "id")
        .values_list("pk", "name")
    )
    stations = (
        Station.objects.filter(pk__in=ids(Dimension.STATION))
        .order_by("name", "id")
        .values_list("pk", "name")
    )
    breakdowns = [
        stats.Breakdown("channel", str(Dimension.CHANNEL.label), channels),
        stats.Breakdown(
            "category",
            str(Dimension.CATEGORY.label),
            ordered(
                Dimension.CATEGORY,
                [
                    (
                        str(c["pk"]),
                        stats._category_label(
                            {
                                "category__name": c["name"],
                                "category__parent__name": c["parent__name"],
                            }
                        ),
                    )
                    for c in categories
                ],
            ),
        ),
        stats.Breakdown(
            "street",
            str(Dimension.STREET.label),
            ordered(Dimension.STREET, [(str(pk), name) for pk, name in streets]),
        ),
        stats.Breakdown(
            "station",
            str(Dimension.STATION.label),
            ordered(Dimension.STATION, [(str(pk), name) for pk, name in stations]),
        ),
        stats.Breakdown(
            "unit",
            str(Dimension.UNIT.label),
            [stats._row(row["name"], row) for row in _units_in_order(by_dimension[Dimension.UNIT])],
        ),
    ]
    total = by_dimension[Dimension.TOTAL].get("", {})
    return stats.Figures(
        start=start,
        end=end,
        total=stats._row(stats._("合计"), total),
        breakdowns=breakdowns,
        computed_at=state["computed_at"],
        from_summary=True,
        units=_units_across_processes(scope, start, end),
    )


def _units_across_processes(scope: SummaryScope, start: datetime.date, end: datetime.date):
    """The per-unit rows over every process (ALL_PROCESSES) of the scope: a unit account's
    own unit (all districts), or every unit of the scope's districts; none for a street
    (an assignment carries its district only), as handling.figures.unit_assignments_in_scope."""
    from zhitong.opinions import stats

    rows = Figure.objects.filter(process=ALL_PROCESSES, dimension=Dimension.UNITS)
    if scope.unit_id is not None:
        rows = rows.filter(unit_id=scope.unit_id)
    elif scope.street_id is not None:
        return []
    else:
        rows = rows.filter(district_id__in=scope.districts.values("pk"))
    grouped = (
        rows.filter(_period_rows(*split_period(start, end)))
        .values("key")
        .annotate(name=Max("label"), **{count: Sum(count) for count in COUNTS})
        .order_by("name", "key")
    )
    groups = {row["key"]: dict(row) for row in grouped}
    return [stats._row(row["name"], row) for row in _units_in_order(groups)]


def _units_in_order(groups: dict[str, dict]) -> list[dict]:
    """Unit groups already sorted by name in the database, with the same name sorted by
    unit id (numerically, as the live ORDER BY unit_id; no unit where NULLs sort)."""
    nulls_last = connection.features.nulls_order_largest

    def by_id(row):
        missing = row["key"] == ""
        return (missing if nulls_last else not missing, int(row["key"] or 0))

    rows = []
    for _name, same in itertools.groupby(groups.values(), key=lambda row: row["name"]):
        rows.extend(sorted(same, key=by_id))
    return rows


# --- the district at a glance (区情总览: the leader's home) -------------------------------
#
# The figures are the statistics page's own (opinions.stats.opinion_figures_cached, from the
# summary where it serves the scope); "overdue now" is the queue's overdue filter
# (opinions.search.overdue_q), and a unit's overdue count the unit inbox's (an assignment
# still owed after its due date). Nothing here counts a figure a second way.

LIST_SHOWN = 10


@dataclass(frozen=True)
class PeriodFigures:
    """The statistics page's total for one period, with the page's address for it."""

    label: str
    start: datetime.date
    end: datetime.date
    total: FigureRow
    stats_url: str


@dataclass(frozen=True)
class CaseRow:
    """An opinion of a list, with the unit that owes its reply and the days past its due
    date (calendar days; None when no unit owes a reply)."""

    opinion: Opinion
    unit_name: str
    days_overdue: int | None


@dataclass(frozen=True)
class CaseList:
    """Up to LIST_SHOWN opinions of a list, how many there are in all, and the queue's
    address for all of them ("" where the queue has no filter for the list)."""

    rows: list[CaseRow]
    count: int
    queue_url: str = ""


@dataclass(frozen=True)
class LeagueRow:
    """One handling unit in the league table: its rank by the chosen order (None when it
    has no figure to be ranked by), its figures across processes, its overdue count."""

    rank: int | None
    name: str
    figures: FigureRow
    overdue: int


@dataclass(frozen=True)
class League:
    sort: str
    rows: list[LeagueRow]
    start: datetime.date
    end: datetime.date


# League orders: key -> (the figure ranked by, whether larger ranks higher).
LEAGUE_SORTS: dict[str, tuple[str, bool]] = {
    "on_time": ("on_time_rate", True),
    "satisfaction": ("satisfaction_rate", True),
    "overdue": ("overdue", False),
}
LEAGUE_DEFAULT = "on_time"


def _stats_url(start: datetime.date, end: datetime.date) -> str:
    return (
        reverse("opinions:stats")
        + "?"
        + urlencode({"start": start.isoformat(), "end": end.isoformat()})
    )


def queue_url(**params) -> str:
    return reverse("opinions:queue") + "?" + urlencode(params)


def glance_periods(user, *, today: datetime.date) -> list[PeriodFigures]:
    """This month and this year so far: the statistics page's totals for each."""
    periods = [
        (_("本月"), today.replace(day=1), today),
        (_("本年"), *stats.default_period(today)),
    ]
    return [
        PeriodFigures(
            label=str(label),
            start=start,
            end=end,
            total=stats.opinion_figures_cached(user, start=start, end=end).total,
            stats_url=_stats_url(start, end),
        )
        for label, start, end in periods
    ]


def overdue_now(user, *, today: datetime.date) -> int:
    """The opinions whose lead unit owes its reply past the due date today (the queue's
    超期 filter)."""
    return opinions_visible_to(user).order_by().filter(overdue_q(today)).count()


def _case_rows(opinions: QuerySet[Opinion], today: datetime.date) -> list[CaseRow]:
    """The rows of `opinions` (sliced already), each with its running lead referral."""
    shown = opinions.prefetch_related(
        Prefetch(
            "referrals",
            queryset=Assignment.objects.filter(
                role=Assignment.Role.LEAD, state__in=deadlines.OPEN_STATES
            ).order_by("-id"),
            to_attr="running_leads",
        )
    )
    rows = []
    for opinion in shown:
        lead = opinion.running_leads[0] if opinion.running_leads else None
        due = opinion.open_due_date
        rows.append(
            CaseRow(
                opinion=opinion,
                unit_name=lead.unit_name if lead is not None else "",
                days_overdue=(today - due).days if due is not None and due < today else None,
            )
        )
    return rows


def very_overdue_cases(user, *, today: datetime.date) -> CaseList:
    """The very overdue opinions (严重超期), the longest overdue first (the earliest day on
    which they became very overdue, then the earliest due date)."""
    opinions = opinions_visible_to(user).filter(very_overdue_q(today))
    shown = opinions.order_by("open_very_overdue_from", "open_due_date", "id")[:LIST_SHOWN]
    return CaseList(
        rows=_case_rows(shown, today),
        count=opinions.order_by().count(),
        queue_url=queue_url(deadline="very_overdue"),
    )


def key_cases_q() -> Q:
    """Key cases (重点件): open opinions that a citizen's unsatisfied rating sent back for
    rework, or whose lead unit has been chased (催办) while it still owes its reply."""
    chased = Assignment.objects.filter(
        role=Assignment.Role.LEAD, state__in=deadlines.OPEN_STATES, chase_count__gt=0
    ).values("case_id")
    return Q(status__in=OPEN_STATUSES) & (Q(returned_for_rework__gt=0) | Q(case_id__in=chased))


def key_cases(user, *, today: datetime.date) -> CaseList:
    """The key cases (key_cases_q), the oldest first."""
    opinions = opinions_visible_to(user).filter(key_cases_q())
    shown = opinions.order_by("received_at", "id")[:LIST_SHOWN]
    return CaseList(rows=_case_rows(shown, today), count=opinions.order_by().count())


def _overdue_by_unit(user, today: datetime.date) -> dict[str, int]:
    """Each unit's assignments still owed after their due date today, by the unit's name
    as the figures name it (the latest name on its assignments); {} for scopes that do not
    see units' work."""
    assignments = unit_assignments_in_scope(user)
    if assignments is None:
        return {}
    rows = (
        assignments.filter(state__in=deadlines.OPEN_STATES, due_date__lt=today)
        .values("unit_id")
        .annotate(name=Max("unit_name"), n=Count("pk"))
        .order_by()
    )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["name"]] = counts.get(row["name"], 0) + row["n"]
    return counts


def unit_league(user, *, today: datetime.date, sort: str = LEAGUE_DEFAULT) -> League:
    """The handling units ranked (league table): each unit's figures of this year across
    processes (the statistics page's 各承办单位办理情况, by the day assigned) and its
    overdue assignments today; units with overdue work but nothing assigned this year are
    listed too. Ranked by `sort` (LEAGUE_SORTS), ties sharing a rank; units without the
    figure (nothing replied or rated yet) come last, unranked.

    The figures' rows carry a unit's name, not its id: a unit's name is unique in its
    region, and a scope's units are its district's.
    """
    sort = sort if sort in LEAGUE_SORTS else LEAGUE_DEFAULT
    start, end = stats.default_period(today)
    figures = stats.opinion_figures_cached(user, start=start, end=end).units
    overdue = _overdue_by_unit(user, today)
    named = {row.label for row in figures}
    figures = figures + [
        stats.FigureRow(label=name) for name in sorted(overdue) if name not in named
    ]
    field, larger_first = LEAGUE_SORTS[sort]

    def value(row: FigureRow):
        return overdue.get(row.label, 0) if field == "overdue" else getattr(row, field)

    ranked = [row for row in figures if value(row) is not None]
    unranked = [row for row in figures if value(row) is None]
    ranked.sort(key=lambda row: row.label)
    ranked.sort(key=value, reverse=larger_first)
    rows: list[LeagueRow] = []
    for position, row in enumerate(ranked, start=1):
        tied = rows and value(ranked[position - 2]) == value(row)
        rank = rows[-1].rank if tied else position
        rows.append(LeagueRow(rank, row.label, row, overdue.get(row.label, 0)))
    rows += [
        LeagueRow(None, row.label, row, overdue.get(row.label, 0))
        for row in sorted(unranked, key=lambda row: row.label)
    ]
    return League(sort=sort, rows=rows, start=start, end=end)
