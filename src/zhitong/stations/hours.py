"""A station's opening hours (开放时间), read from the free text staff write.

`Station.opening_hours` stays the text citizens read ("工作日 9:00-12:00，14:30-17:30；周六上午
9:00-11:30"). The duty rota needs to know which weekdays and periods that text opens the
station, so that no deputy is put on duty when the door is shut and the poster never promises
a reception that does not happen. `read_hours` understands the ways the office writes hours:

- days: 工作日, 每天/每日, 周末/双休日, 周一至周五 (至/到/-/~), 周二、周四, 星期三, 礼拜六;
- times: 9:00-12:00 (also 9：00, 至/到/—/~), each range opening the periods it overlaps
  (before 12:00 上午, 12:00-18:00 下午, after 18:00 晚上); 下午 2:30-5:30 is read as 14:30-17:30;
- periods written as words: 上午, 下午, 晚上/晚间/夜间, 全天/白天 (上午 and 下午);
- days without a time: open all day (上午 and 下午);
- what is not weekly (每月20日…, 节假日…, 其他时间请预约) is left aside.

Text in which no weekday can be found reads as unknown (None): the rota is then not checked
against it, and the rota page says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from zhitong.stations.models import DutyPeriod, Weekday

AM, PM, EVENING = DutyPeriod.MORNING.value, DutyPeriod.AFTERNOON.value, DutyPeriod.EVENING.value
# The periods a rota line needs open: a whole day is the morning and the afternoon.
NEEDS = {
    DutyPeriod.MORNING.value: {AM},
    DutyPeriod.AFTERNOON.value: {PM},
    DutyPeriod.EVENING.value: {EVENING},
    DutyPeriod.ALL_DAY.value: {AM, PM},
}
DAY_CHARS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_D = "[一二三四五六日天]"
_PREFIX = "(?:周|星期|礼拜)"
_DASH = r"\s*(?:-|—|–|－|~|～|至|到)\s*"
_CLOCK = r"(\d{1,2})\s*[:：点时]\s*(\d{2})?"

_TOKENS = re.compile(
    "|".join(
        [
            # Monthly or yearly days: not part of a weekly pattern.
            rf"(?P<monthly>每月(?:第[一二三四五1-5]个?{_PREFIX}{_D}|[\d一二三四五六七八九十]+[日号]))",
            r"(?P<holiday>节假日|法定假日|节日)",
            r"(?P<workdays>工作日)",
            r"(?P<everyday>每天|每日|天天)",
            r"(?P<weekend>周末|双休日)",
            rf"(?P<range>{_PREFIX}(?P<r1>{_D}){_DASH}{_PREFIX}?(?P<r2>{_D}))",
            rf"(?P<day>{_PREFIX}(?P<d1>{_D}))",
            rf"(?P<more>[、，,和及]\s*(?P<m1>{_D})(?![\d:：]))",
            rf"(?P<time>{_CLOCK}{_DASH}{_CLOCK})",
            r"(?P<am>上午|早上)",
            r"(?P<pm>下午)",
            r"(?P<evening>晚上|晚间|夜间|傍晚)",
            r"(?P<allday>全天|全日|白天)",
        ]
    )
)


@dataclass
class _Group:
    days: set[int] = field(default_factory=set)
    periods: set[str] = field(default_factory=set)
    weekly: bool = True
    # The last period word read (下午 2:30 is 14:30).
    word: str = ""
    timed: bool = False


def _minutes(hour: str, minute: str | None, word: str) -> int:
    h = int(hour)
    if word in (PM, EVENING) and h < 12:
        h += 12
    return h * 60 + int(minute or 0)


def _periods_of(start: int, end: int) -> set[str]:
    periods = set()
    if start < 12 * 60:
        periods.add(AM)
    if start < 18 * 60 and end > 12 * 60:
        periods.add(PM)
    if end > 18 * 60:
        periods.add(EVENING)
    return periods


def _days(first: int, last: int) -> set[int]:
    if first <= last:
        return set(range(first, last + 1))
    return set(range(first, 7)) | set(range(0, last + 1))  # 周六至周一


@dataclass(frozen=True)
class OpeningHours:
    """The weekly slots a station is open: (weekday 0-6, period am/pm/evening)."""

    slots: frozenset[tuple[int, str]]

    def is_open(self, weekday: int, period: str) -> bool:
        return all((weekday, p) in self.slots for p in NEEDS[period])

    def days(self) -> list[int]:
        return sorted({day for day, _p in self.slots})

    def periods_on(self, weekday: int) -> set[str]:
        return {p for day, p in self.slots if day == weekday}

    def describe(self) -> str:
        """The slots as a short Chinese line: 星期一至星期五 上午、下午；星期六 上午."""
        names = {AM: _("上午"), PM: _("下午"), EVENING: _("晚上")}
        runs: list[tuple[int, int, tuple[str, ...]]] = []
        for day in self.days():
            periods = tuple(names[p] for p in (AM, PM, EVENING) if (day, p) in self.slots)
            if runs and runs[-1][1] == day - 1 and runs[-1][2] == periods:
                runs[-1] = (runs[-1][0], day, periods)
            else:
                runs.append((day, day, periods))
        parts = []
        for first, last, periods in runs:
            days = Weekday(first).label
            if last == first + 1:
                days = f"{days}、{Weekday(last).label}"
            elif last > first:
                days = _("%(first)s至%(last)s") % {"first": days, "last": Weekday(last).label}
            parts.append(f"{days} {'、'.join(str(p) for p in periods)}")
        return "；".join(parts)


def read_hours(text: str) -> OpeningHours | None:
    """The weekly opening slots `text` describes, or None when it names no weekday."""
    groups: list[_Group] = []
    current: _Group | None = None

    def day_group() -> _Group:
        # Days written one after another (周二、周四 or 周二 周四) share their times; days
        # after a time start a group of their own.
        nonlocal current
        if (
            current is None
            or not current.weekly
            or current.periods
            or current.timed
            or current.word
        ):
            current = _Group()
            groups.append(current)
        return current

    for match in _TOKENS.finditer(text or ""):
        kind = match.lastgroup
        if kind in ("monthly", "holiday"):
            current = _Group(weekly=False)
            groups.append(current)
        elif kind == "workdays":
            day_group().days |= set(range(5))
        elif kind == "everyday":
            day_group().days |= set(range(7))
        elif kind == "weekend":
            day_group().days |= {5, 6}
        elif kind == "range":
            day_group().days |= _days(DAY_CHARS[match["r1"]], DAY_CHARS[match["r2"]])
        elif kind == "day":
            day_group().days.add(DAY_CHARS[match["d1"]])
        elif kind == "more":
            if current is not None and current.weekly and current.days:
                current.days.add(DAY_CHARS[match["m1"]])
        elif current is None:
            continue  # a time before any day: nothing to attach it to
        elif kind == "time":
            h1, m1, h2, m2 = _clock_parts(match)
            start = _minutes(h1, m1, current.word)
            end = _minutes(h2, m2, current.word)
            if end <= start and int(h2) < 12:
                end += 12 * 60  # 下午2:30-5:30 written without the word before the second
            current.periods |= _periods_of(start, end)
            current.timed = True
        elif kind in ("am", "pm", "evening"):
            current.word = {"am": AM, "pm": PM, "evening": EVENING}[kind]
        elif kind == "allday":
            current.periods |= {AM, PM}
            current.word = ""
    slots: set[tuple[int, str]] = set()
    for group in groups:
        if not group.weekly or not group.days:
            continue
        periods = set(group.periods)
        if not group.timed and group.word:
            periods.add(group.word)
        if not periods:
            periods = {AM, PM}
        slots |= {(day, period) for day in group.days for period in periods}
    if not slots:
        return None
    return OpeningHours(frozenset(slots))


def _clock_parts(match: re.Match) -> tuple[str, str | None, str, str | None]:
    clock = re.findall(r"(\d{1,2})\s*[:：点时]\s*(\d{2})?", match.group("time"))
    (h1, m1), (h2, m2) = clock[0], clock[1]
    return h1, m1 or None, h2, m2 or None
