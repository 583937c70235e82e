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


def apply(referral: Referral, deadline: Deadline) -> None:
    """Store `deadline` on the referral (not saved): due date, provisional flag, explanation."""
    referral.deadline = deadline.as_data()
    referral.due_date = deadline.due
    referral.deadline_provisional = deadline.provisional


DEADLINE_FIELDS = ["deadline", "due_date", "deadline_provisional"]


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


def extended(referral: Referral, extra_days: int) -> Deadline:
    """The deadline with `extra_days` more working days, from the same start."""
    return compute(start_of(referral), total_working_days(referral) + extra_days)


def restarted(referral: Referral, start: datetime.date) -> Deadline:
    """A fresh period of the referral's own working days from `start` (after a rework)."""
    return compute(start, referral.working_days)


def year_touches(deadline: Deadline, year: int) -> bool:
    """Whether any day counted for `deadline` lies in `year` (so publishing it may move it)."""
    return deadline.start.year <= year <= deadline.due.year


def referrals_to_recompute(year: int):
    """Open referrals whose counted period may run through `year`."""
    return (
        Referral.objects.filter(
            state__in=OPEN_REFERRAL_STATES, due_date__gte=datetime.date(year, 1, 1)
        )
        .select_related("opinion", "opinion__district")
        .order_by("pk")
    )


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


def open_due_date_of(opinion) -> datetime.date | None:
    """The due date the lead unit is still working to: the earliest due date of the
    opinion's running (pending/accepted) lead referrals, or None when none is running."""
    from django.db.models import Min

    return Referral.objects.filter(
        opinion_id=opinion.pk,
        role=Referral.Role.LEAD,
        state__in=OPEN_REFERRAL_STATES,
        due_date__isnull=False,
    ).aggregate(due=Min("due_date"))["due"]


def sync_open_due_date(opinion) -> None:
    """Refresh Opinion.open_due_date from its referrals (call after any change to a lead
    referral's state or due date, inside the same transaction)."""
    opinion.open_due_date = open_due_date_of(opinion)
    opinion.save(update_fields=["open_due_date"])
