"""notify, message_send and the recipient helpers: who gets told, what is recorded and sent."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from zhitong.accounts.models import NotifyMode, Role
from zhitong.core.jobs import jobs_run_due, run_job
from zhitong.core.models import Job
from zhitong.notifications import services
from zhitong.notifications.models import Channel, Message, MessageStatus, Notification
from zhitong.notifications.senders import Sender
from zhitong.notifications.tests.conftest import run_retries
from zhitong.testing import factories as f


def make_user(name, *, mode=NotifyMode.IMMEDIATE, email="", phone="", **kw):
    return f.UserFactory(
        username=name, display_name=name, notify_mode=mode, email=email, phone=phone, **kw
    )


@pytest.fixture
def people(db):
    return {
        "mail": make_user("mail", email="mail.user@example.com"),
        "phone": make_user("phone", phone="13912345678"),
        "both": make_user("both", email="both@example.com", phone="13800001111"),
        "none": make_user("none"),
        "digest": make_user("digest", mode=NotifyMode.DIGEST, email="digest@example.com"),
    }


def test_notify_creates_one_row_per_recipient(people, django_capture_on_commit_callbacks):
    opinion_like = people["none"]  # any model instance will do as a subject
    recipients = list(people.values())
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=recipients + [people["mail"]],  # a duplicate is told once
            verb="opinion_referred",
            text="有一条意见转交贵单位办理",
            url="/work/opinions/1/",
            subject=opinion_like,
        )
    rows = Notification.objects.order_by("recipient__username")
    assert [n.recipient.username for n in rows] == sorted(people)
    n = rows.first()
    assert n.text == "有一条意见转交贵单位办理"
    assert n.verb == "opinion_referred"
    assert n.url == "/work/opinions/1/"
    assert n.subject == opinion_like
    assert n.read_at is None


def test_notify_messages_only_immediate_users_with_an_address(
    people, locmem_email, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=people.values(),
            verb="x",
            text="您有一条新的转办意见",
            url="/work/opinions/7/",
        )
    sent = {(m.user.username, m.channel, m.to) for m in Message.objects.all()}
    assert sent == {
        ("mail", Channel.EMAIL, "mail.user@example.com"),
        ("phone", Channel.SMS, "13912345678"),
        # E-mail is preferred when the account has both.
        ("both", Channel.EMAIL, "both@example.com"),
    }
    assert all(m.status == MessageStatus.SENT for m in Message.objects.all())
    # The digest user and the user without an address get nothing now.
    assert sorted(e.to[0] for e in mail.outbox) == ["both@example.com", "mail.user@example.com"]
    email = next(e for e in mail.outbox if e.to == ["mail.user@example.com"])
    assert "您有一条新的转办意见" in email.subject
    assert "您有一条新的转办意见" in email.body
    assert "http://127.0.0.1:8000/work/opinions/7/" in email.body


def test_notify_works_from_an_on_commit_callback(
    people, locmem_email, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        transaction.on_commit(
            lambda: services.notify(recipients=[people["mail"]], verb="x", text="提交后通知")
        )
    assert Notification.objects.get().text == "提交后通知"
    assert [e.to for e in mail.outbox] == [["mail.user@example.com"]]


def test_notify_sends_nothing_when_the_transaction_rolls_back(people, locmem_email):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify(recipients=[people["mail"]], verb="x", text="不会发出")
        raise RuntimeError
    assert not Notification.objects.exists()
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_notify_skips_inactive_accounts_and_empty_lists(people):
    people["mail"].is_active = False
    people["mail"].save()
    services.notify(recipients=[people["mail"], None], verb="x", text="停用账号不接收")
    services.notify(recipients=[], verb="x", text="无人")
    assert not Notification.objects.exists()


def test_message_send_with_console_backend_records_the_message(db, notify_log, send):
    message = send(channel="sms", to="13900001234", body="您的意见已受理，查询码 ABCD-1234")
    assert message.status == MessageStatus.SENT
    assert message.attempts == 1
    assert message.backend == "console"
    assert message.sent_at is not None
    assert message.to == "13900001234"  # the record keeps the address the sender needed
    assert "139****1234" in notify_log.text
    assert "13900001234" not in notify_log.text
    assert "ABCD-1234" not in notify_log.text  # nor the body


def test_message_send_keeps_the_related_object(world):
    message = services.message_send(
        channel="email", to="a@example.com", body="正文", subject="标题", related=world.station_a
    )
    assert message.related == world.station_a
    assert Message.objects.filter(related_id=str(world.station_a.pk)).get() == message


def test_message_send_email_through_a_django_mail_backend(db, locmem_email, send):
    message = send(
        channel="email",
        to="citizen@example.com",
        subject="意见办理结果\n已答复",  # a line break would be a header injection
        body="您的意见已有答复。",
    )
    assert message.status == MessageStatus.SENT
    assert message.backend == "django.core.mail.backends.locmem"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["citizen@example.com"]
    assert email.subject == "意见办理结果 已答复"
    assert email.body == "您的意见已有答复。"


class BrokenSms(Sender):
    """Stands in for a provider that is down; like SMTP servers, it quotes the address."""

    name = "broken-sms"

    def send(self, message):
        raise ConnectionError(f"provider refused {message.to.upper()}: service unavailable")


def test_a_failing_sender_is_retried_then_marks_the_message_failed(db, settings, notify_log, send):
    settings.NOTIFY_SMS_BACKEND = "zhitong.notifications.tests.test_services.BrokenSms"
    message = send(channel="sms", to="13900001234", body="正文")
    # The first attempt failed: still queued, the error recorded, a retry waiting.
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
    assert message.backend == "broken-sms"
    assert "provider refused" in message.error
    assert "13900001234" not in message.error
    job = Job.objects.get(kind=services.DELIVER_JOB)
    assert job.state == Job.State.RETRYING and job.next_attempt_at is not None
    run_retries()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.FAILED, services.DELIVERY_ATTEMPTS)
    assert message.sent_at is None
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    attempts = list(job.attempt_rows.values_list("number", "succeeded", "error"))
    assert [number for number, _, _ in attempts] == [1, 2, 3, 4, 5]
    assert not any(succeeded for _, succeeded, _ in attempts)
    assert all("provider refused" in error and "13900001234" not in error for *_, error in attempts)
    assert "failed" in notify_log.text
    assert "13900001234" not in notify_log.text
    assert "139****1234" in notify_log.text


def test_the_pauses_between_attempts_grow(db, settings, send):
    settings.NOTIFY_SMS_BACKEND = "zhitong.notifications.tests.test_services.BrokenSms"
    send(channel="sms", to="13900001234", body="正文")
    job = Job.objects.get()

    def pause():
        job.refresh_from_db()
        return job.next_attempt_at - job.attempt_rows.get(number=job.attempts).finished_at

    assert pause() == datetime.timedelta(minutes=1)
    # Not due yet: the sweep leaves it, and an early delivery of the task does nothing.
    assert jobs_run_due(now=job.next_attempt_at - datetime.timedelta(seconds=1)) == 0
    run_job.call(job.pk)
    assert pause() == datetime.timedelta(minutes=1) and job.attempts == 1
    Job.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now())
    assert jobs_run_due() == 1
    assert pause() == datetime.timedelta(minutes=2) and job.attempts == 2


def test_a_message_that_fails_once_goes_out_on_the_retry(db, settings, send, locmem_email):
    settings.NOTIFY_EMAIL_BACKEND = "zhitong.notifications.tests.test_services.BrokenSms"
    message = send(channel="email", to="a@example.com", subject="标题", body="正文")
    assert message.status == MessageStatus.QUEUED and mail.outbox == []
    settings.NOTIFY_EMAIL_BACKEND = locmem_email
    run_retries()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error) == (MessageStatus.SENT, 2, "")
    assert [e.body for e in mail.outbox] == ["正文"]
    run_retries()  # nothing more is due: the message goes out once
    assert len(mail.outbox) == 1


def test_a_misconfigured_backend_is_recorded(db, settings, send):
    settings.NOTIFY_EMAIL_BACKEND = "no.such.module.Sender"
    message = send(channel="email", to="a@example.com", body="正文")
    assert message.status == MessageStatus.QUEUED
    assert "ImportError" in message.error or "ModuleNotFoundError" in message.error


@pytest.mark.parametrize(
    ("channel", "to"),
    [
        ("email", ""),
        ("email", "not-an-address"),
        ("email", "a" * 300 + "@example.com"),
        ("sms", "call me"),
    ],
)
def test_a_bad_address_is_recorded_as_failed(db, channel, to, locmem_email, send):
    message = send(channel=channel, to=to, body="正文")
    assert message.status == MessageStatus.FAILED
    assert mail.outbox == []
    assert not Job.objects.exists()  # no attempt could cure it


def test_failing_immediate_messages_do_not_break_notify(
    people, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_EMAIL_BACKEND = "zhitong.notifications.tests.test_services.BrokenSms"
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[people["mail"]], verb="x", text="测试")
    assert Notification.objects.count() == 1
    assert Message.objects.get().error


def test_logs_never_contain_full_addresses(
    people, locmem_email, notify_log, settings, django_capture_on_commit_callbacks, send
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=people.values(), verb="x", text="记录日志")
    settings.NOTIFY_EMAIL_BACKEND = "zhitong.notifications.tests.test_services.BrokenSms"
    send(channel="email", to="both@example.com", body="正文")
    send(channel="sms", to="13800001111", body="正文")
    text = notify_log.text
    assert text  # something was logged
    for secret in ["mail.user@example.com", "both@example.com", "13912345678", "13800001111"]:
        assert secret not in text
    assert "b***@example.com" in text


def test_recipients_for_unit(world):
    other = f.UserFactory(username="unit_a2", role=Role.UNIT, unit=world.unit_a)
    gone = f.UserFactory(username="unit_a3", role=Role.UNIT, unit=world.unit_a, is_active=False)
    users = set(services.recipients_for_unit(world.unit_a))
    assert users == {world.unit, other}
    assert gone not in users
    assert set(services.recipients_for_unit(world.unit_far)) == set()


def test_recipients_for_a_community_include_district_and_its_street(world):
    community = world.station_a.region
    users = {u.username for u in services.recipients_for_region(community)}
    assert users == {"admin1", "staff1", "leader1", "street_a"}


def test_recipients_for_the_district_leave_out_street_committees(world):
    users = {u.username for u in services.recipients_for_region(world.district)}
    assert users == {"admin1", "staff1", "leader1"}


def test_recipients_for_region_leave_out_inactive_and_other_regions(world):
    world.leader.is_active = False
    world.leader.save()
    users = {u.username for u in services.recipients_for_region(world.street_b)}
    assert users == {"admin1", "staff1", "street_b"}
    assert {u.username for u in services.recipients_for_region(world.far_district)} == {"far_staff"}
