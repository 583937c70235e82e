"""Background jobs (后台任务): long work handed to the task worker, with progress.

A process registers a kind of job with a function that does the work:

    @job_kind("opinions.ledger")
    def build_ledger(job, progress) -> JobFile: ...

`job_start` records the job and enqueues it (Django's task API: run at once by the
immediate backend in development and tests, by `manage.py db_worker` in a deployment). The
function reports progress with `progress(done, total)` and returns the file it made; the
file is stored only when complete. Any error marks the job failed, with a message for the
requester, and leaves no file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from zhitong.core.models import Job

logger = logging.getLogger("zhitong.core.jobs")

# Progress is written at most this often (rows): each write is a short transaction.
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class JobFile:
    name: str
    content_type: str
    data: bytes


class JobFailed(Exception):
    """A job that cannot be done, with a message the requester can act on."""


_KINDS: dict[str, Callable] = {}


def job_kind(kind: str):
    def register(function):
        _KINDS[kind] = function
        return function

    return register


def job_start(*, kind: str, by, label: str, params: dict | None = None) -> Job:
    if kind not in _KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, label=label[:200], requested_by=by, params=params or {})
    job_id = job.pk
    transaction.on_commit(lambda: run_job.enqueue(job_id))
    return job


class _Progress:
    def __init__(self, job: Job):
        self.job = job
        self.reported = 0

    def __call__(self, done: int, total: int | None = None) -> None:
        if total is not None and total != self.job.total:
            self.job.total = total
            Job.objects.filter(pk=self.job.pk).update(total=total)
        if done - self.reported >= PROGRESS_EVERY or (total is not None and done >= total):
            self.reported = done
            Job.objects.filter(pk=self.job.pk).update(done=done)


@task()
def run_job(job_id: int) -> None:
    """The task: do one job, store its file, record how it ended."""
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return  # done already, or taken by another worker
    job = Job.objects.get(pk=job_id)
    try:
        result = _KINDS[job.kind](job, _Progress(job))
    except JobFailed as error:
        _fail(job, str(error))
        return
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _fail(job, _("生成时出错，请稍后重试；如果一再出错，请联系系统管理员。"))
        return
    job.file.save(result.name, ContentFile(result.data), save=False)
    try:
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.DONE,
            file=job.file.name,
            file_name=result.name[:200],
            content_type=result.content_type[:100],
            finished_at=timezone.now(),
            done=job.total or 0,
        )
    except Exception:
        job.file.storage.delete(job.file.name)
        raise


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.FAILED, error=message, finished_at=timezone.now()
    )


def jobs_of(user):
    return Job.objects.filter(requested_by=user).order_by("-id")


def access_job(user, pk) -> Job:
    """The user's own job; the same 404 for another's or a missing one."""
    from django.http import Http404

    job = Job.objects.filter(pk=pk, requested_by=user).first()
    if job is None:
        raise Http404
    return job
