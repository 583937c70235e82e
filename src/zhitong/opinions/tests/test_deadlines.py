"""Assignment deadlines in working days: holidays, make-up Saturdays, extensions, a new year's
calendar, overdue states and the daily check. Expected dates are worked out by hand on the
official 2026 schedule (春节: rest Sun 2-15 to Mon 2-23; make-up Saturdays 2-14 and 2-28)."""

import datetime
import gc
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import models

from zhitong.accounts.models import Role
from zhitong.core.events import events_for
from zhitong.core.models import Event
from zhitong.handling import services as handling_services
from zhitong.handling.models import Assignment, Extension
from zhitong.opinions import search, services
from zhitong.opinions.models import Opinion, Status
from zhitong.opinions.selectors import deadline_state, referral_deadline
from zhitong.opinions.services import OpinionError
from zhitong.opinions.tests.lifecycle_world import SHANGHAI, Sent, at, build, frozen, new_opinion
from zhitong.testing import factories as f
from zhitong.workdays.selectors import clear_calendar_cache
from zhitong.workdays.services import _calendar_changed_hooks, calendar_year_publish

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    clear_calendar_cache()
    return build()


@pytest.fixture
def sent(monkeypatch):
    fake = Sent()
    monkeypatch.setattr(services, "notifications_api", lambda: fake)
    monkeypatch.setattr(handling_services, "notifications_api", lambda: fake)
    return fake


def refer_on(w, moment, working_days=15, **kw):
    with frozen(moment):
        opinion = new_opinion(w)
        services.opinion_accept(opinion=opinion, by=w.staff)
        return services.opinion_refer(
            opinion=opinion, by=w.staff, unit=w.housing, working_days=working_days, **kw
        )


def verbs(opinion):
    return [e.verb for e in events_for(opinion)]


# --- computing ------------------------------------------------------------------------------


def test_fifteen_working_days_across_the_2026_spring_festival(w):
    referral = refer_on(w, at(D(2026, 2, 10)))
    assert referral.due_date == D(2026, 3, 9)
    assert referral.deadline_provisional is False
    info = referral_deadline(referral, today=D(2026, 2, 10))
    assert info.deadline.start == D(2026, 2, 10)
    assert info.deadline.working_days == 15
    assert [e.date for e in info.deadline.holidays_skipped] == [
        D(2026, 2, day) for day in (16, 17, 18, 19, 20, 23)
    ]
    assert [e.date for e in info.deadline.makeup_workdays_counted] == [
        D(2026, 2, 14),
        D(2026, 2, 28),
    ]
    assert "2026年3月9日" in info.explanation
    assert "2026年2月16日（春节）" in info.explanation
    assert info.extensions == []


def test_the_start_is_the_local_date_of_referral_not_the_utc_one(w):
    # 00:30 on 2-10 in Beijing is still 2-09 in UTC; the deadline counts from 2-10.
    referral = refer_on(w, datetime.datetime(2026, 2, 10, 0, 30, tzinfo=SHANGHAI))
    assert referral.due_date == D(2026, 3, 9)


def test_make_up_working_saturdays_count(w):
    # Thu 2-12 + 3: Fri 2-13 (1), Sat 2-14 make-up (2), rest to 2-23, Tue 2-24 (3).
    assert refer_on(w, at(D(2026, 2, 12)), working_days=3).due_date == D(2026, 2, 24)
    # Fri 2-13 + 1 is the make-up Saturday 2-14; Fri 2-27 + 1 is the make-up Saturday 2-28.
    assert refer_on(w, at(D(2026, 2, 13)), working_days=1).due_date == D(2026, 2, 14)
    assert refer_on(w, at(D(2026, 2, 27)), working_days=1).due_date == D(2026, 2, 28)
    # An ordinary Saturday is not: Fri 3-6 + 1 is Mon 3-9.
    assert refer_on(w, at(D(2026, 3, 6)), working_days=1).due_date == D(2026, 3, 9)


# --- extensions ----------------------------------------------------------------------------


def test_extension_approved_moves_the_due_date_by_working_days_and_never_the_status(
    w, sent, django_capture_on_commit_callbacks
):
    # Mon 2-2 + 15: 2-3..2-6 (4), 2-9..2-13 (9), Sat 2-14 (10), 春节 rest,
    # 2-24..2-27 (14), Sat 2-28 (15): due on a make-up Saturday.
    referral = refer_on(w, at(D(2026, 2, 2)))
    assert referral.due_date == D(2026, 2, 28)
    with frozen(at(D(2026, 2, 25))), django_capture_on_commit_callbacks(execute=True):
        services.referral_accept(referral=referral, by=w.unit)
        extension = services.extension_request(
            referral=referral, by=w.unit, working_days=5, reason="需等待供电部门配合施工"
        )
    opinion = Opinion.objects.get(pk=referral.opinion.pk)
    assert opinion.status == Status.HANDLING
    assert extension.state == Extension.State.PENDING

    with frozen(at(D(2026, 2, 26))), django_capture_on_commit_callbacks(execute=True):
        services.extension_decide(extension=extension, by=w.staff, approve=True, note="同意")
    referral.refresh_from_db()
    extension.refresh_from_db()
    # Five more from the same start: Mon 3-2 .. Fri 3-6.
    assert referral.due_date == D(2026, 3, 6)
    assert referral.period == 15  # the category's allowance is kept; the extension apart
    assert extension.state == Extension.State.APPROVED and extension.decided_by == w.staff
    opinion.refresh_from_db()
    assert opinion.status == Status.HANDLING

    events = list(events_for(opinion))
    request, decision = events[-2], events[-1]
    assert (request.verb, request.from_state, request.to_state) == (
        "extension_request",
        "handling",
        "handling",
    )
    assert (decision.verb, decision.from_state, decision.to_state) == (
        "extension_decide",
        "handling",
        "handling",
    )
    assert decision.data["from_due"] == "2026-02-28" and decision.data["to_due"] == "2026-03-06"
    info = referral_deadline(referral, today=D(2026, 3, 2))
    assert info.deadline.working_days == 20
    assert [e.period for e in info.extensions] == [5]
    assert "20个工作日" in info.explanation
    assert sent.verbs() == ["extension_requested", "extension_decided"]
    assert sent.notifications[0].recipients and w.staff in sent.notifications[0].recipients
    assert sent.notifications[1].recipients == [w.unit]
    assert "2026-03-06" in sent.notifications[1].text


def test_extension_refused_leaves_the_due_date(w):
    referral = refer_on(w, at(D(2026, 3, 2)))
    services.referral_accept(referral=referral, by=w.unit)
    extension = services.extension_request(
        referral=referral, by=w.unit, working_days=10, reason="人手不足"
    )
    services.extension_decide(extension=extension, by=w.staff, approve=False, note="请按期办理")
    referral.refresh_from_db()
    extension.refresh_from_db()
    assert referral.due_date == D(2026, 3, 23)
    assert extension.state == Extension.State.REFUSED
    assert Opinion.objects.get(pk=referral.opinion.pk).status == Status.HANDLING
    event = events_for(referral.opinion).last()
    assert event.data["approved"] is False
    assert event.data["from_due"] == event.data["to_due"] == "2026-03-23"
    with pytest.raises(OpinionError, match="已经审批过"):
        services.extension_decide(extension=extension, by=w.staff, approve=True)


def test_who_may_ask_for_and_grant_an_extension(w):
    referral = refer_on(w, at(D(2026, 3, 2)))
    with pytest.raises(OpinionError, match="已签收"):
        services.extension_request(referral=referral, by=w.unit, working_days=5, reason="忙")
    services.referral_accept(referral=referral, by=w.unit)
    for outsider in (w.co_unit, w.staff, w.deputy):
        with pytest.raises(PermissionDenied):
            services.extension_request(referral=referral, by=outsider, working_days=5, reason="忙")
    with pytest.raises(OpinionError, match="工作日数必须在1至60之间"):
        services.extension_request(referral=referral, by=w.unit, working_days=0, reason="忙")
    extension = services.extension_request(
        referral=referral, by=w.unit, working_days=5, reason="忙"
    )
    with pytest.raises(OpinionError, match="已有待审批"):
        services.extension_request(referral=referral, by=w.unit, working_days=5, reason="忙")
    for outsider in (w.unit, w.deputy, w.liaison, w.other_street, w.far_staff):
        with pytest.raises(PermissionDenied):
            services.extension_decide(extension=extension, by=outsider, approve=True)
    services.extension_decide(extension=extension, by=w.street, approve=True)


# --- a year not yet published -----------------------------------------------------------


@pytest.fixture
def root(db):
    return f.UserFactory(username="root", is_superuser=True, is_staff=True, role=Role.ADMIN)


# A plausible 2027 schedule, for the test only: 元旦 Fri 1-1 to Sun 1-3.
SCHEDULE_2027 = [
    (D(2027, 1, 1), "holiday", "元旦"),
    (D(2027, 1, 2), "holiday", "元旦"),
    (D(2027, 1, 3), "holiday", "元旦"),
]


def test_the_recompute_hook_is_registered_and_survives_garbage_collection():
    gc.collect()
    from zhitong.handling.services import calendar_changed

    assert calendar_changed in _calendar_changed_hooks


def test_a_deadline_into_unpublished_2027_is_provisional_and_recomputed_on_publish(w, root):
    # Sun 2026-12-20 + 15, weekends only in 2027: 12-21..12-25 (5), 12-28..12-31 (9),
    # Fri 1-1 (10), 1-4..1-8 (15).
    late = refer_on(w, at(D(2026, 12, 20)))
    assert late.due_date == D(2027, 1, 8)
    assert late.deadline_provisional is True
    # Very overdue fifteen working days later: 1-11..1-15, 1-18..1-22, 1-25..1-29.
    assert late.very_overdue_from == D(2027, 1, 29)
    assert "2027年的放假安排尚未发布" in referral_deadline(late).explanation
    inside_2026 = refer_on(w, at(D(2026, 11, 2)))
    assert inside_2026.deadline_provisional is False
    answered = refer_on(w, at(D(2026, 12, 21)))
    services.referral_accept(referral=answered, by=w.unit)
    services.reply_submit(referral=answered, by=w.unit, text="已办结")
    answered.refresh_from_db()
    before_answered = answered.due_date

    with frozen(at(D(2026, 12, 28))):
        calendar_year_publish(
            year=2027, days=SCHEDULE_2027, source="国办发明电〔2026〕测试号", by=root
        )

    late.refresh_from_db()
    # 元旦 takes Fri 1-1: 12-21..12-25 (5), 12-28..12-31 (9), 1-4..1-8 (14), Mon 1-11 (15).
    assert late.due_date == D(2027, 1, 11)
    assert late.deadline_provisional is False
    assert late.very_overdue_from == D(2027, 2, 1)
    assert Opinion.objects.get(pk=late.opinion.pk).open_very_overdue_from == D(2027, 2, 1)
    assert "2027年1月1日（元旦）" in referral_deadline(late).explanation
    event = events_for(late.opinion).last()
    assert event.verb == "deadline_recomputed" and event.actor == root
    assert event.from_state == event.to_state == Status.REFERRED
    assert event.data["changes"][0]["from_due"] == "2027-01-08"
    assert event.data["changes"][0]["to_due"] == "2027-01-11"
    assert event.data["changes"][0]["was_provisional"] is True
    assert event.data["changes"][0]["very_overdue_from"] == "2027-02-01"
    # Untouched: a deadline inside 2026, and one the unit has already answered.
    assert "deadline_recomputed" not in verbs(inside_2026.opinion)
    assert "deadline_recomputed" not in verbs(answered.opinion)
    answered.refresh_from_db()
    assert answered.due_date == before_answered

    # Publishing the same schedule again changes nothing and records nothing.
    count = Event.objects.filter(verb="deadline_recomputed").count()
    calendar_year_publish(year=2027, days=SCHEDULE_2027, source="国办发明电〔2026〕测试号", by=root)
    assert Event.objects.filter(verb="deadline_recomputed").count() == count


def test_co_referrals_are_recomputed_together_in_one_event(w, root):
    late = refer_on(w, at(D(2026, 12, 20)), co_units=[w.roads])
    calendar_year_publish(year=2027, days=SCHEDULE_2027, source="测试", by=root)
    assert set(late.opinion.referrals.values_list("due_date", flat=True)) == {D(2027, 1, 11)}
    events = [e for e in events_for(late.opinion) if e.verb == "deadline_recomputed"]
    assert len(events) == 1 and len(events[0].data["changes"]) == 2


def test_publishing_a_year_moves_a_very_overdue_date_that_runs_into_it(w, root):
    # Tue 2026-12-01 + 15: due Tue 12-22, inside published 2026. Fifteen working days
    # after it run into 2027, counted on weekends only: 12-23..12-31 (7), Fri 1-1 (8),
    # 1-4..1-8 (13), 1-11, 1-12 (15).
    referral = refer_on(w, at(D(2026, 12, 1)))
    assert referral.due_date == D(2026, 12, 22) and referral.deadline_provisional is False
    assert referral.very_overdue_from == D(2027, 1, 12)
    stored_deadline = referral.deadline
    opinion = Opinion.objects.get(pk=referral.opinion.pk)
    very_overdue = Opinion.objects.filter(pk=opinion.pk)

    calendar_year_publish(year=2027, days=SCHEDULE_2027, source="测试", by=root)

    referral.refresh_from_db()
    opinion.refresh_from_db()
    # 元旦 takes Fri 1-1, so the fifteenth working day is Wed 1-13; the deadline stays.
    assert referral.very_overdue_from == opinion.open_very_overdue_from == D(2027, 1, 13)
    assert referral.due_date == opinion.open_due_date == D(2026, 12, 22)
    assert referral.deadline == stored_deadline
    assert not very_overdue.filter(search.very_overdue_q(D(2027, 1, 12))).exists()
    assert very_overdue.filter(search.very_overdue_q(D(2027, 1, 13))).exists()
    # The deadline did not move, so the timeline records nothing.
    assert "deadline_recomputed" not in verbs(opinion)


# --- overdue, derived ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 2, 10), "on_time"),
        (D(2026, 3, 2), "on_time"),  # 5 working days left
        (D(2026, 3, 4), "due_soon"),  # 3-5, 3-6, 3-9: 3 left
        (D(2026, 3, 9), "due_soon"),  # the due day itself
        (D(2026, 3, 10), "overdue"),
        (D(2026, 3, 27), "overdue"),  # 14 working days late
        (D(2026, 3, 30), "very_overdue"),  # 15 late: twice the time
        (D(2026, 6, 1), "very_overdue"),
    ],
)
def test_deadline_state_at_chosen_dates(w, today, expected):
    referral = refer_on(w, at(D(2026, 2, 10)))
    assert referral.due_date == D(2026, 3, 9)
    assert deadline_state(referral, today=today) == expected


def test_an_answered_referral_is_never_overdue_and_nothing_is_stored(w):
    referral = refer_on(w, at(D(2026, 2, 10)))
    services.referral_accept(referral=referral, by=w.unit)
    services.reply_submit(referral=referral, by=w.unit, text="已办理")
    referral.refresh_from_db()
    assert deadline_state(referral, today=D(2026, 6, 1)) == "on_time"
    # Dates to compare with today are stored (the very-overdue date), never a flag.
    for model in (Assignment, Opinion):
        stored = [f for f in model._meta.get_fields() if "overdue" in f.name]
        assert all(isinstance(f, models.DateField) for f in stored), stored


# --- the daily check ----------------------------------------------------------------------


def test_the_daily_check_records_each_passing_once_and_notifies(
    w, sent, django_capture_on_commit_callbacks
):
    referral = refer_on(w, at(D(2026, 2, 10)))
    other = refer_on(w, at(D(2026, 3, 2)))  # due 3-23

    def check(day):
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("handling_check_deadlines", today=day, stdout=out)
        return out.getvalue()

    assert "0" in check("2026-03-09")  # due today: not passed yet
    assert "记录超期 1 件" in check("2026-03-10")
    assert "记录超期 0 件" in check("2026-03-10")
    assert "记录超期 0 件" in check("2026-03-11")
    passed = [e for e in events_for(referral.opinion) if e.verb == "deadline_passed"]
    assert len(passed) == 1
    assert passed[0].actor is None and passed[0].data["due_date"] == "2026-03-09"
    assert passed[0].from_state == passed[0].to_state == Status.REFERRED
    referral.refresh_from_db()
    assert referral.passing_recorded_for == D(2026, 3, 9)
    assert sent.verbs() == ["deadline_passed"] * 2
    unit_note, staff_note = sent.notifications[-2:]
    assert unit_note.recipients == [w.unit]
    assert w.staff in staff_note.recipients and w.street in staff_note.recipients
    assert w.far_staff not in staff_note.recipients

    # An extension moves the due date: its passing is a new moment, recorded once more.
    services.referral_accept(referral=referral, by=w.unit)
    extension = services.extension_request(
        referral=referral, by=w.unit, working_days=5, reason="补充材料"
    )
    services.extension_decide(extension=extension, by=w.staff, approve=True)
    referral.refresh_from_db()
    assert referral.due_date == D(2026, 3, 16)
    assert "记录超期 2 件" in check("2026-03-24")  # this one again, and `other` (3-23)
    assert len([e for e in events_for(referral.opinion) if e.verb == "deadline_passed"]) == 2
    assert "deadline_passed" in verbs(other.opinion)


def test_the_daily_check_refuses_a_bad_date(w):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="日期格式不对"):
        call_command("handling_check_deadlines", today="2026-13-01")


def test_twice_the_time_counts_the_extension_too(w):
    referral = refer_on(w, at(D(2026, 3, 2)), working_days=5)  # due Mon 3-9
    services.referral_accept(referral=referral, by=w.unit)
    extension = services.extension_request(
        referral=referral, by=w.unit, working_days=5, reason="补充材料"
    )
    services.extension_decide(extension=extension, by=w.staff, approve=True)
    referral.refresh_from_db()
    assert referral.due_date == D(2026, 3, 16)
    assert referral.very_overdue_from == D(2026, 3, 30)
    assert Opinion.objects.get(pk=referral.opinion.pk).open_very_overdue_from == D(2026, 3, 30)
    # Ten working days allowed in all: very overdue only ten working days after 3-16.
    assert deadline_state(referral, today=D(2026, 3, 27)) == "overdue"  # 9 late
    assert deadline_state(referral, today=D(2026, 3, 30)) == "very_overdue"  # 10 late
