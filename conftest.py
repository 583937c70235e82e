"""Fixtures shared by the whole suite."""

import pytest

from zhitong.testing import factories as f


@pytest.fixture
def district(db):
    return f.make_district()


@pytest.fixture
def street(district):
    return f.StreetFactory(parent=district)


@pytest.fixture
def other_street(district):
    return f.StreetFactory(parent=district)


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Each test starts in Chinese: a request in English must not leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def outbox(settings):
    """What SMS and e-mail recipients received (whole texts, secrets included)."""
    from zhitong.notifications.senders import MemorySender

    settings.NOTIFY_SMS_BACKEND = "zhitong.notifications.senders.MemorySender"
    settings.NOTIFY_EMAIL_BACKEND = "zhitong.notifications.senders.MemorySender"
    MemorySender.outbox = []
    yield MemorySender.outbox
    MemorySender.outbox = []


@pytest.fixture(autouse=True, scope="session")
def _flush_may_empty_the_timeline():
    """The suite's flush (after transactional tests) empties every table, events too: the
    SQLite trigger that refuses DELETE on events lets it through, for the flush only."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from zhitong.core.db import event_deletes_allowed

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with event_deletes_allowed():
            return original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original
