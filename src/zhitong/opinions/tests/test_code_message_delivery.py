"""The message with the tracking code and rating key is delivered by the task worker, and
no stored row (the message, the job, its attempts, the task queue) holds either secret."""

import io

import pytest
from django.core import serializers
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from zhitong.core.models import Job, JobAttempt
from zhitong.notifications.models import Message, MessageStatus
from zhitong.opinions.models import Opinion
from zhitong.opinions.tracking import rating_key

from .intake_support import *  # noqa: F403 - the intake fixtures
from .test_public_form import _station_url, post_form


def stored_text() -> str:
    """Every row a database reader could see about the delivery, as text."""
    rows = [
        *Message.objects.all(),
        *Job.objects.all(),
        *JobAttempt.objects.all(),
        *DBTaskResult.objects.all(),
    ]
    return serializers.serialize("json", rows)


def assert_no_secret_stored(opinion):
    text = stored_text()
    assert opinion.tracking_code not in text
    assert rating_key(opinion.tracking_code) not in text
    # The grouped forms without their dash, too.
    assert opinion.tracking_code.replace("-", "") not in text
    assert rating_key(opinion.tracking_code).replace("-", "") not in text


@pytest.mark.django_db
def test_with_the_immediate_backend_the_code_goes_out_and_is_stored_nowhere(
    client, station, community, django_capture_on_commit_callbacks, outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        post_form(client, _station_url(station), place=str(community.pk))
    opinion = Opinion.objects.get()
    [delivered] = outbox
    assert opinion.tracking_code in delivered["body"] + delivered["subject"]
    assert rating_key(opinion.tracking_code) in delivered["body"]
    message = Message.objects.get()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)
    assert message.composer == "opinions.received"
    assert "••••" in message.body
    assert Job.objects.get().state == Job.State.DONE
    assert_no_secret_stored(opinion)


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_the_worker_sends_the_code_and_stores_it_nowhere(
    client, station, community, outbox, settings
):
    """A deployment's setting: the request records the message and queues it; `db_worker`
    writes the whole text again from the opinion and sends it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = post_form(client, _station_url(station), place=str(community.pk))
    assert response.status_code == 303
    opinion = Opinion.objects.get()
    message = Message.objects.get()
    assert message.status == MessageStatus.QUEUED and outbox == []
    assert DBTaskResult.objects.count() == 1  # the queued delivery
    assert_no_secret_stored(opinion)
    # The confirmation page already says where the code is going.
    assert "139****1234" in client.get(response["Location"]).content.decode()

    call_command("db_worker", batch=True, no_startup_delay=True, stdout=io.StringIO())

    [delivered] = outbox
    assert opinion.tracking_code in delivered["body"]
    assert rating_key(opinion.tracking_code) in delivered["body"]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)
    assert_no_secret_stored(opinion)


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_a_failed_attempt_is_queued_again_for_later(
    client, station, community, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NOTIFY_SMS_BACKEND = "zhitong.notifications.tests.test_services.BrokenSms"
    post_form(client, _station_url(station), place=str(community.pk))
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=io.StringIO())
    job = Job.objects.get()
    assert (job.state, job.attempts) == (Job.State.RETRYING, 1)
    # The retry waits in the task queue until its time (the worker left it there).
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after == job.next_attempt_at
    assert Message.objects.get().status == MessageStatus.QUEUED
    assert_no_secret_stored(Opinion.objects.get())
