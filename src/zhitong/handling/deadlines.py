"""Deadlines of assignments (办理期限): computed by a rule, extended, recomputed.

Two rules, each counted from a start date that itself is not counted:
- working days (工作日): the calendar kept as data (zhitong.workdays), e.g. an opinion's
  15 working days;
- calendar months (自然月): the same day `n` months later (the month's last day when it
  has no such day), moved to the next working day when it falls on a rest day or a
  holiday, e.g. a suggestion's 3 months from assignment.

An assignment stores the computation (`as_data()`) beside its due date, so the case page
can explain it and a calendar change can redo it from the same start and period. Nothing
here writes events or checks permissions: handling.services does, inside its transaction.
"""

from __future__ import annotations

import calendar as _calendar
import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F, Min, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from zhitong.handling.models import Assignment, Rule
from zhitong.workdays.deadlines import CalendarEntry, Deadline, WorkingCalendar
from zhitong.workdays.selectors import working_calendar

if TYPE_CHECKING:
    from django.db.models import QuerySet

# A deadline due within this many working days is shown as "due soon" (临期).
DUE_SOON_WORKING_DAYS = 3
# Bounds on what staff may set, so a typo (150 for 15) is refused rather than stored.
MIN_WORKING_DAYS = 1
MAX_WORKING_DAYS = 180
MAX_EXTENSION_DAYS = 60
MIN_MONTHS = 1
MAX_MONTHS = 24
# Suggestions: an extension of up to 3 more months.
MAX_EXTENSION_MONTHS = 3

OPEN_STATES = (Assignment.State.PENDING, Assignment.State.ACCEPTED)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the month's last day when it is shorter (1-31 + 1 → 2-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def _format_date(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


@dataclass(frozen=True)
class MonthsDeadline:
    """A deadline of `months` calendar months from `start`, rolled to a working day."""

    start: datetime.date
    months: int
    nominal_due: datetime.date
    due: datetime.date
    # The rest days and holidays the due date was moved over (a holiday with its name).
    days_rolled: tuple[CalendarEntry, ...] = ()
    provisional_years: tuple[int, ...] = ()

    rule = Rule.MONTHS

    @property
    def period(self) -> int:
        return self.months

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    def as_data(self) -> dict:
        return {
            "rule": Rule.MONTHS.value,
            "start": self.start.isoformat(),
            "months": self.months,
            "nominal_due": self.nominal_due.isoformat(),
            "due": self.due.isoformat(),
            "provisional": self.provisional,
            "provisional_years": list(self.provisional_years),
            "days_rolled": [entry.as_data() for entry in self.days_rolled],
        }

    @classmethod
    def from_data(cls, data: dict) -> MonthsDeadline:
        return cls(
            start=datetime.date.fromisoformat(data["start"]),
            months=data["months"],
            nominal_due=datetime.date.fromisoformat(data["nominal_due"]),
            due=datetime.date.fromisoformat(data["due"]),
            days_rolled=tuple(CalendarEntry.from_data(e) for e in data["days_rolled"]),
            provisional_years=tuple(data["provisional_years"]),
        )

    def explanation(self) -> str:
        parts = [
            _("自%(start)s起计%(months)s个月，至%(nominal)s。")
            % {
                "start": _format_date(self.start),
                "months": self.months,
                "nominal": _format_date(self.nominal_due),
            }
        ]
        if self.due != self.nominal_due:
            holidays = [entry for entry in self.days_rolled if entry.name]
            parts.append(
                _("该日不是工作日，顺延至%(due)s。") % {"due": _format_date(self.due)}
                if not holidays
                else _("该日不是工作日（%(names)s），顺延至%(due)s。")
                % {
                    "names": "、".join(sorted({entry.name for entry in holidays})),
                    "due": _format_date(self.due),
                }
            )
        if self.provisional:
            parts.append(
                _("%(years)s年的放假安排尚未发布，暂按周六、周日休息计算；发布后将重新计算。")
                % {"years": "、".join(str(year) for year in self.provisional_years)}
            )
        return "".join(parts)


AnyDeadline = Deadline | MonthsDeadline


def _roll(day: datetime.date, calendar: WorkingCalendar) -> tuple[datetime.date, list]:
    """The first working day on or after `day`, with the days passed over."""
    rolled: list[CalendarEntry] = []
    while not calendar.is_working_day(day):
        entry = calendar.days.get(day)
        rolled.append(CalendarEntry(day, entry[1] if entry else ""))
        day += datetime.timedelta(days=1)
    return day, rolled


def months_after(start: datetime.date, months: int, calendar: WorkingCalendar) -> MonthsDeadline:
    nominal = add_months(start, months)
    due, rolled = _roll(nominal, calendar)
    years = sorted({y for y in range(start.year, due.year + 1) if not calendar.is_published(y)})
    # Only the due date's own year matters for a months rule: the months are not counted
    # in working days, so an unpublished year in between changes nothing.
    years = [y for y in years if y == due.year]
    return MonthsDeadline(start, months, nominal, due, tuple(rolled), tuple(years))


def compute_rule(
    rule: str, start: datetime.date, period: int, calendar: WorkingCalendar | None = None
) -> AnyDeadline:
    """The deadline `period` working days or months after `start`."""
    calendar = calendar or working_calendar()
    if rule == Rule.MONTHS:
        return months_after(start, period, calendar)
    return calendar.add_working_days(start, period)


def compute(
    start: datetime.date, working_days: int, calendar: WorkingCalendar | None = None
) -> Deadline:
    """The deadline `working_days` working days after `start` on the current calendar."""
    calendar = calendar or working_calendar()
    return calendar.add_working_days(start, working_days)


def period_of(deadline: AnyDeadline) -> int:
    return deadline.months if isinstance(deadline, MonthsDeadline) else deadline.working_days


def rule_of(deadline: AnyDeadline) -> str:
    return Rule.MONTHS if isinstance(deadline, MonthsDeadline) else Rule.WORKING_DAYS


def from_data(data: dict) -> AnyDeadline:
    if data.get("rule") == Rule.MONTHS:
        return MonthsDeadline.from_data(data)
    return Deadline.from_data(data)


def local_date(moment: datetime.datetime) -> datetime.date:
    """The Asia/Shanghai date of a stored (UTC) timestamp: where a deadline starts."""
    return timezone.localdate(moment)


def very_overdue_from(
    due: datetime.date, period: int, calendar: WorkingCalendar, rule: str = Rule.WORKING_DAYS
) -> datetime.date:
    """The first day on which a reply due on `due` counts as very overdue (严重超期).

    Very overdue is late by at least the time allowed (twice the time in all): `period`
    working days after the due date, counted like the due date itself (so
    calendar.working_days_between(due, today) >= period exactly when this day has come),
    or `period` months after it, rolled to a working day.
    """
    if rule == Rule.MONTHS:
        return _roll(add_months(due, max(period, 1)), calendar)[0]
    return calendar.add_working_days(due, max(period, 1)).due


def apply(
    assignment: Assignment, deadline: AnyDeadline, calendar: WorkingCalendar | None = None
) -> None:
    """Store `deadline` on the assignment (not saved): due date, provisional flag,
    explanation, and the very-overdue date that follows (on `calendar`, else the current one).
    """
    calendar = calendar or working_calendar()
    assignment.deadline = deadline.as_data()
    assignment.due_date = deadline.due
    assignment.deadline_provisional = deadline.provisional
    assignment.very_overdue_from = very_overdue_from(
        deadline.due, period_of(deadline), calendar, rule_of(deadline)
    )


DEADLINE_FIELDS = ["deadline", "due_date", "deadline_provisional", "very_overdue_from"]


def stored(assignment: Assignment) -> AnyDeadline | None:
    """The stored computation, or None for an assignment that has none."""
    if not assignment.deadline:
        return None
    return from_data(assignment.deadline)


def total_period(assignment: Assignment) -> int:
    """The time currently allowed (extensions included), in the rule's unit."""
    deadline = stored(assignment)
    return period_of(deadline) if deadline else assignment.period


def start_of(assignment: Assignment) -> datetime.date:
    """Where the running period started: the stored start, else the assignment date."""
    deadline = stored(assignment)
    return deadline.start if deadline else local_date(assignment.assigned_at)


def extended(
    assignment: Assignment, extra: int, calendar: WorkingCalendar | None = None
) -> AnyDeadline:
    """The deadline with `extra` more working days or months, from the same start."""
    return compute_rule(
        assignment.rule, start_of(assignment), total_period(assignment) + extra, calendar
    )


def restarted(
    assignment: Assignment, start: datetime.date, calendar: WorkingCalendar | None = None
) -> AnyDeadline:
    """A fresh period of the assignment's own length from `start` (after a rework)."""
    return compute_rule(assignment.rule, start, assignment.period, calendar)


def year_touches(deadline: AnyDeadline, year: int) -> bool:
    """Whether any day counted for `deadline` lies in `year` (so publishing it may move it)."""
    return deadline.start.year <= year <= deadline.due.year


def very_overdue_touches(assignment: Assignment, year: int) -> bool:
    """Whether the days from the due date to the very-overdue date run through `year`
    (publishing it may move that date even when the due date stays)."""
    if assignment.due_date is None or assignment.very_overdue_from is None:
        return False
    return assignment.due_date.year <= year <= assignment.very_overdue_from.year


def to_recompute(year: int) -> QuerySet[Assignment]:
    """Open assignments whose counted period, or the days after it up to the very-overdue
    date, may run through `year`."""
    first = datetime.date(year, 1, 1)
    return (
        Assignment.objects.filter(state__in=OPEN_STATES)
        .filter(Q(due_date__gte=first) | Q(very_overdue_from__gte=first))
        .select_related("case", "case__district")
        .order_by("pk")
    )


def recomputed_very_overdue_from(
    assignment: Assignment, calendar: WorkingCalendar
) -> datetime.date | None:
    """The assignment's very-overdue date from its stored due date, on `calendar`."""
    if assignment.due_date is None:
        return None
    return very_overdue_from(
        assignment.due_date, total_period(assignment), calendar, assignment.rule
    )


def recomputed(assignment: Assignment, calendar: WorkingCalendar) -> AnyDeadline | None:
    """The assignment's deadline redone on `calendar`, or None when it has nothing to redo."""
    deadline = stored(assignment)
    if deadline is None:
        if assignment.due_date is None:
            return None
        return compute_rule(
            assignment.rule, local_date(assignment.assigned_at), assignment.period, calendar
        )
    return compute_rule(rule_of(deadline), deadline.start, period_of(deadline), calendar)


def passings_due(today: datetime.date) -> QuerySet[Assignment]:
    """Open assignments whose due date is before `today` and whose passing is not recorded."""
    return (
        Assignment.objects.filter(state__in=OPEN_STATES, due_date__lt=today)
        .filter(Q(passing_recorded_for__isnull=True) | ~Q(passing_recorded_for=F("due_date")))
        .select_related("case", "case__district", "unit")
        .order_by("due_date", "pk")
    )


def running_lead_dates(case_id: int | None) -> dict:
    """The earliest due and very-overdue dates of the case's running lead assignments."""
    if case_id is None:
        return {"due": None, "very_overdue": None}
    return Assignment.objects.filter(
        case_id=case_id,
        role=Assignment.Role.LEAD,
        state__in=OPEN_STATES,
        due_date__isnull=False,
    ).aggregate(due=Min("due_date"), very_overdue=Min("very_overdue_from"))
