"""The staff's pages of 交: the queue (建议办理总表), the registration, proposed-units, key
and reassignment panels, and the assignment meeting (交办会): who may see and post what,
bad input refused with a clear error and nothing changed."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from zhitong.core.models import Event
from zhitong.handling import services as handling
from zhitong.handling.models import Assignment
from zhitong.suggestions import forms_staff
from zhitong.suggestions.models import Status, Suggestion
from zhitong.suggestions.tests.staff_support import (
    ASSIGN_DAY,
    assigned,
    drafted,
    moment,
    registered,
    reviewed,
    staff_world,
)
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db

OTHERS = ["far_staff", "gov", "other_unit", "leader", "street", "deputy", "citizen"]


@pytest.fixture
def w(db):
    return staff_world()


def page(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


# --- the queue ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staff", 200),
        ("far_staff", 200),
        ("gov", 403),
        ("other_unit", 403),
        ("leader", 403),
        ("street", 403),
        ("deputy", 403),
        ("citizen", 403),
    ],
)
def test_who_may_open_the_queue(client, w, who, status):
    registered(w)
    response = page(client, w.users[who], reverse("suggestions:queue"))
    assert response.status_code == status
    if who == "far_staff":
        assert "加装电梯" not in response.content.decode()


def test_the_queue_lists_submitted_suggestions_by_number_with_their_columns(client, w):
    first = registered(w, "甲建议：加装电梯")
    second = assigned(w, "乙建议：修缮道路")
    waiting = reviewed(w, "丙建议：增设路灯")
    drafted(w, "丁建议：草稿不列入")
    from zhitong.suggestions import services

    services.cosigners_invite(suggestion=drafted(w, "戊建议"), by=w.deputy, deputies=[w.dep_b])
    with time_machine.travel(moment(ASSIGN_DAY), tick=False):
        text = page(client, w.staff, reverse("suggestions:queue")).content.decode()
    assert "丁建议" not in text and "戊建议" not in text
    assert text.index("甲建议") < text.index("乙建议") < text.index("丙建议")
    assert "第1号" in text and "第2号" in text
    assert "武昌区住房和城市更新局" in text and "物业管理" in text
    assert second.open_due_date.isoformat() in text
    assert first.pk != waiting.pk


def test_the_queue_shows_cosigners_deadline_state_and_key(client, w):
    from zhitong.suggestions import services

    s = drafted(w, "联名建议")
    with time_machine.travel(moment(datetime.date(2026, 1, 6)), tick=False):
        services.cosigners_invite(suggestion=s, by=w.deputy, deputies=[w.dep_b])
        services.cosigner_respond(suggestion=s, by=w.other_deputy, accept=True)
        services.suggestion_submit(suggestion=s, by=w.deputy)
    late = assigned(w, "超期建议")
    with time_machine.travel(moment(late.open_due_date + datetime.timedelta(days=1)), tick=False):
        text = page(client, w.staff, reverse("suggestions:queue")).content.decode()
    assert "联名1人" in text
    assert "已超期" in text


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"status": "registered"}, ["登记建议"], ["交办建议", "阅看建议"]),
        ({"status": "reviewed"}, ["阅看建议"], ["登记建议"]),
        ({"key": "on"}, ["重点建议"], ["登记建议"]),
        ({"q": "交办"}, ["交办建议"], ["登记建议"]),
        ({"during": "recess"}, [], ["登记建议", "交办建议"]),
        ({"during": "during"}, ["登记建议", "交办建议"], []),
        ({"due": "overdue"}, [], ["交办建议"]),
        ({"due": "soon"}, [], ["交办建议"]),
    ],
)
def test_the_queue_filters(client, w, params, shown, hidden):
    registered(w, "登记建议")
    assigned(w, "交办建议")
    reviewed(w, "阅看建议")
    key = registered(w, "重点建议")
    key.is_key = True
    key.save(update_fields=["is_key"])
    with time_machine.travel(moment(ASSIGN_DAY), tick=False):
        response = page(client, w.staff, reverse("suggestions:queue"), **params)
    text = response.content.decode()
    assert response.status_code == 200
    for title in shown:
        assert title in text, title
    for title in hidden:
        assert title not in text, title


def test_the_queue_filters_by_due_date_session_unit_street_and_category(client, w):
    s = assigned(w, "交办建议")
    registered(w, "登记建议", co_units=[])
    due = s.open_due_date
    url = reverse("suggestions:queue")
    client.force_login(w.staff)
    with time_machine.travel(moment(due + datetime.timedelta(days=1)), tick=False):
        assert "交办建议" in client.get(url, {"due": "overdue"}).content.decode()
    with time_machine.travel(moment(due - datetime.timedelta(days=10)), tick=False):
        text = client.get(url, {"due": "soon"}).content.decode()
        assert "交办建议" in text and "登记建议" not in text
    text = client.get(url, {"session": w.session.pk, "unit": w.housing.pk}).content.decode()
    assert "交办建议" in text and "登记建议" in text
    text = client.get(url, {"unit": w.roads.pk}).content.decode()
    assert "没有符合条件的建议" in text
    text = client.get(url, {"street": w.street_b.pk}).content.decode()
    assert "没有符合条件的建议" in text
    text = client.get(url, {"street": w.street_a.pk, "category": w.category.pk}).content.decode()
    assert "交办建议" in text


def test_the_queue_pages_in_a_fixed_number_of_queries(client, w, django_assert_max_num_queries):
    for i in range(6):
        registered(w, f"建议{i}")
    client.force_login(w.staff)
    client.get(reverse("suggestions:queue"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("suggestions:queue"))
    assert response.status_code == 200
    queries_for_six = len(response.context["rows"])
    assert queries_for_six == 6


# --- registration -------------------------------------------------------------------------


def register_post(client, w, s, **data):
    values = {
        "category": w.category.pk,
        "session": w.session.pk,
        "lead": w.housing.pk,
        "co_units": [w.roads.pk],
    }
    values.update(data)
    values = {k: v for k, v in values.items() if v is not None}
    return client.post(reverse("suggestions:register", args=[s.pk]), values)


def test_staff_register_from_the_panel_with_the_routing_as_default(client, w):
    s = reviewed(w)
    client.force_login(w.staff)
    text = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert 'id="panel-register"' in text
    form = forms_staff.RegisterForm(suggestion=s)
    # 物业管理 in 甲街道 goes to its street office (the category routing).
    assert form.initial["lead"] == w.office_a.pk
    with time_machine.travel(moment(datetime.date(2026, 1, 7)), tick=False):
        response = register_post(client, w, s)
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.status == Status.REGISTERED and s.number == 1
    assert s.proposed_lead == w.housing and list(s.proposed_co_units.all()) == [w.roads]


def test_registering_with_the_lead_left_blank_takes_the_routing(client, w):
    s = reviewed(w)
    client.force_login(w.staff)
    response = register_post(client, w, s, lead="")
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.proposed_lead == w.office_a


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("far_staff", 404),
        ("gov", 404),
        ("other_unit", 404),
        ("leader", 403),
        ("street", 403),
        ("deputy", 403),
        ("citizen", 404),
    ],
)
def test_only_the_districts_staff_register(client, w, who, status):
    s = reviewed(w)
    client.force_login(w.users[who])
    detail = client.get(reverse("suggestions:detail", args=[s.pk]))
    assert 'id="panel-register"' not in detail.content.decode()
    assert register_post(client, w, s).status_code == status
    s.refresh_from_db()
    assert s.status == Status.REVIEWED and s.number is None


def test_registering_without_a_category_is_refused(client, w):
    s = reviewed(w)
    client.force_login(w.staff)
    response = register_post(client, w, s, category="")
    assert response.status_code == 400
    assert "请选择建议类别" in response.content.decode()
    s.refresh_from_db()
    assert s.status == Status.REVIEWED and s.number is None


def test_registering_with_a_unit_of_another_district_is_refused(client, w):
    s = reviewed(w)
    client.force_login(w.staff)
    for data in ({"lead": w.unit_far.pk}, {"co_units": [w.roads.pk, w.unit_far.pk]}):
        response = register_post(client, w, s, **data)
        assert response.status_code == 400
        assert "请从本区在用的承办单位中选择" in response.content.decode()
    s.refresh_from_db()
    assert s.status == Status.REVIEWED and s.number is None
    assert not s.proposed_co_units.exists()


def test_a_key_suggestion_needs_its_leader(client, w):
    s = reviewed(w)
    client.force_login(w.staff)
    response = register_post(client, w, s, is_key="on")
    assert response.status_code == 400
    assert "领衔督办" in response.content.decode()
    s.refresh_from_db()
    assert s.status == Status.REVIEWED
    assert register_post(client, w, s, is_key="on", key_leader=w.leader.pk).status_code == 302
    s.refresh_from_db()
    assert s.is_key and s.key_leader == w.leader


def test_registering_twice_is_refused_on_the_page(client, w):
    s = registered(w)
    client.force_login(w.staff)
    text = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert 'id="panel-register"' not in text
    response = register_post(client, w, s)
    assert response.status_code == 400
    assert "不能进行此操作" in response.content.decode()
    s.refresh_from_db()
    assert s.number == 1


# --- proposed units, key ------------------------------------------------------------------


def test_staff_change_the_proposed_units_before_the_meeting(client, w):
    s = registered(w)
    client.force_login(w.staff)
    assert (
        'id="panel-propose"'
        in client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    )
    response = client.post(
        reverse("suggestions:propose", args=[s.pk]),
        {"lead": w.roads.pk, "co_units": [w.office_a.pk]},
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.proposed_lead == w.roads and list(s.proposed_co_units.all()) == [w.office_a]


@pytest.mark.parametrize("who", OTHERS)
def test_only_staff_change_the_proposed_units(client, w, who):
    s = registered(w)
    client.force_login(w.users[who])
    text = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert 'id="panel-propose"' not in text
    response = client.post(reverse("suggestions:propose", args=[s.pk]), {"lead": w.roads.pk})
    assert response.status_code in (403, 404)
    s.refresh_from_db()
    assert s.proposed_lead == w.housing


def test_proposing_bad_units_or_after_the_meeting_is_refused(client, w):
    s = registered(w)
    client.force_login(w.staff)
    response = client.post(reverse("suggestions:propose", args=[s.pk]), {"lead": ""})
    assert response.status_code == 400 and "请选择主办单位" in response.content.decode()
    response = client.post(reverse("suggestions:propose", args=[s.pk]), {"lead": w.unit_far.pk})
    assert response.status_code == 400
    done = assigned(w, "已交办")
    text = client.get(reverse("suggestions:detail", args=[done.pk])).content.decode()
    assert 'id="panel-propose"' not in text
    response = client.post(reverse("suggestions:propose", args=[done.pk]), {"lead": w.roads.pk})
    assert response.status_code == 400
    s.refresh_from_db()
    done.refresh_from_db()
    assert s.proposed_lead == w.housing and done.proposed_lead == w.housing


def test_staff_mark_and_unmark_a_running_suggestion_key(client, w):
    s = assigned(w)
    client.force_login(w.staff)
    assert (
        'id="panel-key"' in client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    )
    url = reverse("suggestions:mark_key", args=[s.pk])
    response = client.post(url, {"is_key": "on"})
    assert response.status_code == 400 and "领衔督办" in response.content.decode()
    response = client.post(url, {"is_key": "on", "key_leader": w.street.pk})
    assert response.status_code == 400 and "请从本区主任会议成员中选择" in response.content.decode()
    assert not Suggestion.objects.get(pk=s.pk).is_key
    assert client.post(url, {"is_key": "on", "key_leader": w.leader.pk}).status_code == 302
    assert Suggestion.objects.get(pk=s.pk).key_leader == w.leader
    assert client.post(url, {}).status_code == 302
    s.refresh_from_db()
    assert not s.is_key and s.key_leader is None
    assert Event.objects.filter(verb="suggestion_key").count() == 2


@pytest.mark.parametrize("who", OTHERS)
def test_only_staff_mark_key(client, w, who):
    s = assigned(w)
    client.force_login(w.users[who])
    text = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert 'id="panel-key"' not in text
    response = client.post(
        reverse("suggestions:mark_key", args=[s.pk]), {"is_key": "on", "key_leader": w.leader.pk}
    )
    assert response.status_code in (403, 404)
    assert not Suggestion.objects.get(pk=s.pk).is_key


# --- reassignment after a refusal ---------------------------------------------------------


def refused(w, role="lead"):
    s = assigned(w)
    assignment = Assignment.objects.get(case=s.case, role=role)
    unit_user = w.unit if role == "lead" else w.co_unit
    with time_machine.travel(moment(ASSIGN_DAY + datetime.timedelta(days=2)), tick=False):
        handling.assignment_return(assignment=assignment, by=unit_user, reason="不属于本单位职责。")
    s.refresh_from_db()
    return s, assignment


def test_staff_reassign_a_refused_lead(client, w):
    s, refused_lead = refused(w)
    client.force_login(w.staff)
    text = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert 'id="panel-reassign"' in text and "不属于本单位职责" in text
    url = reverse("suggestions:reassign", args=[s.pk])
    response = client.post(url, {"refused": refused_lead.pk, "unit": w.housing.pk})
    assert response.status_code == 400 and "另一个承办单位" in response.content.decode()
    response = client.post(url, {"refused": refused_lead.pk, "unit": w.unit_far.pk})
    assert (
        response.status_code == 400 and "请从本区在用的承办单位中选择" in response.content.decode()
    )
    assert Assignment.objects.filter(case=s.case).count() == 2
    response = client.post(url, {"refused": refused_lead.pk, "unit": w.office_a.pk})
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.reassign_count == 1 and s.status == Status.ASSIGNED
    assert Assignment.objects.get(case=s.case, role="lead", state="pending").unit == w.office_a
    text = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert 'id="panel-reassign"' not in text


def test_staff_reassign_a_refused_co_unit(client, w):
    s, refused_co = refused(w, role="co")
    client.force_login(w.staff)
    response = client.post(
        reverse("suggestions:reassign", args=[s.pk]),
        {"refused": refused_co.pk, "unit": w.office_a.pk},
    )
    assert response.status_code == 302
    assert Assignment.objects.filter(case=s.case, role="co", unit=w.office_a).exists()


@pytest.mark.parametrize("who", OTHERS)
def test_only_staff_reassign(client, w, who):
    s, refused_lead = refused(w)
    client.force_login(w.users[who])
    text = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert 'id="panel-reassign"' not in text
    response = client.post(
        reverse("suggestions:reassign", args=[s.pk]),
        {"refused": refused_lead.pk, "unit": w.office_a.pk},
    )
    assert response.status_code in (403, 404)
    s.refresh_from_db()
    assert s.reassign_count == 0


def test_reassigning_what_was_not_refused_is_refused(client, w):
    s = assigned(w)
    lead = Assignment.objects.get(case=s.case, role="lead")
    client.force_login(w.staff)
    response = client.post(
        reverse("suggestions:reassign", args=[s.pk]), {"refused": lead.pk, "unit": w.office_a.pk}
    )
    assert response.status_code == 400
    assert Assignment.objects.filter(case=s.case).count() == 2


# --- the assignment meeting ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staff", 200),
        ("gov", 200),
        ("far_staff", 200),
        ("other_unit", 403),
        ("unit", 403),
        ("leader", 403),
        ("street", 403),
        ("deputy", 403),
        ("citizen", 403),
    ],
)
def test_who_may_open_the_meeting(client, w, who, status):
    registered(w, "待交办建议")
    response = page(client, w.users[who], reverse("suggestions:meeting"))
    assert response.status_code == status
    text = response.content.decode()
    if who in ("staff", "gov"):
        assert "待交办建议" in text and "确认交办" in text
        assert "武昌区住房和城市更新局" in text and "武昌区城市管理执法局" in text
    else:
        assert "待交办建议" not in text


@pytest.mark.parametrize("who", ["staff", "gov"])
def test_the_meeting_assigns_the_checked_ones(client, w, who):
    first = registered(w, "第一件")
    second = registered(w, "第二件")
    third = registered(w, "第三件")
    client.force_login(w.users[who])
    with time_machine.travel(moment(ASSIGN_DAY), tick=False):
        response = client.post(
            reverse("suggestions:meeting"), {"suggestions": [first.pk, second.pk], "note": "交办会"}
        )
    assert response.status_code == 302
    statuses = {s.pk: s.status for s in Suggestion.objects.all()}
    assert statuses[first.pk] == statuses[second.pk] == Status.ASSIGNED
    assert statuses[third.pk] == Status.REGISTERED
    assert Assignment.objects.filter(case=first.case, role="lead", unit=w.housing).exists()


@pytest.mark.parametrize("who", ["far_staff", "other_unit", "leader", "street", "deputy"])
def test_others_cannot_assign(client, w, who):
    s = registered(w)
    client.force_login(w.users[who])
    response = client.post(reverse("suggestions:meeting"), {"suggestions": [s.pk]})
    assert response.status_code in (400, 403)
    s.refresh_from_db()
    assert s.status == Status.REGISTERED


def test_assigning_an_empty_batch_is_refused(client, w):
    registered(w)
    client.force_login(w.staff)
    response = client.post(reverse("suggestions:meeting"), {})
    assert response.status_code == 400
    assert "请选择要交办的建议" in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_batch_with_one_not_registered_assigns_none(client, w):
    ready = registered(w, "已立案")
    waiting = reviewed(w, "未立案")
    client.force_login(w.staff)
    response = client.post(reverse("suggestions:meeting"), {"suggestions": [ready.pk, waiting.pk]})
    assert response.status_code == 400
    assert "未交办任何建议" in response.content.decode()
    assert not Assignment.objects.exists()
    ready.refresh_from_db()
    assert ready.status == Status.REGISTERED


def test_a_batch_the_service_refuses_assigns_none(client, w):
    ready = registered(w, "已立案")
    no_lead = registered(w, "主办待定")
    Suggestion.objects.filter(pk=no_lead.pk).update(proposed_lead=None)
    client.force_login(w.staff)
    response = client.post(reverse("suggestions:meeting"), {"suggestions": [ready.pk, no_lead.pk]})
    assert response.status_code == 400
    assert "请选择主办单位" in response.content.decode()
    assert not Assignment.objects.exists()


def test_an_inactive_unit_at_the_meeting_assigns_none(client, w):
    ready = registered(w, "已立案")
    other = registered(w, "另一件", co_units=[])
    other.proposed_lead = f.HandlingUnitFactory(region=w.district, name="已撤销单位")
    other.save(update_fields=["proposed_lead"])
    other.proposed_lead.is_active = False
    other.proposed_lead.save(update_fields=["is_active"])
    client.force_login(w.staff)
    response = client.post(reverse("suggestions:meeting"), {"suggestions": [ready.pk, other.pk]})
    assert response.status_code == 400 and "已停用" in response.content.decode()
    assert not Assignment.objects.exists()
