"""Accounts from the rosters (全进网): made in bulk, invited, first sign-in by the link,
the list of who has not signed in, sending again; who may do it."""

import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from zhitong.accounts.models import Invitation, Role, User
from zhitong.accounts.verbs import AccountVerb
from zhitong.core.models import Event
from zhitong.notifications.models import Message
from zhitong.notifications.senders import MemorySender
from zhitong.testing import factories as f

from .test_views import account

pytestmark = pytest.mark.django_db

PEOPLE_URL = reverse("imports:people")
NEW_PASSWORD = "Qiang-mima-2026!"


@pytest.fixture
def outbox(settings):
    settings.NOTIFY_SMS_BACKEND = "zhitong.notifications.senders.MemorySender"
    settings.NOTIFY_EMAIL_BACKEND = "zhitong.notifications.senders.MemorySender"
    MemorySender.outbox.clear()
    yield MemorySender.outbox
    MemorySender.outbox.clear()


@pytest.fixture
def roster(place):
    district = place["district"]
    return {
        "zhang": f.DeputyFactory(district=district, name="张红", mobile="13800000001"),
        "li": f.DeputyFactory(district=district, name="李明", mobile=""),
        "unit": f.HandlingUnitFactory(
            region=district,
            name="武昌区教育局",
            contact_person="赵联系",
            contact_phone="13900000002",
        ),
    }


def link_in(text: str) -> str:
    return re.search(r"http://\S+/accounts/invite/[^/\s]+/", text).group(0)


def create(client, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(PEOPLE_URL, data)


def test_invitation_end_to_end(
    client, place, staff, roster, outbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    response = create(
        client,
        {"deputies": [roster["zhang"].pk, roster["li"].pk], "units": [roster["unit"].pk]},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302

    zhang = User.objects.get(deputy=roster["zhang"])
    assert (zhang.role, zhang.username, zhang.has_usable_password()) == (
        Role.DEPUTY,
        roster["zhang"].public_code.lower(),
        False,
    )
    handler = User.objects.get(unit=roster["unit"])
    assert (handler.role, handler.display_name) == (Role.UNIT, "赵联系")
    # 李明 has an account but no mobile: no invitation.
    assert User.objects.filter(deputy=roster["li"]).exists()
    assert not Invitation.objects.filter(user__deputy=roster["li"]).exists()
    assert sorted(m["to"] for m in outbox) == ["13800000001", "13900000002"]

    # The stored messages and invitations hold no token.
    sms = next(m for m in outbox if m["to"] == "13800000001")
    url = link_in(sms["body"])
    token = url.rstrip("/").rsplit("/", 1)[1]
    stored = Message.objects.get(to="13800000001")
    assert token not in stored.body and "••••" in stored.body
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert Event.objects.filter(verb=AccountVerb.ACCOUNT_CREATED).count() == 3

    # The person opens the link and sets a password: signed in.
    client.logout()
    path = "/" + url.split("/", 3)[3]
    page = client.get(path)
    assert page.status_code == 200 and zhang.username in page.text
    bad = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": "something-else"})
    assert bad.status_code == 400
    done = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:home")
    assert client.session["_auth_user_id"] == str(zhang.pk)
    zhang.refresh_from_db()
    assert zhang.check_password(NEW_PASSWORD)

    # The link a second time: refused, in Chinese, pointing to staff.
    client.logout()
    again = client.get(path)
    assert again.status_code == 410
    assert "已经用过了" in again.text and "重新发送邀请" in again.text
    replay = client.post(
        path, {"new_password1": "Other-pass-2026!", "new_password2": "Other-pass-2026!"}
    )
    assert replay.status_code == 410
    zhang.refresh_from_db()
    assert zhang.check_password(NEW_PASSWORD)
    # And by their own password from now on.
    signed = client.post(
        reverse("accounts:login"), {"username": zhang.username, "password": NEW_PASSWORD}
    )
    assert signed.status_code == 302


def test_an_expired_link_says_so(
    client, place, staff, roster, outbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    create(client, {"deputies": [roster["zhang"].pk]}, django_capture_on_commit_callbacks)
    path = "/" + link_in(outbox[0]["body"]).split("/", 3)[3]
    client.logout()
    with time_machine.travel(timezone.now() + timezone.timedelta(days=8), tick=False):
        response = client.get(path)
    assert response.status_code == 410 and "已经过期" in response.text


def test_sending_again_withdraws_the_earlier_link_and_the_list_shows_who_waits(
    client, place, staff, roster, outbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    create(client, {"everyone": "on"}, django_capture_on_commit_callbacks)
    # everyone: both deputies and the unit handler.
    assert User.objects.filter(role__in=[Role.DEPUTY, Role.UNIT]).count() == 3
    first = "/" + link_in(outbox[0]["body"]).split("/", 3)[3]
    zhang = User.objects.get(deputy=roster["zhang"])

    page = client.get(PEOPLE_URL, {"role": Role.DEPUTY})
    assert page.status_code == 200
    assert zhang.username in page.text and "handler" not in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:invite_again", args=[zhang.pk]))
    assert response.status_code == 302
    second = "/" + link_in(outbox[-1]["body"]).split("/", 3)[3]
    assert second != first
    client.logout()
    assert "已作废" in client.get(first).text
    assert client.get(second).status_code == 200


def test_the_not_signed_in_list_is_keyset_paged(client, place, staff):
    for _ in range(3):
        f.UserFactory(role=Role.UNIT, unit=f.HandlingUnitFactory(region=place["district"]))
    from zhitong.imports.people import not_signed_in

    rows, after = not_signed_in(staff, size=2)
    assert len(rows) == 2 and after == rows[-1].pk
    rest, end = not_signed_in(staff, after=after, size=2)
    assert len(rest) == 1 and end is None
    assert rest[0].pk > after


def test_the_form_refuses_an_empty_choice_and_someone_out_of_scope(
    client, place, staff, roster, far_district
):
    client.force_login(staff)
    response = client.post(PEOPLE_URL, {})
    assert response.status_code == 400
    assert "请勾选要开通账号的人" in response.text
    far = f.DeputyFactory(district=far_district, mobile="13800000009")
    response = client.post(PEOPLE_URL, {"deputies": [far.pk]})
    assert response.status_code == 400
    assert not User.objects.filter(deputy=far).exists()


@pytest.mark.parametrize(
    "role", [Role.LEADER, Role.STREET, Role.LIAISON, Role.DEPUTY, Role.UNIT, Role.CITIZEN]
)
def test_other_roles_cannot_make_accounts_or_invite(client, place, roster, role):
    waiting = f.UserFactory(role=Role.UNIT, unit=roster["unit"], phone="13900000002")
    client.force_login(account(role, place["district"]))
    assert client.get(PEOPLE_URL).status_code == 403
    assert client.post(PEOPLE_URL, {"everyone": "on"}).status_code == 403
    assert client.post(reverse("imports:invite_again", args=[waiting.pk])).status_code == 403
    assert not Invitation.objects.exists()


def test_staff_of_another_district_do_not_find_the_account(client, place, roster, far_district):
    waiting = f.UserFactory(role=Role.UNIT, unit=roster["unit"], phone="13900000002")
    client.force_login(account(Role.STAFF, far_district))
    assert client.post(reverse("imports:invite_again", args=[waiting.pk])).status_code == 404
    assert roster["zhang"].name not in client.get(PEOPLE_URL).text


def test_the_invitation_page_is_rate_limited_and_a_refusal_leaves_nothing(
    client, settings, staff, roster, outbox, django_capture_on_commit_callbacks
):
    settings.INVITATION_RATE = (3, 3600)
    client.force_login(staff)
    create(client, {"deputies": [roster["zhang"].pk]}, django_capture_on_commit_callbacks)
    path = "/" + link_in(outbox[0]["body"]).split("/", 3)[3]
    client.logout()
    for n in range(3):
        assert (
            client.get(f"/accounts/invite/guess{n}/", REMOTE_ADDR="198.51.100.9").status_code == 404
        )
    events = Event.objects.count()
    refused = client.post(
        path,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR="198.51.100.9",
    )
    assert refused.status_code == 429 and "太多" in refused.text
    assert Event.objects.count() == events
    assert Invitation.objects.get().used_at is None
    assert not User.objects.get(deputy=roster["zhang"]).has_usable_password()
    # Another address is not held back.
    assert client.get(path, REMOTE_ADDR="203.0.113.5").status_code == 200
