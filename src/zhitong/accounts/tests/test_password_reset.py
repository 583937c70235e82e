"""Forgotten password (找回密码): a link by e-mail, the same answer for an unknown address,
rate limited, and the link lifts a lockout."""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache

from zhitong.accounts.models import Role
from zhitong.notifications.models import Message, MessageStatus
from zhitong.notifications.services import REDACTED
from zhitong.testing.factories import UserFactory

PASSWORD = "pass-1234-zt"
NEW = "Hz-2026-qwer-new"
RESET = "/accounts/password/reset/"


@pytest.fixture
def staffer(district):
    return UserFactory(
        username="wang", role=Role.STAFF, region=district, email="wang@example.gov.cn"
    )


@pytest.fixture(autouse=True)
def _mail_through_the_senders(settings):
    cache.clear()  # the rate limits count in the cache, which outlives a test
    # As deployed: Django's mail goes through the project's sender (here into mail.outbox).
    settings.EMAIL_BACKEND = "zhitong.notifications.mail.NotifyEmailBackend"
    settings.NOTIFY_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PUBLIC_BASE_URL = "https://zhitong.example.gov.cn"


def request_reset(client, email, address="198.51.100.7"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def link_in(message) -> str:
    match = re.search(
        r"https://zhitong\.example\.gov\.cn(/accounts/password/reset/\S+/)", message.body
    )
    assert match, message.body
    return match.group(1)


def test_the_login_page_links_to_the_reset(client, db):
    assert 'href="/accounts/password/reset/"' in client.get("/accounts/login/").text


def test_the_request_page_is_in_chinese(client, db):
    page = client.get(RESET)
    assert page.status_code == 200
    assert "找回密码" in page.text
    assert 'name="email"' in page.text


def test_a_known_address_gets_a_link_that_sets_a_new_password(client, staffer):
    response = request_reset(client, "wang@example.gov.cn")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert "请查收邮件" in client.get(response["Location"]).text

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wang@example.gov.cn"]
    assert message.subject == "直通：重设密码"
    assert "您的用户名：wang" in message.body
    link = link_in(message)

    # The link leads (via Django's token-hiding redirect) to the new password form.
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "设置新密码" in form_page.text
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/complete/"
    assert "密码已重设" in client.get(done["Location"]).text
    staffer.refresh_from_db()
    assert staffer.check_password(NEW)

    # The link works once.
    again = client.get(link, follow=True)
    assert "链接已经失效" in again.text


def test_the_mail_is_recorded_without_the_link(client, staffer):
    request_reset(client, "wang@example.gov.cn")
    record = Message.objects.get()
    assert record.status == MessageStatus.SENT
    assert record.to == "wang@example.gov.cn"
    assert record.body == REDACTED
    assert "/accounts/password/reset/" not in record.body


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, staffer):
    known = request_reset(client, "wang@example.gov.cn", address="198.51.100.7")
    unknown = request_reset(client, "nobody@example.gov.cn", address="198.51.100.8")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert [m.to for m in mail.outbox] == [["wang@example.gov.cn"]]


def test_inactive_accounts_and_accounts_without_a_password_get_no_mail(client, district):
    UserFactory(username="gone", email="gone@example.gov.cn", is_active=False)
    nopass = UserFactory(username="nopass", email="nopass@example.gov.cn")
    nopass.set_unusable_password()
    nopass.save()
    for email in ("gone@example.gov.cn", "nopass@example.gov.cn"):
        assert request_reset(client, email).status_code == 302
    assert mail.outbox == []


def test_the_link_is_built_on_the_public_address_not_the_host_header(client, staffer):
    client.post(RESET, {"email": "wang@example.gov.cn"}, HTTP_HOST="evil.example")
    assert "evil.example" not in mail.outbox[0].body
    link_in(mail.outbox[0])


def test_a_bad_token_is_refused(client, staffer):
    request_reset(client, "wang@example.gov.cn")
    link = link_in(mail.outbox[0])
    forged = link.rstrip("/").rsplit("/", 1)[0] + "/abc-0123456789abcdef/"
    page = client.get(forged, follow=True)
    assert "链接已经失效" in page.text
    assert 'name="new_password1"' not in page.text


def test_requests_from_one_address_are_limited(client, staffer):
    for n in range(10):
        assert request_reset(client, f"x{n}@example.gov.cn").status_code == 302
    refused = request_reset(client, "wang@example.gov.cn")
    assert refused.status_code == 429
    assert "找回密码的请求太频繁了，请 60 分钟后再试" in refused.text
    assert mail.outbox == []
    # Another address is not held up.
    assert request_reset(client, "wang@example.gov.cn", address="203.0.113.9").status_code == 302
    assert len(mail.outbox) == 1


def test_requests_for_one_mailbox_are_limited_whether_or_not_it_has_an_account(client, staffer):
    for email in ("wang@example.gov.cn", "nobody@example.gov.cn"):
        for n in range(3):
            assert request_reset(client, email, address=f"203.0.113.{n}").status_code == 302
        assert request_reset(client, email, address="203.0.113.50").status_code == 429
    assert len(mail.outbox) == 3


def test_setting_a_new_password_lifts_the_accounts_lockout(client, staffer):
    for n in range(10):
        client.post(
            "/accounts/login/",
            {"username": "wang", "password": "wrong-guess"},
            REMOTE_ADDR=f"203.0.113.{n}",
        )
    locked = client.post("/accounts/login/", {"username": "wang", "password": PASSWORD})
    assert locked.status_code == 429

    request_reset(client, "wang@example.gov.cn")
    form_page = client.get(link_in(mail.outbox[0]), follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert not AccessAttempt.objects.filter(username="wang").exists()
    assert client.post("/accounts/login/", {"username": "wang", "password": NEW}).status_code == 302
