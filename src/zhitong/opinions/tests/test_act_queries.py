"""What the everyday acts cost in queries (issue 10, 4): the demo's half year runs about
3,500 of them through the services, and the site runs them all day. Counted, not timed:
each bound is the act's queries today, so a read or write added back fails here."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction

from zhitong.handling.services import sync_open_dates
from zhitong.notifications import services as notifications
from zhitong.notifications.models import MessageStatus
from zhitong.opinions import ratelimit, services
from zhitong.opinions.models import Opinion, Status
from zhitong.opinions.tests.lifecycle_world import at, build, frozen, new_opinion

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    world = build()
    # What a running process has read once: the content type of the event's subject.
    ContentType.objects.get_for_model(Opinion)
    return world


def _accepted(w):
    opinion = new_opinion(w)
    return services.opinion_accept(opinion=opinion, by=w.staff)


def test_accepting_costs_the_lock_the_update_and_the_event(w, django_assert_max_num_queries):
    opinion = new_opinion(w)
    # Savepoint; the opinion locked with its district; its row; the event; the router's
    # proposal and the training row (insights); release.
    with django_assert_max_num_queries(7):
        services.opinion_accept(opinion=opinion, by=w.staff, category=w.category)


def test_referring_reads_the_opinion_once_and_writes_it_once(w, django_assert_max_num_queries):
    opinion = _accepted(w)
    # Savepoint; the opinion locked, read with its category, place, street and case; the
    # calendar's version; the route; the referral; the running lead's dates; the opinion's
    # status and dates in one UPDATE; the event; release.
    with django_assert_max_num_queries(10) as captured:
        lead = services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing)
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    opinion.refresh_from_db()
    assert opinion.status == Status.REFERRED
    assert opinion.open_due_date == lead.due_date


def test_the_unit_signing_writes_the_opinion_once(w, django_assert_max_num_queries):
    opinion = _accepted(w)
    lead = services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing)
    # Savepoint; the case; the opinion locked; the referral locked; the referral's row;
    # the running lead's dates; the opinion's status (its dates unchanged); the event;
    # release.
    with django_assert_max_num_queries(9) as captured:
        services.referral_accept(referral=lead, by=w.unit)
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 2  # the referral, the opinion
    opinion.refresh_from_db()
    assert opinion.status == Status.HANDLING
    assert opinion.open_due_date == lead.due_date


def test_unchanged_open_dates_are_not_written_again(w, django_assert_num_queries):
    opinion = _accepted(w)
    services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing)
    locked = Opinion.objects.get(pk=opinion.pk)
    with django_assert_num_queries(1):  # the running lead's dates only
        sync_open_dates(locked)


def test_a_message_sent_in_a_transaction_is_not_read_back(w, django_assert_num_queries):
    opinion = new_opinion(w)
    # Its row and its job; the delivery waits for the commit, so the row is as written.
    with transaction.atomic(), django_assert_num_queries(2):
        message = notifications.message_send(
            channel="sms", to="13900001234", body="您好", related=opinion
        )
    assert message.status == MessageStatus.QUEUED


def test_a_counted_window_costs_one_increment(w, settings, django_assert_max_num_queries):
    settings.CACHES = {
        "default": {"BACKEND": "zhitong.core.cache.DatabaseCache", "LOCATION": "zhitong_cache"}
    }
    cache.clear()
    with frozen(at(datetime.date(2026, 3, 2))):  # not at a window's edge
        assert ratelimit.hit("lookup_ip", "192.0.2.1")  # the window's first event
        # Savepoint; the row's write lock; its value; the new value; release. No add()
        # that finds the key first.
        with django_assert_max_num_queries(5):
            assert ratelimit.hit("lookup_ip", "192.0.2.1")
        key = ratelimit._key("lookup_ip", "192.0.2.1", ratelimit.rate_for("lookup_ip"))
        assert cache.get(key) == 2
