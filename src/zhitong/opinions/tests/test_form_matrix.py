"""Each role sees only what it can do: for every role and every state of an opinion, the
case page holds exactly the action forms whose POST the role would get accepted.

For each (role, state) the page is read once; then every action endpoint of the case is
posted with data a user would send (inside a savepoint rolled back after each post, so the
opinion stays in its state). A form on the page whose post is refused (403, 404, or a 400
with the services' refusal) is a form the role should not have seen; an accepted post
(302) without its form on the page is an act the role cannot find.
"""

import datetime
import re

import pytest
from django.db import transaction
from django.urls import reverse

from zhitong.handling.models import Assignment, Extension
from zhitong.opinions import services
from zhitong.opinions.models import Status
from zhitong.opinions.tests.lifecycle_world import at, build, frozen
from zhitong.opinions.tests.test_work_case import (
    accepted,
    handling,
    received,
    referred,
    replied,
)
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = D(2026, 3, 4)  # a Wednesday; the opinions are made on Monday 2 March
ROLES = [
    "admin",
    "staff",
    "leader",
    "street",
    "other_street",
    "deputy",
    "other_deputy",
    "liaison",
    "other_liaison",
    "unit",
    "co_unit",
    "other_unit",
    "citizen",
]


def _lead(opinion):
    return (
        opinion.referrals.filter(role=Assignment.Role.LEAD)
        .exclude(state=Assignment.State.WITHDRAWN)
        .order_by("-assigned_at")
        .first()
    )


def _with_extension(w):
    opinion = handling(w)
    services.extension_request(
        referral=_lead(opinion), by=w.unit, working_days=5, reason="需要协调"
    )
    return opinion


def _sent(w):
    opinion = replied(w)
    reply = opinion.replies.get()
    services.reply_send(reply=reply, by=w.staff)
    opinion.refresh_from_db()
    return opinion


def _closed(w):
    opinion = _sent(w)
    services.rating_submit(opinion=opinion, score="satisfied")
    opinion.refresh_from_db()
    return opinion


STATES = {
    "received": received,
    "accepted": accepted,
    "referred": referred,
    "handling": handling,
    "extension_pending": _with_extension,
    "replied": replied,
    "sent": _sent,
    "closed": _closed,
}


def endpoints(w, opinion, other_category, main):
    """Every action endpoint of the case, with the data a user would post to it."""
    pk = opinion.pk
    found = [
        ("accept", reverse("opinions:accept", args=[pk]), {"category": w.category.pk}),
        ("decline", reverse("opinions:decline", args=[pk]), {"reason": "out_of_scope"}),
        (
            "answer_on_spot",
            reverse("opinions:answer_on_spot", args=[pk]),
            {"text": "已当场解释政策。"},
        ),
        ("category", reverse("opinions:category", args=[pk]), {"category": other_category.pk}),
        ("refer", reverse("opinions:refer", args=[pk]), {"unit": w.housing.pk}),
        ("merge", reverse("opinions:merge", args=[pk]), {"into": main.tracking_code}),
        (
            "raise_suggestion",
            reverse("suggestions:raise_from_opinion", args=[pk]),
            {"title": "关于改善路灯的建议"},
        ),
        (
            "record_rating",
            reverse("opinions:record_rating", args=[pk]),
            {"method": "phone", "score": "satisfied"},
        ),
    ]
    for reply in opinion.replies.all():
        found.append(
            ("send", reverse("opinions:send", args=[pk, reply.pk]), {"text_sent": "答复内容"})
        )
    for ref in opinion.referrals.all():
        rid = ref.pk
        found += [
            ("referral_accept", reverse("opinions:referral_accept", args=[pk, rid]), {}),
            (
                "referral_return",
                reverse("opinions:referral_return", args=[pk, rid]),
                {f"r{rid}-reason": "不属于本单位职责"},
            ),
            (
                "reply",
                reverse("opinions:reply", args=[pk, rid]),
                {f"r{rid}-text": "已安排维修。"},
            ),
            (
                "extension_request",
                reverse("opinions:extension_request", args=[pk, rid]),
                {f"r{rid}-working_days": 5, f"r{rid}-reason": "需要协调"},
            ),
            ("chase", reverse("opinions:chase", args=[pk, rid]), {f"c{rid}-note": "请尽快"}),
            (
                "reassign",
                reverse("opinions:reassign", args=[pk, rid]),
                {f"m{rid}-unit": w.office_a.pk, f"m{rid}-reason": "属街道职责"},
            ),
            (
                "set_deadline",
                reverse("opinions:set_deadline", args=[pk, rid]),
                {f"d{rid}-due": "2026-04-15", f"d{rid}-reason": "需协调"},
            ),
        ]
    for ext in Extension.objects.filter(assignment__case_id=opinion.case_id):
        found.append(
            (
                "extension_decide",
                reverse("opinions:extension_decide", args=[pk, ext.pk]),
                {f"e{ext.pk}-decision": "approve"},
            )
        )
    return found


FORM_ACTION = re.compile(r'<form[^>]*method="post"[^>]*action="([^"]+)"')


@pytest.mark.parametrize("state", list(STATES))
def test_every_form_is_one_the_role_may_post_and_every_act_has_its_form(client, state):
    w = build()
    with frozen(at(D(2026, 3, 2))):
        opinion = STATES[state](w)
        # Another open opinion to merge into, in the same street (so in the same scopes).
        main = accepted(w)
    other_category = f.CategoryFactory(name="市政设施", code="SZ01")
    opinion.refresh_from_db()
    assert opinion.status in {s.value for s in Status}
    problems = []
    for role in ROLES:
        client.force_login(getattr(w, role))
        with frozen(at(DAY)):
            page = client.get(reverse("opinions:detail", args=[opinion.pk]))
        on_page = (
            set(FORM_ACTION.findall(page.content.decode())) if page.status_code == 200 else set()
        )
        for name, url, data in endpoints(w, opinion, other_category, main):
            with transaction.atomic():
                with frozen(at(DAY)):
                    response = client.post(url, data)
                transaction.set_rollback(True)
            accepted_post = response.status_code == 302
            if accepted_post != (url in on_page):
                problems.append(
                    f"{state}/{role}/{name}: post {response.status_code}, "
                    f"form {'shown' if url in on_page else 'absent'}"
                )
    assert not problems, "\n".join(problems)
