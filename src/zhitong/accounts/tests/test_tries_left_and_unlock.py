"""The login page says how many tries are left before the lockout; an administrator or the
committee's staff unlock an account from the work pages, recorded on the account's
timeline."""

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from zhitong.accounts.invitations import account_unlock
from zhitong.accounts.models import Role
from zhitong.accounts.verbs import AccountVerb
from zhitong.core.models import Event
from zhitong.testing.factories import UserFactory

PASSWORD = "pass-1234-zt"
LOGIN = "/accounts/login/"
LOCKED_URL = reverse("accounts:locked")


@pytest.fixture
def staffer(district):
    return UserFactory(username="wang", role=Role.STAFF, region=district)


@pytest.fixture
def admin(district):
    return UserFactory(username="guan", role=Role.ADMIN, region=district)


def wrong(client, username="wang", address="198.51.100.7"):
    return client.post(LOGIN, {"username": username, "password": "wrong-one"}, REMOTE_ADDR=address)


def test_tries_left_are_told_before_the_last_wrong_password(client, staffer):
    # Limit 5 per account and address: quiet at first, then 3, 2, 1 tries left.
    assert "再输错" not in wrong(client).text
    for left in (3, 2, 1):
        page = wrong(client)
        assert page.status_code == 200
        assert f"再输错 {left} 次，账号将被锁定 30 分钟" in page.text
    assert wrong(client).status_code == 429


def test_the_right_password_after_failures_signs_in_and_resets(client, staffer):
    wrong(client)
    wrong(client)
    response = client.post(
        LOGIN, {"username": "wang", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="wang").exists()


def test_an_admin_unlocks_a_locked_account_from_the_work_pages(client, staffer, admin):
    for _ in range(5):
        wrong(client)
    assert (
        client.post(
            LOGIN, {"username": "wang", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
        ).status_code
        == 429
    )

    client.force_login(admin)
    page = client.get(LOCKED_URL)
    assert page.status_code == 200 and "wang" in page.text and "解除锁定" in page.text
    response = client.post(reverse("accounts:unlock", args=[staffer.pk]))
    assert response.status_code == 302
    event = Event.objects.get(verb=AccountVerb.ACCOUNT_UNLOCKED)
    assert (event.object_id, event.actor_id) == (str(staffer.pk), admin.pk)
    client.logout()
    signed = client.post(
        LOGIN, {"username": "wang", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )
    assert signed.status_code == 302


def test_the_committee_staff_unlock_too_but_never_an_administrator(client, district, staffer):
    colleague = UserFactory(username="li", role=Role.STAFF, region=district)
    admin = UserFactory(username="guan2", role=Role.ADMIN, region=district)
    for username in ("wang", "guan2"):
        wrong(client, username=username)
    client.force_login(colleague)
    page = client.get(LOCKED_URL)
    assert page.status_code == 200 and "wang" in page.text and "guan2" not in page.text
    assert client.post(reverse("accounts:unlock", args=[staffer.pk])).status_code == 302
    assert not AccessAttempt.objects.filter(username="wang").exists()
    assert client.post(reverse("accounts:unlock", args=[admin.pk])).status_code == 404
    assert AccessAttempt.objects.filter(username="guan2").exists()
    event = Event.objects.get(verb=AccountVerb.ACCOUNT_UNLOCKED)
    assert event.actor_id == colleague.pk


@pytest.mark.parametrize(
    "role",
    [Role.LEADER, Role.STREET, Role.LIAISON, Role.DEPUTY, Role.UNIT, Role.CITIZEN],
)
def test_only_administrators_and_committee_staff_unlock(client, district, staffer, role):
    wrong(client)
    extra = {"region": district} if role in (Role.STAFF, Role.LEADER, Role.STREET) else {}
    if role == Role.UNIT:
        from zhitong.testing.factories import HandlingUnitFactory

        extra = {"unit": HandlingUnitFactory(region=district)}
    user = UserFactory(role=role, **extra)
    client.force_login(user)
    assert client.get(LOCKED_URL).status_code == 403
    assert client.post(reverse("accounts:unlock", args=[staffer.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        account_unlock(user=staffer, by=user)
    assert AccessAttempt.objects.filter(username="wang").exists()
    assert not Event.objects.filter(verb=AccountVerb.ACCOUNT_UNLOCKED).exists()


def test_an_administrator_of_another_district_does_not_find_the_account(client, district, staffer):
    from zhitong.regions.models import RegionLevel
    from zhitong.testing.factories import RegionFactory

    far = RegionFactory(
        code="420102", name="江岸区", level=RegionLevel.DISTRICT, parent=district.parent
    )
    wrong(client)
    client.force_login(UserFactory(role=Role.ADMIN, region=far))
    assert "wang" not in client.get(LOCKED_URL).text
    assert client.post(reverse("accounts:unlock", args=[staffer.pk])).status_code == 404
