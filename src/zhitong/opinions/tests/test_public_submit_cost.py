"""What a successful public submission costs (a fixed handful of queries), and that making
it cheap kept its checks: one opinion per form key, places outside the district refused,
changed choice lists seen at once, a clashing tracking code retried."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhitong.core.models import Event
from zhitong.opinions import intake
from zhitong.opinions.models import Channel, Opinion
from zhitong.testing import factories as f

from .intake_support import *  # noqa: F403 - the intake fixtures
from .intake_support import confirmation_of, form_data, submission_key_from

pytestmark = pytest.mark.django_db


def _station_url(station):
    return f"/opinions/new/station/{station.public_code}/"


def _deputy_url(deputy):
    return f"/opinions/new/deputy/{deputy.public_code}/"


def _posted(client, url, **overrides):
    data = form_data(**overrides)
    data["submission_key"] = submission_key_from(client.get(url))
    return client.post(url, data), data


@pytest.mark.parametrize("communities", [1, 30])
def test_a_successful_submission_costs_a_fixed_handful_of_queries(
    client, station, street, categories, communities, django_assert_max_num_queries
):
    for i in range(communities):
        f.CommunityFactory(parent=street, name=f"社区{i}")
    url = _station_url(station)
    # A first submission warms what a running process keeps: the choice lists, the
    # content type of the event.
    assert _posted(client, url)[0].status_code == 303
    data = form_data(category=str(categories["property"].pk), subject="第二条")
    data["submission_key"] = submission_key_from(client.get(url))
    # Station; form key; savepoint/begin; opinion; event; release/commit. No lookups of the
    # tracking code, the choice lists, or the rota shown beside the form.
    with django_assert_max_num_queries(6):
        response = client.post(url, data)
    assert response.status_code == 303
    opinion = Opinion.objects.get(subject="第二条")
    assert opinion.category == categories["property"]
    assert Event.objects.filter(verb="received", object_id=str(opinion.pk)).count() == 1


def test_the_deputy_form_submission_is_as_cheap(client, deputy, django_assert_max_num_queries):
    url = _deputy_url(deputy)
    assert _posted(client, url)[0].status_code == 303
    data = form_data(subject="第二条")
    data["submission_key"] = submission_key_from(client.get(url))
    # Deputy and their stations (2), then as for a station.
    with django_assert_max_num_queries(7):
        response = client.post(url, data)
    assert response.status_code == 303
    assert Opinion.objects.get(subject="第二条").channel == Channel.QR_DEPUTY


def test_the_same_form_posted_twice_creates_one_opinion(client, station):
    url = _station_url(station)
    data = form_data()
    data["submission_key"] = submission_key_from(client.get(url))
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == 303
    assert second.status_code == 302
    assert confirmation_of(second) == confirmation_of(first)
    assert Opinion.objects.count() == 1
    assert Event.objects.filter(verb="received").count() == 1


def test_the_service_called_twice_with_one_key_returns_the_first_opinion(station):
    data = {**form_data(), "category": None, "place": None}
    kwargs = dict(photos=[], station=station, channel=Channel.QR_STATION, submission_key="k" * 32)
    first = intake.opinion_submit(data=data, **kwargs)
    # Even when the caller says it looked the key up (a race): the unique index decides.
    again = intake.opinion_submit(data=data, key_checked=True, **kwargs)
    assert again.pk == first.pk
    assert Opinion.objects.count() == 1


def test_a_place_in_another_district_is_refused_after_the_lists_are_kept(client, station):
    other_district = f.make_district(code="420111", name="洪山区")
    elsewhere = f.CommunityFactory(parent=f.StreetFactory(parent=other_district))
    url = _station_url(station)
    client.get(url)
    client.get(url)  # kept now
    response, _data = _posted(client, url, place=str(elsewhere.pk))
    assert response.status_code == 400
    assert Opinion.objects.count() == 0
    # And the general form, which requires a place, refuses it just the same.
    response, _data = _posted(
        client, f"/opinions/new/?district={station.street.parent.code}", place=str(elsewhere.pk)
    )
    assert response.status_code == 400
    assert Opinion.objects.count() == 0


def test_a_new_community_and_a_retired_category_show_at_once(client, station, street, categories):
    url = _station_url(station)
    page = client.get(url).content.decode()
    assert "新建社区" not in page and "物业管理" in page
    new = f.CommunityFactory(parent=street, name="新建社区")
    categories["property"].is_active = False
    categories["property"].save()
    page = client.get(url).content.decode()
    assert "新建社区" in page and "物业管理" not in page
    response, _data = _posted(
        client, url, place=str(new.pk), category=str(categories["property"].pk)
    )
    assert response.status_code == 400  # the retired category is no longer a choice
    response, _data = _posted(client, url, place=str(new.pk))
    assert response.status_code == 303
    assert Opinion.objects.get().place == new


def test_a_form_shown_again_still_shows_the_rota(client, station, deputy):
    f.DutyRotaFactory(station=station, deputy=deputy)
    response, _data = _posted(client, _station_url(station), content="")
    assert response.status_code == 400
    page = response.content.decode()
    assert "今日轮值代表" in page and station.address in page
    response, _data = _posted(client, _deputy_url(deputy), content="")
    assert response.status_code == 400
    assert "代表的轮值接待时间" in response.content.decode()


def test_a_clashing_tracking_code_is_drawn_again(monkeypatch, station):
    data = {**form_data(), "category": None, "place": None}
    taken = intake.opinion_submit(
        data=data, photos=[], station=station, channel=Channel.QR_STATION, submission_key=None
    )
    draws = iter([taken.tracking_code, "BBBB-BBBB-BB"])
    monkeypatch.setattr(intake, "new_code", lambda: next(draws))
    with CaptureQueriesContext(connection):
        opinion = intake.opinion_submit(
            data=data,
            photos=[],
            station=station,
            channel=Channel.QR_STATION,
            submission_key="x" * 32,
        )
    assert opinion.tracking_code == "BBBB-BBBB-BB"
    assert Opinion.objects.count() == 2
    assert Event.objects.filter(verb="received").count() == 2
