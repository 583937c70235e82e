"""Opinion.open_due_date: the copy of the running lead due date follows every lifecycle step."""

import datetime

import pytest

from zhitong.opinions import deadlines, search, services
from zhitong.opinions.models import Opinion, Referral
from zhitong.opinions.tests.lifecycle_world import Sent, at, build, frozen, new_opinion
from zhitong.workdays.selectors import clear_calendar_cache

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db, monkeypatch):
    monkeypatch.setattr(services, "notifications_api", lambda: Sent())
    clear_calendar_cache()
    return build()


def stored(opinion):
    return Opinion.objects.values_list("open_due_date", flat=True).get(pk=opinion.pk)


def refer(w, moment):
    with frozen(moment):
        opinion = new_opinion(w)
        services.opinion_accept(opinion=opinion, by=w.staff)
        lead = services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing)
    return Opinion.objects.get(pk=opinion.pk), lead


def test_it_follows_refer_accept_extension_reply_and_rework(w):
    opinion, lead = refer(w, at(D(2026, 2, 2)))
    assert stored(opinion) == lead.due_date == D(2026, 2, 28)

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

    with frozen(at(D(2026, 3, 3))):
        reply = services.reply_submit(referral=lead, by=w.unit, text="已修好路灯。")
    assert stored(opinion) is None
    with frozen(at(D(2026, 3, 4))):
        services.reply_send(reply=reply, by=w.staff)
    assert stored(opinion) is None

    # Unsatisfied: back to the unit with a fresh period, so a new due date runs.
    with frozen(at(D(2026, 4, 2), 19)):
        services.rating_submit(opinion=opinion, score="unsatisfied", comment="又坏了")
    lead.refresh_from_db()
    assert lead.state == Referral.State.ACCEPTED
    assert stored(opinion) == lead.due_date == D(2026, 4, 24)


def test_a_returned_lead_referral_leaves_nothing_running(w):
    opinion, lead = refer(w, at(D(2026, 3, 2)))
    assert stored(opinion) == lead.due_date
    with frozen(at(D(2026, 3, 3))):
        services.referral_return(referral=lead, by=w.unit, reason="不属于本单位职责")
    assert stored(opinion) is None


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
    assert deadlines.open_due_date_of(opinion) == stored(opinion)
