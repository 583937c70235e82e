"""Preferences per kind of event (新意见 ...): the page on the settings page of the centre
(who may use it, bad input, a refused change leaves nothing), the role defaults, at once vs
digest vs none, the digest's content and idempotency, and the command and job that run it."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from zhitong.accounts.models import Role
from zhitong.core.models import Event
from zhitong.notifications import kinds, services
from zhitong.notifications.kinds import DigestItem, EventKind
from zhitong.notifications.models import Delivery, Message, Notification, Preference

SETTINGS = "/work/notifications/settings/"
PREFERENCES = "/work/notifications/settings/preferences/"
KIND = "opinion_new"  # registered by the opinions app

pytestmark = pytest.mark.django_db


@pytest.fixture
def test_kind(monkeypatch):
    """A kind of event of the tests' own: its "events" are a list of (time, scope, text)."""
    events: list[tuple[datetime.datetime, str, str]] = []

    def digest(user, since, until, limit):
        rows = [
            DigestItem(text, f"/work/things/{i}/")
            for i, (at, scope, text) in enumerate(events)
            if since < at <= until and scope == user.username
        ]
        return rows[:limit], len(rows)

    kind = EventKind(
        code="test_thing",
        label="测试事项",
        defaults={Role.STAFF: Delivery.DIGEST, Role.DEPUTY: Delivery.IMMEDIATE},
        digest=digest,
    )
    monkeypatch.setitem(kinds._KINDS, kind.code, kind)
    return SimpleNamespace(kind=kind, events=events)


# --- the page ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, db):
    response = client.post(PREFERENCES, {KIND: "none"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("name", "offered", "default"),
    [
        ("admin", True, "none"),
        ("staff", True, "digest"),
        ("leader", True, "none"),
        ("street", True, "digest"),
        ("liaison", True, "immediate"),
        ("deputy", True, "immediate_message"),
        ("unit", False, None),
        ("citizen", False, None),
        ("enterprise", False, None),
    ],
)
def test_each_role_sees_the_choice_it_has_with_its_default(client, world, name, offered, default):
    client.force_login(world.users[name])
    page = client.get(SETTINGS).content.decode()
    assert ("按事项设置" in page) is offered
    if offered:
        radios = re.findall(rf'<input type="radio" name="{KIND}" value="(\w+)"([^>]*)>', page)
        assert [value for value, _rest in radios] == [
            "immediate_message",
            "immediate",
            "digest",
            "none",
        ]
        assert [value for value, rest in radios if " checked" in rest] == [default]
    else:
        response = client.post(PREFERENCES, {KIND: "none"})
        assert response.status_code == 403
        assert not Preference.objects.exists()


def test_a_street_committee_chooses_at_once(client, world):
    client.force_login(world.street)
    response = client.post(PREFERENCES, {KIND: "immediate"}, follow=True)
    assert "通知偏好已保存。" in response.content.decode()
    assert Preference.objects.get(user=world.street, kind=KIND).mode == "immediate"
    event = Event.objects.get(verb="notification_preferences_set")
    assert event.actor == world.street
    assert event.data == {"changes": {KIND: ["digest", "immediate"]}}
    # Choosing the same again changes nothing and records nothing.
    response = client.post(PREFERENCES, {KIND: "immediate"}, follow=True)
    assert "通知偏好没有变化。" in response.content.decode()
    assert Event.objects.filter(verb="notification_preferences_set").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请选择一种接收方式。"),
        ({KIND: "sometimes"}, "请选择一种接收方式。"),
        ({KIND: ""}, "请选择一种接收方式。"),
        # The street committee has no phone or e-mail: no messages possible.
        ({KIND: "immediate_message"}, "没有登记手机号或电子邮箱"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_leaves_nothing(client, world, data, message):
    client.force_login(world.street)
    response = client.post(PREFERENCES, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "通知偏好没有保存" in page
    assert 'aria-invalid="true"' in page or "is-invalid" in page
    assert not Preference.objects.exists()
    assert not Event.objects.filter(verb="notification_preferences_set").exists()


def test_get_is_not_a_change(client, world):
    client.force_login(world.street)
    assert client.get(PREFERENCES).status_code == 405


def test_a_refused_change_leaves_nothing_even_when_one_kind_was_fine(world, test_kind):
    world.staff.phone = ""
    world.staff.email = ""
    world.staff.save()
    with pytest.raises(ValidationError) as refused:
        services.preferences_set(
            user=world.staff,
            choices={KIND: Delivery.IMMEDIATE, "test_thing": Delivery.IMMEDIATE_MESSAGE},
            by=world.staff,
        )
    assert set(refused.value.message_dict) == {"test_thing"}
    assert not Preference.objects.exists()
    assert not Event.objects.filter(verb="notification_preferences_set").exists()


def test_one_may_not_choose_for_another_or_a_kind_not_offered(world, test_kind):
    with pytest.raises(PermissionDenied):
        services.preferences_set(user=world.staff, choices={KIND: Delivery.NONE}, by=world.street)
    with pytest.raises(PermissionDenied):
        # The test kind is not offered to street committees.
        services.preferences_set(
            user=world.street, choices={"test_thing": Delivery.NONE}, by=world.street
        )
    assert not Preference.objects.exists()


def test_messages_need_a_phone_or_an_e_mail(world):
    world.street.phone = "13900000001"
    world.street.save()
    services.preferences_set(
        user=world.street, choices={KIND: Delivery.IMMEDIATE_MESSAGE}, by=world.street
    )
    assert Preference.objects.get().mode == Delivery.IMMEDIATE_MESSAGE


# --- at once, digest, none ----------------------------------------------------------------


def told(user, verb="thing"):
    return list(Notification.objects.filter(recipient=user, verb=verb))


def test_at_once_digest_and_none(world, test_kind, django_capture_on_commit_callbacks, outbox):
    world.deputy.phone = "13800000009"
    world.deputy.save()
    services.preferences_set(
        user=world.deputy, choices={"test_thing": Delivery.IMMEDIATE_MESSAGE}, by=world.deputy
    )
    far = world.far_staff
    services.preferences_set(user=far, choices={"test_thing": Delivery.NONE}, by=far)
    with django_capture_on_commit_callbacks(execute=True):
        at_once = services.notify_event(
            kind="test_thing",
            recipients=[world.deputy, world.staff, far, world.street, world.citizen],
            verb="thing",
            text="新事项",
            url="/work/things/1/",
            subject=world.station_a,
        )
    assert at_once == [world.deputy]
    [notice] = told(world.deputy)
    assert (notice.text, notice.url, notice.task) == ("新事项", "/work/things/1/", False)
    [sms] = outbox
    assert sms["to"] == "13800000009"
    assert sms["body"] == "【直通】新事项 http://127.0.0.1:8000/work/things/1/"
    # Staff wait for the digest; the one who chose none, and roles not offered it, hear nothing.
    for user in (world.staff, far, world.street, world.citizen):
        assert told(user) == []


def test_the_digest_lists_each_users_own_events_once(
    world, test_kind, django_capture_on_commit_callbacks, outbox
):
    now = timezone.now()
    world.staff.email = "staff1@example.gov.cn"
    world.staff.save()
    test_kind.events.extend(
        [
            (now - datetime.timedelta(hours=3), "staff1", "甲事项"),
            (now - datetime.timedelta(hours=2), "staff1", "乙事项"),
            (now - datetime.timedelta(hours=2), "far_staff", "远处的事项"),
            (now - datetime.timedelta(days=3), "staff1", "太早的事项"),
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digest_send_all(now=now) == (2, 0)
    [digest] = Notification.objects.filter(recipient=world.staff, verb="digest")
    assert digest.text.startswith("每日汇总：") and "测试事项 2 条" in digest.text
    assert digest.items == [
        {"text": "甲事项", "url": "/work/things/0/"},
        {"text": "乙事项", "url": "/work/things/1/"},
    ]
    [far_digest] = Notification.objects.filter(recipient=world.far_staff, verb="digest")
    assert far_digest.items == [{"text": "远处的事项", "url": "/work/things/2/"}]
    # One e-mail, to the one with an address; the other has the centre.
    [email] = outbox
    assert email["to"] == "staff1@example.gov.cn"
    assert "甲事项" in email["body"] and "http://127.0.0.1:8000/work/things/1/" in email["body"]
    assert "太早的事项" not in email["body"]
    # Twice a day sends nothing twice; what comes after goes next time.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digest_send_all(now=now + datetime.timedelta(minutes=5)) == (0, 0)
    test_kind.events.append((now + datetime.timedelta(hours=1), "staff1", "新的事项"))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digest_send_all(now=now + datetime.timedelta(hours=2)) == (1, 0)
    latest = Notification.objects.filter(recipient=world.staff, verb="digest").first()
    assert latest.items == [{"text": "新的事项", "url": "/work/things/4/"}]
    assert len(outbox) == 2


def test_switching_to_the_digest_starts_it_now(world, test_kind):
    now = timezone.now()
    test_kind.events.append((now - datetime.timedelta(hours=1), "deputy1", "已即时告知"))
    services.preferences_set(
        user=world.deputy, choices={"test_thing": Delivery.DIGEST}, by=world.deputy
    )
    assert services.digest_send_all(now=now + datetime.timedelta(minutes=1)) == (0, 0)
    assert not Notification.objects.filter(verb="digest").exists()


def test_a_digest_of_everything_and_of_events_is_one_e_mail(
    world, test_kind, django_capture_on_commit_callbacks
):
    now = timezone.now()
    world.staff.email = "staff1@example.gov.cn"
    world.staff.notify_mode = "digest"
    world.staff.save()
    Notification.objects.create(
        recipient=world.staff,
        verb="x",
        text="一条未读通知",
        created_at=now - datetime.timedelta(hours=1),
    )
    test_kind.events.append((now - datetime.timedelta(hours=1), "staff1", "甲事项"))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digest_send_all(now=now) == (1, 0)
    [message] = Message.objects.filter(user=world.staff)
    assert "一条未读通知" in message.body and "甲事项" in message.body
    # The digest's own notification is not digested again the next day.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digest_send_all(now=now + datetime.timedelta(days=1)) == (0, 0)


def test_the_command_and_the_job(world, test_kind, django_capture_on_commit_callbacks):
    now = timezone.now()
    test_kind.events.append((now - datetime.timedelta(minutes=1), "staff1", "甲事项"))
    call_command("notifications_send_digest")
    assert Notification.objects.filter(recipient=world.staff, verb="digest").count() == 1
    test_kind.events.append((timezone.now(), "staff1", "乙事项"))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notifications_send_digest", "--enqueue")
    from zhitong.core.models import Job

    job = Job.objects.get(kind="notifications.digest")
    assert job.state == Job.State.DONE, job.state
    assert Notification.objects.filter(recipient=world.staff, verb="digest").count() == 2
