"""Opinion.open_due_date and open_very_overdue_from: the copies of the running lead referral's
due date and very-overdue date follow every lifecycle step."""

import datetime

import pytest

from zhitong.handling import deadlines
from zhitong.handling import services as handling_services
from zhitong.handling.models import Assignment
from zhitong.opinions import search, services
from zhitong.opinions.models import Opinion
from zhitong.opinions.tests.lifecycle_world import Sent, at, build, frozen, new_opinion
from zhitong.workdays.selectors import clear_calendar_cache

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db, monkeypatch):
    monkeypatch.setattr(services, "notifications_api", lambda: Sent())
    monkeypatch.setattr(handling_services, "notifications_api", lambda: Sent())
    clear_calendar_cache()
    return build()


def stored(opinion):
    return Opinion.objects.values_list("open_due_date", flat=True).get(pk=opinion.pk)


def stored_very_overdue(opinion):
    return Opinion.objects.values_list("open_very_overdue_from", flat=True).get(pk=opinion.pk)


def refer(w, moment):
    with frozen(moment):
        opinion = new_opinion(w)
        services.opinion_accept(opinion=opinion, by=w.staff)
        lead = services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing)
    return Opinion.objects.get(pk=opinion.pk), lead


def test_it_follows_refer_accept_extension_reply_and_rework(w):
    opinion, lead = refer(w, at(D(2026, 2, 2)))
    assert stored(opinion) == lead.due_date == D(2026, 2, 28)
    # Fifteen working days after the make-up Saturday 2-28: Mon 3-2 .. Fri 3-20.
    assert stored_very_overdue(opinion) == lead.very_overdue_from == D(2026, 3, 20)

    with frozen(at(D(2026, 2, 25))):
        services.referral_accept(referral=lead, by=w.unit)
        extension = services.extension_request(
            referral=lead, by=w.unit, working_days=5, reason="需等待供电部门配合施工"
        )
    assert stored(opinion) == D(2026, 2, 28)
    with frozen(at(D(2026, 2, 26))):
        services.extension_decide(extension=extension, by=w.staff, approve=True)
    lead.refresh_from_db()
    assert stored(opinion) == lead.due_date == D(2026, 3, 6)
    # Twenty working days allowed in all now: 3-9 .. 4-3.
    assert stored_very_overdue(opinion) == lead.very_overdue_from == D(2026, 4, 3)

    with frozen(at(D(2026, 3, 3))):
        reply = services.reply_submit(referral=lead, by=w.unit, text="已修好路灯。")
    assert stored(opinion) is None and stored_very_overdue(opinion) is None
    with frozen(at(D(2026, 3, 4))):
        services.reply_send(reply=reply, by=w.staff)
    assert stored(opinion) is None and stored_very_overdue(opinion) is None

    # Unsatisfied: back to the unit with a fresh period, so a new due date runs.
    with frozen(at(D(2026, 4, 2), 19)):
        services.rating_submit(opinion=opinion, score="unsatisfied", comment="又坏了")
    lead.refresh_from_db()
    assert lead.state == Assignment.State.ACCEPTED
    assert stored(opinion) == lead.due_date == D(2026, 4, 24)
    # A fresh fifteen (not twenty) from the new due date: 4-27..4-30, 劳动节 5-1..5-5,
    # 5-6..5-8, make-up Saturday 5-9, 5-11..5-15, 5-18, 5-19.
    assert stored_very_overdue(opinion) == lead.very_overdue_from == D(2026, 5, 19)


def test_a_returned_lead_referral_leaves_nothing_running(w):
    opinion, lead = refer(w, at(D(2026, 3, 2)))
    assert stored(opinion) == lead.due_date
    with frozen(at(D(2026, 3, 3))):
        services.referral_return(referral=lead, by=w.unit, reason="不属于本单位职责")
    assert stored(opinion) is None and stored_very_overdue(opinion) is None


def test_a_merged_opinion_leaves_nothing_running(w):
    opinion, _lead = refer(w, at(D(2026, 3, 2)))
    with frozen(at(D(2026, 3, 2))):
        main = new_opinion(w)
        services.opinion_accept(opinion=main, by=w.staff)
    try:
        with frozen(at(D(2026, 3, 3))):
            services.opinion_merge(opinion=opinion, into=main, by=w.staff)
    except services.OpinionError:
        pytest.skip("merge of a referred opinion is not allowed here")
    assert stored(opinion) is None


def test_the_overdue_filter_reads_the_copy_and_agrees_with_sync(w):
    opinion, lead = refer(w, at(D(2026, 2, 2)))
    due = lead.due_date
    scoped = Opinion.objects.filter(pk=opinion.pk)
    assert not scoped.filter(search.overdue_q(due)).exists()
    assert scoped.filter(search.overdue_q(due + datetime.timedelta(days=1))).exists()
    assert deadlines.running_lead_dates(opinion.case_id)["due"] == stored(opinion)


def test_the_very_overdue_filter_reads_the_copy_and_agrees_with_sync(w):
    opinion, lead = refer(w, at(D(2026, 2, 2)))
    very = lead.very_overdue_from
    scoped = Opinion.objects.filter(pk=opinion.pk)
    # Very overdue on the day itself (late by the fifteen working days allowed), not before.
    assert not scoped.filter(search.very_overdue_q(very - datetime.timedelta(days=1))).exists()
    assert scoped.filter(search.very_overdue_q(very)).exists()
    assert deadlines.running_lead_dates(opinion.case_id)["very_overdue"] == stored_very_overdue(
        opinion
    )
