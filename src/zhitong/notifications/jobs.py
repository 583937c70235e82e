"""The delivery of SMS and e-mail, and the daily digest, as background jobs: retried, each
attempt recorded."""

import datetime

from django.utils.translation import gettext as _

from zhitong.core.jobs import JobResult, job_kind, job_start
from zhitong.notifications.services import (
    DELIVER_JOB,
    DELIVERY_ATTEMPTS,
    digest_send_all,
    message_deliver,
)


@job_kind(DELIVER_JOB, attempts=DELIVERY_ATTEMPTS, backoff=datetime.timedelta(minutes=1))
def deliver(job, progress) -> JobResult:
    """One attempt; the pauses between the five are 1, 2, 4 and 8 minutes."""
    message = message_deliver(
        message_id=job.params["message"],
        attempt=job.attempts,
        final=job.attempts >= job.max_attempts,
    )
    return JobResult(summary=_("已发送（第 %(n)d 次尝试）。") % {"n": message.attempts})


DIGEST_JOB = "notifications.digest"


@job_kind(DIGEST_JOB, attempts=3, backoff=datetime.timedelta(minutes=10))
def daily_digest(job, progress) -> JobResult:
    """Safe to run twice: each user's windows move as their digest is written."""
    sent, failed = digest_send_all()
    if failed:
        # Raised so the job is retried and shown as failed; the sent ones are not sent again.
        raise RuntimeError(f"digests sent: {sent}, failed: {failed}")
    return JobResult(summary=_("已发送每日汇总 %(count)d 份。") % {"count": sent})


def digest_enqueue():
    """Queue the daily digest for the worker, unless one is already waiting."""
    return job_start(kind=DIGEST_JOB, label=_("发送每日汇总"), params={}, single=True)
