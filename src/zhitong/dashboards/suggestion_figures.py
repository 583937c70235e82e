"""The suggestions' per-unit figures (三评价) read from the summary: the lead unit's
dimensions keyed "unit:session[:group]" (zhitong.suggestions.figures). Registered with
zhitong.suggestions.stats by DashboardsConfig (suggestions sits below dashboards)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Max, Min, Sum

from zhitong.dashboards.models import Figure
from zhitong.dashboards.periods import split_period
from zhitong.dashboards.selectors import _period_rows
from zhitong.handling.figures import GIVEN_SCORES, SATISFIED_SCORES
from zhitong.regions.models import Region, RegionLevel
from zhitong.suggestions import figures
from zhitong.suggestions.stats import RESULT_CLASSES, UnitScope

# The summary's counts a unit's row reads from its "unit:session" groups.
_FROM_COUNTS = {
    "assigned": "collected",
    "replied": "closed_referred",
    "on_time": "on_time",
    "rated": "rated",
    "satisfied": "satisfied",
}


def unit_counts_from_summary(
    *, scope: UnitScope, start: datetime.date, end: datetime.date, session_id: int | None
) -> tuple[dict[int, dict], datetime.datetime | None] | None:
    """{unit id: counts} as zhitong.suggestions.stats.unit_counts_live counts them, and when
    the summary was computed; None when a district of the scope is not computed yet (a
    unit's row needs every district: a unit may lead suggestions of any)."""
    districts = Region.objects.filter(level=RegionLevel.DISTRICT)
    if scope.districts is not None:
        districts = scope.districts
    state = districts.aggregate(
        n=Count("pk"),
        computed=Count("figure_state__computed_at"),
        computed_at=Min("figure_state__computed_at"),
    )
    if not state["n"] or state["computed"] < state["n"]:
        return None
    rows = Figure.objects.filter(
        process=figures.PROCESS,
        unit__isnull=True,
        district_id__in=districts.values("pk"),
        dimension__in=[
            figures.UNIT_SESSION,
            figures.UNIT_SESSION_RESULT,
            figures.UNIT_SESSION_ATTITUDE,
        ],
    ).filter(_period_rows(*split_period(start, end)))
    if scope.unit_id is not None:
        rows = rows.filter(key__startswith=f"{scope.unit_id}:")
    grouped = (
        rows.values("dimension", "key")
        .annotate(
            name=Max("label"),
            collected=Sum("collected"),
            closed_referred=Sum("closed_referred"),
            on_time=Sum("on_time"),
            rated=Sum("rated"),
            satisfied=Sum("satisfied"),
        )
        .order_by()
    )
    wanted = "" if session_id is None else str(session_id)
    counts: dict[int, dict] = {}
    for row in grouped:
        unit, session, *group = row["key"].split(":")
        if session_id is not None and session != wanted:
            continue
        values = counts.setdefault(
            int(unit),
            {
                "name": "",
                **dict.fromkeys(_FROM_COUNTS, 0),
                "attitude_rated": 0,
                "attitude_satisfied": 0,
                **{f"class_{c}": 0 for c in RESULT_CLASSES},
            },
        )
        values["name"] = max(values["name"], row["name"] or "")
        if row["dimension"] == figures.UNIT_SESSION:
            for name, column in _FROM_COUNTS.items():
                values[name] += row[column] or 0
        elif row["dimension"] == figures.UNIT_SESSION_RESULT:
            if group and group[0] in RESULT_CLASSES:
                values[f"class_{group[0]}"] += row["collected"] or 0
        elif group and group[0] in GIVEN_SCORES:
            values["attitude_rated"] += row["collected"] or 0
            if group[0] in SATISFIED_SCORES:
                values["attitude_satisfied"] += row["collected"] or 0
    return counts, state["computed_at"]
