"""The daily digest (每日汇总): one e-mail of what is new, only to those who have something new."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from zhitong.accounts.models import NotifyMode
from zhitong.notifications import services
from zhitong.notifications.models import DigestMarker, Message, MessageStatus, Notification
from zhitong.notifications.tests.conftest import run_retries
from zhitong.testing import factories as f

NOW = timezone.now()

# Real commits: a digest is queued when its transaction commits, and delivered then.
pytestmark = pytest.mark.django_db(transaction=True)


def user(name, mode=NotifyMode.DIGEST, email=None):
    return f.UserFactory(
        username=name,
        display_name=name,
        notify_mode=mode,
        email=f"{name}@example.com" if email is None else email,
    )


def note(recipient, text, *, hours_ago=1, read=False, url=""):
    at = NOW - datetime.timedelta(hours=hours_ago)
    return Notification.objects.create(
        recipient=recipient,
        verb="x",
        text=text,
        url=url,
        created_at=at,
        read_at=at if read else None,
    )


@pytest.fixture(autouse=True)
def _email(locmem_email):
    pass


def run():
    return services.digest_send_all(now=NOW)


def test_one_digest_lists_the_unread_notifications(db):
    alice = user("alice")
    note(alice, "意见一已转办", hours_ago=3, url="/work/opinions/1/")
    note(alice, "意见二已答复", hours_ago=2)
    note(alice, "已读的不再提醒", read=True)
    assert run() == (1, 0)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["alice@example.com"]
    assert "2 条新通知" in email.subject
    assert "意见一已转办" in email.body
    assert "http://127.0.0.1:8000/work/opinions/1/" in email.body
    assert "意见二已答复" in email.body
    assert "已读的不再提醒" not in email.body
    # Newest first, as in the centre.
    assert email.body.index("意见二已答复") < email.body.index("意见一已转办")
    assert DigestMarker.objects.get(user=alice).last_sent_at == NOW
    assert Message.objects.get().user == alice


def test_a_second_run_sends_nothing(db):
    alice = user("alice")
    note(alice, "意见一已转办")
    assert run() == (1, 0)
    assert run() == (0, 0)
    assert len(mail.outbox) == 1


def test_the_next_digest_has_only_what_came_after_the_last(db):
    alice = user("alice")
    note(alice, "旧通知", hours_ago=30)
    services.digest_send_all(now=NOW - datetime.timedelta(hours=24))
    note(alice, "新通知", hours_ago=1)
    assert run() == (1, 0)
    assert len(mail.outbox) == 2
    assert "新通知" in mail.outbox[1].body
    assert "旧通知" not in mail.outbox[1].body


def test_users_with_nothing_new_get_nothing(db):
    user("nothing_at_all")
    only_read = user("only_read")
    note(only_read, "已读", read=True)
    before_marker = user("before_marker")
    note(before_marker, "上次已汇总", hours_ago=5)
    DigestMarker.objects.create(user=before_marker, last_sent_at=NOW - datetime.timedelta(hours=2))
    immediate = user("immediate", mode=NotifyMode.IMMEDIATE)
    note(immediate, "即时用户不收汇总")
    no_email = user("no_email", email="")
    note(no_email, "没有邮箱")
    inactive = user("inactive")
    note(inactive, "停用账号")
    inactive.is_active = False
    inactive.save()
    assert run() == (0, 0)
    assert mail.outbox == []
    assert not Message.objects.exists()


def test_a_failed_digest_is_retried_by_the_worker_not_written_twice(db, settings):
    settings.NOTIFY_EMAIL_BACKEND = "zhitong.notifications.tests.test_services.BrokenSms"
    alice = user("alice")
    note(alice, "意见一已转办")
    assert run() == (0, 1)
    message = Message.objects.get()
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
    assert DigestMarker.objects.get(user=alice).last_sent_at == NOW
    settings.NOTIFY_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_retries()
    assert "意见一已转办" in mail.outbox[0].body
    assert run() == (0, 0)  # the same notifications are not digested again
    assert Message.objects.get().status == MessageStatus.SENT


def test_a_digest_refused_at_once_is_written_again_next_time(db):
    alice = user("alice", email="not-an-address")
    note(alice, "意见一已转办")
    assert run() == (0, 1)
    assert Message.objects.get().status == MessageStatus.FAILED
    assert DigestMarker.objects.get(user=alice).last_sent_at is None


def test_a_long_digest_points_to_the_centre_for_the_rest(db):
    alice = user("alice")
    for i in range(services.DIGEST_MAX_ITEMS + 3):
        note(alice, f"第{i}条通知", hours_ago=100 - i)
    run()
    body = mail.outbox[0].body
    assert f"{services.DIGEST_MAX_ITEMS + 3} 条新通知" in mail.outbox[0].subject
    assert "另有 3 条" in body
    assert "第0条通知" not in body  # the oldest are left to the centre
    assert "/work/notifications/" in body


def test_switching_to_digest_does_not_repeat_what_was_sent_at_once(db):
    bob = user("bob", mode=NotifyMode.IMMEDIATE)
    note(bob, "已即时发送过", hours_ago=2)
    services.user_notify_mode_set(user=bob, mode=NotifyMode.DIGEST, by=bob)
    assert services.digest_send_all() == (0, 0)
    Notification.objects.create(recipient=bob, verb="x", text="切换后的新通知")
    assert services.digest_send_all() == (1, 0)
    assert "已即时发送过" not in mail.outbox[0].body


def test_the_command_sends_and_reports(db):
    alice = user("alice")
    note(alice, "意见一已转办")
    out = []

    class Out:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    call_command("notifications_send_digest", stdout=Out())
    assert "digests sent: 1" in "".join(out)
    assert len(mail.outbox) == 1


def test_the_command_fails_loudly_when_a_digest_fails(db, settings):
    settings.NOTIFY_EMAIL_BACKEND = "zhitong.notifications.tests.test_services.BrokenSms"
    note(user("alice"), "意见一已转办")
    with pytest.raises(CommandError, match="failed: 1"):
        call_command("notifications_send_digest")
