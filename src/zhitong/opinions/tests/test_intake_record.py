"""Recording an opinion at a station visit: who may, for which station, and what it writes."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhitong.core.models import Event
from zhitong.notifications.models import Message
from zhitong.opinions import intake
from zhitong.opinions.models import Channel, Opinion, Status

from .intake_support import *  # noqa: F403 - the intake fixtures
from .intake_support import jpeg_upload, submission_key_from

pytestmark = [pytest.mark.django_db, pytest.mark.urls("zhitong.opinions.tests.intake_urls")]

URL = "/work/opinions/record/"


def record_data(w, **overrides):
    data = {
        "station": str(w.station_a.pk),
        "deputy": "",
        "channel": "station_visit",
        "received_on": timezone.localdate().isoformat(),
        "subject": "楼道堆放杂物",
        "content": "3栋楼道长期堆放杂物，存在消防隐患。",
        "category": "",
        "place": str(w.community_a.pk),
        "address": "甲一社区3栋",
        "submitter_name": "赵六",
        "submitter_phone": "027-88886666",
        "submitter_email": "",
    }
    data.update(overrides)
    return data


def post(client, user, w, **overrides):
    client.force_login(user)
    key = submission_key_from(client.get(URL))
    return client.post(URL, {**record_data(w, **overrides), "submission_key": key})


# --- who may open the page and record for which station -----------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("street", 200),
        ("deputy", 200),
        ("liaison", 200),
        ("leader", 403),
        ("unit", 403),
        ("citizen", 403),
    ],
)
def test_record_page_per_role(client, world, role, status):
    client.force_login(world.users[role])
    assert client.get(URL).status_code == status


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("role", "station", "allowed"),
    [
        ("deputy", "station_a", True),
        ("deputy", "station_b", False),
        ("liaison", "station_a", True),
        ("liaison", "station_b", False),
        ("other_liaison", "station_a", False),
        ("street", "station_a", True),
        ("street", "station_b", False),
        ("staff", "station_b", True),
        ("admin", "station_a", True),
        ("far_staff", "station_a", False),
        ("staff", "station_far", False),
    ],
)
def test_who_may_record_for_which_station(client, world, role, station, allowed):
    target = getattr(world, station)
    place = {"station_a": world.community_a, "station_b": world.community_b}.get(station)
    response = post(
        client,
        world.users[role],
        world,
        station=str(target.pk),
        place=str(place.pk) if place else "",
    )
    assert (response.status_code == 303) is allowed
    assert Opinion.objects.exists() is allowed
    if not allowed:
        assert response.status_code == 400
        assert "选择一个有效的选项" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "station", "allowed"),
    [
        ("deputy", "station_a", True),
        ("other_deputy", "station_a", False),
        ("liaison", "station_a", True),
        ("other_liaison", "station_a", False),
        ("street", "station_a", True),
        ("other_street", "station_a", False),
        ("staff", "station_a", True),
        ("far_staff", "station_a", False),
        ("leader", "station_a", False),
        ("unit", "station_a", False),
        ("citizen", "station_a", False),
    ],
)
def test_the_service_checks_the_same_permission(world, role, station, allowed):
    user = world.users[role]
    target = getattr(world, station)
    assert intake.can_record(user, station=target) is allowed
    assert intake.recording_stations(user).filter(pk=target.pk).exists() is allowed
    data = {"subject": "标题", "content": "内容"}
    if allowed:
        intake.opinion_record(by=user, data=data, station=target)
        assert Opinion.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            intake.opinion_record(by=user, data=data, station=target)
        assert not Opinion.objects.exists()


def test_staff_may_record_without_a_station_by_place_in_scope(world):
    opinion = intake.opinion_record(
        by=world.street,
        data={"subject": "标题", "content": "内容", "place": world.community_a2},
        channel=Channel.BOX,
    )
    assert (opinion.station, opinion.street, opinion.district) == (
        None,
        world.street_a,
        world.district,
    )
    with pytest.raises(PermissionDenied):
        intake.opinion_record(
            by=world.street, data={"subject": "标题", "content": "内容", "place": world.community_b}
        )
    with pytest.raises(PermissionDenied):
        intake.opinion_record(by=world.deputy, data={"subject": "标题", "content": "内容"})


# --- what a record writes --------------------------------------------------------------


def test_a_deputy_records_a_visit_addressed_to_themselves(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, world.deputy, world, submitter_phone="13912345678")
    assert response.status_code == 303
    opinion = Opinion.objects.get()
    assert response["Location"] == f"/work/opinions/record/{opinion.pk}/done/"
    assert opinion.channel == Channel.STATION_VISIT
    assert (opinion.station, opinion.deputy) == (world.station_a, world.dep_a)
    assert (opinion.district, opinion.street, opinion.place) == (
        world.district,
        world.street_a,
        world.community_a,
    )
    assert opinion.recorded_by == world.deputy
    assert opinion.status == Status.RECEIVED
    assert opinion.search_text
    event = Event.objects.for_object(opinion).get()
    assert (event.verb, event.to_state, event.actor) == ("received", "received", world.deputy)
    page = client.get(response["Location"]).content.decode()
    assert opinion.tracking_code in page
    assert Message.objects.get().to == "13912345678"


def test_a_liaison_names_the_deputy_on_duty(client, world):
    response = post(client, world.liaison, world, deputy=str(world.dep_a2.pk))
    assert response.status_code == 303
    opinion = Opinion.objects.get()
    assert opinion.deputy == world.dep_a2
    assert opinion.recorded_by == world.liaison


def test_a_deputy_of_another_station_is_refused(world):
    with pytest.raises(ValidationError) as error:
        intake.opinion_record(
            by=world.staff,
            data={"subject": "标题", "content": "内容"},
            station=world.station_a,
            deputy=world.dep_b,
        )
    assert "该代表未编入所选站点" in str(error.value)
    assert not Opinion.objects.exists()


def test_landline_is_accepted_from_a_recorder_and_no_sms_goes_to_it(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, world.liaison, world, submitter_phone="027 8888 6666")
    assert response.status_code == 303
    assert Opinion.objects.get().submitter_phone == "027-88886666"
    assert not Message.objects.exists()


def test_the_done_page_never_claims_a_text_message_to_a_landline(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, world.liaison, world, submitter_phone="027-88886666")
    page = client.get(response["Location"]).content.decode()
    assert "查询码已发送" not in page and "已通过短信" not in page
    assert "固定电话，收不到短信" in page
    # Nor does the case's timeline.
    opinion = Opinion.objects.get()
    case = client.get(f"/work/opinions/{opinion.pk}/").content.decode()
    assert "短信" not in case


def test_the_done_page_says_where_the_code_went(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        by_sms = post(client, world.liaison, world, submitter_phone="13912345678")
    assert "查询码已通过短信发送到反映人的手机" in client.get(by_sms["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        by_mail = post(
            client,
            world.liaison,
            world,
            submitter_phone="027-88886666",
            submitter_email="zhao@example.com",
        )
    page = client.get(by_mail["Location"]).content.decode()
    assert "查询码已发送到反映人的邮箱" in page
    assert "短信" not in page


def test_received_date_in_the_past_is_kept_and_the_future_refused(client, world):
    # At noon in Shanghai: run just before midnight, "tomorrow" became today between the
    # test's reading of the date and the page's (it failed once at 00:00 Asia/Shanghai).
    with time_machine.travel(
        datetime.datetime(2026, 6, 10, 12, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        _past_kept_future_refused(client, world)


def _past_kept_future_refused(client, world):
    last_week = timezone.localdate() - datetime.timedelta(days=7)
    assert post(client, world.liaison, world, received_on=last_week.isoformat()).status_code == 303
    assert timezone.localdate(Opinion.objects.get().received_at) == last_week
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = post(client, world.liaison, world, received_on=tomorrow.isoformat())
    assert response.status_code == 400
    assert "收集日期不能晚于今天" in response.content.decode()
    assert Opinion.objects.count() == 1


def test_bad_input_is_refused_in_chinese_and_writes_nothing(client, world):
    response = post(client, world.deputy, world, content="", subject="<b>x</b>")
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写意见建议的内容。" in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert not Opinion.objects.exists() and not Event.objects.exists()


def test_photos_are_checked_as_on_the_public_form(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .intake_support import ELF_BYTES

    client.force_login(world.deputy)
    key = submission_key_from(client.get(URL))
    bad = SimpleUploadedFile("scan.jpg", ELF_BYTES, content_type="image/jpeg")
    response = client.post(URL, {**record_data(world), "submission_key": key, "photos": [bad]})
    assert response.status_code == 400
    assert "不是可以识别的照片" in response.content.decode()
    response = client.post(
        URL, {**record_data(world), "submission_key": key, "photos": [jpeg_upload()]}
    )
    assert response.status_code == 303
    assert Opinion.objects.get().attachments.count() == 1


def test_saving_twice_with_the_same_form_records_once(client, world):
    client.force_login(world.liaison)
    key = submission_key_from(client.get(URL))
    data = {**record_data(world), "submission_key": key}
    first, second = client.post(URL, data), client.post(URL, data)
    assert first.status_code == 303 and second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Opinion.objects.count() == 1


def test_the_done_page_is_only_for_those_who_may_see_the_opinion(client, world):
    post(client, world.deputy, world)
    opinion = Opinion.objects.get()
    client.force_login(world.other_liaison)
    assert client.get(f"/work/opinions/record/{opinion.pk}/done/").status_code == 404


@pytest.mark.parametrize("extra", [2, 15])
def test_record_and_import_pages_query_counts_stay_fixed(
    client, world, django_assert_max_num_queries, extra
):
    from zhitong.accounts.tests.world import add_community
    from zhitong.testing import factories as f

    for i in range(extra):
        community = add_community(world.street_a, f"新{i}社区")
        station = f.StationFactory(region=community, name=f"新{i}社区代表联络站")
        station.liaisons.add(world.liaison)
        f.StationAssignmentFactory(station=station, deputy=f.DeputyFactory(district=world.district))
    for role in ("liaison", "staff"):
        client.force_login(world.users[role])
        with django_assert_max_num_queries(10):
            assert client.get(URL).status_code == 200
        with django_assert_max_num_queries(8):
            assert client.get("/work/opinions/import/").status_code == 200


def test_no_text_message_goes_to_a_landline_later_either(
    client, world, django_capture_on_commit_callbacks
):
    """The submitter's news (declined here) goes by text message to a mobile number only:
    to the e-mail address when the phone is a landline, else nowhere."""
    from zhitong.opinions import services

    with django_capture_on_commit_callbacks(execute=True):
        post(client, world.liaison, world, submitter_phone="027-88886666")
        post(
            client,
            world.liaison,
            world,
            subject="另一件",
            submitter_phone="027-88886667",
            submitter_email="zhao@example.com",
        )
    landline_only, with_email = Opinion.objects.order_by("pk")
    with django_capture_on_commit_callbacks(execute=True):
        for opinion in (landline_only, with_email):
            services.opinion_decline(opinion=opinion, by=world.staff, reason="out_of_scope")
    assert not Message.objects.filter(channel="sms").exists()
    assert list(Message.objects.values_list("channel", "to")) == [
        ("email", "zhao@example.com"),
        ("email", "zhao@example.com"),
    ]
