"""Background jobs (后台任务): work handed to the task worker, with progress and retries.

A process registers a kind of job with a function that does the work:

    @job_kind("opinions.ledger")
    def build_ledger(job, progress) -> JobFile: ...

`job_start` records the job and enqueues it (Django's task API: run at once by the
immediate backend in development and tests, by `manage.py db_worker` in a deployment). The
function reports progress with `progress(done, total, step)` and returns the file it made
(stored only when complete) or a JobResult (a summary, a link, a report). An error ends the
attempt: each attempt is a JobAttempt row with its error. A kind registered with
`attempts=N` is tried again (state "retrying") after `backoff`, doubled each time, up to N
attempts; then, or at once for a PermanentError, the job is failed, with a message for the
requester, and leaves no file. System administrators see the failed and retrying system
jobs on /work/jobs/ and may retry one by hand (`job_retry`).

A system job (no requester: a message delivery, the statistics refresh, a deadline sweep):

    @job_kind("notifications.deliver", attempts=5, backoff=timedelta(minutes=1))
    def deliver(job, progress) -> JobResult: ...   # raise to fail the attempt

    job_start(kind="notifications.deliver", label="...", params={"message": 7})

The function must be safe to run again after a failed attempt (idempotent), and `params`
must hold neither a secret nor personal data: the job page shows them, and the database
backend stores the task's arguments (only the job's id) in its own table.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from zhitong.core.events import event_record
from zhitong.core.files import removed_on_error
from zhitong.core.models import Job, JobAttempt
from zhitong.core.roles import Role
from zhitong.core.vocabulary import CoreVerb

logger = logging.getLogger("zhitong.core.jobs")

# Progress is written at most this often (rows): each write is a short transaction.
PROGRESS_EVERY = 1000
DEFAULT_BACKOFF = datetime.timedelta(minutes=1)
# However many attempts a kind allows, none waits longer than this for the next.
MAX_BACKOFF = datetime.timedelta(hours=6)
# A queued job not started after this long lost its enqueueing (a crash between the commit
# and the enqueue, a task table emptied): the sweep enqueues it again.
QUEUED_LOST_AFTER = datetime.timedelta(minutes=10)
ATTEMPT_ERROR_MAX = 2000


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


class PermanentError(Exception):
    """A failure another attempt cannot cure (a message without a valid address): the job
    fails at once, whatever attempts are left."""


@dataclass(frozen=True)
class JobKind:
    function: Callable
    attempts: int = 1
    backoff: datetime.timedelta = DEFAULT_BACKOFF

    def delay(self, attempt: int) -> datetime.timedelta:
        """How long to wait after failed attempt number `attempt` (1, 2, ...)."""
        return min(self.backoff * 2 ** (attempt - 1), MAX_BACKOFF)


_KINDS: dict[str, JobKind] = {}


def job_kind(kind: str, *, attempts: int = 1, backoff: datetime.timedelta = DEFAULT_BACKOFF):
    """Register `function(job, progress)` as the work of jobs of `kind`, tried up to
    `attempts` times, waiting `backoff`, then twice as long, ... between attempts."""
    if attempts < 1:
        raise ValueError("a job kind needs at least one attempt")

    def register(function):
        _KINDS[kind] = JobKind(function, attempts, backoff)
        return function

    return register


def job_start(
    *,
    kind: str,
    by=None,
    label: str,
    params: dict | None = None,
    source=None,
    source_name="",
    single: bool = False,
) -> Job:
    """Record a job and queue it (after the transaction commits). `by`: the requester, or
    None for a system job. `source`: an uploaded file the job works on, stored with it
    until the job ends. `single`: when a job of this kind is already waiting (queued or
    retrying), return it instead of queuing a second."""
    if kind not in _KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    if single:
        waiting = (
            Job.objects.filter(kind=kind, state__in=(Job.State.QUEUED, Job.State.RETRYING))
            .order_by("pk")
            .first()
        )
        if waiting is not None:
            return waiting
    job = Job(
        kind=kind,
        label=label[:200],
        requested_by=by,
        params=params or {},
        max_attempts=_KINDS[kind].attempts,
    )
    if source is not None:
        if hasattr(source, "seek"):
            source.seek(0)
        job.source.save(source_name or "upload.xlsx", ContentFile(source.read()), save=False)
    job.save()
    job_id = job.pk
    transaction.on_commit(lambda: _enqueue(job_id))
    return job


def _enqueue(job_id: int, run_after: datetime.datetime | None = None) -> None:
    if run_after is None:
        run_job.enqueue(job_id)
    elif run_job.get_backend().supports_defer:
        run_job.using(run_after=run_after).enqueue(job_id)
    # else (the immediate backend cannot wait): `jobs_run_due`, run every minute by its
    # timer, enqueues the retry once it is due; so does the worker's sweep.


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
    """The task: one attempt at one job; store its file, record how it ended."""
    now = timezone.now()
    claimed = (
        Job.objects.filter(pk=job_id, state__in=(Job.State.QUEUED, Job.State.RETRYING))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            state=Job.State.RUNNING,
            started_at=now,
            attempts=F("attempts") + 1,
            next_attempt_at=None,
        )
    )
    if not claimed:
        return  # done already, not due yet, or taken by another worker
    job = Job.objects.get(pk=job_id)
    attempt = JobAttempt.objects.create(job=job, number=job.attempts, started_at=now)
    try:
        kind = _KINDS.get(job.kind)
        if kind is None:
            raise PermanentError(f"unknown job kind {job.kind!r}")
        result = kind.function(job, _Progress(job))
    except Exception as exc:
        logger.exception("job %s (%s) attempt %s failed", job.pk, job.kind, job.attempts)
        _attempt_failed(job, attempt, exc, kind)
        return
    JobAttempt.objects.filter(pk=attempt.pk).update(
        finished_at=timezone.now(), succeeded=not (isinstance(result, JobResult) and result.failed)
    )
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


def _attempt_failed(job: Job, attempt: JobAttempt, exc: Exception, kind: JobKind | None) -> None:
    now = timezone.now()
    JobAttempt.objects.filter(pk=attempt.pk).update(
        finished_at=now, error=f"{type(exc).__name__}: {exc}"[:ATTEMPT_ERROR_MAX]
    )
    if kind is None or isinstance(exc, PermanentError) or job.attempts >= job.max_attempts:
        _drop_source(job)
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.FAILED,
            error=_("生成时出错，请稍后重试；如果一再出错，请联系系统管理员。"),
            finished_at=now,
        )
        return
    next_at = now + kind.delay(job.attempts)
    Job.objects.filter(pk=job.pk).update(state=Job.State.RETRYING, next_attempt_at=next_at)
    job_id = job.pk
    transaction.on_commit(lambda: _enqueue(job_id, run_after=next_at))


def jobs_run_due(*, now: datetime.datetime | None = None) -> int:
    """Enqueue the retries that are due, and the queued jobs whose enqueueing was lost.
    Run every minute (`manage.py jobs_run_due`); returns how many were enqueued. A job
    enqueued twice runs once: `run_job` claims it with one UPDATE."""
    now = now or timezone.now()
    due = Job.objects.filter(
        Q(state=Job.State.RETRYING, next_attempt_at__lte=now)
        | Q(state=Job.State.QUEUED, created_at__lt=now - QUEUED_LOST_AFTER)
    )
    pks = list(due.order_by("pk").values_list("pk", flat=True))
    for pk in pks:
        run_job.enqueue(pk)
    return len(pks)


def may_manage_jobs(user) -> bool:
    """System administrators see the system's jobs and retry the failed ones."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or getattr(user, "role", None) == Role.ADMIN)
    )


def job_retry(*, job: Job, by) -> Job:
    """Try a failed system job once more now (or a retrying one without waiting)."""
    if not may_manage_jobs(by) or not job.is_system:
        raise PermissionDenied
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.state not in (Job.State.FAILED, Job.State.RETRYING):
            return job
        old = job.state
        job.state = Job.State.QUEUED if old == Job.State.FAILED else Job.State.RETRYING
        job.max_attempts = max(job.max_attempts, job.attempts + 1)
        job.next_attempt_at = None
        job.error = ""
        job.finished_at = None
        job.save(update_fields=["state", "max_attempts", "next_attempt_at", "error", "finished_at"])
        event_record(
            actor=by, subject=job, verb=CoreVerb.JOB_RETRY, from_state=old, to_state=job.state
        )
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue(job_id))
    job.refresh_from_db()
    return job


def uploaded_source(job: Job) -> ContentFile:
    """The file uploaded with the job, read into memory (imports read it whole anyway)."""
    with job.source.open("rb") as source:
        return ContentFile(source.read())


def jobs_of(user):
    return Job.objects.filter(requested_by=user).order_by("-id")


def system_jobs_needing_attention(user):
    """The system jobs that failed or wait for a retry, newest first: for administrators
    only (nothing for anyone else)."""
    if not may_manage_jobs(user):
        return Job.objects.none()
    return Job.objects.filter(
        requested_by__isnull=True, state__in=(Job.State.FAILED, Job.State.RETRYING)
    ).order_by("-id")


def access_job(user, pk) -> Job:
    """The user's own job, or a system job for an administrator; the same 404 for
    another's or a missing one."""
    from django.http import Http404

    own = Q(requested_by=user)
    if may_manage_jobs(user):
        own |= Q(requested_by__isnull=True)
    job = Job.objects.filter(own, pk=pk).first()
    if job is None:
        raise Http404
    return job
