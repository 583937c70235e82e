"""Batch entry for an event: one session, many opinions each with its own submitter, all or
nothing, without JavaScript."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from zhitong.core.models import Event
from zhitong.opinions import intake
from zhitong.opinions.models import Channel, IntakeSession, Opinion

from .intake_support import *  # noqa: F403 - the intake fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.urls("zhitong.opinions.tests.intake_urls")]

URL = "/work/opinions/sessions/new/"


def session_post(w, rows, total=None, **session):
    data = {
        "kind": "half_month_talk",
        "title": "甲一社区3月代表半月谈",
        "held_on": timezone.localdate().isoformat(),
        "station": str(w.station_a.pk),
        "deputies": [str(w.dep_a.pk), str(w.dep_a2.pk)],
        "rows-TOTAL_FORMS": str(total or len(rows)),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "100",
    }
    data.update(session)
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"rows-{index}-{key}"] = value
    return data


def row(n, **overrides):
    values = {
        "subject": f"问题{n}",
        "content": f"第{n}位居民反映的问题内容。",
        "category": "",
        "place": "",
        "address": "",
        "submitter_name": f"居民{n}",
        "submitter_phone": f"1390000{n:04d}",
    }
    values.update(overrides)
    return values


def test_the_page_shows_n_blank_rows_and_more_by_a_get_parameter(client, world):
    client.force_login(world.liaison)
    page = client.get(URL).content.decode()
    assert page.count('name="rows-') >= 5 * 7
    assert 'name="rows-4-content"' in page and 'name="rows-5-content"' not in page
    assert "<script" not in page
    page = client.get(URL, {"rows": "12"}).content.decode()
    assert 'name="rows-11-content"' in page and 'name="rows-12-content"' not in page
    page = client.get(URL, {"rows": "5000"}).content.decode()
    assert 'name="rows-99-content"' in page and 'name="rows-100-content"' not in page


def test_more_rows_keeps_what_was_typed(client, world):
    client.force_login(world.liaison)
    data = session_post(world, [row(1), row(2)], total=5)
    data["add_rows"] = "1"
    response = client.post(URL, data)
    page = response.content.decode()
    assert 'name="rows-9-content"' in page
    assert "第1位居民反映的问题内容。" in page and "甲一社区3月代表半月谈" in page
    assert not IntakeSession.objects.exists() and not Opinion.objects.exists()


def test_a_batch_creates_n_opinions_in_one_session(client, world):
    client.force_login(world.liaison)
    rows = [row(1), row(2, place=str(world.community_a2.pk)), row(3, submitter_phone="")]
    response = client.post(URL, session_post(world, rows, total=5))
    assert response.status_code == 303
    session = IntakeSession.objects.get()
    assert response["Location"] == f"/work/opinions/sessions/{session.pk}/"
    assert (session.station, session.district, session.recorded_by) == (
        world.station_a,
        world.district,
        world.liaison,
    )
    assert set(session.deputies.all()) == {world.dep_a, world.dep_a2}
    opinions = list(session.opinions.order_by("pk"))
    assert len(opinions) == 3  # the two blank rows are skipped
    assert {o.channel for o in opinions} == {Channel.EVENT}
    assert [o.submitter_name for o in opinions] == ["居民1", "居民2", "居民3"]
    assert opinions[1].place == world.community_a2
    assert all(o.street == world.street_a and o.station == world.station_a for o in opinions)
    assert len({o.tracking_code for o in opinions}) == 3
    assert Event.objects.filter(verb="received").count() == 3
    assert Event.objects.for_object(session).get().verb == "session_recorded"
    page = client.get(response["Location"]).content.decode()
    for opinion in opinions:
        assert opinion.tracking_code in page


def test_one_bad_row_saves_nothing_and_marks_the_row(client, world):
    client.force_login(world.liaison)
    rows = [row(1), row(2, content=""), row(3, submitter_phone="12345")]
    response = client.post(URL, session_post(world, rows))
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写意见建议的内容。" in page
    assert "请填写11位手机号码或带区号的固定电话" in page
    assert "第1位居民反映的问题内容。" in page  # good rows are kept for the next try
    assert "没有保存任何意见" in page
    assert not IntakeSession.objects.exists()
    assert not Opinion.objects.exists()
    assert not Event.objects.exists()


def test_the_event_needs_a_title_and_a_past_date(client, world):
    client.force_login(world.deputy)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(URL, session_post(world, [row(1)], title="", held_on=tomorrow))
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写活动名称。" in page
    assert not Opinion.objects.exists()


def test_a_batch_of_only_blank_rows_is_refused(client, world):
    client.force_login(world.deputy)
    response = client.post(URL, session_post(world, [], total=5))
    assert response.status_code == 400
    assert "请至少填写一条意见。" in response.content.decode()
    assert not IntakeSession.objects.exists()


def test_service_is_all_or_nothing_when_a_late_row_fails(world, monkeypatch):
    calls = {"n": 0}
    original = intake._create

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(intake, "_create", failing)
    with pytest.raises(RuntimeError):
        intake.intake_session_record(
            by=world.staff,
            session_data={
                "kind": "night_talk",
                "title": "夜话",
                "held_on": timezone.localdate(),
                "station": world.station_a,
            },
            opinions=[{"subject": f"题{i}", "content": "内容"} for i in range(4)],
        )
    assert not IntakeSession.objects.exists()
    assert not Opinion.objects.exists()
    assert not Event.objects.exists()


def test_service_reports_every_bad_row_by_index(world):
    with pytest.raises(intake.BatchInvalid) as error:
        intake.intake_session_record(
            by=world.staff,
            session_data={
                "kind": "night_talk",
                "title": "夜话",
                "held_on": timezone.localdate(),
                "station": world.station_a,
                "deputies": [world.dep_b],
            },
            opinions=[
                {"subject": "好", "content": "好"},
                {"subject": "", "content": "内容"},
                {"subject": "题", "content": "长" * 5001},
            ],
        )
    assert set(error.value.row_errors) == {1, 2}
    assert "以下代表未编入该站点：李乙" in str(error.value.session_errors["deputies"])
    assert not Opinion.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("deputy", True),
        ("liaison", True),
        ("street", True),
        ("staff", True),
        ("other_deputy", False),
        ("other_liaison", False),
        ("other_street", False),
        ("far_staff", False),
    ],
)
def test_who_may_enter_a_batch_for_station_a(world, role, allowed):
    session_data = {
        "kind": "reception",
        "title": "集中接待",
        "held_on": timezone.localdate(),
        "station": world.station_a,
    }
    opinions = [{"subject": "题", "content": "内容"}]
    if allowed:
        session = intake.intake_session_record(
            by=world.users[role], session_data=session_data, opinions=opinions
        )
        assert session.opinions.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            intake.intake_session_record(
                by=world.users[role], session_data=session_data, opinions=opinions
            )
        assert not IntakeSession.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("leader", 403), ("unit", 403), ("citizen", 403)])
def test_batch_page_is_closed_to_other_roles(client, world, role, status):
    client.force_login(world.users[role])
    assert client.get(URL).status_code == status


def test_session_page_is_not_found_for_others(client, world):
    session = intake.intake_session_record(
        by=world.liaison,
        session_data={
            "kind": "reception",
            "title": "集中接待",
            "held_on": timezone.localdate(),
            "station": world.station_a,
        },
        opinions=[{"subject": "题", "content": "内容"}],
    )
    for role, status in (
        ("deputy", 200),
        ("staff", 200),
        ("other_liaison", 404),
        ("far_staff", 404),
    ):
        client.force_login(world.users[role])
        assert client.get(f"/work/opinions/sessions/{session.pk}/").status_code == status, role


@pytest.mark.parametrize("rows", [3, 30])
def test_session_pages_query_counts_stay_fixed(client, world, django_assert_max_num_queries, rows):
    client.force_login(world.liaison)
    with django_assert_max_num_queries(10):
        assert client.get(URL, {"rows": rows}).status_code == 200
    session = intake.intake_session_record(
        by=world.liaison,
        session_data={
            "kind": "reception",
            "title": "集中接待",
            "held_on": timezone.localdate(),
            "station": world.station_a,
        },
        opinions=[
            {"subject": f"题{i}", "content": "内容", "place": world.community_a}
            for i in range(rows)
        ],
    )
    with django_assert_max_num_queries(10):
        assert client.get(f"/work/opinions/sessions/{session.pk}/").status_code == 200
