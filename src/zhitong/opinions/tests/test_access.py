"""Who may see and do what with an opinion: each role against each service and the case page."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from zhitong.core.models import Event
from zhitong.handling.models import Assignment
from zhitong.opinions import services
from zhitong.opinions.models import Opinion, Status
from zhitong.opinions.selectors import (
    access_opinion,
    access_opinion_by_code,
    opinion_timeline,
    opinions_visible_to,
    with_lead_referral,
)
from zhitong.opinions.tests.lifecycle_world import build, new_opinion
from zhitong.opinions.tracking import new_code
from zhitong.suggestions.services import suggestion_raise_from_opinions
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "citizen",
    "enterprise",
    "deputy",  # 张甲, at station_a where the opinion came in
    "other_deputy",  # 李乙, at station_b
    "liaison",  # keeps station_a
    "other_liaison",  # keeps station_b
    "unit",  # 住建局, the unit it is referred to
    "other_unit",  # 甲街道办事处, not referred to
    "street",  # 甲街道 committee: the opinion's street
    "other_street",  # 乙街道 committee
    "staff",  # the district's committee staff
    "far_staff",  # staff of 江岸区
    "leader",
    "admin",
]
STAFF = {"staff", "leader", "admin", "street"}
TRIAGE = STAFF | {"deputy", "liaison"}
UNIT = {"unit"}
VIEW = TRIAGE | UNIT


@pytest.fixture
def w(db):
    return build()


def user_of(w, role):
    return AnonymousUser() if role == "anonymous" else getattr(w, role)


# --- states to start from ------------------------------------------------------------------


def received(w):
    return new_opinion(w)


def accepted(w):
    opinion = new_opinion(w)
    return services.opinion_accept(opinion=opinion, by=w.staff)


def referred(w):
    opinion = accepted(w)
    return services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing)


def handling(w):
    referral = referred(w)
    return services.referral_accept(referral=referral, by=w.unit)


def replied(w):
    return services.reply_submit(referral=handling(w), by=w.unit, text="已处理。")


def pending_extension(w):
    return services.extension_request(
        referral=handling(w), by=w.unit, working_days=5, reason="需协调"
    )


# service name -> (how to prepare its object, how to call it as `user`)
SERVICES = {
    "opinion_accept": (
        received,
        lambda w, o, u: services.opinion_accept(opinion=o, by=u),
        TRIAGE,
    ),
    "opinion_decline": (
        received,
        lambda w, o, u: services.opinion_decline(opinion=o, by=u, reason="abusive"),
        TRIAGE,
    ),
    "opinion_answer_on_spot": (
        accepted,
        lambda w, o, u: services.opinion_answer_on_spot(opinion=o, by=u, text="现场答复"),
        TRIAGE,
    ),
    "opinion_update_category": (
        received,
        lambda w, o, u: services.opinion_update_category(
            opinion=o, by=u, category=f.CategoryFactory()
        ),
        TRIAGE,
    ),
    "opinion_refer": (
        accepted,
        lambda w, o, u: services.opinion_refer(opinion=o, by=u, unit=w.housing),
        STAFF,
    ),
    "opinion_bulk_refer": (
        accepted,
        lambda w, o, u: services.opinion_bulk_refer(opinions=[o], by=u, unit=w.housing),
        STAFF,
    ),
    "opinion_merge": (
        received,
        lambda w, o, u: services.opinion_merge(opinion=o, into=new_opinion(w), by=u),
        STAFF,
    ),
    "opinion_raise_suggestion": (
        accepted,
        lambda w, o, u: suggestion_raise_from_opinions(opinions=[o], by=u, title="建议"),
        {"deputy"},
    ),
    "referral_accept": (
        referred,
        lambda w, r, u: services.referral_accept(referral=r, by=u),
        UNIT,
    ),
    "referral_return": (
        referred,
        lambda w, r, u: services.referral_return(referral=r, by=u, reason="非本单位职责"),
        UNIT,
    ),
    "reply_submit": (
        handling,
        lambda w, r, u: services.reply_submit(referral=r, by=u, text="答复"),
        UNIT,
    ),
    "reply_send": (
        replied,
        lambda w, reply, u: services.reply_send(reply=reply, by=u),
        TRIAGE,
    ),
    "extension_request": (
        handling,
        lambda w, r, u: services.extension_request(
            referral=r, by=u, working_days=5, reason="需协调"
        ),
        UNIT,
    ),
    "extension_decide": (
        pending_extension,
        lambda w, e, u: services.extension_decide(extension=e, by=u, approve=True),
        STAFF,
    ),
}


@pytest.mark.parametrize("name", SERVICES)
def test_authorization_matrix_each_role_against_each_service(w, name):
    prepare, call, allowed = SERVICES[name]
    outcome = {}
    for role in ROLES:
        target = prepare(w)
        events_before = Event.objects.count()
        try:
            call(w, target, user_of(w, role))
        except PermissionDenied:
            outcome[role] = "denied"
            assert Event.objects.count() == events_before, (name, role)
        else:
            outcome[role] = "allowed"
    assert outcome == {r: "allowed" if r in allowed else "denied" for r in ROLES}


def test_authorization_matrix_each_role_against_the_case_page(w):
    referral = referred(w)
    pk = referral.opinion.pk
    outcome = {}
    for role in ROLES:
        try:
            found = access_opinion(user_of(w, role), pk)
        except Http404:
            outcome[role] = "not found"
        else:
            assert found.pk == pk
            outcome[role] = "found"
    assert outcome == {r: "found" if r in VIEW else "not found" for r in ROLES}


def test_a_unit_opening_an_opinion_referred_elsewhere_gets_not_found(w):
    referral = referred(w)
    with pytest.raises(Http404):
        access_opinion(w.other_unit, referral.opinion.pk)
    with pytest.raises(Http404):
        access_opinion(w.unit, "12abc")
    with pytest.raises(Http404):
        access_opinion(w.staff, 10**9)


def test_a_deputy_no_longer_at_the_station_loses_sight_of_its_opinions(w):
    import datetime

    opinion = new_opinion(w, deputy=None)
    assert access_opinion(w.deputy, opinion.pk)
    w.dep_a.station_assignments.update(end_date=datetime.date(2023, 1, 1))
    with pytest.raises(Http404):
        access_opinion(w.deputy, opinion.pk)
    # An opinion addressed to the deputy personally stays theirs.
    mine = new_opinion(w, station=None)
    assert access_opinion(w.deputy, mine.pk)


def test_a_deputy_account_not_linked_to_a_deputy_sees_nothing(w):
    from zhitong.accounts.models import Role

    opinion = new_opinion(w)
    unlinked = f.UserFactory(username="deputy_unlinked", role=Role.DEPUTY)
    assert not opinions_visible_to(unlinked).exists()
    with pytest.raises(Http404):
        access_opinion(unlinked, opinion.pk)


def test_a_deputy_sees_the_opinions_of_each_current_station(w):
    at_b = new_opinion(w, street=w.street_b, place=None, station=w.station_b, deputy=None)
    assert not opinions_visible_to(w.deputy).filter(pk=at_b.pk).exists()
    f.StationAssignmentFactory(station=w.station_b, deputy=w.dep_a)
    assert opinions_visible_to(w.deputy).filter(pk=at_b.pk).exists()


def test_an_inactive_account_sees_nothing(w):
    opinion = new_opinion(w)
    w.staff.is_active = False
    w.staff.save()
    assert not opinions_visible_to(w.staff).exists()
    with pytest.raises(PermissionDenied):
        services.opinion_accept(opinion=opinion, by=w.staff)


def test_the_list_selector_and_the_object_rules_agree(w):
    far_street = f.RegionFactory(
        code="420102001000", name="丙街道", level="street", parent=w.far_district
    )
    opinions = [
        new_opinion(w),  # 甲街道, station_a, deputy 张甲
        new_opinion(w, deputy=None),  # 甲街道, station_a
        new_opinion(w, station=None),  # addressed to 张甲 only
        new_opinion(w, street=w.street_b, place=None, station=w.station_b, deputy=None),
        new_opinion(w, street=None, place=None, station=None, deputy=None),  # district only
        new_opinion(
            w, district=w.far_district, street=far_street, place=None, station=None, deputy=None
        ),
    ]
    referred_b = new_opinion(w, street=w.street_b, place=None, station=w.station_b, deputy=None)
    services.opinion_accept(opinion=referred_b, by=w.staff)
    services.opinion_refer(opinion=referred_b, by=w.staff, unit=w.housing, co_units=[w.roads])
    withdrawn = accepted(w)
    services.opinion_refer(opinion=withdrawn, by=w.staff, unit=w.office_a)
    services.opinion_merge(opinion=withdrawn, into=opinions[0], by=w.staff)
    opinions += [Opinion.objects.get(pk=referred_b.pk), Opinion.objects.get(pk=withdrawn.pk)]

    for role in [*ROLES, "co_unit"]:
        user = user_of(w, role)
        listed = set(opinions_visible_to(user).values_list("pk", flat=True))
        by_rule = {o.pk for o in opinions if user.has_perm("opinions.view_opinion", o)}
        assert listed == by_rule, role
    # A few spot checks of what that means.
    assert set(opinions_visible_to(w.other_unit)) == set()  # its referral was withdrawn
    assert set(opinions_visible_to(w.co_unit)) == {referred_b}
    assert opinions[5] not in opinions_visible_to(w.staff)
    assert opinions[5] in opinions_visible_to(w.far_staff)
    assert opinions[4] not in opinions_visible_to(w.street)


# --- the submitter, by tracking code ----------------------------------------------------


def test_the_submitter_finds_their_opinion_by_code_typed_loosely(w):
    opinion = new_opinion(w, tracking_code="K7QX-9MPA-3R")
    assert access_opinion_by_code("K7QX-9MPA-3R") == opinion
    assert access_opinion_by_code(" k7qx 9mpa 3r ") == opinion
    assert access_opinion_by_code("K7QX9MPA3R") == opinion


@pytest.mark.parametrize("typed", ["", "   ", None, "K7QX-9MPA-3", "' OR 1=1 --", "x" * 500, 42])
def test_a_wrong_code_is_not_found(w, typed):
    new_opinion(w, tracking_code="K7QX-9MPA-3R")
    with pytest.raises(Http404):
        access_opinion_by_code(typed)


def test_a_citizen_guessing_another_tracking_code_gets_not_found(w):
    mine = new_opinion(w, tracking_code="K7QX-9MPA-3R")
    guesses = {new_code() for _ in range(50)} - {mine.tracking_code}
    for guess in guesses:
        with pytest.raises(Http404):
            access_opinion_by_code(guess)
    # And a citizen account cannot reach opinions by number either.
    with pytest.raises(Http404):
        access_opinion(w.citizen, mine.pk)


def test_the_submitter_timeline_hides_internal_notes_and_bookkeeping(w):
    referral = referred(w)
    opinion = referral.opinion
    services.referral_accept(referral=referral, by=w.unit)
    services.extension_request(
        referral=referral, by=w.unit, working_days=5, reason="内部：等待预算批复"
    )
    internal = opinion_timeline(opinion, for_submitter=False)
    public = opinion_timeline(opinion, for_submitter=True)
    assert "extension_request" in [e.verb for e in internal]
    assert [e.verb for e in public] == ["accept", "refer", "referral_accept"]
    assert all(e.note == "" for e in public)
    assert public[0].actor_name == "王**"
    assert internal[0].actor_name == "王工作"
    assert "内部" not in repr(public)


# --- query counts ---------------------------------------------------------------------------


def _render_list(user):
    """What a queue page reads per row: related names and the lead referral."""
    rows = list(with_lead_referral(opinions_visible_to(user)).order_by("-received_at", "-id"))
    return [
        (
            row.subject,
            row.category and row.category.name,
            row.category and row.category.parent,
            row.station and row.station.name,
            row.deputy and row.deputy.name,
            row.street and row.street.name,
            row.district.name,
            row.lead_unit_name,
            row.lead_due_date,
        )
        for row in rows
    ]


def _count_queries(user):
    with CaptureQueriesContext(connection) as captured:
        rows = _render_list(user)
    return len(captured), len(rows)


@pytest.mark.parametrize("role", ["staff", "street", "deputy", "liaison", "unit", "admin"])
def test_the_list_takes_a_fixed_number_of_queries_as_rows_grow(w, role):
    user = user_of(w, role)
    counts = []
    for batch in (2, 20):
        for _ in range(batch):
            referral = referred(w)
            assert referral.opinion.status == Status.REFERRED
        new_opinion(w, category=f.CategoryFactory(parent=w.category))
        counts.append(_count_queries(user))
    (few, few_rows), (many, many_rows) = counts
    assert many_rows > few_rows > 0
    assert many == few
    assert many <= 3


def test_withdrawn_and_returned_referrals_are_not_the_lead_shown(w):
    referral = referred(w)
    services.referral_return(referral=referral, by=w.unit, reason="不归我管")
    row = with_lead_referral(Opinion.objects.filter(pk=referral.opinion.pk)).get()
    assert row.lead_unit_name is None
    services.opinion_refer(opinion=row, by=w.staff, unit=w.office_a)
    row = with_lead_referral(Opinion.objects.filter(pk=referral.opinion.pk)).get()
    assert row.lead_unit_name == "甲街道办事处"
    assert Assignment.objects.filter(case_id=row.case_id).count() == 2


def test_normalize_tracking_code_gives_the_stored_form():
    from zhitong.opinions.selectors import normalize_tracking_code

    assert normalize_tracking_code(" k7qx 9mpa 3r") == "K7QX-9MPA-3R"
    assert normalize_tracking_code(" OLD-123 ") == "OLD-123"
    assert normalize_tracking_code(None) == ""


def test_the_admin_shows_opinions_read_mostly(w, client):
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True, role="admin")
    referral = referred(w)
    client.force_login(root)
    changelist = client.get("/admin/opinions/opinion/")
    assert changelist.status_code == 200
    assert referral.opinion.tracking_code in changelist.content.decode()
    page = client.get(f"/admin/opinions/opinion/{referral.opinion.pk}/change/")
    assert page.status_code == 200
    assert w.housing.name in page.content.decode()
    assert client.get("/admin/opinions/opinion/add/").status_code == 403
    assert client.get(f"/admin/handling/assignment/{referral.pk}/change/").status_code == 200
    assert client.get("/admin/handling/extension/").status_code == 200
    assert client.get("/admin/opinions/intakesession/").status_code == 200
    # Only the staff note can be saved; the status stays what the services made it.
    client.post(
        f"/admin/opinions/opinion/{referral.opinion.pk}/change/",
        {"internal_note": "电话联系过", "status": "closed"} | _empty_inlines(),
    )
    opinion = Opinion.objects.get(pk=referral.opinion.pk)
    assert opinion.internal_note == "电话联系过"
    assert opinion.status == Status.REFERRED


def _empty_inlines():
    data = {}
    for prefix in ("referrals", "replies", "ratings", "attachments"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data
