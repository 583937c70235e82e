"""The supervision and quality review pages: who may open and post each (a form is shown
exactly to those whose post is accepted), and bad input (a clear error, nothing changed)."""

import datetime

import pytest
from django.urls import reverse

from zhitong.core.models import Event
from zhitong.suggestions import services_supervision as sup
from zhitong.suggestions.models import (
    Committee,
    QualityProblem,
    QualityReview,
    ReceptionDay,
    ReceptionItem,
    Status,
    Suggestion,
    SupervisionActivity,
)
from zhitong.suggestions.tests.supervision_world import at, replied, running, world

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 4, 6)
ROLES = [
    "staff",
    "far_staff",
    "leader",
    "other_leader",
    "unit",
    "co_unit",
    "other_unit",
    "deputy",
    "street",
    "citizen",
]


@pytest.fixture
def w(db):
    w = world()
    # A key suggestion led by w.leader, replied by housing (lead; roads the co-unit) with a
    # commitment due at the end of June.
    w.s = running(w, "关于增设公交线路的建议", assigned_on=D(2026, 3, 2), key=True)
    replied(w, w.s, on=D(2026, 4, 1), commitments=[("开通新线路", D(2026, 6, 30))])
    with at(TODAY):
        yield w


def login(client, w, who):
    client.force_login(w.users[who])
    return client


def page(client, url):
    response = client.get(url)
    return response.status_code, response.content.decode() if response.status_code == 200 else ""


def activity_post(**kw):
    data = {"kind": "meeting", "held_on": "2026-04-03", "note": "召开督办座谈会。", **kw}
    return {f"activity-{key}": value for key, value in data.items()}


def quality_post(round_=1, problems=(), **kw):
    data = {
        "quality-round": str(round_),
        "quality-compliance": "good",
        "quality-writing": "fair",
        "quality-effect": "poor",
        "quality-comment": "答复针对性不强。",
        "problem-TOTAL_FORMS": "3",
        "problem-INITIAL_FORMS": "0",
        "problem-MIN_NUM_FORMS": "0",
        "problem-MAX_NUM_FORMS": "20",
    }
    for n, (unit, aspect, text) in enumerate(problems):
        data[f"problem-{n}-unit"] = str(unit)
        data[f"problem-{n}-aspect"] = aspect
        data[f"problem-{n}-text"] = text
    data.update(kw)
    return data


# --- the suggestion's page: supervision and quality review panels ----------------------------

# (page status, activity form shown and post status, quality form shown and post status)
ON_THE_PAGE = {
    "staff": (200, 302, 302),
    "far_staff": (404, 404, 404),
    "leader": (200, 302, 403),
    "other_leader": (200, 403, 403),
    "unit": (200, 403, 403),
    "co_unit": (200, 403, 403),
    "other_unit": (404, 404, 404),
    "deputy": (200, 403, 403),
    "street": (200, 403, 403),
    "citizen": (404, 404, 404),
}


@pytest.mark.parametrize("who", ROLES)
def test_the_panels_forms_are_shown_to_those_who_may_post(client, w, who):
    get_status, activity_status, quality_status = ON_THE_PAGE[who]
    login(client, w, who)
    url = reverse("suggestions:detail", args=[w.s.pk])
    status, html = page(client, url)
    assert status == get_status
    assert ('id="form-activity"' in html) == (activity_status == 302)
    assert ('id="form-quality"' in html) == (quality_status == 302)
    if get_status == 200:
        assert "督办情况" in html
    response = client.post(reverse("suggestions:supervise", args=[w.s.pk]), activity_post())
    assert response.status_code == activity_status
    response = client.post(reverse("suggestions:quality_review", args=[w.s.pk]), quality_post())
    assert response.status_code == quality_status
    assert SupervisionActivity.objects.count() == (1 if activity_status == 302 else 0)
    assert QualityReview.objects.count() == (1 if quality_status == 302 else 0)


def test_a_recorded_activity_shows_on_the_page_and_the_leaders_lists(client, w):
    login(client, w, "leader")
    response = client.post(reverse("suggestions:supervise", args=[w.s.pk]), activity_post())
    assert response.status_code == 302
    html = client.get(reverse("suggestions:detail", args=[w.s.pk])).content.decode()
    assert "召开督办座谈会。" in html and "督办座谈" in html
    assert "2026-04-03 督办座谈" in html  # on the timeline
    led = client.get(reverse("suggestions:key_led")).content.decode()
    assert w.s.title in led and "2026-04-03" in led
    home = client.get(reverse("accounts:home")).content.decode()
    assert 'id="key-suggestions-led"' in home and w.s.title in home


@pytest.mark.parametrize(
    ("who", "status", "listed"),
    [
        ("leader", 200, True),
        ("other_leader", 200, False),
        ("staff", 403, False),
        ("unit", 403, False),
        ("deputy", 403, False),
        ("street", 403, False),
        ("citizen", 403, False),
    ],
)
def test_who_has_a_list_of_key_suggestions_led(client, w, who, status, listed):
    login(client, w, who)
    response = client.get(reverse("suggestions:key_led"))
    assert response.status_code == status
    assert (w.s.title in response.content.decode()) == listed


def test_bad_activities_are_refused_on_the_page(client, w):
    plain = running(w, "普通建议", assigned_on=D(2026, 3, 2))
    login(client, w, "leader")
    response = client.post(reverse("suggestions:supervise", args=[plain.pk]), activity_post())
    assert response.status_code == 400
    assert "只有重点督办建议才能记录领衔督办活动" in response.content.decode()
    response = client.post(
        reverse("suggestions:supervise", args=[w.s.pk]), activity_post(held_on="2026-04-07")
    )
    assert response.status_code == 400
    assert "督办日期不能晚于今天" in response.content.decode()
    response = client.post(reverse("suggestions:supervise", args=[w.s.pk]), activity_post(note=""))
    assert response.status_code == 400
    assert not SupervisionActivity.objects.exists()


# --- reception days ---------------------------------------------------------------------------


def plain(w, n, **kw):
    return Suggestion.objects.create(
        title=f"在办建议{n}",
        lead_deputy=w.dep_a,
        district=kw.pop("district", w.district),
        status=Status.HANDLING,
        created_by=w.deputy,
        **kw,
    )


def a_day(w):
    return sup.reception_day_create(
        by=w.staff,
        district=w.district,
        held_on=D(2026, 4, 10),
        director=w.leader,
        place="区人大会议室",
    )


# (list status, plans; day page status, forms shown; post status)
RECEPTION = {
    "staff": (200, True, 200, True, 302),
    "far_staff": (200, True, 404, False, 404),
    "leader": (200, False, 200, False, 403),
    "other_leader": (200, False, 200, False, 403),
    "unit": (403, False, 404, False, 404),
    "other_unit": (403, False, 404, False, 404),
    "deputy": (403, False, 404, False, 404),
    "street": (403, False, 404, False, 404),
    "citizen": (403, False, 404, False, 404),
}


@pytest.mark.parametrize("who", list(RECEPTION))
def test_who_may_open_and_adjust_reception_days(client, w, who):
    list_status, plans, day_status, forms_shown, post_status = RECEPTION[who]
    day = a_day(w)
    item = sup.reception_item_add(day=day, by=w.staff, suggestion=w.s)
    login(client, w, who)
    status, html = page(client, reverse("suggestions:reception_days"))
    assert status == list_status
    assert ('id="form-day"' in html) == plans
    if who in ("staff", "leader", "other_leader"):
        assert "2026-04-10" in html
    status, html = page(client, reverse("suggestions:reception_day", args=[day.pk]))
    assert status == day_status
    for form_id in ('id="form-add"', 'id="form-propose"', f'id="form-move-{item.pk}"'):
        assert (form_id in html) == forms_shown
    if day_status == 200:
        assert w.s.title in html and "工作人员列入" in html
    response = client.post(
        reverse("suggestions:reception_move", args=[day.pk, item.pk]), {f"m{item.pk}-position": "1"}
    )
    assert response.status_code == post_status
    response = client.post(reverse("suggestions:reception_remove", args=[day.pk, item.pk]))
    assert response.status_code == post_status
    assert ReceptionItem.objects.exists() == (post_status != 302)


def test_staff_plan_a_day_propose_adjust_record_and_hold_it(client, w):
    rows = [
        plain(w, n, open_due_date=D(2026, 3, 1) + datetime.timedelta(days=n)) for n in range(12)
    ]
    login(client, w, "staff")
    response = client.post(
        reverse("suggestions:reception_days"),
        {
            "district": str(w.district.pk),
            "held_on": "2026-04-06",
            "director": str(w.leader.pk),
            "place": "区人大",
        },
    )
    assert response.status_code == 302
    day = ReceptionDay.objects.get()
    assert response["Location"] == reverse("suggestions:reception_day", args=[day.pk])
    assert client.post(reverse("suggestions:reception_propose", args=[day.pk])).status_code == 302
    items = list(day.items.order_by("position"))
    # 12 overdue, then the key one (replied, not overdue): 13 in all.
    assert [i.suggestion_id for i in items] == [*(s.pk for s in rows), w.s.pk]
    html = client.get(reverse("suggestions:reception_day", args=[day.pk])).content.decode()
    assert "答复超期（期限2026-03-01）" in html and f'id="form-outcome-{items[0].pk}"' in html
    assert "按规则生成13件" in html and "安排主任接待日" in html
    response = client.post(
        reverse("suggestions:reception_outcome", args=[day.pk, items[0].pk]),
        {f"o{items[0].pk}-outcome": "住建局现场承诺月底前答复。"},
    )
    assert response.status_code == 302
    assert client.post(reverse("suggestions:reception_hold", args=[day.pk])).status_code == 302
    day.refresh_from_db()
    assert day.state == ReceptionDay.State.HELD
    assert Event.objects.filter(verb="suggestion_reception").count() == 1


def test_bad_reception_posts_are_refused(client, w):
    day = a_day(w)
    far = plain(w, "far", district=w.far_district)
    login(client, w, "staff")
    add = reverse("suggestions:reception_add", args=[day.pk])
    response = client.post(add, {"suggestion": str(far.pk)})
    assert response.status_code == 400 and "找不到该建议" in response.content.decode()
    for n in range(15):
        assert client.post(add, {"suggestion": str(plain(w, n).pk)}).status_code == 302
    response = client.post(add, {"suggestion": str(plain(w, 99).pk)})
    assert response.status_code == 400
    assert "每次主任接待日最多15件建议" in response.content.decode()
    assert day.items.count() == 15
    item = day.items.first()
    response = client.post(
        reverse("suggestions:reception_outcome", args=[day.pk, item.pk]),
        {f"o{item.pk}-outcome": "提前记录。"},
    )
    assert response.status_code == 400 and "主任接待日还没到" in response.content.decode()
    response = client.post(
        reverse("suggestions:reception_move", args=[day.pk, item.pk]),
        {f"m{item.pk}-position": "40"},
    )
    assert response.status_code == 400 and "请填写1到15之间的序号" in response.content.decode()
    response = client.post(reverse("suggestions:reception_hold", args=[day.pk]))
    assert response.status_code == 400
    response = client.post(
        reverse("suggestions:reception_days"),
        {"district": str(w.district.pk), "held_on": "2026-04-10", "director": str(w.staff.pk)},
    )
    assert response.status_code == 400
    assert ReceptionDay.objects.count() == 1
    assert not SupervisionActivity.objects.exists()


# --- committees ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staff", 200),
        ("leader", 403),
        ("unit", 403),
        ("deputy", 403),
        ("street", 403),
        ("citizen", 403),
    ],
)
def test_who_may_set_committees(client, w, who, status):
    login(client, w, who)
    assert client.get(reverse("suggestions:committees")).status_code == status
    assert client.get(reverse("suggestions:followed")).status_code == status
    response = client.post(
        reverse("suggestions:committees"),
        {"name": "城建环保工委", "categories": [str(w.category.pk)], "members": [str(w.staff.pk)]},
    )
    assert response.status_code == (302 if status == 200 else status)
    assert Committee.objects.exists() == (status == 200)


def test_committees_are_edited_and_their_members_follow_their_suggestions(client, w):
    login(client, w, "staff")
    assert "您还不是任何专工委的工作人员" in client.get(reverse("suggestions:followed")).text
    client.post(reverse("suggestions:committees"), {"name": "城建环保工委"})
    committee = Committee.objects.get()
    url = reverse("suggestions:committee_edit", args=[committee.pk])
    assert "城建环保工委" in client.get(url).content.decode()
    response = client.post(
        url,
        {"name": "城建环保工委", "categories": [str(w.category.pk)], "members": [str(w.staff.pk)]},
    )
    assert response.status_code == 302
    html = client.get(reverse("suggestions:followed")).content.decode()
    assert w.s.title in html and w.s.get_status_display() in html
    response = client.post(url, {"name": "城建环保工委", "members": [str(w.far_staff.pk)]})
    assert response.status_code == 400
    assert list(committee.members.all()) == [w.staff]
    client.post(reverse("suggestions:committees"), {"name": "教科文卫工委"})
    response = client.post(url, {"name": "教科文卫工委"})
    assert response.status_code == 400 and "本区已有同名的专工委" in response.content.decode()
    login(client, w, "far_staff")
    assert client.get(url).status_code == 404


# --- quality review -----------------------------------------------------------------------------


def reviewed(w):
    return sup.quality_review_record(
        suggestion=w.s,
        by=w.staff,
        round=1,
        compliance="good",
        writing="fair",
        effect="poor",
        problems=[
            sup.ProblemInput(unit=w.housing, aspect="effect", text="未回应第二项诉求。"),
            sup.ProblemInput(unit=w.roads, aspect="writing", text="协办意见过于简单。"),
        ],
    )


# (problem list status, answer form shown, answer post status)
PROBLEMS = {
    "unit": (200, True, 302),
    "co_unit": (200, False, 403),
    "other_unit": (200, False, 404),
    "staff": (403, False, 403),
    "leader": (403, False, 403),
    "deputy": (403, False, 403),
    "street": (403, False, 403),
    "citizen": (403, False, 404),
}


@pytest.mark.parametrize("who", list(PROBLEMS))
def test_who_may_answer_a_problem(client, w, who):
    reviewed(w)
    problem = QualityProblem.objects.get(unit=w.housing)
    list_status, form_shown, post_status = PROBLEMS[who]
    login(client, w, who)
    status, html = page(client, reverse("suggestions:unit_problems"))
    assert status == list_status
    assert (f'id="form-answer-{problem.pk}"' in html) == form_shown
    if who == "unit":
        assert "未回应第二项诉求。" in html and "协办意见过于简单。" not in html
    _status, detail = page(client, reverse("suggestions:detail", args=[w.s.pk]))
    assert (f'id="form-answer-{problem.pk}"' in detail) == form_shown
    response = client.post(
        reverse("suggestions:problem_answer", args=[problem.pk]),
        {f"a{problem.pk}-answer": "已整改。"},
    )
    assert response.status_code == post_status
    problem.refresh_from_db()
    assert bool(problem.answered_at) == (post_status == 302)


@pytest.mark.parametrize(
    ("who", "status", "listed"),
    [
        ("staff", 200, True),
        ("leader", 200, True),
        ("far_staff", 200, False),
        ("unit", 403, False),
        ("deputy", 403, False),
        ("street", 403, False),
        ("citizen", 403, False),
    ],
)
def test_the_districts_problem_list(client, w, who, status, listed):
    reviewed(w)
    login(client, w, who)
    response = client.get(reverse("suggestions:district_problems"))
    assert response.status_code == status
    assert ("协办意见过于简单。" in response.content.decode()) == listed


def test_bad_quality_posts_are_refused(client, w):
    login(client, w, "staff")
    url = reverse("suggestions:quality_review", args=[w.s.pk])
    response = client.post(url, quality_post(round_=2))
    assert response.status_code == 400
    assert "答复承诺事项尚未全部到期" in response.content.decode()
    response = client.post(url, quality_post(problems=[(w.office_a.pk, "effect", "问题")]))
    assert response.status_code == 400
    response = client.post(url, quality_post(problems=[(w.housing.pk, "", "问题")]))
    assert response.status_code == 400
    assert "请填写问题的承办单位、方面和内容" in response.content.decode()
    assert not QualityReview.objects.exists()
    response = client.post(url, quality_post(problems=[(w.housing.pk, "effect", "未回应。")]))
    assert response.status_code == 302
    html = client.get(reverse("suggestions:detail", args=[w.s.pk])).content.decode()
    assert "答复后评审 · 合规好，文书较好，效果差；发现问题1个" in html
    response = client.post(url, quality_post())
    assert response.status_code == 400 and "已经进行过答复后评审" in response.content.decode()
    assert QualityReview.objects.count() == 1
    problem = QualityProblem.objects.get()
    login(client, w, "unit")
    answer = reverse("suggestions:problem_answer", args=[problem.pk])
    assert client.post(answer, {f"a{problem.pk}-answer": "已整改。"}).status_code == 302
    response = client.post(answer, {f"a{problem.pk}-answer": "再答一次。"})
    assert response.status_code == 400
    assert "该问题已经反馈过整改情况" in response.content.decode()
    problem.refresh_from_db()
    assert problem.answer == "已整改。"


@pytest.mark.parametrize(
    ("who", "links"),
    [
        ("staff", ["reception_days", "district_problems", "committees", "followed"]),
        ("leader", ["key_led", "reception_days", "district_problems"]),
        ("unit", ["unit_problems"]),
        ("deputy", []),
    ],
)
def test_homes_link_to_the_supervision_pages(client, w, who, links):
    reviewed(w)
    login(client, w, who)
    html = client.get(reverse("accounts:home")).content.decode()
    every = ["key_led", "reception_days", "district_problems", "committees", "followed"]
    every.append("unit_problems")
    for name in every:
        assert (f'href="{reverse(f"suggestions:{name}")}"' in html) == (name in links), name
    if who == "unit":
        assert "1 待反馈" in html
