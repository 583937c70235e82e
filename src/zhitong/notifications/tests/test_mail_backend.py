"""Django's mail API (the password reset) through the project's e-mail sender."""

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail

from zhitong.notifications.models import Message, MessageStatus
from zhitong.notifications.services import REDACTED, message_send

BACKEND = "zhitong.notifications.mail.NotifyEmailBackend"


@pytest.fixture(autouse=True)
def _through_the_sender(settings):
    settings.EMAIL_BACKEND = BACKEND
    settings.NOTIFY_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_the_deployed_settings_route_django_mail_through_the_senders():
    from zhitong import settings as deployed

    assert deployed.EMAIL_BACKEND == BACKEND


def test_a_mail_goes_out_through_the_sender_and_is_recorded_without_body(db):
    assert send_mail("主题", "正文 https://x/secret-link/", None, ["a@example.gov.cn"]) == 1
    assert [(m.to, m.body) for m in mail.outbox] == [
        (["a@example.gov.cn"], "正文 https://x/secret-link/")
    ]
    record = Message.objects.get()
    assert (record.status, record.subject, record.body) == (
        MessageStatus.SENT,
        "主题",
        REDACTED,
    )


def test_a_failed_delivery_is_recorded_and_not_raised(db, settings):
    settings.NOTIFY_EMAIL_BACKEND = "zhitong.notifications.senders.NoSuchSender"
    assert send_mail("主题", "正文", None, ["a@example.gov.cn"]) == 0
    assert Message.objects.get().status == MessageStatus.FAILED


def test_the_backend_cannot_be_its_own_sender(db, settings):
    settings.NOTIFY_EMAIL_BACKEND = BACKEND
    with pytest.raises(ImproperlyConfigured):
        send_mail("主题", "正文", None, ["a@example.gov.cn"])


def test_other_messages_keep_their_body(db):
    message = message_send(channel="email", to="a@example.gov.cn", subject="s", body="正文")
    message.refresh_from_db()
    assert message.body == "正文"
