"""One opinion per form key without looking the key up first: the unique index catches a
second use (a retry, two requests at once), the first opinion's confirmation is shown, and
the rate limits count opinions, not attempts."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from zhitong.core.models import Event
from zhitong.opinions import intake
from zhitong.opinions.models import Channel, Opinion

from .intake_support import *  # noqa: F403 - the intake fixtures
from .intake_support import confirmation_of, form_data, submission_key_from

pytestmark = pytest.mark.django_db


def _url(station):
    return f"/opinions/new/station/{station.public_code}/"


def _service_kwargs(station, key="k" * 32):
    return dict(
        data={**form_data(), "category": None, "place": None},
        photos=[],
        station=station,
        channel=Channel.QR_STATION,
        submission_key=key,
    )


def test_a_submission_writes_without_reading_first(client, station):
    url = _url(station)
    data = form_data(submission_key=submission_key_from(client.get(url)))
    client.post(url, form_data(submission_key=submission_key_from(client.get(url))))  # warm
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    assert response.status_code == 303
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    # The savepoint (BEGIN outside a test), the opinion's handling case, the opinion, the
    # event, the release (COMMIT): no lookup of the station (kept) or of the form key (the
    # unique index checks it).
    assert statements == ["SAVEPOINT", "INSERT", "INSERT", "INSERT", "RELEASE"]


def test_a_key_used_before_is_caught_by_the_unique_index(station):
    first = intake.opinion_submit_once(**_service_kwargs(station))
    assert first.created
    with CaptureQueriesContext(connection) as queries:
        again = intake.opinion_submit_once(**_service_kwargs(station))
    assert not again.created
    assert again.opinion.pk == first.opinion.pk
    # The second insert was tried, refused by the index, and the first opinion looked up.
    sqls = [q["sql"] for q in queries.captured_queries]
    assert any(sql.startswith('INSERT INTO "opinions_opinion"') for sql in sqls)
    assert Opinion.objects.count() == 1
    assert Event.objects.filter(verb="received").count() == 1


def test_a_retry_gets_the_first_confirmation(client, station):
    url = _url(station)
    data = form_data(submission_key=submission_key_from(client.get(url)))
    first = client.post(url, data)
    again = client.post(url, data)
    assert (first.status_code, again.status_code) == (303, 302)
    assert confirmation_of(again) == confirmation_of(first)
    assert Opinion.objects.count() == 1


def test_a_retry_whose_form_no_longer_passes_still_gets_the_first_confirmation(
    client, station, categories
):
    url = _url(station)
    category = categories["property"]
    data = form_data(category=str(category.pk), submission_key=submission_key_from(client.get(url)))
    first = client.post(url, data)
    assert first.status_code == 303
    category.is_active = False
    category.save()  # no longer a choice: the same form now fails its checks
    again = client.post(url, data)
    assert again.status_code == 302
    assert confirmation_of(again) == confirmation_of(first)
    assert Opinion.objects.count() == 1


def test_a_retry_does_not_use_up_the_address_limit(client, station, settings):
    settings.OPINIONS_RATE_LIMITS = {"submit_ip": "2/600"}
    url = _url(station)
    data = form_data(submission_key=submission_key_from(client.get(url)))
    assert client.post(url, data).status_code == 303
    assert client.post(url, data).status_code == 302  # the retry
    other = form_data(content="另一件事", submission_key=submission_key_from(client.get(url)))
    assert client.post(url, other).status_code == 303  # the second opinion, not refused
    third = form_data(content="第三件事", submission_key=submission_key_from(client.get(url)))
    assert client.post(url, third).status_code == 429
    assert Opinion.objects.count() == 2


def test_a_retry_at_the_limit_gets_its_confirmation_and_gives_back_exactly_its_count(
    client, station, settings
):
    settings.OPINIONS_RATE_LIMITS = {"submit_ip": "1/3600"}
    url = _url(station)
    data = form_data(submission_key=submission_key_from(client.get(url)))
    first = client.post(url, data, REMOTE_ADDR="198.51.100.1")
    again = client.post(url, data, REMOTE_ADDR="198.51.100.1")
    assert (first.status_code, again.status_code) == (303, 302)
    assert confirmation_of(again) == confirmation_of(first)
    # The address's one opinion is still counted: another one from it is refused.
    other = form_data(content="另一件事", submission_key=submission_key_from(client.get(url)))
    assert client.post(url, other, REMOTE_ADDR="198.51.100.1").status_code == 429
    assert Opinion.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_once_make_one_opinion(station):
    """The first request holds its transaction open; the second one's insert waits on the
    unique index, fails when the first commits, and returns the first opinion."""
    held, release = threading.Event(), threading.Event()
    results: dict = {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = intake.opinion_submit_once(**_service_kwargs(station))
                held.set()
                release.wait(10)
        finally:
            connection.close()

    def second():
        try:
            results["second"] = intake.opinion_submit_once(**_service_kwargs(station))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results["second"] = error
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert held.wait(10)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(0.3)
    waiting = two.is_alive()  # blocked on the first transaction's uncommitted key
    release.set()
    one.join(10)
    two.join(10)
    assert waiting
    assert results["first"].created
    assert not results["second"].created, results["second"]
    assert results["second"].opinion.pk == results["first"].opinion.pk
    assert Opinion.objects.count() == 1
    assert Event.objects.filter(verb="received").count() == 1
