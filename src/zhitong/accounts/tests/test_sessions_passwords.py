"""Sessions last a working day; passwords have at least twelve characters."""

import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhitong.accounts.models import Role
from zhitong.demo.accounts import DEMO_PASSWORD
from zhitong.testing.factories import UserFactory

PASSWORD = "pass-1234-zt"


@pytest.fixture
def staffer(district):
    return UserFactory(username="wang", role=Role.STAFF, region=district)


def test_a_session_ends_after_eight_hours(client, staffer):
    before = timezone.now()
    response = client.post("/accounts/login/", {"username": "wang", "password": PASSWORD})
    assert response.status_code == 302
    session = Session.objects.get()
    lasts = session.expire_date - before
    assert datetime.timedelta(hours=7, minutes=59) < lasts <= datetime.timedelta(hours=8, seconds=5)


def test_the_session_cookie_goes_when_the_browser_closes(client, staffer):
    client.post("/accounts/login/", {"username": "wang", "password": PASSWORD})
    cookie = client.cookies["sessionid"]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie["httponly"]


def test_an_expired_session_is_signed_out(client, staffer):
    client.post("/accounts/login/", {"username": "wang", "password": PASSWORD})
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/accounts/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", [Role.STAFF, Role.CITIZEN])
def test_passwords_need_twelve_characters_for_every_role(role):
    user = UserFactory.build(role=role, username="someone")
    with pytest.raises(ValidationError) as error:
        validate_password("Hz-2026-qwe", user)  # eleven
    assert any(e.code == "password_too_short" for e in error.value.error_list)
    validate_password("Hz-2026-qwer", user)  # twelve


def test_the_demo_and_test_passwords_are_long_enough():
    validate_password(DEMO_PASSWORD)
    validate_password(PASSWORD)


def test_a_short_new_password_is_refused_in_chinese(client, staffer):
    client.force_login(staffer)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Hz-26-qwer", "new_password2": "Hz-26-qwer"},
    )
    assert response.status_code == 200
    assert "至少 12 个字符" in response.text
    staffer.refresh_from_db()
    assert staffer.check_password(PASSWORD)
