"""Figures on opinions (统计): collected, closed, on time, satisfied, by dimension; home counts.

Every figure is a GROUP BY query in the database over the opinions the user may see;
nothing loops over opinion rows in Python (only the groups of two queries are matched). Definitions (shown on the page too):

- collected (收集): opinions received in the period;
- closed (办结): of those, the ones closed (satisfied, or closed not satisfied);
- closure rate (办结率) = closed / collected;
- on time (按期办结): a closed opinion that was referred, whose current lead unit replied on
  or before the stored due date; on-time rate (按期办结率) = on time / closed and referred;
- satisfied (满意): rated 满意 or 基本满意; satisfaction rate (满意率) = satisfied / rated;
- rated (已评价) counts the ratings people gave (online, or taken on a callback); closed by
  default (默认满意): replied, and nobody rated within the days the district allows, so the
  system closed it; counted apart, never as rated or satisfied.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, FilteredRelation, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from zhitong.core.scoping import ScopeKind, work_scope
from zhitong.handling.figures import GIVEN_SCORES, unit_assignments_in_scope, unit_figures_live
from zhitong.handling.models import Assignment, Rating
from zhitong.opinions.models import CLOSED_STATUSES, Channel, Opinion, Status
from zhitong.opinions.search import overdue_q, with_planner_hint
from zhitong.opinions.selectors import opinions_visible_to

INACTIVE_REFERRAL_STATES = [Assignment.State.RETURNED, Assignment.State.WITHDRAWN]
SATISFIED_SCORES = [Rating.Score.SATISFIED, Rating.Score.BASICALLY]
# Figures for a date range change slowly; a short cache keeps the page cheap at a
# million opinions without a summary table.
CACHE_SECONDS = 300


ACTIVE_REFERRAL_STATES = [
    Assignment.State.PENDING,
    Assignment.State.ACCEPTED,
    Assignment.State.REPLIED,
]


def _local_date(field: str) -> TruncDate:
    # The local (Asia/Shanghai) date of a stored UTC time, to compare with a due date.
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def _with_lead(opinions: QuerySet[Opinion]) -> QuerySet[Opinion]:
    """`opinions` LEFT JOINed to their current lead referral (`lead`).

    An opinion has at most one: a lead that returned the case is "returned", one taken
    off by a merge "withdrawn", and a case is referred again only after a return. A join
    lets PostgreSQL hash the two tables once; a correlated EXISTS in each aggregate ran
    once per opinion.
    """
    return opinions.annotate(
        lead=FilteredRelation(
            "referrals",
            condition=Q(referrals__role=Assignment.Role.LEAD)
            & Q(referrals__state__in=ACTIVE_REFERRAL_STATES),
        )
    ).alias(lead_replied_on=_local_date("lead__replied_at"))


def _opinion_metrics(*, distinct: bool = False) -> dict:
    """Counts over opinions joined to their lead referral (see _with_lead); `distinct`
    when a further join may repeat an opinion."""
    closed = Q(status__in=CLOSED_STATUSES)
    referred = Q(lead__due_date__isnull=False)
    on_time = referred & Q(lead_replied_on__lte=F("lead__due_date"))
    return {
        "collected": Count("pk", distinct=distinct),
        "closed": Count("pk", distinct=distinct, filter=closed),
        "closed_referred": Count("pk", distinct=distinct, filter=closed & referred),
        "on_time": Count("pk", distinct=distinct, filter=closed & on_time),
    }


def _rating_metrics() -> dict:
    """Counts over ratings: an opinion rated twice (unsatisfied, then again) counts once."""
    return {
        # One case per opinion: its case counts it.
        "rated": Count("case", distinct=True, filter=Q(score__in=GIVEN_SCORES)),
        "satisfied": Count("case", distinct=True, filter=Q(score__in=SATISFIED_SCORES)),
        "closed_default": Count("case", distinct=True, filter=Q(score=Rating.Score.DEFAULT)),
    }


def _referral_metrics() -> dict:
    """The opinion counts over lead referrals, for the breakdown by unit (承办单位)."""
    closed = Q(opinion__status__in=CLOSED_STATUSES)
    on_time = Q(due_date__isnull=False, replied_on__lte=F("due_date"))
    return {
        "name": Max("unit_name"),
        "collected": Count("opinion", distinct=True),
        "closed": Count("opinion", distinct=True, filter=closed),
        "closed_referred": Count(
            "opinion", distinct=True, filter=closed & Q(due_date__isnull=False)
        ),
        "on_time": Count("opinion", distinct=True, filter=closed & on_time),
    }


def _rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    if not denominator:
        return None
    value = Decimal(numerator) * 100 / Decimal(denominator)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FigureRow:
    """The figures of one group (a channel, a category, ... or the total)."""

    label: str
    collected: int = 0
    closed: int = 0
    closed_referred: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    closed_default: int = 0
    # The group's identity (a channel code, an id; "" for none), for the links to its list.
    key: str = ""

    @property
    def closure_rate(self) -> Decimal | None:
        return _rate(self.closed, self.collected)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.on_time, self.closed_referred)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return _rate(self.satisfied, self.rated)


COUNT_FIELDS = (
    "collected",
    "closed",
    "closed_referred",
    "on_time",
    "rated",
    "satisfied",
    "closed_default",
)


def _row(label, values: dict, key=None) -> FigureRow:
    """A row of `values` (a group's counts); its key is `key`, else the summary's "key"."""
    key = values.get("key") if key is None else key
    return FigureRow(
        label=str(label),
        key="" if key is None else str(key),
        collected=values.get("collected") or 0,
        closed=values.get("closed") or 0,
        closed_referred=values.get("closed_referred") or 0,
        on_time=values.get("on_time") or 0,
        rated=values.get("rated") or 0,
        satisfied=values.get("satisfied") or 0,
        closed_default=values.get("closed_default") or 0,
    )


@dataclass(frozen=True)
class Breakdown:
    key: str
    title: str
    rows: list[FigureRow] = field(default_factory=list)


@dataclass(frozen=True)
class Figures:
    start: datetime.date
    end: datetime.date
    total: FigureRow
    breakdowns: list[Breakdown]
    # When the figures were computed, and whether they come from the summary table.
    computed_at: datetime.datetime | None = None
    from_summary: bool = False
    # Each handling unit's assignments of every process assigned in the period (replied,
    # on time, satisfied), for the scopes that see units' work (handling.figures).
    units: list[FigureRow] = field(default_factory=list)


@dataclass(frozen=True)
class Column:
    """A column of a figures table: a FigureRow attribute, its heading, and whether it is a
    percentage (shown with %, or — when there is nothing to divide by)."""

    field: str
    label: str
    rate: bool = False


BREAKDOWN_COLUMNS = (
    Column("collected", _("收集")),
    Column("closed", _("办结")),
    Column("closure_rate", _("办结率"), rate=True),
    Column("on_time_rate", _("按期办结率"), rate=True),
    Column("rated", _("已评价")),
    Column("satisfaction_rate", _("满意率"), rate=True),
    Column("closed_default", _("默认满意")),
)
# The per-unit figures across processes count assignments: assigned, replied, on time.
UNIT_COLUMNS = (
    Column("collected", _("交办")),
    Column("closed", _("已答复")),
    Column("on_time_rate", _("按期答复率"), rate=True),
    Column("rated", _("已评价")),
    Column("satisfaction_rate", _("满意率"), rate=True),
    Column("closed_default", _("默认满意")),
)


@dataclass(frozen=True)
class FigureTable:
    """One table of the statistics page: per group, its label and its cells' markup."""

    heading: str
    caption: str
    columns: tuple[Column, ...]
    rows: list[tuple[str, SafeString]]


def _cell(value, rate: bool) -> str:
    if value is None:
        return "—"
    # A count is written as the template writes an int (no grouping here); a rate with
    # the language's decimal separator.
    text = str(value) if isinstance(value, int) else localize(value)
    return f"{text}%" if rate else text


def _linked(text: str, url: str | None) -> str:
    return f'<a href="{escape(url)}">{escape(text)}</a>' if url else escape(text)


def figure_table(
    rows: list[FigureRow],
    columns: tuple[Column, ...],
    *,
    heading: str,
    caption: str,
    link=None,
) -> FigureTable:
    """The cells of a row are written here, once: a district's page has some 2,000 (208
    stations, 42 units, 37 categories, six figures each), and a template loop with a
    condition per cell took a quarter of its time. Cells hold numbers only, each linked to
    the list of what it counts when `link(row, column)` gives a URL."""
    link = link or (lambda row, column: None)
    return FigureTable(
        heading=heading,
        caption=caption,
        columns=columns,
        rows=[
            (
                row.label,
                mark_safe(  # noqa: S308 - numbers, escaped
                    "".join(
                        f'<td class="text-end">{_linked(_cell(getattr(row, column.field), column.rate), link(row, column))}</td>'
                        for column in columns
                    )
                ),
            )
            for row in rows
        ],
    )


def figure_tables(
    figures: Figures, link=None
) -> tuple[list[tuple[Breakdown, FigureTable]], FigureTable]:
    """The statistics page's tables: one per breakdown, and the units' across processes.
    `link(breakdown_key, row, column)` gives the URL of a breakdown's cell, if any."""
    breakdowns = [
        (
            breakdown,
            figure_table(
                breakdown.rows,
                BREAKDOWN_COLUMNS,
                heading=str(_("分组")),
                caption=str(
                    _("%(title)s统计：收集、办结、办结率、按期办结率、已评价、满意率")
                    % {"title": breakdown.title}
                ),
                link=(
                    (lambda row, column, key=breakdown.key: link(key, row, column))
                    if link
                    else None
                ),
            ),
        )
        for breakdown in figures.breakdowns
    ]
    units = figure_table(
        figures.units,
        UNIT_COLUMNS,
        heading=str(_("承办单位")),
        caption=str(_("各承办单位办理情况：交办、已答复、按期答复率、已评价、满意率")),
    )
    return breakdowns, units


def _period(start: datetime.date, end: datetime.date) -> Q:
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return Q(received_at__gte=since, received_at__lt=until)


def opinions_in_period(user, start: datetime.date, end: datetime.date) -> QuerySet[Opinion]:
    """The opinions `user` may see, received from `start` to `end` (local dates, inclusive)."""
    scoped = with_planner_hint(opinions_visible_to(user).select_related(None), user)
    return scoped.filter(_period(start, end))


def _unknown() -> str:
    return str(_("（未填写）"))


def _category_label(row: dict) -> str:
    name, parent = row["category__name"], row["category__parent__name"]
    if not name:
        return _unknown()
    return f"{parent} › {name}" if parent else name


# The dimensions of the breakdowns: key, title, the Opinion fields grouped on (the last is
# the group's identity) and how a group is labelled.
DIMENSIONS = [
    (
        "channel",
        _("按渠道"),
        ["channel"],
        lambda row: str(dict(Channel.choices).get(row["channel"], row["channel"])),
    ),
    (
        "category",
        _("按类别"),
        ["category__parent__name", "category__name", "category_id"],
        _category_label,
    ),
    (
        "street",
        _("按街道"),
        ["street__path", "street__name", "street_id"],
        lambda row: row["street__name"] or _unknown(),
    ),
    (
        "station",
        _("按站点"),
        ["station__name", "station_id"],
        lambda row: row["station__name"] or _unknown(),
    ),
]


def _breakdown(opinions: QuerySet[Opinion], ratings: QuerySet[Rating], fields, label) -> list:
    """One dimension: a GROUP BY over the opinions and one over their ratings, joined on the
    group's identity (the groups, not the opinions, are matched in Python)."""
    identity = fields[-1]
    rows = _with_lead(opinions).values(*fields).annotate(**_opinion_metrics()).order_by(*fields)
    rated = {
        row[f"opinion__{identity}"]: row
        for row in ratings.values(f"opinion__{identity}").annotate(**_rating_metrics()).order_by()
    }
    return [
        _row(label(row), {**row, **rated.get(row[identity], {})}, key=row[identity]) for row in rows
    ]


def _unit_breakdown(opinions: QuerySet[Opinion], ratings: QuerySet[Rating]) -> list:
    rows = (
        Assignment.objects.filter(
            role=Assignment.Role.LEAD,
            state__in=ACTIVE_REFERRAL_STATES,
            # By the case: the opinion relation joins on the shared case column, so a
            # lookup by opinion ids would compare them with case ids (equal only while no
            # other process has opened a case).
            case_id__in=opinions.values("case_id"),
        )
        .alias(replied_on=_local_date("replied_at"))
        .values("unit_id")
        .annotate(**_referral_metrics())
        .order_by("name", "unit_id")
    )
    rated_rows = (
        ratings.filter(
            opinion__referrals__role=Assignment.Role.LEAD,
            opinion__referrals__state__in=ACTIVE_REFERRAL_STATES,
        )
        .values("opinion__referrals__unit_id")
        .annotate(**_rating_metrics())
        .order_by()
    )
    rated = {row["opinion__referrals__unit_id"]: row for row in rated_rows}
    return [
        _row(row["name"], {**row, **rated.get(row["unit_id"], {})}, key=row["unit_id"])
        for row in rows
    ]


def opinion_figures(user, *, start: datetime.date, end: datetime.date) -> Figures:
    """The figures for the opinions `user` may see received from `start` to `end`.

    Read from the summary (zhitong.dashboards, refreshed every few minutes by
    `dashboards_refresh_figures`) when it serves the user's scope: whole districts, for
    superusers and region roles at district level or above; one street for street staff;
    one unit's partition for unit accounts; once the districts are computed. Community
    staff, deputies and liaisons see parts of districts the summary's keys cannot isolate;
    they, and a summary not yet computed, get the live computation (opinion_figures_live).
    """
    if _summary_reader is not None:
        figures = _summary_reader(user, start=start, end=end)
        if figures is not None:
            return figures
    return opinion_figures_live(user, start=start, end=end)


# The summary's read path lives in dashboards, above the processes: dashboards registers it
# here when it starts (dashboards.apps), so opinions never imports dashboards. Without it
# (dashboards not installed) every figure is counted live.
_summary_reader = None


def use_summary_reader(reader) -> None:
    """Register reader(user, start=, end=) -> Figures | None, tried before counting live."""
    global _summary_reader
    _summary_reader = reader


@contextmanager
def _small_scope_plans(user) -> Iterator[None]:
    """On PostgreSQL, the queries of a deputy's or a liaison's figures without parallel
    workers.

    Their scope is a deputy's and a few stations' opinions, but PostgreSQL estimates it
    from the average deputy and station of the whole table: at a million opinions it
    expects thousands of rows and starts two workers per query, which cost more than the
    few hundred rows they then read (a deputy's page at 1,000,000: 84 ms with workers,
    41 ms without; docs/benchmarks.md). SET LOCAL ends with the transaction; inside an
    outer one, the default is put back at the end.
    """
    # A deputy's or a few stations' opinions: hundreds a year (WorkScope.is_small).
    if connection.vendor != "postgresql" or not work_scope(user).is_small:
        yield
        return
    nested = connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield
        # After an error the savepoint's rollback undoes the SET LOCAL.
        if nested:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather TO DEFAULT")


def opinion_figures_live(user, *, start: datetime.date, end: datetime.date) -> Figures:
    """The figures computed from the opinions themselves.

    Ten GROUP BY queries: opinions and ratings for each of channel, category, street and
    station (the total is the sum of the channels); lead referrals and ratings for the units.
    """
    opinions = opinions_in_period(user, start, end).order_by()
    # By the case (the opinion relation joins on the shared case column).
    ratings = Rating.objects.filter(case_id__in=opinions.values("case_id"))
    with _small_scope_plans(user):
        breakdowns = [
            Breakdown(key, str(title), _breakdown(opinions, ratings, fields, label))
            for key, title, fields, label in DIMENSIONS
        ]
        unit_rows = _unit_breakdown(opinions, ratings)
    # Every opinion has exactly one channel (a required field), so the total is the sum of
    # the channel groups: two queries fewer, and room for the summary check.
    channels = breakdowns[0].rows
    total = FigureRow(
        label=str(_("合计")),
        **{name: sum(getattr(row, name) for row in channels) for name in COUNT_FIELDS},
    )
    breakdowns.append(Breakdown("unit", str(_("按承办单位（主办）")), unit_rows))
    return Figures(
        start=start,
        end=end,
        total=total,
        breakdowns=breakdowns,
        computed_at=timezone.now(),
        units=units_across_processes_live(user, start=start, end=end),
    )


def units_across_processes_live(user, *, start: datetime.date, end: datetime.date) -> list:
    """The per-unit figures over every process's assignments (handling.figures), counted
    live; [] for scopes that do not see units' work."""
    assignments = unit_assignments_in_scope(user)
    if assignments is None:
        return []
    return [
        _row(row["name"], row, key=row["unit_id"])
        for row in unit_figures_live(assignments, start, end)
    ]


def _scope_key(user) -> str:
    """What the figures depend on: the region for region roles (all staff of a district share
    one entry), the unit for unit accounts, a deputy's or liaison's own stations."""
    return work_scope(user).cache_key


def _cache_key(user, start: datetime.date, end: datetime.date) -> str:
    return f"opinions:figures:{_scope_key(user)}:{start.isoformat()}:{end.isoformat()}"


def opinion_figures_cached(user, *, start: datetime.date, end: datetime.date) -> Figures:
    """opinion_figures, kept for CACHE_SECONDS per scope and period."""
    key = _cache_key(user, start, end)
    figures = cache.get(key)
    if figures is None:
        figures = opinion_figures(user, start=start, end=end)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """This year so far."""
    today = today or timezone.localdate()
    return datetime.date(today.year, 1, 1), today


# --- home page counts -------------------------------------------------------------------


@dataclass(frozen=True)
class PendingCount:
    """One "to do" figure on a home page, with the queue link that lists the same opinions."""

    key: str
    label: str
    count: int
    url: str


def _queue_url(**params) -> str:
    return reverse("opinions:queue") + "?" + urlencode(params)


# What each scope has to act on, as (key, label, condition, queue filter).
def _pending_items(kind: str, today: datetime.date) -> list[tuple[str, str, Q, dict]]:
    received = ("received", _("待受理"), Q(status=Status.RECEIVED), {"status": Status.RECEIVED})
    to_refer = ("accepted", _("待转办"), Q(status=Status.ACCEPTED), {"status": Status.ACCEPTED})
    to_send = ("replied", _("待反馈群众"), Q(status=Status.REPLIED), {"status": Status.REPLIED})
    overdue = ("overdue", _("已超期"), overdue_q(today), {"deadline": "overdue"})
    if kind in (ScopeKind.ALL, ScopeKind.REGION):
        return [received, to_refer, to_send, overdue]
    if kind in (ScopeKind.DEPUTY, ScopeKind.STATIONS):
        return [received, to_send, overdue]
    if kind == ScopeKind.UNIT:
        return [
            ("referred", _("待签收"), Q(status=Status.REFERRED), {"status": Status.REFERRED}),
            ("handling", _("办理中"), Q(status=Status.HANDLING), {"status": Status.HANDLING}),
            overdue,
        ]
    return []


def pending_counts(user, today: datetime.date | None = None) -> list[PendingCount]:
    """The "待处理" figures for the user's home page; [] for roles without a queue.

    Staff, leaders and street staff: 待受理, 待转办, 待反馈群众, 已超期. Deputies and
    liaisons: 待受理, 待反馈群众, 已超期. Units: 待签收, 办理中, 已超期. Each links to
    the queue filtered to exactly the opinions counted. One COUNT per figure, each on an
    index (district/street + status, referral state + due date), rather than one pass
    over every opinion in scope.
    """
    if not (user.is_authenticated and user.is_active):
        return []
    today = today or timezone.localdate()
    items = _pending_items(work_scope(user).kind, today)
    if not items:
        return []
    scoped = with_planner_hint(opinions_visible_to(user).select_related(None), user).order_by()
    return [
        PendingCount(
            key=key,
            label=str(label),
            count=scoped.filter(condition).count(),
            url=_queue_url(**params),
        )
        for key, label, condition, params in items
    ]
