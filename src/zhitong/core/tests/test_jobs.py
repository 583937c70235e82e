"""Large ledger exports are background jobs: offered, built by the task worker with
progress, downloaded whole by their requester only; a failed job leaves no file."""

import csv
import io

import openpyxl
import pytest

from zhitong.core.jobs import JobFile, job_kind, job_start, run_job
from zhitong.core.models import AccessRecord, Job
from zhitong.opinions import export
from zhitong.opinions.tests.lifecycle_world import build, new_opinion

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db, monkeypatch):
    monkeypatch.setattr(export, "INLINE_MAX_ROWS", 3)
    w = build()
    for i in range(4):
        new_opinion(w, subject=f"甲街道意见{i}")
    new_opinion(w, subject="乙街道意见", street=w.street_b, place=None, station=w.station_b)
    return w


def _start_export(client, fmt, capture):
    offer = client.get(f"/work/opinions/export/?format={fmt}")
    assert offer.status_code == 200 and "在后台生成" in offer.content.decode()
    with capture(execute=True):
        response = client.post("/work/opinions/export/", {"query": "", "format": fmt})
    assert response.status_code == 302
    return Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_a_large_ledger_is_built_in_the_background_and_downloaded_whole(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.staff)
    job = _start_export(client, "xlsx", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and (job.done, job.total) == (5, 5)
    page = client.get(f"/work/jobs/{job.pk}/").content.decode()
    assert "已完成" in page and "下载" in page
    assert not AccessRecord.objects.filter(action="export").exists()
    download = client.get(f"/work/jobs/{job.pk}/download/")
    assert download.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 1 + 5  # the header and every opinion
    assert AccessRecord.objects.filter(action="export", actor=world.staff).count() == 1


def test_a_csv_job_is_complete_and_the_scope_is_the_requesters(
    world, client, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(export, "INLINE_MAX_ROWS", 2)
    client.force_login(world.street)  # 甲街道: four of the five
    job = _start_export(client, "csv", django_capture_on_commit_callbacks)
    download = client.get(f"/work/jobs/{job.pk}/download/")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + 4
    assert "乙街道意见" not in text


def test_another_user_cannot_see_or_download_a_job(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.staff)
    job = _start_export(client, "xlsx", django_capture_on_commit_callbacks)
    client.force_login(world.leader)
    assert client.get(f"/work/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/work/jobs/{job.pk}/download/").status_code == 404
    assert "意见建议台账" not in client.get("/work/jobs/").content.decode()


def test_a_failed_job_says_so_and_leaves_no_file(
    world, client, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(rows, target):
        next(iter(rows))
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "write_xlsx", broken)
    client.force_login(world.staff)
    job = _start_export(client, "xlsx", django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and not job.file
    page = client.get(f"/work/jobs/{job.pk}/").content.decode()
    assert "生成时出错" in page
    assert client.get(f"/work/jobs/{job.pk}/download/").status_code == 404


def test_a_job_reports_its_progress_and_runs_once(world):
    seen = []

    @job_kind("test.count")
    def count(job, progress):
        for done in range(0, 2501, 500):
            progress(done, 2500)
            seen.append(Job.objects.get(pk=job.pk).done)
        return JobFile("n.txt", "text/plain", b"2500")

    job = Job.objects.create(kind="test.count", label="数数", requested_by=world.staff)
    run_job.call(job.pk)
    run_job.call(job.pk)  # a second delivery of the same job does nothing
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.done == 2500
    assert seen == [0, 0, 1000, 1000, 2000, 2500]
    assert job.file.read() == b"2500"


def test_unknown_kinds_are_refused(world):
    with pytest.raises(ValueError):
        job_start(kind="nope", by=world.staff, label="x")


def test_a_small_ledger_is_still_sent_at_once(world, client, monkeypatch):
    monkeypatch.setattr(export, "INLINE_MAX_ROWS", 100)
    client.force_login(world.staff)
    response = client.get("/work/opinions/export/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_the_worker_builds_the_ledger(monkeypatch, settings):
    """A deployment's setting: the request only queues the job; `db_worker` builds it."""
    from django.core.management import call_command
    from django.test import Client

    # django-tasks re-reads TASKS when the setting changes (setting_changed).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(export, "INLINE_MAX_ROWS", 3)
    w = build()
    for i in range(5):
        new_opinion(w, subject=f"意见{i}")
    client = Client()
    client.force_login(w.staff)
    client.post("/work/opinions/export/", {"query": "", "format": "csv"})
    job = Job.objects.get()
    assert job.state == Job.State.QUEUED  # the request did not build it
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=io.StringIO())
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.done == 5


def test_a_job_whose_worker_died_says_so_instead_of_running_for_ever(world, client):
    import datetime

    from django.utils import timezone

    job = Job.objects.create(
        kind="opinions.ledger",
        label="意见建议台账（Excel）：全部",
        requested_by=world.staff,
        state=Job.State.RUNNING,
        started_at=timezone.now() - datetime.timedelta(hours=2),
    )
    client.force_login(world.staff)
    page = client.get(f"/work/jobs/{job.pk}/").content.decode()
    assert "可能已经中断" in page and 'http-equiv="refresh"' not in page
