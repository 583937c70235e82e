"""Working-day arithmetic on an in-memory calendar snapshot; no database access here.

Convention (期限计算规则): the start day itself is not counted. A deadline of N working
days is the Nth working day after the start date, so an opinion referred on a Tuesday
with a 1-working-day deadline is due on Wednesday, and one referred on a Friday is due
on the following Monday (or on the Saturday if that Saturday is a make-up working day).

A day is a working day when:
- its year is published: it is a make-up working day (调休上班), or it is Monday to Friday
  and not a holiday (法定节假日);
- its year is not published: it is Monday to Friday. Such a deadline is provisional
  (暂定) and must be recomputed when the year is published.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _

HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"

# Far beyond any legal deadline; stops a typo (1500 instead of 15) from looping for years.
MAX_WORKING_DAYS = 2000


@dataclass(frozen=True)
class CalendarEntry:
    """A day of the calendar that broke the weekly rule, with the festival it belongs to."""

    date: datetime.date
    name: str

    def as_data(self) -> dict:
        return {"date": self.date.isoformat(), "name": self.name}

    @classmethod
    def from_data(cls, data: dict) -> CalendarEntry:
        return cls(datetime.date.fromisoformat(data["date"]), data["name"])


@dataclass(frozen=True)
class Deadline:
    """A computed deadline and how it was computed (shown on the case page).

    `holidays_skipped` lists only holidays that fell on Monday to Friday, the ones that
    pushed the deadline later; holidays on a weekend cost no working day.
    """

    start: datetime.date
    working_days: int
    due: datetime.date
    holidays_skipped: tuple[CalendarEntry, ...] = ()
    makeup_workdays_counted: tuple[CalendarEntry, ...] = ()
    provisional_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        """True when a counted day lies in a year whose schedule is not yet published."""
        return bool(self.provisional_years)

    def as_data(self) -> dict:
        """A JSON-ready form, for event data and for storing beside a deadline."""
        return {
            "start": self.start.isoformat(),
            "working_days": self.working_days,
            "due": self.due.isoformat(),
            "provisional": self.provisional,
            "provisional_years": list(self.provisional_years),
            "holidays_skipped": [entry.as_data() for entry in self.holidays_skipped],
            "makeup_workdays_counted": [entry.as_data() for entry in self.makeup_workdays_counted],
        }

    @classmethod
    def from_data(cls, data: dict) -> Deadline:
        """The inverse of as_data: show a stored deadline's explanation without recomputing."""
        return cls(
            start=datetime.date.fromisoformat(data["start"]),
            working_days=data["working_days"],
            due=datetime.date.fromisoformat(data["due"]),
            holidays_skipped=tuple(CalendarEntry.from_data(e) for e in data["holidays_skipped"]),
            makeup_workdays_counted=tuple(
                CalendarEntry.from_data(e) for e in data["makeup_workdays_counted"]
            ),
            provisional_years=tuple(data["provisional_years"]),
        )

    def explanation(self) -> str:
        """One paragraph in the user's language saying how the due date was reached."""
        parts = [
            _("自%(start)s起（当日不计）计%(days)s个工作日，期限为%(due)s。")
            % {
                "start": _format_date(self.start),
                "days": self.working_days,
                "due": _format_date(self.due),
            }
        ]
        if self.holidays_skipped:
            parts.append(
                _("跳过法定节假日：%(days)s。") % {"days": _format_entries(self.holidays_skipped)}
            )
        if self.makeup_workdays_counted:
            parts.append(
                _("计入调休上班日：%(days)s。")
                % {"days": _format_entries(self.makeup_workdays_counted)}
            )
        if self.provisional:
            parts.append(
                _("%(years)s年的放假安排尚未发布，暂按周六、周日休息计算；发布后将重新计算。")
                % {"years": "、".join(str(year) for year in self.provisional_years)}
            )
        return "".join(parts)


def _format_date(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


def _format_entries(entries: tuple[CalendarEntry, ...]) -> str:
    return "、".join(f"{_format_date(entry.date)}（{entry.name}）" for entry in entries)


def _check_date(value, argument: str) -> datetime.date:
    # datetime is a subclass of date: a datetime here means a caller forgot to take the
    # local date (Asia/Shanghai) of a UTC timestamp, which can shift the deadline a day.
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise TypeError(f"{argument} must be a datetime.date (use timezone.localdate())")
    return value


@dataclass(frozen=True)
class WorkingCalendar:
    """A snapshot of the published calendar: the exceptional days of the published years."""

    published_years: frozenset[int] = frozenset()
    # date -> (kind, name), for published years only.
    days: dict[datetime.date, tuple[str, str]] = field(default_factory=dict)

    def is_published(self, year: int) -> bool:
        return year in self.published_years

    def is_working_day(self, day: datetime.date) -> bool:
        _check_date(day, "day")
        return self._is_working_day(day)

    def _is_working_day(self, day: datetime.date) -> bool:
        entry = self.days.get(day)
        if entry is not None:
            return entry[0] == MAKEUP_WORKDAY
        return day.weekday() < 5

    def add_working_days(self, start: datetime.date, days: int) -> Deadline:
        """The `days`-th working day after `start` (start not counted), with its explanation."""
        _check_date(start, "start")
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError("days must be an int")
        if days < 0 or days > MAX_WORKING_DAYS:
            raise ValueError(f"days must be between 0 and {MAX_WORKING_DAYS}")
        one_day = datetime.timedelta(days=1)
        holidays: list[CalendarEntry] = []
        makeups: list[CalendarEntry] = []
        provisional: set[int] = set()
        current = start
        counted = 0
        while counted < days:
            current += one_day
            if current.year not in self.published_years:
                provisional.add(current.year)
            entry = self.days.get(current)
            if entry is None:
                if current.weekday() < 5:
                    counted += 1
            elif entry[0] == MAKEUP_WORKDAY:
                counted += 1
                makeups.append(CalendarEntry(current, entry[1]))
            elif current.weekday() < 5:
                holidays.append(CalendarEntry(current, entry[1]))
        return Deadline(
            start=start,
            working_days=days,
            due=current,
            holidays_skipped=tuple(holidays),
            makeup_workdays_counted=tuple(makeups),
            provisional_years=tuple(sorted(provisional)),
        )

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end`; negative if `end` is earlier.

        The inverse of add_working_days: working_days_between(s, add_working_days(s, n).due)
        is n. "Overdue by N working days" is working_days_between(due, today).
        """
        _check_date(start, "start")
        _check_date(end, "end")
        if end < start:
            return -self.working_days_between(end, start)
        total = (end - start).days
        # Whole weeks hold five weekdays each; only the remainder needs walking.
        weeks, rest = divmod(total, 7)
        count = weeks * 5
        for offset in range(1, rest + 1):
            if (start + datetime.timedelta(days=offset)).weekday() < 5:
                count += 1
        for day, (kind, _name) in self.days.items():
            if start < day <= end:
                if kind == MAKEUP_WORKDAY:
                    if day.weekday() >= 5:
                        count += 1
                elif day.weekday() < 5:
                    count -= 1
        return count
