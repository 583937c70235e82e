"""Suggestions brought to the handling states through the services, for the handling
pages' tests: assigned (2 Feb 2026) to 住建局 (lead) and 城管局 (co-unit)."""

from __future__ import annotations

import datetime

import time_machine

from zhitong.handling import services as handling
from zhitong.handling.models import Assignment
from zhitong.suggestions import services
from zhitong.suggestions.models import Suggestion
from zhitong.suggestions.services import CommitmentInput
from zhitong.suggestions.tests.world import pdf

D = datetime.date
FEB_2 = D(2026, 2, 2)
FEB_3 = D(2026, 2, 3)
FEB_4 = D(2026, 2, 4)
FEB_5 = D(2026, 2, 5)
ALL_CHECKS = {"lawful": True, "single_matter": True, "feasible": True, "well_written": True}


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """`hour` o'clock in Shanghai on `day`, as an aware UTC moment."""
    return datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=datetime.UTC
    ) - datetime.timedelta(hours=8)


def travel(day: datetime.date, hour: int = 10):
    return time_machine.travel(moment(day, hour), tick=False)


def assigned(w, *, title="关于加快老旧小区加装电梯的建议", cosigner=True, day=FEB_2):
    """A suggestion by 张甲 (with 李乙 co-signing), reviewed, registered and assigned on
    `day`: (suggestion, lead assignment, co-unit assignment)."""
    with travel(D(2026, 1, 6)):
        s = services.suggestion_draft(
            by=w.deputy,
            title=title,
            content="老旧小区居民上下楼困难，建议加快加装电梯。",
            category=w.category,
        )
        if cosigner:
            services.cosigners_invite(suggestion=s, by=w.deputy, deputies=[w.dep_b])
            services.cosigner_respond(suggestion=s, by=w.other_deputy, accept=True)
        services.suggestion_submit(suggestion=s, by=w.deputy)
        services.suggestion_review(suggestion=s, by=w.street, outcome="pass", checks=ALL_CHECKS)
        services.suggestion_review(suggestion=s, by=w.staff, outcome="pass", checks=ALL_CHECKS)
        services.suggestion_register(
            suggestion=s, by=w.staff, category=w.category, lead=w.housing, co_units=[w.roads]
        )
    with travel(day):
        services.suggestions_assign(suggestions=[s], by=w.staff)
    s = Suggestion.objects.get(pk=s.pk)
    lead = Assignment.objects.get(case=s.case, role="lead")
    co = Assignment.objects.get(case=s.case, role="co")
    return s, lead, co


def accepted(w, s, lead, co, day=FEB_3):
    with travel(day):
        handling.assignment_accept(assignment=lead, by=w.unit)
        handling.assignment_accept(assignment=co, by=w.co_unit)


def contacted(w, s, lead, day=FEB_3):
    with travel(day, 15):
        services.contact_record(
            suggestion=s,
            assignment=lead,
            by=w.unit,
            contacted_at=moment(day, 9),
            method="visit",
            note="上门听取代表意见。",
        )


def replied(w, s, lead, day=FEB_4, commitments=None):
    with travel(day):
        services.suggestion_reply(
            assignment=lead,
            by=w.unit,
            text="正在推进。",
            result_class="B",
            files=[pdf()],
            commitments=commitments
            if commitments is not None
            else [
                CommitmentInput("6月底前完成两台电梯加装", D(2026, 6, 30)),
                CommitmentInput("9月底前完成其余三台", D(2026, 9, 30)),
            ],
        )


def rated(w, s, day=FEB_5, result="satisfied", attitude="satisfied", comment=""):
    with travel(day):
        services.suggestion_rate(
            suggestion=s, by=w.deputy, result=result, attitude=attitude, comment=comment
        )


def carried_out(w):
    """Assigned, signed, co-unit's views, contact, reply B with two commitments, rated
    satisfied: the suggestion in 承诺落实中."""
    s, lead, co = assigned(w)
    accepted(w, s, lead, co)
    with travel(D(2026, 2, 3)):
        services.suggestion_reply(assignment=co, by=w.co_unit, text="协办意见：同意。")
    contacted(w, s, lead)
    replied(w, s, lead)
    rated(w, s)
    return Suggestion.objects.get(pk=s.pk), lead, co
