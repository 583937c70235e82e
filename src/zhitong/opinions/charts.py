"""The statistics page's charts (图表) and the links from every figure to its list (明细).

Each chart draws figures the page's tables show (opinions.stats), plus a monthly trend;
its data goes into the page as JSON (Django's json_script) and a static script of ours draws
it with ECharts (static/js/stats-charts.js): no inline script under the content security
policy. Every number of a table and every bar of a chart links to the work queue filtered
to exactly the opinions it counts (search.QueueFilter), with ?total=1 so the list says how
many it holds.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhitong.core.scoping import work_scope
from zhitong.opinions import search
from zhitong.opinions.models import CLOSED_STATUSES
from zhitong.opinions.stats import (
    CACHE_SECONDS,
    Breakdown,
    Column,
    FigureRow,
    Figures,
    FigureTable,
    figure_table,
    opinions_in_period,
)

# --- the monthly trend ------------------------------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    """One month of the period (its days within the period): received, closed, and still
    overdue today (the lead unit has not replied by its due date)."""

    month: datetime.date
    collected: int = 0
    closed: int = 0
    overdue: int = 0

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")


MONTH_COLUMNS = (
    Column("collected", gettext_lazy("收集")),
    Column("closed", gettext_lazy("办结")),
    Column("overdue", gettext_lazy("超期未答复")),
)


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _month_of(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def monthly_trend(
    user, *, start: datetime.date, end: datetime.date, today: datetime.date | None = None
) -> list[MonthRow]:
    """Per month of the period (every month, empty ones as zeros), the opinions `user` may
    see received in it: how many, how many closed, how many overdue today. One GROUP BY,
    counted live: "overdue today" changes every day without a change of the opinion, so the
    summary (refreshed from changed opinions) cannot keep it."""
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    rows = (
        opinions_in_period(user, start, end)
        .order_by()
        .annotate(month=TruncMonth("received_at", tzinfo=tz))
        .values("month")
        .annotate(
            collected=Count("pk"),
            closed=Count("pk", filter=Q(status__in=CLOSED_STATUSES)),
            overdue=Count("pk", filter=search.overdue_q(today)),
        )
    )
    counts = {_month_of(row["month"]): row for row in rows}
    return [
        MonthRow(
            month=month,
            collected=counts.get(month, {}).get("collected", 0),
            closed=counts.get(month, {}).get("closed", 0),
            overdue=counts.get(month, {}).get("overdue", 0),
        )
        for month in _months(start, end)
    ]


def monthly_trend_cached(user, *, start: datetime.date, end: datetime.date) -> list[MonthRow]:
    """monthly_trend, kept as long as the figures (opinions.stats.CACHE_SECONDS)."""
    today = timezone.localdate()
    key = f"opinions:trend:{work_scope(user).cache_key}:{start}:{end}:{today}"
    rows = cache.get(key)
    if rows is None:
        rows = monthly_trend(user, start=start, end=end, today=today)
        cache.set(key, rows, CACHE_SECONDS)
    return rows


# --- the links from a figure to its list ----------------------------------------------------

# What a column counts, as queue filters. A rate links to the opinions of its numerator.
COLUMN_FILTERS = {
    "collected": {},
    "closed": {"status": search.STATUS_CLOSED},
    "closure_rate": {"status": search.STATUS_CLOSED},
    "on_time_rate": {"outcome": search.OUTCOME_ON_TIME},
    "rated": {"outcome": search.OUTCOME_RATED},
    "satisfaction_rate": {"outcome": search.OUTCOME_SATISFIED},
    "closed_default": {"outcome": search.OUTCOME_DEFAULT},
    "overdue": {"deadline": search.DEADLINE_OVERDUE},
}


def group_filter(dimension: str, key: str) -> dict | None:
    """The queue filters of one group of a breakdown (None: no list to link to)."""
    if dimension == "total":
        return {}
    if dimension == "channel":
        return {"channel": key} if key else None
    if dimension == "category":
        # The figures group by the category itself, not with its second-level ones.
        return {"category": key, "category_only": "1"} if key else {"missing": "category"}
    if dimension in ("street", "station"):
        return {dimension: key} if key else {"missing": dimension}
    if dimension == "unit":
        return {"lead_unit": key} if key else None
    return None


class FigureLinks:
    """The queue URLs of the figures of one period."""

    def __init__(self, start: datetime.date, end: datetime.date):
        self.start, self.end = start, end
        self.base = reverse("opinions:queue")

    def url(self, params: dict, *, start=None, end=None) -> str:
        period = {
            "date_from": (start or self.start).isoformat(),
            "date_to": (end or self.end).isoformat(),
        }
        return f"{self.base}?{urlencode({**period, **params, 'total': '1'})}"

    def cell(self, dimension: str, row, column: Column | str) -> str | None:
        """The list behind one figure: a group's (row's) count or rate in `column`."""
        name = column if isinstance(column, str) else column.field
        group = group_filter(dimension, row.key)
        what = COLUMN_FILTERS.get(name)
        if group is None or what is None or getattr(row, name, None) is None:
            return None
        return self.url({**group, **what})

    def month(self, row: MonthRow, column: Column | str) -> str | None:
        """The list behind one month's figure (the month's days within the period)."""
        name = column if isinstance(column, str) else column.field
        what = COLUMN_FILTERS.get(name)
        if what is None:
            return None
        last = (row.month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        return self.url(what, start=max(row.month, self.start), end=min(last, self.end))


def month_table(months: list[MonthRow], links: FigureLinks) -> FigureTable:
    return figure_table(
        months,  # type: ignore[arg-type]  # a MonthRow has the label and the columns read
        MONTH_COLUMNS,
        heading=_("月份"),
        caption=_("月度趋势：收集、办结、超期未答复（当前）"),
        link=links.month,
    )


# --- the charts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """A chart of the page: its element id, visible title, a sentence that says what it
    shows (its text alternative, with the table below), and what the script draws."""

    key: str
    title: str
    summary: str
    data: dict

    @property
    def element_id(self) -> str:
        return f"chart-{self.key}"


def _series(name: str, field: str, values: list, urls: list) -> dict:
    return {"name": name, "field": field, "data": values, "urls": urls}


def _number(value) -> float | int | None:
    """A figure as JSON: counts as ints, rates as floats (None: nothing to divide by)."""
    if value is None or isinstance(value, int):
        return value
    return float(value)


def _top(rows: list, field: str):
    rated = [row for row in rows if getattr(row, field) is not None]
    return max(rated, key=lambda row: getattr(row, field)) if rated else None


def trend_chart(months: list[MonthRow], links: FigureLinks) -> Chart:
    columns = {column.field: str(column.label) for column in MONTH_COLUMNS}
    series = [
        _series(
            columns[field],
            field,
            [getattr(m, field) for m in months],
            [links.month(m, field) for m in months],
        )
        for field in ("collected", "closed", "overdue")
    ]
    top = _top(months, "collected")
    summary = _(
        "%(months)s个月共收集%(collected)s件、办结%(closed)s件，其中目前超期未答复%(overdue)s件。"
    ) % {
        "months": len(months),
        "collected": sum(m.collected for m in months),
        "closed": sum(m.closed for m in months),
        "overdue": sum(m.overdue for m in months),
    }
    if top is not None and top.collected:
        summary += _("收集最多的月份是%(month)s（%(count)s件）。") % {
            "month": top.label,
            "count": top.collected,
        }
    return Chart(
        key="trend",
        title=_("月度趋势：收集、办结、超期未答复"),
        summary=summary,
        data={
            "id": "trend",
            "horizontal": False,
            "percent": False,
            "categories": [m.label for m in months],
            "series": series,
        },
    )


BAR_TITLES = {
    "channel": gettext_lazy("按渠道：收集与办结"),
    "category": gettext_lazy("按类别：收集与办结"),
    "street": gettext_lazy("按街道：收集与办结"),
}


def breakdown_chart(breakdown: Breakdown, links: FigureLinks) -> Chart:
    """Received and closed per group of a breakdown (channel, category, street)."""
    rows = breakdown.rows
    series = [
        _series(
            str(label),
            field,
            [getattr(row, field) for row in rows],
            [links.cell(breakdown.key, row, field) for row in rows],
        )
        for field, label in (("collected", _("收集")), ("closed", _("办结")))
    ]
    top = _top(rows, "collected")
    summary = _("共%(groups)s组，收集%(collected)s件、办结%(closed)s件。") % {
        "groups": len(rows),
        "collected": sum(row.collected for row in rows),
        "closed": sum(row.closed for row in rows),
    }
    if top is not None and top.collected:
        summary += _("收集最多的是%(label)s（%(count)s件）。") % {
            "label": top.label,
            "count": top.collected,
        }
    return Chart(
        key=breakdown.key,
        title=str(BAR_TITLES[breakdown.key]),
        summary=summary,
        data={
            "id": breakdown.key,
            # Long names read best down the side.
            "horizontal": breakdown.key != "channel",
            "percent": False,
            "categories": [row.label for row in rows],
            "series": series,
        },
    )


def units_chart(breakdown: Breakdown, links: FigureLinks) -> Chart:
    """The lead units' on-time and satisfaction rates (of the opinions referred to them)."""
    rows = breakdown.rows
    series = [
        _series(
            str(label),
            field,
            [_number(getattr(row, field)) for row in rows],
            [links.cell("unit", row, field) for row in rows],
        )
        for field, label in (
            ("on_time_rate", _("按期办结率")),
            ("satisfaction_rate", _("满意率")),
        )
    ]
    summary = _("共%(units)s个主办单位。") % {"units": len(rows)}
    for field, text in (
        ("on_time_rate", _("按期办结率最高的是%(label)s（%(rate)s%%）。")),
        ("satisfaction_rate", _("满意率最高的是%(label)s（%(rate)s%%）。")),
    ):
        top = _top(rows, field)
        if top is not None:
            summary += text % {"label": top.label, "rate": localize(getattr(top, field))}
    return Chart(
        key="unit",
        title=_("各主办单位：按期办结率与满意率"),
        summary=summary,
        data={
            "id": "unit",
            "horizontal": True,
            "percent": True,
            "categories": [row.label for row in rows],
            "series": series,
        },
    )


def page_charts(
    figures: Figures, months: list[MonthRow], links: FigureLinks
) -> tuple[Chart, dict[str, Chart]]:
    """The trend chart, and the chart of each breakdown that has one (and has groups)."""
    charts = {}
    for breakdown in figures.breakdowns:
        if not breakdown.rows:
            continue
        if breakdown.key in BAR_TITLES:
            charts[breakdown.key] = breakdown_chart(breakdown, links)
        elif breakdown.key == "unit":
            charts[breakdown.key] = units_chart(breakdown, links)
    return trend_chart(months, links), charts


def total_links(total: FigureRow, links: FigureLinks) -> dict[str, str | None]:
    """The lists behind the page's overall figures, by column."""
    return {name: links.cell("total", total, name) for name in COLUMN_FILTERS if name != "overdue"}
