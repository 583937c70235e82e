"""Hot topics of the opinions (opinions.topics): the topics page, role by role, and the
district overview's section."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from zhitong.opinions import topics
from zhitong.opinions.models import Status
from zhitong.opinions.tests.lifecycle_world import build, new_opinion

pytestmark = pytest.mark.django_db

STIR = [
    ("丽发新城搅拌站噪音扰民", "丽发新城小区旁边的搅拌站每天晚上施工，噪音和粉尘很大，请求搬迁。"),
    ("投诉丽发新城附近搅拌站", "丽发新城旁的搅拌站夜间噪音扰民，粉尘污染严重，希望尽快搬迁。"),
    ("丽发新城搅拌站粉尘大", "丽发新城小区附近搅拌站粉尘大，孩子没法开窗，请有关部门查处搅拌站。"),
]


@pytest.fixture
def w(db):
    cache.clear()
    yield build()
    cache.clear()


def stir(w, **kw):
    made = []
    for i, (subject, content) in enumerate(STIR):
        made.append(
            new_opinion(
                w,
                subject=subject,
                content=content,
                submitter_phone=f"1390000{i:04d}",
                **kw,
            )
        )
    return made


def test_the_opinions_of_one_matter_in_a_street_are_a_topic(w):
    made = stir(w)
    new_opinion(w, subject="候车亭破损", content="中南路公交站的候车亭顶棚破损，希望尽快维修。")
    found = topics.hot_topics(w.staff)
    assert len(found) == 1
    hot = found[0]
    assert {o.pk for o in hot.opinions} == {o.pk for o in made}
    assert hot.topic.people == 3 and hot.topic.place == w.street_a.name
    assert hot.communities == [w.community_a.name]
    assert "搅拌站" in hot.topic.keywords


def test_declined_old_and_other_streets_do_not_make_a_topic(w):
    a, b, c = stir(w)
    c.status = Status.DECLINED
    c.save(update_fields=["status"])
    b.received_at = timezone.now() - datetime.timedelta(days=topics.RECENT_DAYS + 5)
    b.save(update_fields=["received_at"])
    assert topics.hot_topics(w.staff) == []
    cache.clear()
    new_opinion(w, subject=STIR[1][0], content=STIR[1][1], street=w.street_b, place=None)
    assert topics.hot_topics(w.staff) == []


def test_the_topics_page_shows_each_topic_with_its_heat_and_opinions(w, client):
    made = stir(w)
    client.force_login(w.staff)
    response = client.get(reverse("opinions:topics"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "热点问题" in page and "热度" in page and "3 件意见" in page
    for opinion in made:
        assert reverse("opinions:detail", args=[opinion.pk]) in page


def test_the_topics_page_says_when_there_is_none(w, client):
    client.force_login(w.staff)
    page = client.get(reverse("opinions:topics")).content.decode()
    assert "没有两件以上说同一件事的意见" in page


@pytest.mark.parametrize(
    "role, status, sees",
    [
        ("staff", 200, True),
        ("leader", 200, True),
        ("admin", 200, True),
        ("street", 200, True),
        # Units, deputies and liaisons see topics among the opinions they may open.
        ("unit", 200, False),
        ("other_liaison", 200, False),
        ("far_staff", 200, False),
        ("citizen", 403, False),
    ],
)
def test_topics_are_of_what_each_role_may_open(w, client, role, status, sees):
    made = stir(w)
    client.force_login(w.users[role])
    response = client.get(reverse("opinions:topics"))
    assert response.status_code == status
    page = response.content.decode()
    assert (reverse("opinions:detail", args=[made[0].pk]) in page) is sees


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("opinions:topics"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_overview_shows_the_hottest_topics(w, client):
    stir(w)
    client.force_login(w.leader)
    page = client.get(reverse("dashboards:overview")).content.decode()
    section = page[page.index('id="hot-topics-heading"') :]
    assert "丽发新城" in section and "热度" in section
    assert reverse("opinions:topics") in section
