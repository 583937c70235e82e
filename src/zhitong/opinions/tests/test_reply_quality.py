"""The reply-quality aid on the case page: shown to those who review replies, beside each
unit's reply, with its reasons; not to the unit that wrote it."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from zhitong.core.events import event_record
from zhitong.handling.models import Assignment
from zhitong.opinions import services
from zhitong.opinions.models import Status
from zhitong.opinions.tests.lifecycle_world import build, new_opinion

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    cache.clear()
    return build()


def replied(w, text):
    opinion = new_opinion(
        w,
        subject="丽发新城搅拌站噪音扰民",
        content="丽发新城小区旁边的搅拌站每天晚上施工到凌晨，噪音很大。请问搅拌站什么时候搬迁？",
    )
    with transaction.atomic():
        event_record(actor=None, subject=opinion, verb="received", to_state=Status.RECEIVED)
    services.opinion_accept(opinion=opinion, by=w.staff)
    services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing)
    lead = opinion.referrals.get(role=Assignment.Role.LEAD)
    services.referral_accept(referral=lead, by=w.unit)
    services.reply_submit(referral=lead, by=w.unit, text=text)
    return opinion


def test_the_reviewer_sees_the_aid_with_what_the_reply_leaves_out(w, client):
    opinion = replied(w, "您好！您的留言已收悉，我们将认真研究。感谢您的关心。")
    client.force_login(w.staff)
    page = client.get(reverse("opinions:detail", args=[opinion.pk])).content.decode()
    aid = page[page.index("答复质量参考") :]
    assert "辅助审核，不作结论" in aid
    assert "未回应：请问搅拌站什么时候搬迁？" in aid
    assert "缺：调查结果或原因、政策法规依据、具体措施、时间节点或期限" in aid
    assert "交办后 0 天答复" in aid


@pytest.mark.parametrize("role, sees", [("staff", True), ("unit", False), ("co_unit", False)])
def test_the_aid_is_for_reviewers_only(w, client, role, sees):
    opinion = replied(w, "经现场调查，已责令搅拌站停止夜间施工，将于3月底前搬迁。")
    client.force_login(w.users[role])
    response = client.get(reverse("opinions:detail", args=[opinion.pk]))
    assert ("答复质量参考" in response.content.decode()) is sees
