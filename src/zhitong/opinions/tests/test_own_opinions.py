"""A citizen or an enterprise signed in sees the opinions they sent on their home page: each
with its state, date and tracking code, linking to its public page; paged; never another's."""

import datetime
import re

import pytest
from django.utils import timezone

from zhitong.accounts.models import Role
from zhitong.opinions.models import Opinion, Status
from zhitong.testing import factories as f

from .intake_support import *  # noqa: F403 - the intake fixtures
from .intake_support import form_data, submission_key_from

pytestmark = pytest.mark.django_db

HOME = "/accounts/home/"


def _station_url(station):
    return f"/opinions/new/station/{station.public_code}/"


def send(client, station, community, **overrides) -> Opinion:
    url = _station_url(station)
    data = form_data(place=str(community.pk), **overrides)
    data["submission_key"] = submission_key_from(client.get(url))
    response = client.post(url, data)
    assert response.status_code == 303, re.sub(r"\s+", " ", response.content.decode())[-3000:]
    return Opinion.objects.get(submission_key__isnull=False, subject=data["subject"])


@pytest.fixture
def citizens(db):
    return (
        f.UserFactory(username="citizen_a", role=Role.CITIZEN),
        f.UserFactory(username="citizen_b", role=Role.ENTERPRISE),
    )


def own_list(client) -> list[tuple[str, str]]:
    """(tracking code, state) of each opinion listed on the home page, in order."""
    text = client.get(HOME).content.decode()
    listed = re.search(r'<ul[^>]*id="own-opinions">(.*?)</ul>', text, re.S)
    if listed is None:
        return []
    items = re.findall(
        r'href="/opinions/track/([A-Z0-9-]+)/">[^<]*</a>\s*<span class="badge[^"]*">([^<]*)</span>',
        listed.group(1),
    )
    return items


def test_an_opinion_sent_signed_in_is_the_citizens_own(client, citizens, station, community):
    citizen, _other = citizens
    client.force_login(citizen)
    opinion = send(client, station, community, subject="路灯不亮")
    assert opinion.submitted_by == citizen
    text = client.get(HOME).content.decode()
    assert f'href="/opinions/track/{opinion.tracking_code}/"' in text
    assert "路灯不亮" in text
    assert timezone.localtime(opinion.received_at).strftime("%Y-%m-%d") in text
    assert own_list(client) == [(opinion.tracking_code, "待受理")]


def test_the_list_shows_the_current_state(client, citizens, station, community):
    citizen, _other = citizens
    client.force_login(citizen)
    opinion = send(client, station, community)
    Opinion.objects.filter(pk=opinion.pk).update(status=Status.CLOSED)
    assert own_list(client) == [(opinion.tracking_code, "已办结")]


def test_two_citizens_each_see_only_their_own(client, citizens, station, community):
    first, second = citizens
    client.force_login(first)
    mine = send(client, station, community, subject="我的意见")
    client.force_login(second)
    theirs = send(client, station, community, subject="企业的意见")
    assert theirs.submitted_by == second
    assert own_list(client) == [(theirs.tracking_code, "待受理")]
    client.force_login(first)
    assert own_list(client) == [(mine.tracking_code, "待受理")]
    assert "企业的意见" not in client.get(HOME).content.decode()


def test_an_opinion_sent_signed_out_belongs_to_nobody(client, citizens, station, community):
    opinion = send(client, station, community)
    assert opinion.submitted_by is None
    client.force_login(citizens[0])
    assert own_list(client) == []
    assert "您登录后提交的意见建议会列在这里" in client.get(HOME).content.decode()


def test_the_list_is_paged_newest_first(client, citizens, station, community):
    citizen, _other = citizens
    client.force_login(citizen)
    # Sent over a month (the form's rate limit allows 5 in 10 minutes from one network).
    sent = [
        f.OpinionFactory(
            submitted_by=citizen,
            subject=f"意见第{n}件",
            received_at=datetime.datetime(2025, 3, 1 + n, 10, tzinfo=datetime.UTC),
        )
        for n in range(12)
    ]
    first_page = own_list(client)
    assert len(first_page) == 10
    assert first_page[0][0] == sent[-1].tracking_code
    text = client.get(HOME).content.decode()
    assert 'href="?page=2"' in text
    second = client.get(HOME + "?page=2").content.decode()
    listed = re.findall(r'href="/opinions/track/([A-Z0-9-]+)/"', second)
    assert listed == [sent[1].tracking_code, sent[0].tracking_code]
    # A page out of range or not a number gives a page, never an error.
    assert client.get(HOME + "?page=99").status_code == 200
    assert client.get(HOME + "?page=x").status_code == 200
