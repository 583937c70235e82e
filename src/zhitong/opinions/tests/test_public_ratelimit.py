"""Rate limits on the public form: per address, a clear Chinese 429 page with the values kept,
and nothing lost of what was accepted before; codes sent per number and per address."""

import pytest
from django.test import override_settings

from zhitong.opinions import ratelimit
from zhitong.opinions.models import Opinion

from .intake_support import *  # noqa: F403 - the intake fixtures
from .intake_support import form_data, submission_key_from

pytestmark = pytest.mark.django_db


def post(client, url, **overrides):
    data = form_data(**overrides)
    data["submission_key"] = submission_key_from(client.get(url))
    return client.post(url, data, REMOTE_ADDR=overrides.pop("ip", "203.0.113.7"))


@pytest.fixture
def url(station):
    return f"/opinions/new/station/{station.public_code}/"


def test_default_limits():
    assert ratelimit.rate_for("submit_ip") == ratelimit.Rate(5, 600)
    assert ratelimit.rate_for("post_ip") == ratelimit.Rate(20, 600)
    assert ratelimit.rate_for("message_to") == ratelimit.Rate(3, 3600)
    assert ratelimit.rate_for("message_ip") == ratelimit.Rate(5, 3600)


def test_sixth_submission_from_one_address_in_ten_minutes_is_refused(client, url):
    for i in range(5):
        response = post(client, url, submitter_phone=f"1390000{i:04d}", content=f"第{i}条")
        assert response.status_code == 303
    response = post(client, url, submitter_phone="13800009999", content="第六条意见的内容")
    assert response.status_code == 429
    page = response.content.decode()
    assert "提交太频繁了：同一网络 10 分钟内最多提交 5 条意见。" in page
    assert "您之前提交的意见都已收到" in page
    assert response["Retry-After"] == "600"
    # The form comes back with what was typed.
    assert "第六条意见的内容" in page and "13800009999" in page
    assert 'name="submission_key"' in page
    # The five accepted before are all still there.
    assert Opinion.objects.count() == 5


def test_a_fourth_opinion_with_one_phone_in_an_hour_is_taken_without_a_fourth_sms(
    client, url, outbox, django_capture_on_commit_callbacks
):
    # Before: the fourth was refused, so a stranger could block a citizen's number.
    for i in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, url, content=f"第{i}条", ip=f"198.51.100.{i}")
        assert response.status_code == 303
    assert Opinion.objects.count() == 4
    assert len(outbox) == 3


def test_the_same_phone_written_differently_counts_as_one(
    client, url, settings, outbox, django_capture_on_commit_callbacks
):
    settings.OPINIONS_RATE_LIMITS = {"message_to": "1/3600"}
    for phone, ip in (("13900001234", "10.0.0.1"), ("+86 139 0000 1234", "10.0.0.2")):
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, url, submitter_phone=phone, ip=ip).status_code == 303
    assert len(outbox) == 1


@override_settings(OPINIONS_RATE_LIMITS={"submit_ip": "2/600"})
def test_limits_are_settings(client, url):
    assert post(client, url, submitter_phone="").status_code == 303
    assert post(client, url, submitter_phone="").status_code == 303
    response = post(client, url, submitter_phone="")
    assert response.status_code == 429
    assert "同一网络 10 分钟内最多提交 2 条意见" in response.content.decode()


def test_invalid_forms_and_double_submits_do_not_use_up_the_limit(client, url, settings):
    settings.OPINIONS_RATE_LIMITS = {"submit_ip": "1/600"}
    for _ in range(3):
        assert post(client, url, content="").status_code == 400
    key = submission_key_from(client.get(url))
    first = client.post(url, form_data(submission_key=key))
    again = client.post(url, form_data(submission_key=key))
    assert (first.status_code, again.status_code) == (303, 302)
    assert Opinion.objects.count() == 1


def test_ipv6_clients_are_counted_by_their_64_block(rf):
    one = rf.get("/", REMOTE_ADDR="2001:db8:1:2::1")
    two = rf.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert ratelimit.client_address(one) == ratelimit.client_address(two) == "2001:db8:1:2::/64"


def test_forwarded_for_is_read_only_behind_trusted_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")
    assert ratelimit.client_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert ratelimit.client_address(request) == "203.0.113.5"


def test_cache_keys_hold_no_address_or_phone_in_the_clear():
    key = ratelimit._key("submit_phone", "13900001234", ratelimit.Rate(3, 3600))
    assert "13900001234" not in key
