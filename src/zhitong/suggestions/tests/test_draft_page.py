"""Raising opinions into a suggestion leads to the draft it made; who may open the draft."""

import pytest
from django.urls import reverse

from zhitong.opinions.models import Status
from zhitong.opinions.tests.lifecycle_world import build, new_opinion
from zhitong.suggestions.models import Suggestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return build()


def raise_draft(client, w):
    opinion = new_opinion(w, status=Status.RECEIVED, subject="小区照明不足")
    client.force_login(w.deputy)
    response = client.post(
        reverse("suggestions:raise_from_opinion", args=[opinion.pk]),
        {"title": "关于改善小区照明的建议", "content": "增设路灯。", "others": ""},
    )
    return opinion, response


def test_generating_a_draft_leads_to_the_draft(client, w):
    opinion, response = raise_draft(client, w)
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/work/suggestions/{suggestion.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "已生成代表建议草稿" in page
    assert "关于改善小区照明的建议" in page and "增设路灯。" in page
    assert "张甲" in page
    assert f'href="/work/opinions/{opinion.pk}/"' in page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("deputy", 200),
        # A draft is the deputy's own work until they submit it (issue 12).
        ("staff", 404),
        ("leader", 404),
        ("street", 404),
        ("far_staff", 404),
        ("other_deputy", 404),
        ("liaison", 404),
        ("unit", 404),
        ("citizen", 404),
    ],
)
def test_who_may_open_the_draft(client, w, who, status):
    raise_draft(client, w)
    suggestion = Suggestion.objects.get()
    client.force_login(w.users[who])
    assert client.get(f"/work/suggestions/{suggestion.pk}/").status_code == status


def test_a_missing_draft_is_not_found(client, w):
    client.force_login(w.deputy)
    assert client.get("/work/suggestions/999999/").status_code == 404
