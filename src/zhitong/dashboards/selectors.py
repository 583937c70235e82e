"""Reading the opinion figures summary for a user's scope (统计页面)."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from zhitong.core.scoping import ScopeKind, work_scope
from zhitong.dashboards.models import ALL_PROCESSES, Dimension, Figure, Grain
from zhitong.dashboards.periods import split_period
from zhitong.dashboards.services import COUNTS
from zhitong.opinions.figures import PROCESS as OPINIONS
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
