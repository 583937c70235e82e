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
