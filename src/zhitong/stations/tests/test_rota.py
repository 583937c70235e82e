"""The duty rota (值班表) kept on the work pages: who may keep it, what is refused, and the
station's timeline recording each change."""

import datetime

import pytest

from zhitong.core.models import Event
from zhitong.stations.models import DutyRota
from zhitong.stations.verbs import StationVerb
from zhitong.testing import factories as f

MONDAY, TUESDAY, SATURDAY = 0, 1, 5


def rota_url(station):
    return f"/work/stations/{station.pk}/rota/"


def line_url(line):
    return f"/work/stations/{line.station_id}/rota/{line.pk}/"


@pytest.fixture
def rota_world(world):
    """The two-street world with its rota emptied, and a second deputy in street A (at the
    studio) to put on duty at station A."""
    DutyRota.objects.all().delete()
    world.dep_c = f.DeputyFactory(district=world.district, name="陈丙")
    f.StationAssignmentFactory(station=world.studio_a, deputy=world.dep_c)
    return world


def add(client, station, **fields):
    data = {
        "deputy": fields.pop("deputy").pk,
        "weekday": MONDAY,
        "period": "am",
        "valid_from": "2024-01-01",
        "valid_until": "",
    }
    data.update(fields)
    return client.post(rota_url(station), data)


# who -> status of the rota page of station A (GET, and a valid POST adding a line)
MATRIX = {
    "admin": 200,
    "staff": 200,
    "street": 200,
    "liaison": 200,
    # They see the station's page but do not keep its rota.
    "leader": 403,
    "deputy": 403,
    # They do not see station A at all: the same 404 as a missing station.
    "other_street": 404,
    "far_staff": 404,
    "unit": 404,
    "citizen": 404,
    "enterprise": 404,
}


@pytest.mark.parametrize("who", MATRIX)
def test_who_may_open_the_rota_page(client, rota_world, who):
    client.force_login(rota_world.users[who])
    assert client.get(rota_url(rota_world.station_a)).status_code == MATRIX[who]


@pytest.mark.parametrize("who", MATRIX)
def test_who_may_add_a_line(client, rota_world, who):
    client.force_login(rota_world.users[who])
    response = add(client, rota_world.station_a, deputy=rota_world.dep_c)
    expected = 302 if MATRIX[who] == 200 else MATRIX[who]
    assert response.status_code == expected
    assert DutyRota.objects.filter(station=rota_world.station_a).exists() is (expected == 302)


def test_anonymous_is_sent_to_login(client, rota_world):
    response = client.get(rota_url(rota_world.station_a))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_service_refuses_someone_who_does_not_keep_the_station(rota_world):
    from django.core.exceptions import PermissionDenied

    from zhitong.stations import services

    with pytest.raises(PermissionDenied):
        services.rota_add(
            station=rota_world.station_a,
            by=rota_world.leader,
            deputy=rota_world.dep_c,
            weekday=MONDAY,
            period="am",
            valid_from=datetime.date(2024, 1, 1),
        )


def test_a_liaison_adds_a_line_recorded_on_the_station_timeline(client, rota_world):
    client.force_login(rota_world.liaison)
    response = add(client, rota_world.station_a, deputy=rota_world.dep_c, period="pm")
    assert response.status_code == 302
    line = DutyRota.objects.get(station=rota_world.station_a)
    assert (line.deputy, line.weekday, line.period, line.valid_until) == (
        rota_world.dep_c,
        MONDAY,
        "pm",
        None,
    )
    event = Event.objects.get(verb=StationVerb.ROTA_ADD)
    assert event.actor == rota_world.liaison
    assert event.object_id == str(rota_world.station_a.pk)
    assert event.data["line"]["deputy"] == "陈丙"
    assert event.district_code == rota_world.district.code
    page = client.get(rota_url(rota_world.station_a)).text
    assert "已添加轮值安排" in page and "陈丙" in page
    detail = client.get(f"/work/stations/{rota_world.station_a.pk}/").text
    assert "新增轮值：星期一下午 陈丙" in detail


def test_the_page_lists_the_week_in_a_captioned_table(client, rota_world):
    f.DutyRotaFactory(station=rota_world.station_a, deputy=rota_world.dep_a, weekday=TUESDAY)
    client.force_login(rota_world.street)
    text = client.get(rota_url(rota_world.station_a)).text
    assert "<caption" in text and 'scope="col"' in text
    assert "星期二" in text and "张甲" in text
    assert "星期日" in text  # every weekday has its row, even without duty
    assert 'for="id_deputy"' in text and 'for="id_period"' in text


def test_a_deputy_twice_in_the_same_slot_is_refused(client, rota_world):
    f.DutyRotaFactory(station=rota_world.station_a, deputy=rota_world.dep_c, weekday=MONDAY)
    client.force_login(rota_world.staff)
    response = add(client, rota_world.station_a, deputy=rota_world.dep_c)
    assert response.status_code == 400
    assert "已在本站轮值" in response.text
    assert DutyRota.objects.count() == 1


def test_a_whole_day_clashes_with_a_morning_at_another_station(client, rota_world):
    f.DutyRotaFactory(
        station=rota_world.studio_a, deputy=rota_world.dep_c, weekday=MONDAY, period="am"
    )
    client.force_login(rota_world.staff)
    response = add(client, rota_world.station_a, deputy=rota_world.dep_c, period="day")
    assert response.status_code == 400
    assert "甲街道代表工作室" in response.text
    # The afternoon at another station is free.
    assert add(client, rota_world.station_a, deputy=rota_world.dep_c, period="pm").status_code == (
        302
    )


def test_the_same_slot_in_periods_that_do_not_overlap_is_allowed(client, rota_world):
    f.DutyRotaFactory(
        station=rota_world.station_a,
        deputy=rota_world.dep_c,
        weekday=MONDAY,
        valid_from=datetime.date(2024, 1, 1),
        valid_until=datetime.date(2024, 12, 31),
    )
    client.force_login(rota_world.staff)
    response = add(client, rota_world.station_a, deputy=rota_world.dep_c, valid_from="2025-01-01")
    assert response.status_code == 302
    response = add(client, rota_world.station_a, deputy=rota_world.dep_c, valid_from="2024-06-01")
    assert response.status_code == 400


@pytest.mark.parametrize(("weekday", "period"), [(SATURDAY, "am"), (MONDAY, "evening")])
def test_a_slot_the_station_is_shut_is_refused(client, rota_world, weekday, period):
    # The world's station A opens 工作日 9:00-17:00.
    client.force_login(rota_world.staff)
    response = add(
        client, rota_world.station_a, deputy=rota_world.dep_c, weekday=weekday, period=period
    )
    assert response.status_code == 400
    assert "不开放，不能安排轮值" in response.text
    assert not DutyRota.objects.exists()


def test_hours_that_cannot_be_read_are_not_checked_and_the_page_says_so(client, rota_world):
    rota_world.station_a.opening_hours = "请电话预约"
    rota_world.station_a.save()
    client.force_login(rota_world.staff)
    assert "未能识别" in client.get(rota_url(rota_world.station_a)).text
    response = add(
        client, rota_world.station_a, deputy=rota_world.dep_c, weekday=SATURDAY, period="evening"
    )
    assert response.status_code == 302


def test_a_deputy_of_another_street_is_refused(client, rota_world):
    client.force_login(rota_world.staff)
    response = add(client, rota_world.station_a, deputy=rota_world.dep_b)
    assert response.status_code == 400
    assert "请从列表中选择本街道的进站代表" in response.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"weekday": "9"}, "请选择星期几"),
        ({"weekday": ""}, "请选择星期几"),
        ({"period": "night"}, "请选择时段"),
        ({"valid_from": "2024-13-01"}, "请按 年-月-日 填写日期"),
        ({"valid_from": ""}, "请填写生效日期"),
        ({"valid_until": "2023-12-31"}, "截止日期不能早于生效日期"),
    ],
)
def test_bad_input_is_refused_with_a_helpful_message(client, rota_world, fields, message):
    client.force_login(rota_world.staff)
    response = add(client, rota_world.station_a, deputy=rota_world.dep_c, **fields)
    assert response.status_code == 400
    assert message in response.text
    assert 'aria-describedby="' in response.text
    assert not DutyRota.objects.exists()


def test_no_deputy_chosen_is_refused(client, rota_world):
    client.force_login(rota_world.staff)
    response = client.post(
        rota_url(rota_world.station_a),
        {"deputy": "", "weekday": MONDAY, "period": "am", "valid_from": "2024-01-01"},
    )
    assert response.status_code == 400
    assert "请选择值班代表" in response.text


def test_a_line_is_changed_and_the_change_recorded(client, rota_world):
    line = f.DutyRotaFactory(station=rota_world.station_a, deputy=rota_world.dep_c)
    client.force_login(rota_world.street)
    assert client.get(line_url(line)).status_code == 200
    response = client.post(
        line_url(line),
        {
            "deputy": rota_world.dep_a.pk,
            "weekday": TUESDAY,
            "period": "pm",
            "valid_from": "2024-01-01",
        },
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.deputy, line.weekday, line.period) == (rota_world.dep_a, TUESDAY, "pm")
    event = Event.objects.get(verb=StationVerb.ROTA_CHANGE)
    assert event.data["before"]["deputy"] == "陈丙" and event.data["line"]["deputy"] == "张甲"
    detail = client.get(f"/work/stations/{rota_world.station_a.pk}/").text
    assert "星期一上午 陈丙 → 星期二下午 张甲" in detail


def test_saving_a_line_unchanged_records_nothing(client, rota_world):
    line = f.DutyRotaFactory(
        station=rota_world.station_a, deputy=rota_world.dep_c, valid_from=datetime.date(2024, 1, 1)
    )
    client.force_login(rota_world.staff)
    response = client.post(
        line_url(line),
        {
            "deputy": rota_world.dep_c.pk,
            "weekday": MONDAY,
            "period": "am",
            "valid_from": "2024-01-01",
        },
    )
    assert response.status_code == 302
    assert not Event.objects.filter(verb=StationVerb.ROTA_CHANGE).exists()


def test_a_change_is_checked_like_an_addition(client, rota_world):
    f.DutyRotaFactory(station=rota_world.studio_a, deputy=rota_world.dep_c, weekday=TUESDAY)
    line = f.DutyRotaFactory(station=rota_world.station_a, deputy=rota_world.dep_c)
    client.force_login(rota_world.staff)
    response = client.post(
        line_url(line),
        {
            "deputy": rota_world.dep_c.pk,
            "weekday": TUESDAY,
            "period": "day",
            "valid_from": "2024-01-01",
        },
    )
    assert response.status_code == 400
    assert "甲街道代表工作室" in response.text
    line.refresh_from_db()
    assert line.weekday == MONDAY


def test_a_deputy_who_left_stays_choosable_on_their_own_line(client, rota_world):
    line = f.DutyRotaFactory(station=rota_world.station_a, deputy=rota_world.dep_left)
    client.force_login(rota_world.staff)
    assert "赵离" in client.get(line_url(line)).text
    assert "赵离" not in client.get(rota_url(rota_world.station_a)).text.split("添加轮值")[1]
    response = client.post(
        line_url(line),
        {
            "deputy": rota_world.dep_left.pk,
            "weekday": MONDAY,
            "period": "pm",
            "valid_from": "2024-01-01",
        },
    )
    assert response.status_code == 302


def test_a_line_is_removed_after_asking(client, rota_world):
    line = f.DutyRotaFactory(station=rota_world.station_a, deputy=rota_world.dep_c)
    client.force_login(rota_world.liaison)
    page = client.get(line_url(line) + "remove/")
    assert page.status_code == 200 and "确定把 陈丙" in page.text
    assert DutyRota.objects.filter(pk=line.pk).exists()
    response = client.post(line_url(line) + "remove/")
    assert response.status_code == 302
    assert not DutyRota.objects.filter(pk=line.pk).exists()
    event = Event.objects.get(verb=StationVerb.ROTA_REMOVE)
    assert event.data["line"]["deputy"] == "陈丙"


@pytest.mark.parametrize("who", ["leader", "deputy", "other_street"])
def test_those_who_do_not_keep_the_rota_cannot_change_or_remove(client, rota_world, who):
    line = f.DutyRotaFactory(station=rota_world.station_a, deputy=rota_world.dep_c)
    client.force_login(rota_world.users[who])
    data = {
        "deputy": rota_world.dep_c.pk,
        "weekday": MONDAY,
        "period": "pm",
        "valid_from": "2024-01-01",
    }
    assert client.post(line_url(line), data).status_code in (403, 404)
    assert client.post(line_url(line) + "remove/").status_code in (403, 404)
    line.refresh_from_db()
    assert line.period == "am"


def test_a_line_of_another_station_is_not_found_here(client, rota_world):
    line = f.DutyRotaFactory(station=rota_world.station_b, deputy=rota_world.dep_b)
    client.force_login(rota_world.staff)
    url = f"/work/stations/{rota_world.station_a.pk}/rota/{line.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url + "remove/").status_code == 404
    assert DutyRota.objects.filter(pk=line.pk).exists()


def test_the_station_page_links_the_rota_only_for_its_keepers(client, rota_world):
    detail = f"/work/stations/{rota_world.station_a.pk}/"
    client.force_login(rota_world.liaison)
    assert "管理值班表" in client.get(detail).text
    client.force_login(rota_world.deputy)
    assert "管理值班表" not in client.get(detail).text
