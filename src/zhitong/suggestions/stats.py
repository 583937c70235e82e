"""The suggestions' figures (建议统计), live, and the per-unit figures of the handling units
(三评价 of 一制度两台账三评价).

The definitions are those of zhitong.suggestions.figures (the summary's source): counting
here reads the same expressions, so a figure read from the summary equals the one counted
live. The per-unit figures read the summary (its dimensions keyed by the lead unit and the
session) through a reader that dashboards registers (use_unit_summary_reader: dashboards
sits above the processes), and count live where it cannot serve; the commitments and the
quality problems are counted live from their own small tables.

Back-to-back (背靠背): the figures are counts; nothing here reads who rated.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from zhitong.core.roles import Role
from zhitong.core.scoping import ScopeKind, work_scope
from zhitong.handling.figures import GIVEN_SCORES, SATISFIED_SCORES
from zhitong.regions.models import Region, RegionLevel
from zhitong.suggestions import figures
from zhitong.suggestions.models import (
    Commitment,
    CongressSession,
    QualityProblem,
    Suggestion,
)
from zhitong.units.models import HandlingUnit

RESULT_CLASSES = ("A", "B", "C", "D")
# The counts of a unit's row that come from the summary (or are counted live the same way).
SUMMARY_FIELDS = (
    "name",
    "assigned",
    "replied",
    "on_time",
    "rated",
    "satisfied",
    "attitude_rated",
    "attitude_satisfied",
    *(f"class_{c}" for c in RESULT_CLASSES),
)


def _rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    value = Decimal(numerator) * 100 / Decimal(denominator)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- the summary's figures, counted live ------------------------------------------------


def figure_counts_live(suggestions: QuerySet[Suggestion]) -> dict[str, int]:
    """The counts of handling.figures.COUNTS over `suggestions` (from figures.assigned)."""
    conditions = figures.count_conditions()
    return suggestions.aggregate(
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()}
    )


def _dimension_groups() -> dict:
    return {
        figures.CATEGORY: F("category_id"),
        figures.STREET: F("street_id"),
        figures.SESSION: F("session_id"),
        figures.RESULT: F("result"),
        figures.IS_KEY: figures._flag(Q(is_key=True)),
        figures.UNIT: F("lead__unit_id"),
    }


def dimension_counts_live(suggestions: QuerySet[Suggestion], dimension: str) -> dict[str, dict]:
    """The counts per group of one of the summary's plain dimensions, keyed as the summary
    keys them (the group's id or code as text, "" for none)."""
    groups = suggestions.annotate(group=_dimension_groups()[dimension])
    if dimension == figures.UNIT:
        groups = groups.filter(group__isnull=False)
    conditions = figures.count_conditions()
    rows = groups.values("group").annotate(
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()}
    )
    return {
        "" if row["group"] is None else str(row["group"]): {name: row[name] for name in conditions}
        for row in rows.order_by()
    }


def unit_counts_live(suggestions: QuerySet[Suggestion]) -> dict[int, dict]:
    """Per running lead unit of `suggestions` (from figures.assigned): the counts of
    SUMMARY_FIELDS."""
    conditions = figures.count_conditions()
    rows = (
        suggestions.filter(lead__unit_id__isnull=False)
        .values(unit=F("lead__unit_id"))
        .annotate(
            name=Max("lead__unit_name"),
            assigned=Count("pk"),
            replied=Count("pk", filter=conditions["closed_referred"]),
            on_time=Count("pk", filter=conditions["on_time"]),
            rated=Count("pk", filter=conditions["rated"]),
            satisfied=Count("pk", filter=conditions["satisfied"]),
            attitude_rated=Count("pk", filter=Q(attitude__in=GIVEN_SCORES)),
            attitude_satisfied=Count("pk", filter=Q(attitude__in=SATISFIED_SCORES)),
            **{f"class_{c}": Count("pk", filter=Q(result=c)) for c in RESULT_CLASSES},
        )
        .order_by()
    )
    return {row.pop("unit"): row for row in rows}


# --- the per-unit figures (三评价) -----------------------------------------------------


@dataclass
class UnitFigures:
    """One handling unit's row: of the suggestions it leads (主办) first assigned in the
    period (and of the session), the replies on time, their classes, the deputies'
    satisfaction with the result and the attitude; its commitments on them carried out on
    time; the quality reviews' problems it has not answered."""

    unit_id: int
    name: str
    assigned: int = 0
    replied: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    attitude_rated: int = 0
    attitude_satisfied: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    commitments: int = 0
    commitments_due: int = 0
    commitments_on_time: int = 0
    problems_open: int = 0
    # Owing the reply past its due date today (a state of today: never from the summary).
    overdue: int = 0

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.on_time, self.replied)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return _rate(self.satisfied, self.rated)

    @property
    def attitude_rate(self) -> Decimal | None:
        return _rate(self.attitude_satisfied, self.attitude_rated)

    @property
    def commitment_rate(self) -> Decimal | None:
        return _rate(self.commitments_on_time, self.commitments_due)

    @property
    def classified(self) -> int:
        return sum(self.classes.values())

    def class_cells(self) -> list[tuple[int, Decimal | None]]:
        """Each class's count and share of the classified replies, A to D."""
        total = self.classified
        return [
            (self.classes.get(c, 0), _rate(self.classes.get(c, 0), total)) for c in RESULT_CLASSES
        ]


@dataclass(frozen=True)
class UnitScope:
    """Whose per-unit figures a user sees: the units of `districts` (None: every district),
    or one unit's own row (`unit_id`; its suggestions of any district)."""

    districts: QuerySet[Region] | None
    unit_id: int | None = None


def unit_figures_scope(user) -> UnitScope:
    """Superusers, and district staff, administrators and leaders whose region is a district
    or above: every unit of their districts. A unit account: its own row. Anyone else:
    PermissionDenied."""
    scope = work_scope(user)
    districts = Region.objects.filter(level=RegionLevel.DISTRICT)
    if scope.kind == ScopeKind.ALL:
        return UnitScope(None)
    if scope.kind == ScopeKind.UNIT and scope.unit_id is not None:
        return UnitScope(None, unit_id=scope.unit_id)
    wide = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.DISTRICT)
    role = getattr(user, "role", None)
    if (
        scope.kind == ScopeKind.REGION
        and scope.region_level in wide
        and role in (Role.STAFF, Role.ADMIN, Role.LEADER)
    ):
        return UnitScope(districts.filter(path__startswith=scope.region_path))
    raise PermissionDenied(_("您的账号不能查看承办单位办理情况。"))


def sessions_in_scope(scope: UnitScope) -> QuerySet[CongressSession]:
    sessions = CongressSession.objects.select_related("term")
    if scope.districts is not None:
        sessions = sessions.filter(district__in=scope.districts)
    return sessions.order_by("-opens_on", "-id")


def _scoped_suggestions(
    scope: UnitScope, start: datetime.date, end: datetime.date, session_id: int | None
) -> QuerySet[Suggestion]:
    suggestions = Suggestion.objects.all()
    if scope.districts is not None:
        suggestions = suggestions.filter(district__in=scope.districts)
    if session_id is not None:
        suggestions = suggestions.filter(session_id=session_id)
    return figures.in_period(figures.assigned(suggestions), start, end)


# The summary's read path (dashboards registers it: it sits above the processes). Called
# reader(scope=UnitScope, start=, end=, session_id=) -> {unit_id: counts} or None when the
# summary cannot serve the scope (not computed yet).
_unit_summary_reader = None


def use_unit_summary_reader(reader) -> None:
    global _unit_summary_reader
    _unit_summary_reader = reader


@dataclass(frozen=True)
class UnitTable:
    rows: list[UnitFigures]
    start: datetime.date
    end: datetime.date
    session: CongressSession | None
    from_summary: bool
    computed_at: datetime.datetime | None = None


def _reported_on() -> TruncDate:
    return TruncDate("reported_at", tzinfo=timezone.get_current_timezone())


def unit_figures(
    user,
    *,
    start: datetime.date,
    end: datetime.date,
    session: CongressSession | None = None,
    today: datetime.date | None = None,
) -> UnitTable:
    """The per-unit figures the user may see (unit_figures_scope; PermissionDenied for
    others), ordered by the unit's name. A district's staff get every active unit of their
    districts (a row of zeros for one without suggestions) and any other unit that led
    one of their suggestions."""
    scope = unit_figures_scope(user)
    today = today or timezone.localdate()
    session_id = session.pk if session is not None else None
    suggestions = _scoped_suggestions(scope, start, end, session_id)
    if scope.unit_id is not None:
        suggestions = suggestions.filter(lead__unit_id=scope.unit_id)
    counts = None
    computed_at = None
    if _unit_summary_reader is not None:
        read = _unit_summary_reader(scope=scope, start=start, end=end, session_id=session_id)
        if read is not None:
            counts, computed_at = read
    from_summary = counts is not None
    if counts is None:
        counts = unit_counts_live(suggestions)
    rows: dict[int, UnitFigures] = {}
    if scope.unit_id is not None:
        unit = HandlingUnit.objects.filter(pk=scope.unit_id).values_list("name", flat=True)
        rows[scope.unit_id] = UnitFigures(unit_id=scope.unit_id, name=unit.first() or "")
    else:
        units = HandlingUnit.objects.active()
        if scope.districts is not None:
            paths = list(scope.districts.values_list("path", flat=True))
            units = units.filter(
                Q(region__path__in=paths) | Q(pk__in=[pk for pk in counts if isinstance(pk, int)])
            )
        for pk, name in units.values_list("pk", "name"):
            rows[pk] = UnitFigures(unit_id=pk, name=name)
    for unit_id, values in counts.items():
        if scope.unit_id is not None and unit_id != scope.unit_id:
            continue
        row = rows.setdefault(unit_id, UnitFigures(unit_id=unit_id, name=values["name"] or ""))
        for name in ("assigned", "replied", "on_time", "rated", "satisfied"):
            setattr(row, name, values.get(name) or 0)
        row.attitude_rated = values.get("attitude_rated") or 0
        row.attitude_satisfied = values.get("attitude_satisfied") or 0
        row.classes = {c: values.get(f"class_{c}") or 0 for c in RESULT_CLASSES}
    _add_overdue(rows, suggestions, today)
    _add_commitments(rows, suggestions, today)
    _add_problems(rows, suggestions)
    return UnitTable(
        rows=sorted(rows.values(), key=lambda row: (row.name, row.unit_id)),
        start=start,
        end=end,
        session=session,
        from_summary=from_summary,
        computed_at=computed_at if from_summary else timezone.now(),
    )


def overdue_live(suggestions: QuerySet[Suggestion], today: datetime.date) -> QuerySet:
    """`suggestions` whose running lead unit owes its reply past the due date today (the
    kept open due date, handling.CaseMixin)."""
    return suggestions.filter(open_due_date__lt=today)


def _add_overdue(
    rows: dict[int, UnitFigures], suggestions: QuerySet[Suggestion], today: datetime.date
) -> None:
    grouped = (
        overdue_live(suggestions, today)
        .filter(lead__unit_id__in=list(rows))
        .values(unit=F("lead__unit_id"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in grouped:
        rows[row["unit"]].overdue = row["n"]


def _add_commitments(
    rows: dict[int, UnitFigures], suggestions: QuerySet[Suggestion], today: datetime.date
) -> None:
    """Each unit's commitments on `suggestions`: all, fallen due (the date passed, or
    verified already), carried out on time (verified, reported on or before its date)."""
    verified = Q(state=Commitment.State.VERIFIED)
    on_time = verified & Q(reported_on__lte=F("due_date"))
    grouped = (
        Commitment.objects.filter(unit_id__in=list(rows), suggestion__in=suggestions.values("pk"))
        .alias(reported_on=_reported_on())
        .values("unit_id")
        .annotate(
            n=Count("pk"),
            due=Count("pk", filter=verified | Q(due_date__lt=today)),
            on_time=Count("pk", filter=on_time),
        )
        .order_by()
    )
    for row in grouped:
        figures_row = rows[row["unit_id"]]
        figures_row.commitments = row["n"]
        figures_row.commitments_due = row["due"]
        figures_row.commitments_on_time = row["on_time"]


def _add_problems(rows: dict[int, UnitFigures], suggestions: QuerySet[Suggestion]) -> None:
    """Each unit's quality problems on `suggestions` not yet answered."""
    grouped = (
        QualityProblem.objects.filter(
            unit_id__in=list(rows),
            answered_at__isnull=True,
            review__suggestion__in=suggestions.values("pk"),
        )
        .values("unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in grouped:
        rows[row["unit_id"]].problems_open = row["n"]


def _sort_value(name: str):
    return lambda row: getattr(row, name)


def sort_rows(rows: list[UnitFigures], key: str, descending: bool) -> list[UnitFigures]:
    """`rows` ordered by column `key` (name when unknown); rows without the value (a rate
    with nothing to divide) last whatever the direction."""
    if key == "name" or key not in SORT_KEYS:
        return sorted(rows, key=lambda row: (row.name, row.unit_id), reverse=descending)
    getter = SORT_KEYS[key]
    having = [row for row in rows if getter(row) is not None]
    lacking = [row for row in rows if getter(row) is None]
    having.sort(key=lambda row: (row.name, row.unit_id))
    having.sort(key=getter, reverse=descending)
    return having + lacking


SORT_KEYS = {
    "assigned": _sort_value("assigned"),
    "replied": _sort_value("replied"),
    "on_time_rate": _sort_value("on_time_rate"),
    "overdue": _sort_value("overdue"),
    **{f"class_{c}": (lambda row, c=c: row.classes.get(c, 0)) for c in RESULT_CLASSES},
    "satisfaction_rate": _sort_value("satisfaction_rate"),
    "attitude_rate": _sort_value("attitude_rate"),
    "commitment_rate": _sort_value("commitment_rate"),
    "problems_open": _sort_value("problems_open"),
}
