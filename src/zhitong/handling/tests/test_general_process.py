"""Handling serves any process: errands, a process defined only in the tests (two states,
a months deadline, a back-to-back rating), run on the same services as opinions, and seen
by the unit in the same inbox as its opinions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhitong.core.models import Event
from zhitong.handling import deadlines
from zhitong.handling import services as handling
from zhitong.handling.models import Assignment, Rating, Reply, Rule
from zhitong.handling.registry import HandlingError
from zhitong.handling.tests.errands.models import Errand
from zhitong.opinions.tests.lifecycle_world import at, build, frozen
from zhitong.testing import factories as f

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build()


def new_errand(w, moment, *, title="修缮社区活动室", lead=None, co=None, months=3):
    """An errand handed to a lead unit (3 months) and a co-unit (1 month), as a process's
    own transition would: it makes its case, then assigns inside its transaction."""
    with frozen(moment):
        errand = Errand(title=title, district=w.district, rater=w.deputy)
        errand.case = handling.case_open(
            process="errands", district=w.district, reference=f"E-{title}", title=title
        )
        errand.save()
        lead_row = handling.assign(
            case=errand.case,
            unit=lead or w.housing,
            role=Assignment.Role.LEAD,
            rule=Rule.MONTHS,
            period=months,
            by=w.staff,
            at=moment,
        )
        co_row = None
        if co is not None:
            co_row = handling.assign(
                case=errand.case,
                unit=co,
                role=Assignment.Role.CO,
                rule=Rule.MONTHS,
                period=1,
                by=w.staff,
                at=moment,
            )
        handling.sync_open_dates(errand)
    return errand, lead_row, co_row


def verbs(errand):
    return list(Event.objects.for_object(errand).order_by("id").values_list("verb", flat=True))


def test_a_months_deadline_runs_from_assignment_and_rolls_over_holidays(w):
    # 3 months from 2026-07-01 is 10-01, National Day (10-01..10-07): the next working day.
    errand, lead, co = new_errand(w, at(D(2026, 7, 1)), co=w.roads)
    assert lead.due_date == D(2026, 10, 8)
    assert lead.rule == Rule.MONTHS and lead.period == 3
    explanation = deadlines.stored(lead).explanation()
    assert "3个月" in explanation and "国庆节" in explanation and "10月8日" in explanation
    # The co-unit has one month: 08-01 is a Saturday, so Monday 08-03.
    assert co.due_date == D(2026, 8, 3)
    # Very overdue once late by as long again: 3 months after the due date, rolled.
    assert lead.very_overdue_from == D(2027, 1, 8)
    errand.refresh_from_db()
    assert errand.open_due_date == D(2026, 10, 8)


def test_month_ends_are_clamped():
    assert deadlines.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert deadlines.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert deadlines.add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)


def test_the_whole_loop_with_extension_chase_reply_and_a_back_to_back_rating(w, client):
    errand, lead, co = new_errand(w, at(D(2026, 3, 2)), co=w.roads)  # due Tue 06-02
    assert lead.due_date == D(2026, 6, 2)
    with frozen(at(D(2026, 3, 3))):
        handling.assignment_accept(assignment=lead, by=w.unit)
        handling.assignment_accept(assignment=co, by=w.co_unit)
        with pytest.raises(HandlingError, match="月数必须在1至3之间"):
            handling.extension_request(assignment=lead, by=w.unit, period=4, reason="需立项")
        with pytest.raises(PermissionDenied):
            handling.extension_request(assignment=lead, by=w.co_unit, period=2, reason="x")
        extension = handling.extension_request(
            assignment=lead, by=w.unit, period=2, reason="需等待年度预算批复"
        )
    with frozen(at(D(2026, 3, 4))):
        with pytest.raises(PermissionDenied):
            handling.extension_decide(extension=extension, by=w.unit, approve=True)
        handling.extension_decide(extension=extension, by=w.staff, approve=True)
    lead.refresh_from_db()
    # Five months from the same start: 08-02 is a Sunday, so Monday 08-03.
    assert lead.due_date == D(2026, 8, 3) and lead.period == 3
    with frozen(at(D(2026, 4, 10))):
        chase = handling.assignment_chase(assignment=co, by=w.staff, note="请尽快提交协办意见")
        with pytest.raises(PermissionDenied):
            handling.assignment_chase(assignment=co, by=w.unit)
    co.refresh_from_db()
    assert co.chase_count == 1 and chase.was_overdue is True  # co was due 04-02
    with frozen(at(D(2026, 4, 20))):
        with pytest.raises(HandlingError, match="请选择答复类别"):
            handling.assignment_reply(assignment=lead, by=w.unit, text="已完成修缮。")
        reply = handling.assignment_reply(
            assignment=lead, by=w.unit, text="已完成修缮。", result_class="A"
        )
    with frozen(at(D(2026, 4, 25))):
        for outsider in (w.unit, w.staff, w.other_deputy):
            with pytest.raises(PermissionDenied):
                handling.reply_rate(reply=reply, by=outsider, score="satisfied")
        rating = handling.reply_rate(reply=reply, by=w.deputy, score="satisfied")
        with pytest.raises(HandlingError):
            handling.reply_rate(reply=reply, by=w.deputy, score="satisfied")
    assert rating.back_to_back is True and rating.rater == w.deputy
    errand.refresh_from_db()
    assert errand.state == Errand.State.DONE
    assert verbs(errand) == [
        "assignment_accept",
        "assignment_accept",
        "extension_request",
        "extension_decide",
        "chase",
        "assignment_reply",
        "reply_rate",
    ]

    # The unit sees the score in its inbox and on the assignment, never who rated.
    client.force_login(w.unit)
    pages = [
        client.get("/work/inbox/?show=all"),
        client.get(f"/work/inbox/{lead.pk}/"),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert w.deputy.username not in html and w.deputy.get_full_name() not in html
    assert "满意" in pages[1].content.decode() and "修缮社区活动室" in pages[0].content.decode()
    # Another unit may not open it; the inbox link leads to the process's own page.
    client.force_login(w.other_unit)
    assert client.get(f"/work/inbox/{lead.pk}/").status_code == 404
    client.force_login(w.unit)
    assert client.get(f"/work/inbox/{lead.pk}/case/")["Location"] == f"/errands/{errand.pk}/"


def test_the_inbox_holds_every_process_and_pages_on_a_fixed_query_count(w, client):
    referral = f.ReferralFactory(unit=w.housing, opinion__district=w.district)
    errand, lead, _ = new_errand(w, at(D(2026, 3, 2)))
    client.force_login(w.unit)
    html = client.get("/work/inbox/").content.decode()
    assert referral.opinion.subject in html and errand.title in html
    assert "群众意见" in html and "测试事项" in html

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/work/inbox/?show=all").status_code == 200
        return len(captured)

    few = queries()
    for i in range(60):
        new_errand(w, at(D(2026, 3, 2)), title=f"事项{i}")
    assert queries() == few
    first = client.get("/work/inbox/?show=all").context["page"]
    assert len(first.rows) == 50 and first.next_cursor
    second = client.get(f"/work/inbox/?show=all&before={first.next_cursor}").context["page"]
    ids = [r.assignment.pk for r in first.rows] + [r.assignment.pk for r in second.rows]
    assert len(ids) == len(set(ids)) == 62 and ids == sorted(ids, reverse=True)
    # Another unit's inbox is its own; a user without a unit has none.
    client.force_login(w.co_unit)
    assert client.get("/work/inbox/?show=all").context["page"].rows == []
    client.force_login(w.staff)
    assert client.get("/work/inbox/").status_code == 403
    # A hostile cursor is a first page, not an error.
    client.force_login(w.unit)
    assert client.get("/work/inbox/?before=99999999999999999999999").status_code == 200


def test_deadline_passings_are_recorded_once_for_any_process(w):
    errand, lead, _ = new_errand(w, at(D(2026, 3, 2)), months=1)  # due 04-02
    assert handling.deadlines_record_passings(today=D(2026, 4, 2)) == 0
    assert handling.deadlines_record_passings(today=D(2026, 4, 3)) == 1
    assert handling.deadlines_record_passings(today=D(2026, 4, 4)) == 0
    assert verbs(errand) == ["deadline_passed"]
    with frozen(at(D(2026, 4, 3))):
        page_state = handling_state(lead)
    assert page_state == "overdue"


def handling_state(assignment):
    from django.utils import timezone

    from zhitong.handling.selectors import deadline_state
    from zhitong.workdays.selectors import working_calendar

    assignment.refresh_from_db()
    return deadline_state(assignment, timezone.localdate(), working_calendar())


def test_reassign_and_a_new_deadline_set_by_staff(w):
    errand, lead, co = new_errand(w, at(D(2026, 3, 2)), co=w.roads)
    with frozen(at(D(2026, 3, 10))):
        with pytest.raises(HandlingError, match="另一个承办单位"):
            handling.assignment_reassign(assignment=co, by=w.staff, unit=w.roads, reason="x")
        with pytest.raises(HandlingError, match="不属于本区"):
            handling.assignment_reassign(assignment=co, by=w.staff, unit=w.unit_far, reason="x")
        with pytest.raises(HandlingError, match="改派理由"):
            handling.assignment_reassign(assignment=co, by=w.staff, unit=w.office_a, reason=" ")
        with pytest.raises(PermissionDenied):
            handling.assignment_reassign(assignment=co, by=w.unit, unit=w.office_a, reason="x")
        new = handling.assignment_reassign(
            assignment=co, by=w.staff, unit=w.office_a, reason="属街道职责"
        )
    co.refresh_from_db()
    assert co.state == Assignment.State.WITHDRAWN
    assert (new.unit, new.role, new.state, new.rule, new.period) == (
        w.office_a,
        "co",
        "pending",
        Rule.MONTHS,
        1,
    )
    assert new.due_date == D(2026, 4, 10)
    with frozen(at(D(2026, 3, 11))):
        with pytest.raises(HandlingError, match="必须是工作日"):
            handling.assignment_set_deadline(
                assignment=lead, by=w.staff, due=D(2026, 7, 4), reason="需配合汛期施工"
            )
        with pytest.raises(HandlingError, match="晚于今天"):
            handling.assignment_set_deadline(
                assignment=lead, by=w.staff, due=D(2026, 3, 11), reason="x"
            )
        handling.assignment_set_deadline(
            assignment=lead, by=w.staff, due=D(2026, 7, 3), reason="需配合汛期施工"
        )
    lead.refresh_from_db()
    errand.refresh_from_db()
    assert lead.due_date == D(2026, 7, 3) == errand.open_due_date
    assert lead.deadline["reason"] == "需配合汛期施工"
    assert verbs(errand) == ["reassign", "deadline_set"]
    # A published holiday year does not undo a date staff set by hand.
    assert handling.assignments_recompute_deadlines(year=2026, by=w.staff) == 0


def test_a_rating_taken_by_phone_names_who_took_it(w):
    errand, lead, _ = new_errand(w, at(D(2026, 3, 2)))
    handling.assignment_accept(assignment=lead, by=w.unit)
    reply = handling.assignment_reply(assignment=lead, by=w.unit, text="已办", result_class="B")
    with pytest.raises(PermissionDenied):
        handling.reply_rate(reply=reply, by=w.unit, score="satisfied", method="phone")
    with pytest.raises(HandlingError, match="不满意的原因"):
        handling.reply_rate(reply=reply, by=w.staff, score="unsatisfied", method="phone")
    assert not Rating.objects.exists()
    rating = handling.reply_rate(reply=reply, by=w.staff, score="basically", method="phone")
    assert (rating.method, rating.taken_by, rating.rater) == ("phone", w.staff, None)
    event = Event.objects.for_object(errand).get(verb="reply_rate_taken")
    assert event.actor == w.staff and event.data["method"] == "phone"


def test_the_deadline_check_runs_as_a_background_job(w, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    from zhitong.core.models import Job

    errand, lead, _ = new_errand(w, at(D(2026, 3, 2)), months=1)  # due 04-02
    with django_capture_on_commit_callbacks(execute=True):
        call_command("handling_check_deadlines", "--enqueue", "--today", "2026-04-03")
    job = Job.objects.get(kind="handling.deadline_passings")
    assert job.state == Job.State.DONE and job.result["summary"] == (
        "记录超期 1 件；逾期未评价、按默认满意办结 0 件。"
    )
    assert verbs(errand) == ["deadline_passed"]


def test_a_unit_account_finds_its_inbox_in_the_menu(w, client):
    client.force_login(w.unit)
    assert 'href="/work/inbox/"' in client.get("/accounts/home/").content.decode()
    client.force_login(w.staff)
    assert 'href="/work/inbox/"' not in client.get("/accounts/home/").content.decode()


@pytest.fixture
def reviewed(monkeypatch):
    """Errands whose replies are reviewed before they reach the deputy, as opinions' are."""
    from zhitong.handling.tests.errands.process import ErrandProcess

    monkeypatch.setattr(ErrandProcess, "reviews_replies", True)


def test_without_a_review_a_reply_cannot_be_sent_and_is_rated_as_it_is(w):
    errand, lead, _ = new_errand(w, at(D(2026, 3, 2)))
    handling.assignment_accept(assignment=lead, by=w.unit)
    reply = handling.assignment_reply(assignment=lead, by=w.unit, text="已办", result_class="A")
    with pytest.raises(HandlingError) as refused:
        handling.reply_review(reply=reply, by=w.staff)
    assert refused.value.code == "invalid_transition"
    # The one who asked rates the latest reply of the case without naming it.
    rating = handling.reply_rate(case=errand.case, by=w.deputy, score="satisfied")
    assert rating.reply == reply and rating.case == errand.case
    assert reply.case == errand.case and reply.sent_at is None and not reply.on_the_spot


def test_a_reviewed_reply_is_rated_only_once_sent_and_the_review_is_kept(w, reviewed):
    errand, lead, _ = new_errand(w, at(D(2026, 3, 2)))
    handling.assignment_accept(assignment=lead, by=w.unit)
    first = handling.assignment_reply(assignment=lead, by=w.unit, text="初稿", result_class="B")
    with pytest.raises(HandlingError) as refused:
        handling.reply_rate(reply=first, by=w.deputy, score="satisfied")
    assert refused.value.code == "not_sent"
    with pytest.raises(HandlingError) as nothing:
        handling.reply_rate(case=errand.case, by=w.deputy, score="satisfied")
    assert nothing.value.code == "nothing_to_rate"
    with pytest.raises(PermissionDenied):
        handling.reply_review(reply=first, by=w.unit)
    before = Event.objects.count()
    with pytest.raises(HandlingError, match="反馈内容"):
        handling.reply_review(reply=first, by=w.staff, text_sent="  ")
    assert Event.objects.count() == before
    with frozen(at(D(2026, 3, 9))):
        sent = handling.reply_review(reply=first, by=w.staff, text_sent="修改后的答复")
    assert (sent.reviewed_by, sent.sent_at, sent.text, sent.text_sent) == (
        w.staff,
        at(D(2026, 3, 9)),
        "初稿",
        "修改后的答复",
    )
    with pytest.raises(HandlingError) as again:
        handling.reply_review(reply=first, by=w.staff)
    assert again.value.code == "already_sent"
    event = Event.objects.for_object(errand).get(verb="reply_review")
    assert event.data == {"reply": first.pk, "edited": True} and event.actor == w.staff
    rating = handling.reply_rate(case=errand.case, by=w.deputy, score="basically")
    assert rating.reply == first and rating.back_to_back


def test_only_the_latest_reply_and_never_a_co_units_part_is_sent(w, reviewed):
    errand, lead, co = new_errand(w, at(D(2026, 3, 2)), co=w.roads)
    handling.assignment_accept(assignment=lead, by=w.unit)
    handling.assignment_accept(assignment=co, by=w.co_unit)
    part = handling.assignment_reply(assignment=co, by=w.co_unit, text="协办意见")
    with pytest.raises(HandlingError) as refused:
        handling.reply_review(reply=part, by=w.staff)
    assert refused.value.code == "not_lead_reply"
    spot = handling.case_reply_on_spot(case=errand.case, by=w.staff, text="先当场说明情况")
    main = handling.assignment_reply(assignment=lead, by=w.unit, text="正式答复", result_class="A")
    with pytest.raises(HandlingError) as stale:
        handling.reply_review(reply=spot, by=w.staff)
    assert stale.value.code == "stale_reply"
    handling.reply_review(reply=main, by=w.staff)
    assert Reply.objects.get(assignment=co) == part and part.sent_at is None


def test_a_reply_on_the_spot_has_no_assignment_and_bears_its_authors_name(w):
    errand, lead, _ = new_errand(w, at(D(2026, 3, 2)))
    with pytest.raises(PermissionDenied):
        handling.case_reply_on_spot(case=errand.case, by=w.unit, text="已说明")
    reply = handling.case_reply_on_spot(case=errand.case, by=w.staff, text="已当场说明")
    assert (reply.assignment, reply.on_the_spot, reply.unit_name, reply.case) == (
        None,
        True,
        w.staff.get_full_name(),
        errand.case,
    )
    event = Event.objects.for_object(errand).get(verb="reply_on_spot")
    assert event.data == {"reply": reply.pk}
    # Rated like any other; no unit to tell.
    rating = handling.reply_rate(reply=reply, by=w.deputy, score="satisfied")
    assert rating.case == errand.case
    assert Event.objects.for_object(errand).get(verb="reply_rate").data == {
        "reply": reply.pk,
        "rating": rating.pk,
        "score": "satisfied",
        "method": "online",
    }
