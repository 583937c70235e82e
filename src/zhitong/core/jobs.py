"""Background jobs (后台任务): long work handed to the task worker, with progress.

A process registers a kind of job with a function that does the work:

    @job_kind("opinions.ledger")
    def build_ledger(job, progress) -> JobFile: ...

`job_start` records the job and enqueues it (Django's task API: run at once by the
immediate backend in development and tests, by `manage.py db_worker` in a deployment). The
function reports progress with `progress(done, total, step)` and returns the file it made
(stored only when complete) or a JobResult (a summary, a link, a report). Any error marks the job failed, with a message for the
requester, and leaves no file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from zhitong.core.files import removed_on_error
from zhitong.core.models import Job

logger = logging.getLogger("zhitong.core.jobs")

# Progress is written at most this often (rows): each write is a short transaction.
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class JobFile:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class JobResult:
    """What a job that makes no file came to, shown on its page: a sentence, a link to
    where the result lives, a per-row error report, a list of what was created."""

    summary: str
    url: str = ""
    errors: list = field(default_factory=list)
    created: list = field(default_factory=list)
    failed: bool = False


_KINDS: dict[str, Callable] = {}


def job_kind(kind: str):
    def register(function):
        _KINDS[kind] = function
        return function

    return register


def job_start(
    *, kind: str, by, label: str, params: dict | None = None, source=None, source_name=""
) -> Job:
    """Record a job and queue it (after the transaction commits). `source`: an uploaded
    file the job works on, stored with it until the job ends."""
    if kind not in _KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, label=label[:200], requested_by=by, params=params or {})
    if source is not None:
        if hasattr(source, "seek"):
            source.seek(0)
        job.source.save(source_name or "upload.xlsx", ContentFile(source.read()), save=False)
    job.save()
    job_id = job.pk
    transaction.on_commit(lambda: run_job.enqueue(job_id))
    return job


class _Progress:
    def __init__(self, job: Job):
        self.job = job
        self.reported = 0

    def __call__(self, done: int, total: int | None = None, step: str | None = None) -> None:
        if step is not None and step != self.job.step:
            self.job.step = step[:100]
            Job.objects.filter(pk=self.job.pk).update(step=self.job.step)
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
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _fail(job, _("生成时出错，请稍后重试；如果一再出错，请联系系统管理员。"))
        return
    finally:
        _drop_source(job)
    if isinstance(result, JobResult):
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.FAILED if result.failed else Job.State.DONE,
            error=result.summary if result.failed else "",
            result=asdict(result),
            finished_at=timezone.now(),
            done=job.total or 0,
        )
        return
    with removed_on_error() as keep:
        job.file.save(result.name, ContentFile(result.data), save=False)
        keep(job.file)
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.DONE,
            file=job.file.name,
            file_name=result.name[:200],
            content_type=result.content_type[:100],
            finished_at=timezone.now(),
            done=job.total or 0,
        )


def _drop_source(job: Job) -> None:
    if job.source:
        try:
            job.source.storage.delete(job.source.name)
        except Exception:  # noqa: BLE001 - the job's outcome matters more than this file
            logger.warning("job %s: could not delete its uploaded file", job.pk)
        Job.objects.filter(pk=job.pk).update(source="")


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.FAILED, error=message, finished_at=timezone.now()
    )


def uploaded_source(job: Job) -> ContentFile:
    """The file uploaded with the job, read into memory (imports read it whole anyway)."""
    with job.source.open("rb") as source:
        return ContentFile(source.read())


def jobs_of(user):
    return Job.objects.filter(requested_by=user).order_by("-id")


def access_job(user, pk) -> Job:
    """The user's own job; the same 404 for another's or a missing one."""
    from django.http import Http404

    job = Job.objects.filter(pk=pk, requested_by=user).first()
    if job is None:
        raise Http404
    return job
