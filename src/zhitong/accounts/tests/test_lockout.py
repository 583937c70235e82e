"""Login lockout counted per account and address, per account, and per address
(zhitong.accounts.lockout), by the client's real address behind a proxy."""

import pytest
from axes.models import AccessAttempt

from zhitong.accounts.models import Role
from zhitong.testing.factories import UserFactory

PASSWORD = "pass-1234-zt"
LOGIN = "/accounts/login/"


@pytest.fixture
def staffer(district):
    return UserFactory(username="wang", role=Role.STAFF, region=district)


def login(client, username, password, address):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_limits_and_the_client_address_are_configured(settings):
    assert settings.AXES_LOCKOUT_PARAMETERS == [
        ["username", "ip_address"],
        "username",
        "ip_address",
    ]
    assert (
        settings.AXES_FAILURE_LIMIT,
        settings.AXES_ACCOUNT_FAILURE_LIMIT,
        settings.AXES_ADDRESS_FAILURE_LIMIT,
    ) == (5, 10, 30)
    assert settings.AXES_CLIENT_IP_CALLABLE == "zhitong.core.clientip.lockout_address"


def test_spraying_many_accounts_from_one_address_locks_the_address(client, staffer):
    # 30 wrong passwords, each on a different account (most of them not even existing).
    for n in range(29):
        assert login(client, f"user{n}", "Password123!", "198.51.100.7").status_code == 200
    thirtieth = login(client, "user29", "Password123!", "198.51.100.7")
    assert thirtieth.status_code == 429
    assert "登录已暂时暂停" in thirtieth.text
    assert "从您所在的网络登录失败次数过多（30 次）" in thirtieth.text

    # Nobody signs in from that address now, not even with the right password...
    refused = login(client, "wang", PASSWORD, "198.51.100.7")
    assert refused.status_code == 429
    assert not signed_in(client)
    # ...and that refusal did not count against wang's account.
    assert not AccessAttempt.objects.filter(username="wang").exists()
    # From another address, wang signs in.
    assert login(client, "wang", PASSWORD, "203.0.113.20").status_code == 302
    assert signed_in(client)


def test_one_account_guessed_from_six_addresses_is_locked(client, staffer, district):
    UserFactory(username="li", role=Role.STAFF, region=district)
    addresses = [f"203.0.113.{n}" for n in range(1, 6)]
    # Two guesses from each of five addresses: no address and account pair reaches 5.
    responses = [login(client, "wang", "Guess-2026-xx", a) for a in addresses for _ in range(2)]
    assert [r.status_code for r in responses] == [200] * 9 + [429]
    assert "账号已暂时锁定" in responses[-1].text
    assert "此账号近期登录失败次数过多（10 次" in responses[-1].text

    # The owner, from a sixth address and with the right password, is told it is locked.
    owner = login(client, "wang", PASSWORD, "198.51.100.99")
    assert owner.status_code == 429
    assert "账号已暂时锁定" in owner.text
    assert "请在 30 分钟后再试，或联系系统管理员解除锁定" in owner.text
    assert "/accounts/password/reset/" in owner.text
    assert not signed_in(client)
    # Another account is not affected, from any of those addresses.
    assert login(client, "li", PASSWORD, addresses[0]).status_code == 302


def test_a_success_clears_the_accounts_failures_but_not_the_addresss(client, staffer):
    for n in range(25):
        login(client, f"user{n}", "Password123!", "198.51.100.7")
    for _ in range(4):
        login(client, "wang", "wrong-one", "198.51.100.7")
    # 29 failures from the address; wang's own 4 go with wang's successful sign-in...
    assert login(client, "wang", PASSWORD, "198.51.100.7").status_code == 302
    client.post("/accounts/logout/")
    assert not AccessAttempt.objects.filter(username="wang").exists()
    # ...but the 25 on other accounts stay: five more lock the address.
    for n in range(4):
        assert login(client, f"other{n}", "Password123!", "198.51.100.7").status_code == 200
    assert login(client, "other4", "Password123!", "198.51.100.7").status_code == 429


def test_behind_a_proxy_each_client_is_counted_by_its_own_address(client, staffer, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]

    def via_proxy(password, client_ip):
        return client.post(
            LOGIN,
            {"username": "wang", "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=client_ip,
        )

    for _ in range(4):
        assert via_proxy("wrong-one", "198.51.100.7").status_code == 200
    assert via_proxy("wrong-one", "198.51.100.7").status_code == 429
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"
    # Someone else behind the same proxy is not locked out by that.
    assert via_proxy(PASSWORD, "203.0.113.20").status_code == 302


def test_a_forged_forwarded_for_does_not_escape_the_lockout(client, staffer, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for n in range(5):
        response = client.post(
            LOGIN,
            {"username": "wang", "password": "wrong-one"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7",
        )
    assert response.status_code == 429
