"""New opinions (新意见): the deputy a citizen writes to through their QR code hears at once
(in the centre, and by SMS to their mobile number unless they chose otherwise); the station's
liaisons at once in the centre; staff and street committees in their daily digest, of their
scope only; whoever chose "不接收" hears nothing. The at-once notices are one task: triage
by anyone takes it off every list."""

import datetime
import re

import pytest
from django.db import transaction
from django.utils import timezone

from zhitong.accounts.models import Role
from zhitong.core.events import event_record
from zhitong.notifications import services as notifications
from zhitong.notifications.models import Delivery, Message, Notification, Preference
from zhitong.notifications.selectors import open_tasks
from zhitong.opinions import intake, services
from zhitong.opinions.models import Channel, Opinion
from zhitong.opinions.news import NEW_OPINION, TRIAGE_TASK
from zhitong.testing import factories as f

from .intake_support import *  # noqa: F403 - the intake fixtures
from .intake_support import form_data, submission_key_from

pytestmark = pytest.mark.django_db


def _deputy_url(deputy):
    return f"/opinions/new/deputy/{deputy.public_code}/"


def _station_url(station):
    return f"/opinions/new/station/{station.public_code}/"


def post_form(client, url, **overrides) -> Opinion:
    data = form_data(**overrides)
    data["submission_key"] = submission_key_from(client.get(url))
    response = client.post(url, data)
    assert response.status_code == 303, re.sub(r"\s+", " ", response.content.decode())[-2000:]
    return Opinion.objects.get(subject=data["subject"])


@pytest.fixture
def people(district, street, station, deputy, deputy_user, liaison, staff):
    """The deputy (with a mobile number), the station's liaison, district staff, the street
    committee of the station's street and of another street, a leader, a unit account."""
    deputy_user.phone = "13800000001"
    deputy_user.save(update_fields=["phone"])
    other_street = f.StreetFactory(parent=district)
    return {
        "deputy": deputy_user,
        "liaison": liaison,
        "staff": staff,
        "street": f.UserFactory(username="street-1", role=Role.STREET, region=street),
        "other_street": f.UserFactory(username="street-2", role=Role.STREET, region=other_street),
        "leader": f.UserFactory(username="leader-1", role=Role.LEADER, region=district),
        "unit": f.UserFactory(
            username="unit-1", role=Role.UNIT, unit=f.HandlingUnitFactory(region=district)
        ),
    }


def notices(user):
    return list(Notification.objects.filter(recipient=user, verb=TRIAGE_TASK))


def test_the_deputy_hears_at_once_of_a_qr_opinion_by_sms_and_in_the_centre(
    client, people, deputy, django_capture_on_commit_callbacks, outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        opinion = post_form(client, _deputy_url(deputy), subject="楼道灯坏了")
    assert opinion.channel == Channel.QR_DEPUTY
    [notice] = notices(people["deputy"])
    assert notice.text == "群众通过您的二维码反映了意见：楼道灯坏了"
    assert notice.url == f"/work/opinions/{opinion.pk}/"
    assert notice.task and notice.done_at is None and notice.subject == opinion
    # The SMS to the deputy's mobile number, with the link to the case page.
    sms = Message.objects.get(channel="sms", to="13800000001")
    assert sms.user == people["deputy"]
    delivered = [m for m in outbox if m["to"] == "13800000001"]
    assert len(delivered) == 1
    assert "楼道灯坏了" in delivered[0]["body"]
    assert f"/work/opinions/{opinion.pk}/" in delivered[0]["body"]
    # The station's liaison hears at once in the centre, with no message.
    [liaison_notice] = notices(people["liaison"])
    assert "楼道灯坏了" in liaison_notice.text
    assert not Message.objects.filter(user=people["liaison"]).exists()
    # Staff and street committees wait for their digest; the leader and units hear nothing.
    for name in ("staff", "street", "other_street", "leader", "unit"):
        assert notices(people[name]) == [], name
    # The citizen's tracking code went as before: two SMS in all.
    assert Message.objects.filter(channel="sms").count() == 2


def test_a_deputy_who_chose_the_centre_only_gets_no_sms(
    client, people, deputy, django_capture_on_commit_callbacks, outbox
):
    notifications.preferences_set(
        user=people["deputy"], choices={NEW_OPINION: Delivery.IMMEDIATE}, by=people["deputy"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_form(client, _deputy_url(deputy), subject="井盖松动")
    assert len(notices(people["deputy"])) == 1
    assert not Message.objects.filter(user=people["deputy"]).exists()


def test_a_deputy_who_chose_none_hears_nothing_and_digest_waits(
    client, people, deputy, django_capture_on_commit_callbacks, outbox
):
    notifications.preferences_set(
        user=people["deputy"], choices={NEW_OPINION: Delivery.NONE}, by=people["deputy"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_form(client, _deputy_url(deputy), subject="井盖松动")
    assert notices(people["deputy"]) == []
    assert not Message.objects.filter(user=people["deputy"]).exists()
    # "None" means none: no digest either.
    notifications.digest_send_all(now=timezone.now() + datetime.timedelta(minutes=1))
    assert not Notification.objects.filter(recipient=people["deputy"]).exists()


def test_staff_who_chose_at_once_hear_of_a_station_qr_opinion(
    client, people, station, community, django_capture_on_commit_callbacks, outbox
):
    notifications.preferences_set(
        user=people["staff"], choices={NEW_OPINION: Delivery.IMMEDIATE}, by=people["staff"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        opinion = post_form(client, _station_url(station), place=str(community.pk))
    [notice] = notices(people["staff"])
    assert notice.text.startswith("新意见（站点二维码 · 首义社区代表联络站）")
    # Not addressed to a deputy: the deputy at the station is not told of it.
    assert notices(people["deputy"]) == []
    assert opinion.deputy is None


def test_triage_by_one_takes_the_task_off_every_list(
    client, people, deputy, categories, django_capture_on_commit_callbacks, outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        opinion = post_form(client, _deputy_url(deputy))
    assert [n.subject for n in open_tasks(people["deputy"])] == [opinion]
    assert [n.subject for n in open_tasks(people["liaison"])] == [opinion]
    with django_capture_on_commit_callbacks(execute=True):
        services.opinion_accept(opinion=opinion, by=people["liaison"])
    assert list(open_tasks(people["deputy"])) == []
    assert list(open_tasks(people["liaison"])) == []
    [done] = notices(people["deputy"])
    assert done.done_by == people["liaison"] and done.done_by_name == "赵联络员"
    assert done.read_at is not None


def test_the_recorder_is_not_told_of_what_they_recorded(
    people, deputy, station, community, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        intake.opinion_record(
            by=people["liaison"],
            data={"subject": "标题", "content": "内容", "place": community},
            station=station,
            deputy=deputy,
            channel=Channel.STATION_VISIT,
        )
    assert notices(people["liaison"]) == []
    [notice] = notices(people["deputy"])
    assert notice.text.startswith("群众向您反映了意见")


# --- the daily digest --------------------------------------------------------------------


def _run(at):
    return notifications.digest_send_all(now=at)


def digests(user):
    return list(Notification.objects.filter(recipient=user, verb="digest"))


def test_the_digest_lists_the_new_opinions_in_scope_with_links_once(
    client, people, station, community, district, django_capture_on_commit_callbacks, outbox
):
    people["staff"].email = "wang@example.gov.cn"
    people["staff"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        mine = post_form(client, _station_url(station), place=str(community.pk), subject="甲事")
    # Another street's opinion: the staff of the district see it, street-1 does not.
    elsewhere = f.StationFactory(region=f.CommunityFactory(parent=people["other_street"].region))
    with django_capture_on_commit_callbacks(execute=True):
        theirs = post_form(client, _station_url(elsewhere), subject="乙事")
    # A ledger import is not news; nor is an opinion of another district.
    far = f.RegionFactory(code="420102", name="江岸区", level="district", parent=district.parent)
    for other in (
        f.OpinionFactory(district=district, channel=Channel.IMPORT, subject="台账"),
        f.OpinionFactory(district=far, subject="丙事"),
    ):
        with transaction.atomic():
            event_record(actor=None, subject=other, verb="received", to_state="received")

    later = timezone.now() + datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        sent, failed = _run(later)
    assert failed == 0
    [staff_digest] = digests(people["staff"])
    assert staff_digest.text == "每日汇总：新意见 2 条"
    assert [item["url"] for item in staff_digest.items] == [
        f"/work/opinions/{mine.pk}/",
        f"/work/opinions/{theirs.pk}/",
    ]
    assert "甲事" in staff_digest.items[0]["text"]
    [street_digest] = digests(people["street"])
    assert [item["url"] for item in street_digest.items] == [f"/work/opinions/{mine.pk}/"]
    [other_digest] = digests(people["other_street"])
    assert [item["url"] for item in other_digest.items] == [f"/work/opinions/{theirs.pk}/"]
    # The deputy and liaison heard at once; the leader and the unit hear nothing.
    for name in ("deputy", "liaison", "leader", "unit"):
        assert digests(people[name]) == [], name
    # An e-mail for the one with an address, listing both with full links.
    [email] = [m for m in outbox if m["to"] == "wang@example.gov.cn"]
    assert "新意见 2 条" in email["subject"]
    assert f"http://127.0.0.1:8000/work/opinions/{mine.pk}/" in email["body"]
    assert "甲事" in email["body"] and "乙事" in email["body"]
    assert "丙事" not in email["body"] and "台账" not in email["body"]
    # The window is recorded per user: a second run the same day sends nothing again.
    assert Preference.objects.get(user=people["staff"], kind=NEW_OPINION).digest_sent_at == later
    with django_capture_on_commit_callbacks(execute=True):
        assert _run(later + datetime.timedelta(hours=2)) == (0, 0)
    assert len(digests(people["staff"])) == 1
    assert len([m for m in outbox if m["to"] == "wang@example.gov.cn"]) == 1


def test_the_digest_page_in_the_centre_links_each_opinion(
    client, people, station, community, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        opinion = post_form(client, _station_url(station), place=str(community.pk), subject="甲事")
    _run(timezone.now() + datetime.timedelta(minutes=5))
    client.force_login(people["street"])
    page = client.get("/work/notifications/").content.decode()
    assert "每日汇总：新意见 1 条" in page
    assert f'href="/work/opinions/{opinion.pk}/"' in page
