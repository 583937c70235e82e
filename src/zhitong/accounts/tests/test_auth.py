"""Signing in and out, changing the password, and the lockout after repeated failures."""

import pytest
from django.urls import reverse

from zhitong.accounts.models import Role
from zhitong.testing.factories import UserFactory

PASSWORD = "pass-1234-zt"
LOGIN = "/accounts/login/"


@pytest.fixture
def staffer(district):
    return UserFactory(username="wang", role=Role.STAFF, region=district, display_name="王工")


def login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_urls_are_where_base_html_expects_them():
    assert reverse("accounts:login") == LOGIN
    assert reverse("accounts:logout") == "/accounts/logout/"
    assert reverse("accounts:home") == "/accounts/home/"
    assert reverse("accounts:password_change") == "/accounts/password/"


def test_login_page_is_in_chinese(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "登录工作平台" in response.text
    assert 'name="username"' in response.text


def test_login_lands_on_home(client, staffer):
    response = login(client, "wang", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    home = client.get(response["Location"])
    assert "常委会工作人员工作台" in home.text


def test_login_honours_safe_next_and_ignores_foreign_next(client, staffer):
    response = login(client, "wang", PASSWORD, next="/work/stations/")
    assert response["Location"] == "/work/stations/"
    client.logout()
    response = login(client, "wang", PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse("accounts:home")


def test_wrong_password_is_refused_in_chinese(client, staffer):
    response = login(client, "wang", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.text
    assert "_auth_user_id" not in client.session


def test_inactive_account_cannot_log_in(client, staffer):
    staffer.is_active = False
    staffer.save()
    response = login(client, "wang", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_signed_in_user_visiting_login_goes_home(client, staffer):
    client.force_login(staffer)
    response = client.get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")


def test_logout_needs_post(client, staffer):
    client.force_login(staffer)
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/home/").status_code == 302


def test_password_change(client, staffer):
    client.force_login(staffer)
    page = client.get("/accounts/password/")
    assert page.status_code == 200
    assert "修改密码" in page.text

    bad = client.post(
        "/accounts/password/",
        {
            "old_password": "not-it",
            "new_password1": "Hz-2026-qwer",
            "new_password2": "Hz-2026-qwer",
        },
    )
    assert bad.status_code == 200
    staffer.refresh_from_db()
    assert staffer.check_password(PASSWORD)

    good = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Hz-2026-qwer",
            "new_password2": "Hz-2026-qwer",
        },
    )
    assert good.status_code == 302
    assert good["Location"] == reverse("accounts:password_change_done")
    assert "新密码已生效" in client.get(good["Location"]).text
    staffer.refresh_from_db()
    assert staffer.check_password("Hz-2026-qwer")
    # The session survives the change (Django updates the session hash).
    assert client.get("/accounts/home/").status_code == 200


def test_password_change_needs_login(client, db):
    response = client.get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_five_wrong_passwords_lock_the_account(client, staffer):
    for _ in range(4):
        assert login(client, "wang", "wrong").status_code == 200
    fifth = login(client, "wang", "wrong")
    assert fifth.status_code == 429
    assert "账号已暂时锁定" in fifth.text
    assert "联系系统管理员" in fifth.text
    assert "30 分钟" in fifth.text

    # Even the right password is refused while locked.
    right = login(client, "wang", PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_successful_login_resets_the_failure_count(client, staffer):
    for _ in range(4):
        login(client, "wang", "wrong")
    assert login(client, "wang", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert login(client, "wang", "wrong").status_code == 200
    assert login(client, "wang", PASSWORD).status_code == 302


def test_lockout_of_one_account_leaves_others_alone(client, staffer, district):
    UserFactory(username="li", role=Role.STAFF, region=district)
    for _ in range(5):
        login(client, "wang", "wrong")
    assert login(client, "li", PASSWORD).status_code == 302
