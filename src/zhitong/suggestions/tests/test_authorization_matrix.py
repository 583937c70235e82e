"""Who may see and do what on a suggestion (issue 12's authorization matrix): the deputy
(own, co-signed, others'), the street reviewer (own street only), the unit (assigned
only), the leader (the key ones they lead), staff (their district). Each cell is checked
on the permission and on the page (the same 404 whether missing or out of scope)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from zhitong.accounts.models import Role
from zhitong.regions.models import Region
from zhitong.suggestions import services
from zhitong.suggestions.tests.supervision_world import ALL_CHECKS, at, running, world
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db

FEB_2 = datetime.date(2026, 2, 2)


@pytest.fixture
def m(db):
    w = world()
    # A third deputy of the district, with an account, who has nothing to do with them.
    stranger = f.DeputyFactory(district=w.district, name="赵丁")
    stranger.user = f.UserFactory(username="deputy_d", role=Role.DEPUTY)
    stranger.save(update_fields=["user"])
    w.users["stranger_deputy"] = stranger.user
    # 张甲's key suggestion, led by w.leader, co-signed by 李乙, assigned to housing + roads.
    with at(FEB_2 - datetime.timedelta(days=3)):
        draft = services.suggestion_draft(
            by=w.deputy, title="关于学校周边交通的建议", content="上下学高峰拥堵。"
        )
        services.cosigners_invite(suggestion=draft, by=w.deputy, deputies=[w.dep_b])
        services.cosigner_respond(suggestion=draft, by=w.other_deputy, accept=True)
    w.key = running(w, "关于老旧小区加装电梯的建议", assigned_on=FEB_2, key=True)
    w.draft = draft
    # A suggestion of 乙街道 (reviewed there), submitted by 李乙.
    with at(FEB_2):
        other = services.suggestion_draft(
            by=w.other_deputy,
            title="关于农贸市场改造的建议",
            content="市场设施陈旧。",
            street=Region.objects.get(pk=w.street_b.pk),
        )
        services.suggestion_submit(suggestion=other, by=w.other_deputy)
    w.other_street_one = other
    return w


def visible(client, user, suggestion) -> bool:
    client.force_login(user)
    status = client.get(f"/work/suggestions/{suggestion.pk}/").status_code
    assert status in (200, 404)
    return status == 200


@pytest.mark.parametrize(
    ("who", "draft", "key", "other_street"),
    [
        # The lead deputy sees their own, also the draft; never another deputy's.
        ("deputy", True, True, False),
        # 李乙 co-signed the draft and leads the 乙街道 one.
        ("other_deputy", True, False, True),
        ("stranger_deputy", False, False, False),
        # The street committee: its own street's, once submitted.
        ("street", False, True, False),
        ("other_street", False, False, True),
        # The lead unit and the co-unit: what was assigned to them only.
        ("unit", False, True, False),
        ("co_unit", False, True, False),
        ("other_unit", False, False, False),
        # Leaders and staff: every submitted one of their district.
        ("leader", False, True, True),
        ("other_leader", False, True, True),
        ("staff", False, True, True),
        ("far_staff", False, False, False),
        ("citizen", False, False, False),
        ("liaison", False, False, False),
    ],
)
def test_who_sees_which_suggestion(client, m, who, draft, key, other_street):
    user = m.users[who]
    assert visible(client, user, m.draft) is draft
    assert visible(client, user, m.key) is key
    assert visible(client, user, m.other_street_one) is other_street
    assert user.has_perm("suggestions.view_suggestion", m.key) is key


@pytest.mark.parametrize(
    ("who", "edit", "review_street", "manage", "supervise", "chase", "rate"),
    [
        ("deputy", True, False, False, False, True, True),
        ("stranger_deputy", False, False, False, False, False, False),
        ("street", False, True, False, False, True, False),
        ("other_street", False, False, False, False, False, False),
        ("unit", False, False, False, False, False, False),
        ("leader", False, False, False, True, True, False),
        ("other_leader", False, False, False, False, False, False),
        ("staff", False, False, True, True, True, False),
        ("far_staff", False, False, False, False, False, False),
    ],
)
def test_who_may_act_on_the_key_suggestion(
    m, who, edit, review_street, manage, supervise, chase, rate
):
    user, s = m.users[who], m.key
    assert user.has_perm("suggestions.edit_suggestion", s) is edit
    assert user.has_perm("suggestions.review_street", s) is review_street
    assert user.has_perm("suggestions.manage_suggestion", s) is manage
    assert user.has_perm("suggestions.supervise_suggestion", s) is supervise
    assert user.has_perm("suggestions.chase_suggestion", s) is chase
    assert user.has_perm("suggestions.rate_suggestion", s) is rate


def test_a_co_signer_sees_but_never_edits_and_the_street_reviews_only_its_own(m):
    assert m.other_deputy.has_perm("suggestions.view_suggestion", m.draft)
    assert not m.other_deputy.has_perm("suggestions.edit_suggestion", m.draft)
    assert m.other_street.has_perm("suggestions.review_street", m.other_street_one)
    assert not m.street.has_perm("suggestions.review_street", m.other_street_one)
    with pytest.raises(PermissionDenied):
        services.suggestion_review(
            suggestion=m.other_street_one, by=m.street, outcome="pass", checks=ALL_CHECKS
        )
    m.other_street_one.refresh_from_db()
    assert m.other_street_one.status == "street_review"
