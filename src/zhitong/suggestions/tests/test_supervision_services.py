"""督 and the quality review of 评 through their services: key suggestions' supervision, the
reception day and its proposed agenda, committees, the quality review and its problems."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from zhitong.core.models import Event
from zhitong.suggestions import selectors_supervision as sel
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
from zhitong.suggestions.services import SuggestionError
from zhitong.suggestions.tests.supervision_world import at, rated, replied, running, world
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def w(db):
    return world()


def events(verb):
    return Event.objects.filter(verb=verb).count()


# --- 领衔督办 --------------------------------------------------------------------------------


def test_the_leader_who_leads_it_and_staff_record_activities(w):
    s = running(w, "关于增设公交线路的建议", assigned_on=D(2026, 3, 2), key=True)
    with at(D(2026, 3, 20)):
        sup.supervision_record(
            suggestion=s,
            by=w.leader,
            kind="meeting",
            held_on=D(2026, 3, 19),
            note="召开督办座谈会。",
        )
        sup.supervision_record(
            suggestion=s,
            by=w.staff,
            kind="site_visit",
            held_on=D(2026, 3, 20),
            note="实地察看线路。",
        )
    assert list(s.supervision.values_list("kind", flat=True)) == ["meeting", "site_visit"]
    assert events("suggestion_supervise") == 2
    led = list(sel.key_suggestions_led_by(w.leader))
    assert led == [s] and led[0].last_activity == D(2026, 3, 20)
    assert list(sel.key_suggestions_led_by(w.other_leader)) == []


@pytest.mark.parametrize(
    ("who", "key", "held_on", "error"),
    [
        ("leader", False, D(2026, 3, 19), SuggestionError),  # not a key suggestion
        ("staff", False, D(2026, 3, 19), SuggestionError),
        ("other_leader", True, D(2026, 3, 19), PermissionDenied),  # not the one who leads it
        ("far_staff", True, D(2026, 3, 19), PermissionDenied),
        ("unit", True, D(2026, 3, 19), PermissionDenied),
        ("deputy", True, D(2026, 3, 19), PermissionDenied),
        ("leader", True, D(2026, 3, 21), SuggestionError),  # held tomorrow
        ("leader", True, D(2026, 2, 1), SuggestionError),  # before the assignment
    ],
)
def test_refused_activities_change_nothing(w, who, key, held_on, error):
    s = running(w, "关于增设公交线路的建议", assigned_on=D(2026, 3, 2), key=key)
    before = Event.objects.count()
    with at(D(2026, 3, 20)), pytest.raises(error):
        sup.supervision_record(
            suggestion=s, by=w.users[who], kind="meeting", held_on=held_on, note="督办。"
        )
    assert not SupervisionActivity.objects.exists()
    assert Event.objects.count() == before


def test_a_non_key_activity_says_why(w):
    s = running(w, "关于增设公交线路的建议", assigned_on=D(2026, 3, 2))
    with at(D(2026, 3, 20)), pytest.raises(SuggestionError) as refused:
        sup.supervision_record(
            suggestion=s, by=w.leader, kind="meeting", held_on=D(2026, 3, 19), note="督办。"
        )
    assert refused.value.code == "not_key"
    with at(D(2026, 3, 20)), pytest.raises(SuggestionError) as future:
        s.is_key = True
        s.key_leader = w.leader
        s.save()
        sup.supervision_record(
            suggestion=s, by=w.leader, kind="meeting", held_on=D(2026, 3, 21), note="督办。"
        )
    assert future.value.code == "future_date"


# --- 主任接待日: the proposed agenda ----------------------------------------------------------


def agenda_world(w):
    """Suggestions in many states; the agenda is proposed on 2026-05-06."""
    made = {}
    # Overdue replies: assigned in January, due in April.
    for n, day in enumerate((D(2026, 1, 14), D(2026, 1, 12), D(2026, 1, 16)), 1):
        made[f"overdue{n}"] = running(w, f"超期建议{n}", assigned_on=day)
    made["overdue_elsewhere"] = running(w, "已列入另一接待日的超期建议", assigned_on=D(2026, 1, 13))
    # Not satisfied: handled again; and rated 不满意 a second time (carried out since).
    s = running(w, "重新办理的建议", assigned_on=D(2026, 3, 2))
    replied(w, s, on=D(2026, 4, 10), commitments=[("年内完成", D(2026, 12, 31))])
    made["rehandling"] = rated(w, s, on=D(2026, 4, 20), result="unsatisfied")
    s = running(w, "两次不满意的建议", assigned_on=D(2026, 3, 2))
    replied(w, s, on=D(2026, 3, 20), commitments=[("年内完成", D(2026, 12, 31))])
    rated(w, s, on=D(2026, 3, 25), result="unsatisfied")
    replied(w, s, on=D(2026, 4, 1))
    made["unsatisfied"] = rated(w, s, on=D(2026, 4, 2), result="unsatisfied")
    # Key ones, on time.
    made["key1"] = running(w, "重点建议一", assigned_on=D(2026, 3, 3), key=True)
    made["key2"] = running(w, "重点建议二", assigned_on=D(2026, 3, 2), key=True)
    # Commitments being carried out, old and new.
    for name, due in (("commit_new", D(2026, 9, 30)), ("commit_old", D(2026, 5, 10))):
        s = running(w, f"承诺建议{name}", assigned_on=D(2026, 3, 2))
        replied(w, s, on=D(2026, 4, 1), commitments=[("完成改造", due)])
        made[name] = rated(w, s, on=D(2026, 4, 2), result="satisfied")
    # Other running ones (to reach 10): due dates by their assignment.
    made["plain_late"] = running(w, "普通在办建议乙", assigned_on=D(2026, 3, 10))
    made["plain_early"] = running(w, "普通在办建议甲", assigned_on=D(2026, 3, 5))
    # Not to be proposed: closed, a draft, one of another district.
    s = running(w, "已办结建议", assigned_on=D(2026, 3, 2))
    replied(w, s, on=D(2026, 4, 1), result_class="A")
    made["closed"] = rated(w, s, on=D(2026, 4, 2), result="satisfied")
    with at(D(2026, 4, 2)):
        from zhitong.suggestions import services

        made["draft"] = services.suggestion_draft(by=w.deputy, title="草稿建议", content="内容")
    far_deputy = f.DeputyFactory(district=w.far_district, name="王丙")
    made["far"] = Suggestion.objects.create(
        title="外区超期建议",
        lead_deputy=far_deputy,
        district=w.far_district,
        status=Status.HANDLING,
        open_due_date=D(2026, 1, 1),
        created_by=w.far_staff,
    )
    return made


def test_the_proposed_agenda_holds_the_right_ones_in_order(w):
    made = agenda_world(w)
    assert made["rehandling"].status == Status.REHANDLING
    assert made["unsatisfied"].status == Status.CARRYING_OUT
    assert made["closed"].status == Status.CLOSED
    with at(D(2026, 4, 20)):
        other = sup.reception_day_create(
            by=w.staff, district=w.district, held_on=D(2026, 5, 20), director=w.leader
        )
        sup.reception_item_add(day=other, by=w.staff, suggestion=made["overdue_elsewhere"])
    with at(D(2026, 5, 6)):
        day = sup.reception_day_create(
            by=w.staff,
            district=w.district,
            held_on=D(2026, 5, 8),
            director=w.leader,
            place="区人大",
        )
        items = sup.reception_agenda_propose(day=day, by=w.staff)
    order = {s.pk: name for name, s in made.items()}
    names = [order[item.suggestion_id] for item in items]
    assert names == [
        "overdue2",  # due first (assigned 12 Jan)
        "overdue1",
        "overdue3",
        "rehandling",  # not satisfied: handled again
        "unsatisfied",  # last rated 不满意
        "key2",
        "key1",
        "commit_old",  # the oldest open commitment first
        "commit_new",
        "plain_early",  # to reach 10: the one due first
    ]
    assert 10 <= len(items) <= 15
    assert [item.position for item in items] == list(range(1, 11))
    reasons = {order[item.suggestion_id]: item.reason for item in items}
    assert reasons["overdue2"].startswith("答复超期")
    assert "重新办理" in reasons["rehandling"]
    assert "不满意" in reasons["unsatisfied"]
    assert reasons["key1"] == "重点督办"
    assert reasons["commit_old"] == "承诺事项2026-05-10到期"
    assert reasons["plain_early"] == "在办建议"
    assert events("reception_agenda") == 2


def test_the_proposal_holds_at_most_fifteen(w):
    deputy = w.dep_a
    for n in range(20):
        Suggestion.objects.create(
            title=f"超期{n}",
            lead_deputy=deputy,
            district=w.district,
            status=Status.HANDLING,
            open_due_date=D(2026, 1, 1) + datetime.timedelta(days=n),
            created_by=w.deputy,
        )
    with at(D(2026, 5, 6)):
        day = sup.reception_day_create(
            by=w.staff, district=w.district, held_on=D(2026, 5, 8), director=w.leader
        )
        items = sup.reception_agenda_propose(day=day, by=w.staff)
    assert len(items) == 15
    assert [i.suggestion.title for i in items] == [f"超期{n}" for n in range(15)]


def _plain(w, n, **kw):
    return Suggestion.objects.create(
        title=f"在办{n}",
        lead_deputy=w.dep_a,
        district=kw.pop("district", w.district),
        status=kw.pop("status", Status.HANDLING),
        created_by=w.deputy,
        **kw,
    )


def test_the_agenda_is_adjusted_recorded_and_held(w):
    rows = [_plain(w, n) for n in range(16)]
    with at(D(2026, 5, 6)):
        day = sup.reception_day_create(
            by=w.staff, district=w.district, held_on=D(2026, 5, 8), director=w.leader
        )
        for s in rows[:15]:
            sup.reception_item_add(day=day, by=w.staff, suggestion=s)
        before = Event.objects.count()
        with pytest.raises(SuggestionError) as too_many:
            sup.reception_item_add(day=day, by=w.staff, suggestion=rows[15])
        assert too_many.value.code == "too_many" and day.items.count() == 15
        with pytest.raises(SuggestionError) as twice:
            sup.reception_item_add(day=day, by=w.staff, suggestion=rows[0])
        assert twice.value.code == "already_on_agenda"
        assert Event.objects.count() == before
        last = day.items.get(position=15)
        sup.reception_item_move(item=last, by=w.staff, position=1)
        assert day.items.get(position=1).pk == last.pk
        assert sorted(day.items.values_list("position", flat=True)) == list(range(1, 16))
        sup.reception_item_remove(item=day.items.get(position=2), by=w.staff)
        assert sorted(day.items.values_list("position", flat=True)) == list(range(1, 15))
        first = day.items.get(position=1)
        with pytest.raises(SuggestionError) as early:
            sup.reception_outcome_record(item=first, by=w.staff, outcome="现场答复。")
        assert early.value.code == "not_yet"
        with pytest.raises(SuggestionError):
            sup.reception_day_hold(day=day, by=w.staff)
    with at(D(2026, 5, 8)):
        sup.reception_outcome_record(item=first, by=w.staff, outcome="住建局现场承诺月底前答复。")
        with pytest.raises(SuggestionError) as again:
            sup.reception_outcome_record(item=first, by=w.staff, outcome="再记一次。")
        assert again.value.code == "already_recorded"
        sup.reception_day_hold(day=day, by=w.staff)
    day.refresh_from_db()
    assert day.state == ReceptionDay.State.HELD
    activity = SupervisionActivity.objects.get()
    assert activity.kind == "reception" and activity.suggestion_id == first.suggestion_id
    assert Event.objects.filter(verb="suggestion_reception", object_id=str(first.suggestion_id))
    with at(D(2026, 5, 9)), pytest.raises(SuggestionError) as held:
        sup.reception_item_add(day=day, by=w.staff, suggestion=rows[15])
    assert held.value.code == "day_held"


def test_holding_a_short_agenda_is_refused(w):
    with at(D(2026, 5, 8)):
        day = sup.reception_day_create(
            by=w.staff, district=w.district, held_on=D(2026, 5, 8), director=w.leader
        )
        for n in range(9):
            sup.reception_item_add(day=day, by=w.staff, suggestion=_plain(w, n))
        with pytest.raises(SuggestionError) as short:
            sup.reception_day_hold(day=day, by=w.staff)
    assert short.value.code == "agenda_size"
    day.refresh_from_db()
    assert day.state == ReceptionDay.State.PLANNED


def test_bad_reception_input_changes_nothing(w):
    far = _plain(w, "far", district=w.far_district)
    draft = _plain(w, "draft", status=Status.DRAFT)
    with at(D(2026, 5, 6)):
        with pytest.raises(SuggestionError) as not_leader:
            sup.reception_day_create(
                by=w.staff, district=w.district, held_on=D(2026, 5, 8), director=w.staff
            )
        assert not_leader.value.code == "invalid_director"
        with pytest.raises(PermissionDenied):
            sup.reception_day_create(
                by=w.leader, district=w.district, held_on=D(2026, 5, 8), director=w.leader
            )
        with pytest.raises(PermissionDenied):
            sup.reception_day_create(
                by=w.far_staff, district=w.district, held_on=D(2026, 5, 8), director=w.leader
            )
        day = sup.reception_day_create(
            by=w.staff, district=w.district, held_on=D(2026, 5, 8), director=w.leader
        )
        with pytest.raises(SuggestionError) as other:
            sup.reception_item_add(day=day, by=w.staff, suggestion=far)
        assert other.value.code == "other_district"
        with pytest.raises(SuggestionError) as not_running:
            sup.reception_item_add(day=day, by=w.staff, suggestion=draft)
        assert not_running.value.code == "not_running"
        with pytest.raises(PermissionDenied):
            sup.reception_item_add(day=day, by=w.leader, suggestion=_plain(w, 1))
    assert ReceptionDay.objects.count() == 1 and not ReceptionItem.objects.exists()


# --- 专工委对口 --------------------------------------------------------------------------------


def test_committee_members_follow_their_categories(w):
    child = f.CategoryFactory(name="电梯加装", code="WY0101", parent=w.category)
    other = f.CategoryFactory(name="教育", code="JY01")
    mine = _plain(w, 1, category=child)
    direct = _plain(w, 2, category=w.category)
    _plain(w, 3, category=other)
    _plain(w, 4, category=w.category, status=Status.DRAFT)
    with at(D(2026, 5, 6)):
        committee = sup.committee_save(
            by=w.staff,
            district=w.district,
            name="城建环保工委",
            categories=[w.category],
            members=[w.staff],
        )
        with pytest.raises(SuggestionError) as same:
            sup.committee_save(by=w.staff, district=w.district, name="城建环保工委")
        assert same.value.code == "duplicate_name"
        with pytest.raises(SuggestionError) as outsider:
            sup.committee_save(
                by=w.staff, district=w.district, name="教科文卫工委", members=[w.far_staff]
            )
        assert outsider.value.code == "invalid_member"
        with pytest.raises(PermissionDenied):
            sup.committee_save(by=w.leader, district=w.district, name="教科文卫工委")
    assert Committee.objects.count() == 1 and committee.members.get() == w.staff
    assert set(sel.followed_suggestions(w.staff)) == {mine, direct}
    assert not sel.followed_suggestions(w.far_staff).exists()


# --- 质量评审 -----------------------------------------------------------------------------------


def reviewed_world(w):
    s = running(w, "关于老旧小区改造的建议", assigned_on=D(2026, 3, 2))
    replied(w, s, on=D(2026, 4, 1), commitments=[("完成改造", D(2026, 6, 30))])
    return s


def problem(unit, text="答复未回应第二项诉求。", aspect="effect"):
    return sup.ProblemInput(unit=unit, aspect=aspect, text=text)


def test_two_rounds_of_review_and_the_units_answer(w):
    s = reviewed_world(w)
    with at(D(2026, 4, 5)):
        with pytest.raises(SuggestionError) as early:
            sup.quality_review_record(
                suggestion=s, by=w.staff, round=2, compliance="good", writing="good", effect="good"
            )
        assert early.value.code == "commitments_not_due"
        review = sup.quality_review_record(
            suggestion=s,
            by=w.staff,
            round=1,
            compliance="good",
            writing="fair",
            effect="poor",
            comment="答复针对性不强。",
            problems=[problem(w.housing), problem(w.roads, "协办意见过于简单。", "writing")],
        )
        with pytest.raises(SuggestionError) as twice:
            sup.quality_review_record(
                suggestion=s, by=w.staff, round=1, compliance="good", writing="good", effect="good"
            )
        assert twice.value.code == "already_reviewed"
    assert review.problems.count() == 2
    mine = QualityProblem.objects.get(unit=w.housing)
    with at(D(2026, 4, 10)):
        with pytest.raises(PermissionDenied):
            sup.quality_problem_answer(problem=mine, by=w.co_unit, answer="已整改。")
        sup.quality_problem_answer(problem=mine, by=w.unit, answer="已补充答复第二项。")
        with pytest.raises(SuggestionError) as again:
            sup.quality_problem_answer(problem=mine, by=w.unit, answer="再答一次。")
        assert again.value.code == "already_answered"
    mine.refresh_from_db()
    assert mine.answer == "已补充答复第二项。"
    assert events("quality_problem_answer") == 1
    assert list(sel.problems_of_unit(w.co_unit)) == [QualityProblem.objects.get(unit=w.roads)]
    counts = sel.outstanding_by_unit(sel.district_problems(w.staff, w.district))
    assert {(r["unit__name"], r["total"], r["outstanding"]) for r in counts} == {
        (w.housing.name, 1, 0),
        (w.roads.name, 1, 1),
    }
    with at(D(2026, 7, 1)):
        sup.quality_review_record(
            suggestion=s, by=w.staff, round=2, compliance="good", writing="good", effect="fair"
        )
    assert QualityReview.objects.filter(suggestion=s).count() == 2


def test_bad_quality_input_changes_nothing(w):
    s = reviewed_world(w)
    before = Event.objects.count()
    with at(D(2026, 4, 5)):
        with pytest.raises(SuggestionError) as not_assigned:
            sup.quality_review_record(
                suggestion=s,
                by=w.staff,
                round=1,
                compliance="good",
                writing="good",
                effect="good",
                problems=[problem(w.office_a)],
            )
        assert not_assigned.value.code == "invalid_unit"
        with pytest.raises(SuggestionError) as grade:
            sup.quality_review_record(
                suggestion=s, by=w.staff, round=1, compliance="best", writing="good", effect="good"
            )
        assert grade.value.code == "invalid_grade"
        for who in ("leader", "far_staff", "unit", "deputy"):
            with pytest.raises(PermissionDenied):
                sup.quality_review_record(
                    suggestion=s,
                    by=w.users[who],
                    round=1,
                    compliance="good",
                    writing="good",
                    effect="good",
                )
    assert not QualityReview.objects.exists() and Event.objects.count() == before
    running_one = running(w, "尚未答复的建议", assigned_on=D(2026, 3, 2))
    with at(D(2026, 4, 5)), pytest.raises(SuggestionError) as not_replied:
        sup.quality_review_record(
            suggestion=running_one,
            by=w.staff,
            round=1,
            compliance="good",
            writing="good",
            effect="good",
        )
    assert not_replied.value.code == "invalid_transition"


def test_the_unit_is_given_a_task_per_problem_closed_by_its_answer(
    w, django_capture_on_commit_callbacks
):
    from zhitong.notifications.models import Notification

    s = reviewed_world(w)
    with at(D(2026, 4, 5)), django_capture_on_commit_callbacks(execute=True):
        sup.quality_review_record(
            suggestion=s,
            by=w.staff,
            round=1,
            compliance="good",
            writing="good",
            effect="poor",
            problems=[problem(w.housing), problem(w.roads)],
        )
    tasks = Notification.objects.filter(verb="quality_problem", task=True)
    assert {n.recipient for n in tasks} == {w.unit, w.co_unit}
    mine = QualityProblem.objects.get(unit=w.housing)
    with at(D(2026, 4, 6)), django_capture_on_commit_callbacks(execute=True):
        sup.quality_problem_answer(problem=mine, by=w.unit, answer="已整改。")
    assert tasks.get(recipient=w.unit).done_at is not None
    assert tasks.get(recipient=w.co_unit).done_at is None


def test_the_director_is_told_of_the_day(w, django_capture_on_commit_callbacks):
    from zhitong.notifications.models import Notification

    with at(D(2026, 4, 5)), django_capture_on_commit_callbacks(execute=True):
        sup.reception_day_create(
            by=w.staff,
            district=w.district,
            held_on=D(2026, 4, 20),
            director=w.leader,
            place="区人大",
        )
    told = Notification.objects.get(verb="reception_day")
    assert told.recipient == w.leader and "2026-04-20" in told.text
