"""Fixtures of the notifications tests: the two-street world, and senders that record."""

import logging

import pytest

from zhitong.accounts.tests.world import world  # noqa: F401

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def locmem_email(settings):
    """E-mail goes to django.core.mail.outbox through the Django-mail sender."""
    settings.NOTIFY_EMAIL_BACKEND = LOCMEM
    return LOCMEM


@pytest.fixture
def notify_log(caplog):
    caplog.set_level(logging.DEBUG, logger="zhitong.notifications")
    return caplog


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """message_send as a request would call it, committed: with the immediate backend the
    delivery queued on commit has run when it returns (the message is read again)."""
    from zhitong.notifications import services

    def send_(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            message = services.message_send(**kwargs)
        message.refresh_from_db()
        return message

    return send_


def run_retries():
    """Run every retry, attempt after attempt, as the `jobs_run_due` timer and the worker
    would once each pause has passed (the pauses are cut short: the retries are made due)."""
    from django.utils import timezone

    from zhitong.core.jobs import jobs_run_due
    from zhitong.core.models import Job

    for _ in range(100):
        waiting = Job.objects.filter(state=Job.State.RETRYING)
        if not waiting.update(next_attempt_at=timezone.now()):
            return
        jobs_run_due()
    raise AssertionError("retries never ended")
