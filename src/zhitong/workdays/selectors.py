"""Reading the working-day calendar: a per-process cached snapshot and deadline shortcuts.

Each call checks the calendar's version with one small query (the year rows: year,
status, revision) and reloads the days only when that version changed. The version is a
random revision per year, renewed on every publish, so a change committed by another
process, or made earlier in the current transaction, is seen at once, and a rolled-back
change never leaves a stale snapshot behind. For many deadlines at once (recomputing
open cases), take one snapshot with working_calendar() and use its methods: no further
queries at all.
"""

import datetime

from django.db.models import Count, Q

from zhitong.workdays.deadlines import Deadline, WorkingCalendar
from zhitong.workdays.models import CalendarDay, CalendarYear

_cached: tuple[tuple, WorkingCalendar] | None = None


def _calendar_version() -> tuple:
    return tuple(CalendarYear.objects.order_by("year").values_list("year", "status", "revision"))


def _load(version: tuple) -> WorkingCalendar:
    published = frozenset(
        year for year, status, _revision in version if status == CalendarYear.Status.PUBLISHED
    )
    rows = CalendarDay.objects.filter(year__year__in=published).values_list("date", "kind", "name")
    return WorkingCalendar(
        published_years=published,
        days={day: (kind, name) for day, kind, name in rows},
    )


def working_calendar() -> WorkingCalendar:
    """The current calendar snapshot: one query when cached, two when it must reload."""
    global _cached
    version = _calendar_version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    calendar = _load(version)
    _cached = (version, calendar)
    return calendar


def clear_calendar_cache() -> None:
    """Forget the cached snapshot (the version check makes this optional; tests use it)."""
    global _cached
    _cached = None


def add_working_days(start: datetime.date, days: int) -> Deadline:
    """The deadline `days` working days after `start`; see zhitong.workdays.deadlines."""
    return working_calendar().add_working_days(start, days)


def is_working_day(day: datetime.date) -> bool:
    """Whether `day` is a working day in the current calendar (weekends only if unpublished)."""
    return working_calendar().is_working_day(day)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to `end` inclusive; negative when `end` is before."""
    return working_calendar().working_days_between(start, end)


def calendar_years_with_counts():
    """Years with their numbers of holidays and make-up working days, newest first."""
    return CalendarYear.objects.select_related("updated_by").annotate(
        holiday_count=Count("days", filter=Q(days__kind=CalendarDay.Kind.HOLIDAY)),
        makeup_count=Count("days", filter=Q(days__kind=CalendarDay.Kind.MAKEUP_WORKDAY)),
    )
