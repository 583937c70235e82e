"""Referral deadlines (办理期限): computing, extending and recomputing them in working days.

A referral stores the computation (zhitong.workdays Deadline.as_data()) beside its due
date, so the case page can explain it and a calendar change can redo it from the same
start and working days. Nothing here writes events or checks permissions: services.py
does, inside its transaction.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from zhitong.opinions.models import Referral
from zhitong.workdays.deadlines import Deadline, WorkingCalendar
from zhitong.workdays.selectors import working_calendar

# A referral due within this many working days is shown as "due soon" (临期).
DUE_SOON_WORKING_DAYS = 3
# Bounds on what staff may set, so a typo (150 for 15) is refused rather than stored.
MIN_WORKING_DAYS = 1
MAX_WORKING_DAYS = 180
MAX_EXTENSION_DAYS = 60

OPEN_REFERRAL_STATES = (Referral.State.PENDING, Referral.State.ACCEPTED)


def local_date(moment: datetime.datetime) -> datetime.date:
    """The Asia/Shanghai date of a stored (UTC) timestamp: where a deadline starts."""
    return timezone.localdate(moment)


def compute(
    start: datetime.date, working_days: int, calendar: WorkingCalendar | None = None
) -> Deadline:
    """The deadline `working_days` working days after `start` on the current calendar."""
    calendar = calendar or working_calendar()
    return calendar.add_working_days(start, working_days)


def very_overdue_from(
    due: datetime.date, working_days: int, calendar: WorkingCalendar
) -> datetime.date:
    """The first day on which a reply due on `due` counts as very overdue (严重超期).

    Very overdue is late by at least the working days allowed (twice the time in all):
    `working_days` working days after the due date, counted like the due date itself, so
    calendar.working_days_between(due, today) >= working_days exactly when this day is
    today or earlier.
    """
    return calendar.add_working_days(due, max(working_days, 1)).due


def apply(referral: Referral, deadline: Deadline, calendar: WorkingCalendar | None = None) -> None:
    """Store `deadline` on the referral (not saved): due date, provisional flag, explanation,
    and the very-overdue date that follows from them (on `calendar`, else the current one)."""
    calendar = calendar or working_calendar()
    referral.deadline = deadline.as_data()
    referral.due_date = deadline.due
    referral.deadline_provisional = deadline.provisional
    referral.very_overdue_from = very_overdue_from(deadline.due, deadline.working_days, calendar)


DEADLINE_FIELDS = ["deadline", "due_date", "deadline_provisional", "very_overdue_from"]


def stored(referral: Referral) -> Deadline | None:
    """The stored computation, or None for a referral that has none."""
    if not referral.deadline:
        return None
    return Deadline.from_data(referral.deadline)


def total_working_days(referral: Referral) -> int:
    """The working days currently allowed: the stored computation's, else the referral's."""
    deadline = stored(referral)
    return deadline.working_days if deadline else referral.working_days


def start_of(referral: Referral) -> datetime.date:
    """Where the running period started: the stored start, else the referral date."""
    deadline = stored(referral)
    return deadline.start if deadline else local_date(referral.referred_at)


def extended(
    referral: Referral, extra_days: int, calendar: WorkingCalendar | None = None
) -> Deadline:
    """The deadline with `extra_days` more working days, from the same start."""
    return compute(start_of(referral), total_working_days(referral) + extra_days, calendar)


def restarted(
    referral: Referral, start: datetime.date, calendar: WorkingCalendar | None = None
) -> Deadline:
    """A fresh period of the referral's own working days from `start` (after a rework)."""
    return compute(start, referral.working_days, calendar)


def year_touches(deadline: Deadline, year: int) -> bool:
    """Whether any day counted for `deadline` lies in `year` (so publishing it may move it)."""
    return deadline.start.year <= year <= deadline.due.year


def very_overdue_touches(referral: Referral, year: int) -> bool:
    """Whether the working days counted from the due date to the very-overdue date run
    through `year` (publishing it may move that date even when the due date stays)."""
    if referral.due_date is None or referral.very_overdue_from is None:
        return False
    return referral.due_date.year <= year <= referral.very_overdue_from.year


def referrals_to_recompute(year: int):
    """Open referrals whose counted period, or the days after it up to the very-overdue
    date, may run through `year`."""
    from django.db.models import Q

    first = datetime.date(year, 1, 1)
    return (
        Referral.objects.filter(state__in=OPEN_REFERRAL_STATES)
        .filter(Q(due_date__gte=first) | Q(very_overdue_from__gte=first))
        .select_related("opinion", "opinion__district")
        .order_by("pk")
    )


def recomputed_very_overdue_from(
    referral: Referral, calendar: WorkingCalendar
) -> datetime.date | None:
    """The referral's very-overdue date from its stored due date, on `calendar`."""
    if referral.due_date is None:
        return None
    return very_overdue_from(referral.due_date, total_working_days(referral), calendar)


def recomputed(referral: Referral, calendar: WorkingCalendar) -> Deadline | None:
    """The referral's deadline redone on `calendar`, or None when it has nothing to redo."""
    deadline = stored(referral)
    if deadline is None:
        if referral.due_date is None:
            return None
        return calendar.add_working_days(local_date(referral.referred_at), referral.working_days)
    return calendar.add_working_days(deadline.start, deadline.working_days)


def passings_due(today: datetime.date):
    """Open referrals whose due date is before `today` and whose passing is not yet recorded."""
    from django.db.models import F, Q

    return (
        Referral.objects.filter(state__in=OPEN_REFERRAL_STATES, due_date__lt=today)
        .filter(Q(passing_recorded_for__isnull=True) | ~Q(passing_recorded_for=F("due_date")))
        .select_related("opinion", "opinion__district", "unit")
        .order_by("due_date", "pk")
    )


def _running_lead_dates(opinion) -> dict:
    from django.db.models import Min

    return Referral.objects.filter(
        opinion_id=opinion.pk,
        role=Referral.Role.LEAD,
        state__in=OPEN_REFERRAL_STATES,
        due_date__isnull=False,
    ).aggregate(due=Min("due_date"), very_overdue=Min("very_overdue_from"))


def open_due_date_of(opinion) -> datetime.date | None:
    """The due date the lead unit is still working to: the earliest due date of the
    opinion's running (pending/accepted) lead referrals, or None when none is running."""
    return _running_lead_dates(opinion)["due"]


def open_very_overdue_from_of(opinion) -> datetime.date | None:
    """The earliest very-overdue date of the opinion's running lead referrals, or None:
    the opinion is very overdue (严重超期) once this day has come."""
    return _running_lead_dates(opinion)["very_overdue"]


def sync_open_due_date(opinion) -> None:
    """Refresh the opinion's copies of its running lead referral's dates (open_due_date,
    open_very_overdue_from) in one query; call after any change to a lead referral's
    state or deadline, inside the same transaction."""
    dates = _running_lead_dates(opinion)
    opinion.open_due_date = dates["due"]
    opinion.open_very_overdue_from = dates["very_overdue"]
    opinion.save(update_fields=["open_due_date", "open_very_overdue_from"])
