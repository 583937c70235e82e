"""Staff's acts on a running referral from the case page: chase (催办), reassign (改派) and a
new deadline (调整期限), each with its form only for those who may, and refused input."""

import datetime

import pytest
from django.urls import reverse

from zhitong.core.events import events_for
from zhitong.handling.models import Assignment, Chase
from zhitong.opinions.models import Status
from zhitong.opinions.tests.lifecycle_world import at, build, frozen
from zhitong.opinions.tests.test_work_case import handling, lead_of, referred, snapshot

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 3, 4)  # a Wednesday


@pytest.fixture
def w(db):
    return build()


@pytest.fixture
def running(w):
    with frozen(at(D(2026, 3, 2))):
        return handling(w)


def post(client, name, opinion, data, rid):
    with frozen(at(TODAY)):
        return client.post(reverse(f"opinions:{name}", args=[opinion.pk, rid]), data)


def test_staff_chase_the_unit_from_the_case_page(client, w, running):
    lead = lead_of(running)
    client.force_login(w.staff)
    with frozen(at(TODAY)):
        page = client.get(reverse("opinions:detail", args=[running.pk])).content.decode()
    assert reverse("opinions:chase", args=[running.pk, lead.pk]) in page
    response = post(client, "chase", running, {f"c{lead.pk}-note": "请尽快答复"}, lead.pk)
    assert response.status_code == 302
    chase = Chase.objects.get(assignment=lead)
    assert (chase.chased_by, chase.note) == (w.staff, "请尽快答复")
    lead.refresh_from_db()
    assert lead.chase_count == 1
    assert [e.verb for e in events_for(running)][-1] == "chase"


def test_staff_reassign_to_another_unit(client, w, running):
    lead = lead_of(running)
    client.force_login(w.staff)
    data = {f"m{lead.pk}-unit": w.office_a.pk, f"m{lead.pk}-reason": "属街道职责"}
    assert post(client, "reassign", running, data, lead.pk).status_code == 302
    lead.refresh_from_db()
    assert lead.state == Assignment.State.WITHDRAWN
    new = running.referrals.get(role=Assignment.Role.LEAD, state=Assignment.State.PENDING)
    assert new.unit == w.office_a
    running.refresh_from_db()
    assert running.status == Status.REFERRED  # the new unit signs for it first


def test_staff_set_a_new_deadline_with_a_reason(client, w, running):
    lead = lead_of(running)
    client.force_login(w.staff)
    data = {f"d{lead.pk}-due": "2026-04-15", f"d{lead.pk}-reason": "涉及多个部门协调"}
    assert post(client, "set_deadline", running, data, lead.pk).status_code == 302
    lead.refresh_from_db()
    assert lead.due_date == D(2026, 4, 15)
    assert lead.deadline["reason"] == "涉及多个部门协调"


@pytest.mark.parametrize(
    "name, data",
    [
        ("reassign", {"m{rid}-unit": "", "m{rid}-reason": "理由"}),
        ("reassign", {"m{rid}-unit": "999999", "m{rid}-reason": "理由"}),
        ("reassign", {"m{rid}-unit": "{same}", "m{rid}-reason": "理由"}),
        ("reassign", {"m{rid}-unit": "{far}", "m{rid}-reason": "理由"}),
        ("reassign", {"m{rid}-unit": "{other}", "m{rid}-reason": ""}),
        ("set_deadline", {"d{rid}-due": "2026-03-01", "d{rid}-reason": "理由"}),
        ("set_deadline", {"d{rid}-due": "2026-03-07", "d{rid}-reason": "理由"}),  # Saturday
        ("set_deadline", {"d{rid}-due": "2030-03-07", "d{rid}-reason": "理由"}),
        ("set_deadline", {"d{rid}-due": "not a date", "d{rid}-reason": "理由"}),
        ("set_deadline", {"d{rid}-due": "2026-04-15", "d{rid}-reason": ""}),
        ("chase", {"c{rid}-note": "长" * 2001}),
    ],
)
def test_bad_input_is_refused_on_the_page_and_changes_nothing(client, w, running, name, data):
    lead = lead_of(running)
    values = {"same": w.housing.pk, "far": w.unit_far.pk, "other": w.office_a.pk}
    data = {
        key.format(rid=lead.pk): value.format(**values) if isinstance(value, str) else value
        for key, value in data.items()
    }
    before = snapshot(running)
    client.force_login(w.staff)
    response = post(client, name, running, data, lead.pk)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    # The error at the top of the page links to the refused form, far down the page.
    anchor = f"form-{'deadline' if name == 'set_deadline' else name}-{lead.pk}"
    assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page
    assert snapshot(running) == before
    assert not Chase.objects.exists()


@pytest.mark.parametrize(
    "role, status",
    [
        ("unit", 403),
        ("deputy", 403),
        ("liaison", 403),
        ("co_unit", 403),
        ("other_unit", 404),
        ("other_street", 404),
        ("citizen", 404),
    ],
)
@pytest.mark.parametrize("name", ["chase", "reassign", "set_deadline"])
def test_only_staff_chase_reassign_or_set_deadlines(client, w, running, role, status, name):
    lead = lead_of(running)
    before = snapshot(running)
    client.force_login(getattr(w, role))
    data = {
        f"c{lead.pk}-note": "快",
        f"m{lead.pk}-unit": w.office_a.pk,
        f"m{lead.pk}-reason": "理由",
        f"d{lead.pk}-due": "2026-04-15",
        f"d{lead.pk}-reason": "理由",
    }
    assert post(client, name, running, data, lead.pk).status_code == status
    assert snapshot(running) == before
    if status == 403:
        with frozen(at(TODAY)):
            page = client.get(reverse("opinions:detail", args=[running.pk])).content.decode()
        assert reverse(f"opinions:{name}", args=[running.pk, lead.pk]) not in page


def test_a_replied_referral_is_no_longer_chased(client, w):
    opinion = referred(w)
    lead = lead_of(opinion)
    from zhitong.opinions import services

    services.referral_accept(referral=lead, by=w.unit)
    services.reply_submit(referral=lead, by=w.unit, text="已处理。")
    client.force_login(w.staff)
    page = client.get(reverse("opinions:detail", args=[opinion.pk])).content.decode()
    assert reverse("opinions:chase", args=[opinion.pk, lead.pk]) not in page
    response = client.post(
        reverse("opinions:chase", args=[opinion.pk, lead.pk]), {f"c{lead.pk}-note": ""}
    )
    assert response.status_code == 400
    assert not Chase.objects.exists()


# --- in bulk, from the overdue list (批量督办) ---------------------------------------------------

LATE = D(2026, 4, 20)  # the March referrals are overdue by then


def overdue_pair(w):
    with frozen(at(D(2026, 3, 2))):
        return handling(w), handling(w)


def bulk(client, data):
    with frozen(at(LATE)):
        return client.post(reverse("opinions:bulk_supervise"), data)


def test_the_overdue_list_offers_bulk_supervision_to_staff_only(client, w):
    first, second = overdue_pair(w)
    client.force_login(w.staff)
    with frozen(at(LATE)):
        page = client.get(reverse("opinions:queue"), {"deadline": "overdue"}).content.decode()
        plain = client.get(reverse("opinions:queue")).content.decode()
    assert 'id="bulk-supervise-form"' in page and 'form="bulk-supervise-form"' in page
    assert 'id="bulk-supervise-form"' not in plain
    client.force_login(w.deputy)
    with frozen(at(LATE)):
        page = client.get(reverse("opinions:queue"), {"deadline": "overdue"}).content.decode()
    assert "bulk-supervise-form" not in page


def test_chase_every_checked_overdue_opinion_at_once(client, w):
    first, second = overdue_pair(w)
    client.force_login(w.staff)
    response = bulk(
        client,
        {
            "opinions": [first.pk, second.pk],
            "act": "chase",
            "note": "请本周内答复",
            "query": "deadline=overdue",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?deadline=overdue")
    assert Chase.objects.count() == 2
    assert set(Chase.objects.values_list("was_overdue", flat=True)) == {True}


def test_set_a_new_deadline_and_reassign_in_bulk(client, w):
    first, second = overdue_pair(w)
    client.force_login(w.staff)
    response = bulk(
        client,
        {
            "opinions": [first.pk, second.pk],
            "act": "set_deadline",
            "due": "2026-05-15",
            "note": "统一协调",
        },
    )
    assert response.status_code == 302
    assert {lead_of_running(o).due_date for o in (first, second)} == {D(2026, 5, 15)}
    response = bulk(
        client,
        {"opinions": [first.pk], "act": "reassign", "unit": w.office_a.pk, "note": "属街道职责"},
    )
    assert response.status_code == 302
    assert lead_of_running(first).unit == w.office_a


def lead_of_running(opinion):
    return opinion.referrals.get(
        role=Assignment.Role.LEAD, state__in=[Assignment.State.PENDING, Assignment.State.ACCEPTED]
    )


@pytest.mark.parametrize(
    "data",
    [
        {"act": "chase"},  # nothing checked
        {"act": "teleport", "pick": True},
        {"act": "set_deadline", "pick": True, "note": "理由"},  # no date
        {"act": "set_deadline", "pick": True, "due": "2026-05-15"},  # no reason
        {"act": "set_deadline", "pick": True, "due": "2026-04-18", "note": "理由"},  # Saturday
        {"act": "reassign", "pick": True, "note": "理由"},  # no unit
        {"act": "reassign", "pick": True, "unit": "{housing}", "note": "理由"},  # same unit
        {"act": "chase", "pick": True, "closed": True},  # one of them has nothing running
        {"act": "chase", "opinions": ["abc"]},
    ],
)
def test_one_refusal_refuses_them_all_and_changes_nothing(client, w, data):
    first, second = overdue_pair(w)
    closed = handling(w)
    lead = lead_of_running(closed)
    from zhitong.opinions import services

    services.reply_submit(referral=lead, by=w.unit, text="已处理。")
    before = [snapshot(o) for o in (first, second, closed)]
    data = dict(data)
    if data.pop("pick", False):
        data["opinions"] = [first.pk, second.pk]
    if data.pop("closed", False):
        data["opinions"] = [first.pk, second.pk, closed.pk]
    if data.get("unit") == "{housing}":
        data["unit"] = w.housing.pk
    client.force_login(w.staff)
    response = bulk(client, data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert [snapshot(o) for o in (first, second, closed)] == before
    assert not Chase.objects.exists()


# Street committees and leaders supervise as staff do (opinions.refer_opinion in scope).
@pytest.mark.parametrize("role", ["deputy", "liaison", "unit", "citizen", "enterprise"])
def test_bulk_supervision_is_for_staff(client, w, role):
    first, second = overdue_pair(w)
    client.force_login(getattr(w, role))
    response = bulk(client, {"opinions": [first.pk], "act": "chase"})
    assert response.status_code == 403
    assert not Chase.objects.exists()


# --- a category before a referral ----------------------------------------------------------------


def test_an_opinion_without_a_category_is_not_referred(w):
    from zhitong.opinions import services
    from zhitong.opinions.services import OpinionError
    from zhitong.opinions.tests.test_work_case import accepted

    opinion = accepted(w, category=None)
    with pytest.raises(OpinionError) as refused:
        services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing)
    assert refused.value.code == "category_required"
    assert not opinion.referrals.exists()
    with pytest.raises(OpinionError):
        services.opinion_bulk_refer(opinions=[opinion], by=w.staff, unit=w.housing)
    assert not opinion.referrals.exists()


def test_the_refer_form_asks_for_the_category_when_there_is_none(client, w):
    from zhitong.opinions.tests.test_work_case import accepted

    opinion = accepted(w, category=None)
    client.force_login(w.staff)
    page = client.get(reverse("opinions:detail", args=[opinion.pk])).content.decode()
    assert 'name="category"' in page.split(f'action="/work/opinions/{opinion.pk}/refer/"')[1]
    url = reverse("opinions:refer", args=[opinion.pk])
    refused = client.post(url, {"unit": w.housing.pk})
    assert refused.status_code == 400
    assert "请先选择类别再转办" in refused.content.decode()
    assert not opinion.referrals.exists()
    done = client.post(url, {"unit": w.housing.pk, "category": w.category.pk})
    assert done.status_code == 302
    opinion.refresh_from_db()
    assert opinion.category == w.category and opinion.status == Status.REFERRED
    verbs = [e.verb for e in events_for(opinion)]
    assert verbs[-2:] == ["update_category", "refer"]


def test_signing_for_a_referral_twice_says_why_instead_of_failing(client, w, running):
    """A stale page's second "sign" (签收) got a server error (500) before."""
    lead = lead_of(running)
    client.force_login(w.unit)
    response = client.post(reverse("opinions:referral_accept", args=[running.pk, lead.pk]))
    assert response.status_code == 400
    assert "不能签收" in response.content.decode()


# --- the lead referral found by the case, not by the opinion's id -----------------------------


def test_the_queue_finds_each_opinions_lead_by_its_case_when_ids_differ(client, w):
    """An opinion's referrals hang on its case: a subquery matching the assignment's case id
    with the opinion's own id (opinion=OuterRef("pk")) found another opinion's lead once
    another process had opened cases (it failed on PostgreSQL, where ids drift apart)."""
    from zhitong.handling.models import Case
    from zhitong.opinions import search, selectors

    for n in range(3):  # cases of another process: opinion ids and case ids part ways
        Case.objects.create(
            process="errands",
            district=w.district,
            reference=f"E{n}",
            title="t",
            created_at=at(D(2026, 3, 1)),
        )
    from zhitong.opinions import services
    from zhitong.opinions.tests.test_work_case import accepted

    with frozen(at(D(2026, 3, 2))):
        first = handling(w)
        second = accepted(w)
        services.opinion_refer(opinion=second, by=w.staff, unit=w.office_a)
    assert first.case_id != first.pk
    rows = {o.pk: o for o in selectors.with_lead_referral(selectors.opinions_visible_to(w.staff))}
    assert rows[first.pk].lead_unit_name == w.housing.name
    assert rows[second.pk].lead_unit_name == w.office_a.name
    visible = selectors.opinions_visible_to(w.staff)
    by_unit = search.apply_filters(visible, search.QueueFilter(unit=w.housing))
    assert set(by_unit.values_list("pk", flat=True)) == {first.pk}
    with_office = search.apply_filters(visible, search.QueueFilter(unit=w.office_a))
    assert set(with_office.values_list("pk", flat=True)) == {second.pk}
