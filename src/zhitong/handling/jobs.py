"""The deadline passings as a background job (retried, and visible to staff when it fails)."""

import datetime

from django.utils.translation import gettext as _

from zhitong.core.jobs import JobResult, job_kind, job_start
from zhitong.handling.services import (
    deadlines_record_passings,
    processes_daily,
    replies_close_unrated,
)

PASSINGS = "handling.deadline_passings"


@job_kind(PASSINGS, attempts=3, backoff=datetime.timedelta(minutes=10))
def record_passings(job, progress) -> JobResult:
    """Safe to run twice: each passing is claimed once (deadlines_record_passings)."""
    day = job.params.get("today")
    today = datetime.date.fromisoformat(day) if day else None
    count = deadlines_record_passings(today=today)
    closed = replies_close_unrated(today=today)
    # Each process's own daily check (Process.daily; suggestions: commitments overdue).
    own = processes_daily(today=today)
    summary = _("记录超期 %(count)d 件；逾期未评价、按默认满意办结 %(closed)d 件。") % {
        "count": count,
        "closed": closed,
    }
    if own:
        summary += _("各业务的每日检查记录 %(own)d 件。") % {"own": own}
    return JobResult(summary=summary)


def passings_enqueue(today: datetime.date | None = None):
    """Queue the check for the worker, unless one is already waiting."""
    return job_start(
        kind=PASSINGS,
        label=_("记录超过办理期限的事项"),
        params={"today": today.isoformat()} if today else {},
        single=True,
    )
