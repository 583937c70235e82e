"""The statistics refresh as a background job: queued after an import and on demand, one at
a time, its outcome on the jobs page."""

import io

import pytest
from django.core.management import call_command

from zhitong.core.models import Job
from zhitong.dashboards.jobs import REFRESH, figures_refresh_enqueue
from zhitong.dashboards.models import DistrictFigureState
from zhitong.imports.tests.xlsx import xlsx
from zhitong.opinions.tests.intake_support import *  # noqa: F403 - the intake fixtures
from zhitong.opinions.tests.test_ledger_import import HEADER, ledger_row, run

pytestmark = pytest.mark.django_db


def test_a_ledger_import_queues_a_refresh_of_the_statistics(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = run(world, xlsx(HEADER, ledger_row()))
    assert result.succeeded
    job = Job.objects.get(kind=REFRESH)
    assert job.state == Job.State.DONE and job.requested_by is None
    assert DistrictFigureState.objects.filter(district=world.district).exists()


def test_a_refused_import_queues_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = run(world, xlsx(HEADER, ledger_row(收集日期="不是日期")))
    assert not result.succeeded
    assert not Job.objects.filter(kind=REFRESH).exists()


def test_a_second_refresh_is_not_queued_while_one_waits(db):
    first = figures_refresh_enqueue()  # not run: the test's transaction never commits
    assert figures_refresh_enqueue() == first
    assert Job.objects.filter(kind=REFRESH).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_command_can_queue_the_refresh_for_the_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    out = io.StringIO()
    call_command("dashboards_refresh_figures", enqueue=True, stdout=out)
    call_command("dashboards_refresh_figures", enqueue=True, stdout=out)
    job = Job.objects.get(kind=REFRESH)  # one refresh waiting is enough
    assert "queued" in out.getvalue()
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=io.StringIO())
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert "统计数据已更新" in job.result["summary"]
