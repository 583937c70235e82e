"""When something fails, the citizen learns whether their opinion was saved: its code when
it was, and that sending the same form again is safe when it was not; a database restart
does not turn the next request into an error."""

import pytest
from django.core.cache import cache
from django.db import close_old_connections, connection

from zhitong.opinions import intake, views_public
from zhitong.opinions.models import Opinion
from zhitong.opinions.tracking import rating_key

from .intake_support import *  # noqa: F403 - the intake fixtures
from .intake_support import form_data, submission_key_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(station):
    cache.clear()
    return f"/opinions/new/station/{station.public_code}/"


def _form(client, url):
    data = form_data()
    data["submission_key"] = submission_key_from(client.get(url))
    return data


def _broken(*args, **kwargs):
    raise RuntimeError("the page broke")


def test_a_failing_confirmation_page_shows_the_saved_code(client, url, monkeypatch):
    response = client.post(url, _form(client, url))
    assert response.status_code == 303
    opinion = Opinion.objects.get()
    monkeypatch.setattr(views_public, "submitter_view", _broken)
    client.raise_request_exception = False
    page = client.get(response["Location"])
    assert page.status_code == 500
    text = page.content.decode()
    assert "您的意见已经保存，不需要再提交" in text
    assert opinion.tracking_code in text and rating_key(opinion.tracking_code) in text
    assert page["Cache-Control"] == "no-store"


def test_a_failure_after_saving_shows_the_code_and_a_resubmission_makes_no_duplicate(
    client, url, monkeypatch
):
    data = _form(client, url)
    monkeypatch.setattr(views_public, "_submitted_redirect", _broken)
    client.raise_request_exception = False
    page = client.post(url, data)
    assert page.status_code == 500
    opinion = Opinion.objects.get()
    assert opinion.tracking_code in page.content.decode()
    monkeypatch.undo()
    again = client.post(url, data)
    assert again.status_code == 302  # the same opinion's confirmation
    assert Opinion.objects.count() == 1


def test_a_failure_before_saving_says_that_sending_again_is_safe(client, url, monkeypatch):
    data = _form(client, url)
    monkeypatch.setattr(intake, "opinion_submit_once", _broken)
    client.raise_request_exception = False
    page = client.post(url, data)
    assert page.status_code == 500
    text = page.content.decode()
    assert "可能还没有保存" in text and "再次提交是安全的" in text
    assert not Opinion.objects.exists()
    monkeypatch.undo()
    assert client.post(url, data).status_code == 303
    assert Opinion.objects.count() == 1


def test_other_pages_get_the_plain_error_page(client, monkeypatch):
    from zhitong.stations import directory as selectors

    monkeypatch.setattr(selectors, "streets_with_stations", _broken)
    client.raise_request_exception = False
    response = client.get("/stations/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "我们已记录此错误" in text and "查询码" not in text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server restarts: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_dropped_database_connection_is_replaced_before_the_next_request(client, settings):
    """What a database restart does to a kept connection: the next request must not fail."""
    import psycopg

    from zhitong import settings as project

    # The project's setting (the test database's own dict is rebuilt by the test runner).
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.settings_dict["CONN_HEALTH_CHECKS"] = project.DATABASES["default"][
        "CONN_HEALTH_CHECKS"
    ]
    connection.close()  # the next one is opened with these settings (kept for 60 s)
    try:
        client.raise_request_exception = False
        assert client.get("/stations/").status_code == 200
        pid = connection.connection.info.backend_pid
        params = connection.get_connection_params()
        with psycopg.connect(
            host=params.get("host"),
            port=params.get("port"),
            user=params.get("user"),
            dbname=params["dbname"],
            autocommit=True,
        ) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        # What the WSGI handler does at the start of each request (the test client skips
        # it to keep its connection): drop a connection that is too old or, with health
        # checks, no longer answers.
        close_old_connections()
        assert client.get("/stations/").status_code == 200
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()
