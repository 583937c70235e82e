"""The client's address behind trusted proxies (zhitong.core.clientip)."""

import pytest

from zhitong.core.clientip import client_address, lockout_address
from zhitong.opinions import ratelimit

PROXY = "10.0.0.2"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    return settings


def request_from(rf, remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(rf):
    request = request_from(rf, "198.51.100.7", "203.0.113.5")
    assert client_address(request) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_client_is_the_address_it_saw(rf, behind_proxy):
    request = request_from(rf, PROXY, "203.0.113.5")
    assert client_address(request) == "203.0.113.5"


def test_addresses_the_client_wrote_itself_are_not_believed(rf, behind_proxy):
    # The client sent "X-Forwarded-For: 1.1.1.1"; the proxy appended what it saw.
    request = request_from(rf, PROXY, "1.1.1.1, 203.0.113.5")
    assert client_address(request) == "203.0.113.5"


def test_a_request_not_from_a_proxy_is_counted_by_its_own_address(rf, behind_proxy):
    # Straight to the application server, with a made-up header: the header is ignored.
    request = request_from(rf, "198.51.100.7", "203.0.113.5")
    assert client_address(request) == "198.51.100.7"


def test_the_walk_passes_every_trusted_proxy_from_the_right(rf, behind_proxy):
    # client -> 10.0.0.9 (a second proxy of ours) -> 10.0.0.2 -> the application
    request = request_from(rf, PROXY, "1.1.1.1, 203.0.113.5, 10.0.0.9")
    assert client_address(request) == "203.0.113.5"


def test_garbage_in_the_header_stops_the_walk(rf, behind_proxy):
    request = request_from(rf, PROXY, "203.0.113.5, not-an-address")
    assert client_address(request) == PROXY


def test_without_a_header_the_proxy_is_the_client(rf, behind_proxy):
    assert client_address(request_from(rf, PROXY)) == PROXY


def test_trusted_proxies_may_be_one_comma_separated_string(rf, settings):
    settings.TRUSTED_PROXIES = "127.0.0.1, ::1"
    assert client_address(request_from(rf, "::1", "203.0.113.5")) == "203.0.113.5"


def test_ipv6_is_counted_by_its_64_block(rf, behind_proxy):
    one = request_from(rf, PROXY, "2001:db8:1:2::1")
    two = request_from(rf, PROXY, "2001:db8:1:2:ffff::9")
    other = request_from(rf, PROXY, "2001:db8:1:3::1")
    assert client_address(one) == client_address(two) == "2001:db8:1:2::/64"
    assert client_address(other) == "2001:db8:1:3::/64"


def test_ipv4_mapped_ipv6_is_the_ipv4_address(rf):
    assert client_address(request_from(rf, "::ffff:203.0.113.5")) == "203.0.113.5"


def test_the_lockout_sees_the_same_client_as_an_address_field_can_hold(rf, behind_proxy):
    assert lockout_address(request_from(rf, PROXY, "1.1.1.1, 203.0.113.5")) == "203.0.113.5"
    assert lockout_address(request_from(rf, PROXY, "2001:db8:1:2::77")) == "2001:db8:1:2::"


def test_the_opinion_rate_limits_use_the_same_function(rf, behind_proxy):
    assert ratelimit.client_address is client_address


def test_an_unparsable_trusted_proxy_stops_the_site_from_starting(tmp_path):
    from zhitong.core.tests.test_settings import run_check

    result = run_check(
        {"DEBUG": "1", "ZHITONG_DATA_DIR": str(tmp_path), "TRUSTED_PROXIES": "nginx.local"}
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr


@pytest.mark.django_db
def test_read_records_keep_the_clients_own_address_behind_a_proxy(client, behind_proxy):
    from zhitong.core.models import AccessRecord
    from zhitong.opinions.tests.lifecycle_world import build, new_opinion

    world = build()
    opinion = new_opinion(world)
    client.force_login(world.staff)
    response = client.get(
        f"/work/opinions/{opinion.pk}/",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="1.1.1.1, 2001:db8:1:2::77",
    )
    assert response.status_code == 200
    # The whole address (not its /64): a record says who read, as closely as known.
    assert AccessRecord.objects.get().address == "2001:db8:1:2::77"
