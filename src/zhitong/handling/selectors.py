"""Reading handling rows: the unit inbox across processes, and one assignment for its unit."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhitong.handling import deadlines
from zhitong.handling.models import Assignment
from zhitong.handling.registry import processes
from zhitong.workdays.deadlines import WorkingCalendar
from zhitong.workdays.selectors import working_calendar

INBOX_PAGE = 50

# The inbox filters (办理状态).
INBOX_FILTERS = {
    "open": _("待办"),
    "overdue": _("已超期"),
    "replied": _("已答复"),
    "all": _("全部"),
}


class DeadlineState:
    """Where an assignment stands against its due date (derived, never stored)."""

    NONE = ""
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    VERY_OVERDUE = "very_overdue"

    LABELS = {
        ON_TIME: _("期限内"),
        DUE_SOON: _("临期"),
        OVERDUE: _("已超期"),
        VERY_OVERDUE: _("严重超期"),
    }


def deadline_state(assignment: Assignment, today: datetime.date, calendar: WorkingCalendar) -> str:
    """The deadline state of a running assignment ("" once it is answered or ended)."""
    if assignment.state not in deadlines.OPEN_STATES or assignment.due_date is None:
        return DeadlineState.NONE
    if assignment.very_overdue_from is not None and assignment.very_overdue_from <= today:
        return DeadlineState.VERY_OVERDUE
    if assignment.due_date < today:
        return DeadlineState.OVERDUE
    left = calendar.working_days_between(today, assignment.due_date)
    if left <= deadlines.DUE_SOON_WORKING_DAYS:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME


def assignments_of_unit(unit_id: int, which: str = "open") -> QuerySet[Assignment]:
    """A unit's assignments (never the withdrawn ones), newest first."""
    rows = Assignment.objects.filter(unit_id=unit_id).exclude(state=Assignment.State.WITHDRAWN)
    if which == "open":
        rows = rows.filter(state__in=deadlines.OPEN_STATES)
    elif which == "overdue":
        rows = rows.filter(state__in=deadlines.OPEN_STATES, due_date__lt=timezone.localdate())
    elif which == "replied":
        rows = rows.filter(state=Assignment.State.REPLIED)
    return rows.order_by("-id")


@dataclass
class InboxRow:
    assignment: Assignment
    process_label: Any
    deadline_state: str
    deadline_label: Any


@dataclass
class InboxPage:
    rows: list[InboxRow]
    next_cursor: int | None


def unit_inbox(
    user, *, which: str = "open", before: int | None = None, limit: int = INBOX_PAGE
) -> InboxPage:
    """Everything assigned to the user's unit, whatever the process: keyset-paged on id
    (newest first), two queries whatever the page size (the rows with their cases, and
    the working-day calendar)."""
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return InboxPage([], None)
    rows = assignments_of_unit(unit_id, which).select_related("case")
    if before is not None:
        rows = rows.filter(pk__lt=before)
    found = list(rows[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    today = timezone.localdate()
    calendar = working_calendar()
    known = processes()
    page = []
    for assignment in found:
        state = deadline_state(assignment, today, calendar)
        process = known.get(assignment.case.process)
        page.append(
            InboxRow(
                assignment=assignment,
                process_label=process.label if process else assignment.case.process,
                deadline_state=state,
                deadline_label=DeadlineState.LABELS.get(state, ""),
            )
        )
    return InboxPage(page, found[-1].pk if more and found else None)
