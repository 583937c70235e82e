"""Calendar months and the days around them: how a date range maps onto summary rows."""

from __future__ import annotations

import datetime


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    """The first day of the month after the one `month` lies in."""
    return (month.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def split_period(
    start: datetime.date, end: datetime.date
) -> tuple[list[datetime.date], list[tuple[datetime.date, datetime.date]]]:
    """The whole calendar months within start..end (their first days), and the day ranges
    left over at either end: a period reads its month rows and the rows of those days."""
    if end < start:
        return [], []
    month = start if start.day == 1 else next_month(start)
    months = []
    while next_month(month) - datetime.timedelta(days=1) <= end:
        months.append(month)
        month = next_month(month)
    if not months:
        return [], [(start, end)]
    ranges = []
    if start < months[0]:
        ranges.append((start, months[0] - datetime.timedelta(days=1)))
    after = next_month(months[-1])
    if after <= end:
        ranges.append((after, end))
    return months, ranges
