"""System jobs: a failed attempt is retried with growing pauses up to the kind's bound,
each attempt recorded; what still fails is shown to system administrators, who may retry
it by hand; nobody else sees system jobs."""

import pytest

from zhitong.accounts.tests.world import build_world
from zhitong.core.events import events_for
from zhitong.core.jobs import JobResult, PermanentError, job_kind, job_start, jobs_run_due
from zhitong.core.models import Job

pytestmark = pytest.mark.django_db

OUTCOMES: list = []


@pytest.fixture
def w(db):
    return build_world()


@job_kind("test.flaky", attempts=3)
def flaky(job, progress):
    outcome = OUTCOMES.pop(0) if OUTCOMES else None
    if isinstance(outcome, Exception):
        raise outcome
    return JobResult(summary="好了")


def start(capture, *outcomes):
    OUTCOMES[:] = list(outcomes)
    with capture(execute=True):
        job = job_start(kind="test.flaky", label="不稳定的任务")
    job.refresh_from_db()
    return job


def make_due(job):
    Job.objects.filter(pk=job.pk).update(next_attempt_at=job.next_attempt_at.replace(year=2000))
    jobs_run_due()
    job.refresh_from_db()
    return job


def test_a_failing_job_is_retried_then_failed_and_each_attempt_recorded(
    w, django_capture_on_commit_callbacks
):
    job = start(django_capture_on_commit_callbacks, *[OSError("网关超时")] * 3)
    assert (job.state, job.attempts, job.max_attempts) == (Job.State.RETRYING, 1, 3)
    job = make_due(job)
    assert (job.state, job.attempts) == (Job.State.RETRYING, 2)
    job = make_due(job)
    assert (job.state, job.attempts) == (Job.State.FAILED, 3)
    assert job.next_attempt_at is None
    assert [(a.number, a.succeeded, a.error) for a in job.attempt_rows.all()] == [
        (n, False, "OSError: 网关超时") for n in (1, 2, 3)
    ]


def test_a_job_that_fails_once_succeeds_on_its_retry(w, django_capture_on_commit_callbacks):
    job = start(django_capture_on_commit_callbacks, OSError("一次"))
    job = make_due(job)
    assert (job.state, job.attempts) == (Job.State.DONE, 2)
    assert [a.succeeded for a in job.attempt_rows.all()] == [False, True]


def test_a_permanent_error_is_not_retried(w, django_capture_on_commit_callbacks):
    job = start(django_capture_on_commit_callbacks, PermanentError("没有地址"))
    assert (job.state, job.attempts) == (Job.State.FAILED, 1)


def test_administrators_see_failures_and_retry_them_by_hand(
    w, client, django_capture_on_commit_callbacks
):
    job = start(django_capture_on_commit_callbacks, *[OSError("网关超时")] * 3)
    job = make_due(make_due(job))
    assert job.state == Job.State.FAILED
    client.force_login(w.admin)
    listing = client.get("/work/jobs/").content.decode()
    assert "需要关注的系统任务" in listing and "不稳定的任务" in listing
    page = client.get(f"/work/jobs/{job.pk}/").content.decode()
    assert "OSError: 网关超时" in page and "立即重试" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/work/jobs/{job.pk}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.state, job.attempts) == (Job.State.DONE, 4)
    [event] = events_for(job)
    assert (event.verb, event.actor, event.from_state) == ("job_retry", w.admin, "failed")
    assert "不稳定的任务" not in client.get("/work/jobs/").content.decode()


@pytest.mark.parametrize("who", ["staff", "leader", "street", "unit", "deputy"])
def test_nobody_else_sees_or_retries_system_jobs(
    w, client, django_capture_on_commit_callbacks, who
):
    job = start(django_capture_on_commit_callbacks, PermanentError("坏了"))
    client.force_login(getattr(w, who))
    assert "不稳定的任务" not in client.get("/work/jobs/").content.decode()
    assert client.get(f"/work/jobs/{job.pk}/").status_code == 404
    assert client.post(f"/work/jobs/{job.pk}/retry/").status_code == 404
    job.refresh_from_db()
    assert (job.state, job.attempts) == (Job.State.FAILED, 1)


def test_anonymous_visitors_are_sent_to_sign_in(w, client, django_capture_on_commit_callbacks):
    job = start(django_capture_on_commit_callbacks, PermanentError("坏了"))
    assert client.post(f"/work/jobs/{job.pk}/retry/").status_code == 302
    job.refresh_from_db()
    assert job.state == Job.State.FAILED


def test_a_queued_job_whose_enqueueing_was_lost_is_picked_up(w):
    job = job_start(kind="test.flaky", label="丢失的任务")  # never enqueued: no commit
    Job.objects.filter(pk=job.pk).update(created_at=job.created_at.replace(year=2000))
    OUTCOMES[:] = []
    assert jobs_run_due() == 1
    job.refresh_from_db()
    assert job.state == Job.State.DONE
