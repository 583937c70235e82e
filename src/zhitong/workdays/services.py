"""Changing the working-day calendar: publishing a year's schedule, and the recompute hooks."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable
from typing import Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhitong.core.events import event_record
from zhitong.core.models import max_length
from zhitong.workdays.models import MAX_YEAR, MIN_YEAR, CalendarDay, CalendarYear
from zhitong.workdays.verbs import WorkdaysVerb

PUBLISH_PERMISSION = "workdays.publish_calendar"


DayRow = tuple[datetime.date, str, str]


class CalendarChangedHook(Protocol):
    def __call__(self, *, year: int, by) -> None: ...


# Called inside the publishing transaction, so what a hook changes (e.g. the opinions app
# recomputing open deadlines) commits or rolls back together with the calendar change.
_calendar_changed_hooks: list[Callable[..., None]] = []


def on_calendar_changed(hook: CalendarChangedHook) -> CalendarChangedHook:
    """Register `hook(year=..., by=...)`, run after a year is published; usable as a decorator.

    Register from AppConfig.ready(). A hook that raises undoes the whole publish.
    """
    if hook not in _calendar_changed_hooks:
        _calendar_changed_hooks.append(hook)
    return hook


def remove_calendar_changed_hook(hook: CalendarChangedHook) -> None:
    if hook in _calendar_changed_hooks:
        _calendar_changed_hooks.remove(hook)


def can_publish_calendar(user) -> bool:
    return user is not None and user.is_active and user.has_perm(PUBLISH_PERMISSION)


def _date_label(day: datetime.date) -> str:
    return day.isoformat()


def validate_calendar_days(year, days: Iterable) -> list[DayRow]:
    """Check a year's schedule and return it sorted; raise one ValidationError listing every problem.

    Rules: each row is (date, kind, name); every date lies in `year` and appears once;
    kind is holiday or makeup_workday; a make-up working day falls on a Saturday or
    Sunday (a weekday is a working day already); every day names its festival.
    Holidays may fall on weekends: the schedule lists whole spans, as the notice does.
    """
    errors: list[str] = []
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("年份必须是%(min)s至%(max)s之间的整数。") % {"min": MIN_YEAR, "max": MAX_YEAR}
        )
    kinds = {choice.value: choice.label for choice in CalendarDay.Kind}
    name_limit = max_length(CalendarDay, "name")
    seen: set[datetime.date] = set()
    rows: list[DayRow] = []
    for index, row in enumerate(days, start=1):
        try:
            day, kind, name = row
        except (TypeError, ValueError):
            errors.append(_("第%(n)s项格式不对，应为（日期, 类型, 名称）。") % {"n": index})
            continue
        if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
            errors.append(_("第%(n)s项的日期“%(day)s”无效。") % {"n": index, "day": day})
            continue
        label = _date_label(day)
        name = (name or "").strip() if isinstance(name, str) else ""
        if day.year != year:
            errors.append(_("%(day)s 不在%(year)s年内。") % {"day": label, "year": year})
        if day in seen:
            errors.append(_("%(day)s 重复出现。") % {"day": label})
        seen.add(day)
        if kind not in kinds:
            errors.append(
                _("%(day)s 的类型“%(kind)s”无效，应为“%(holiday)s”或“%(makeup)s”。")
                % {
                    "day": label,
                    "kind": kind,
                    "holiday": kinds[CalendarDay.Kind.HOLIDAY],
                    "makeup": kinds[CalendarDay.Kind.MAKEUP_WORKDAY],
                }
            )
        elif kind == CalendarDay.Kind.MAKEUP_WORKDAY and day.weekday() < 5:
            errors.append(
                _("%(day)s 是周一至周五，本来就上班，不能设为调休上班日。") % {"day": label}
            )
        if not name:
            errors.append(_("%(day)s 缺少节日名称（如春节）。") % {"day": label})
        elif len(name) > name_limit:
            errors.append(
                _("%(day)s 的节日名称超过%(limit)s个字。") % {"day": label, "limit": name_limit}
            )
        rows.append((day, kind, name))
    if errors:
        raise ValidationError(errors)
    return sorted(rows)


def _day_data(day: datetime.date, kind: str, name: str) -> dict:
    return {"date": day.isoformat(), "kind": kind, "name": name}


@transaction.atomic
def calendar_year_publish(*, year: int, days: Iterable, source: str, by) -> CalendarYear:
    """Replace `year`'s holidays and make-up working days, and mark the year published.

    Writes one "calendar_published" event with the days added, removed and changed, then
    runs the registered recompute hooks, all in this transaction. Bad input raises a
    ValidationError and changes nothing; a user without the permission gets PermissionDenied.
    """
    if not can_publish_calendar(by):
        raise PermissionDenied(_("你没有发布工作日历的权限。"))
    rows = validate_calendar_days(year, days)
    source = (source or "").strip()
    if not source:
        raise ValidationError(_("请填写来源，如国务院办公厅通知的名称和文号。"))
    source_limit = max_length(CalendarYear, "source")
    if len(source) > source_limit:
        raise ValidationError(_("来源不能超过%(limit)s个字。") % {"limit": source_limit})

    calendar_year, _created = CalendarYear.objects.get_or_create(year=year)
    # Two staff publishing the same year at once: the second waits and diffs against the first.
    calendar_year = CalendarYear.objects.select_for_update().get(pk=calendar_year.pk)
    from_state = calendar_year.status

    existing = {day.date: day for day in calendar_year.days.all()}
    wanted = {day: (kind, name) for day, kind, name in rows}
    added_dates = sorted(wanted.keys() - existing.keys())
    removed_dates = sorted(existing.keys() - wanted.keys())
    added = [_day_data(day, *wanted[day]) for day in added_dates]
    removed = [_day_data(day, existing[day].kind, existing[day].name) for day in removed_dates]
    changed = []
    to_update = []
    for day in sorted(wanted.keys() & existing.keys()):
        row = existing[day]
        kind, name = wanted[day]
        if (row.kind, row.name) != (kind, name):
            changed.append(
                {
                    "date": day.isoformat(),
                    "from": {"kind": row.kind, "name": row.name},
                    "to": {"kind": kind, "name": name},
                }
            )
            row.kind, row.name = kind, name
            to_update.append(row)

    if removed_dates:
        CalendarDay.objects.filter(pk__in=[existing[day].pk for day in removed_dates]).delete()
    if to_update:
        CalendarDay.objects.bulk_update(to_update, ["kind", "name"])
    CalendarDay.objects.bulk_create(
        CalendarDay(year=calendar_year, date=day, kind=wanted[day][0], name=wanted[day][1])
        for day in added_dates
    )

    calendar_year.status = CalendarYear.Status.PUBLISHED
    calendar_year.source = source
    calendar_year.published_at = timezone.now()
    calendar_year.updated_by = by
    calendar_year.revision = uuid.uuid4()
    calendar_year.save()

    event_record(
        actor=by,
        subject=calendar_year,
        verb=WorkdaysVerb.CALENDAR_PUBLISHED,
        from_state=from_state,
        to_state=calendar_year.status,
        note=source,
        data={
            "year": year,
            "source": source,
            "added": added,
            "removed": removed,
            "changed": changed,
        },
    )
    for hook in list(_calendar_changed_hooks):
        hook(year=year, by=by)
    return calendar_year
