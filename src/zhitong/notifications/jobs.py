"""The delivery of SMS and e-mail as background jobs: retried, each attempt recorded."""

import datetime

from django.utils.translation import gettext as _

from zhitong.core.jobs import JobResult, job_kind
from zhitong.notifications.services import DELIVER_JOB, DELIVERY_ATTEMPTS, message_deliver


@job_kind(DELIVER_JOB, attempts=DELIVERY_ATTEMPTS, backoff=datetime.timedelta(minutes=1))
def deliver(job, progress) -> JobResult:
    """One attempt; the pauses between the five are 1, 2, 4 and 8 minutes."""
    message = message_deliver(
        message_id=job.params["message"],
        attempt=job.attempts,
        final=job.attempts >= job.max_attempts,
    )
    return JobResult(summary=_("已发送（第 %(n)d 次尝试）。") % {"n": message.attempts})
