"""A small year of suggestions, made through the services (the moves of test_path), for the
figures' tests: five suggestions of session 第十六届四次会议, first assigned in February and
March 2026.

- s1: housing leads, roads co-handles; B with two commitments, rated 不满意 (attitude 基本满意),
  handled again, replied again, rated 满意/满意; commitments carried out on 20 June → closed.
- s2: housing; A, rated 满意 on the result, 不满意 on the attitude → closed.
- s3: housing; never replied (overdue from May).
- s4: housing refuses it, staff reassign it to office_a (its day stays 2 February).
- s5: key (重点督办), assigned 10 March to housing; replied C on 1 July, after its due date.
"""

from __future__ import annotations

import datetime

import time_machine

from zhitong.handling import services as handling
from zhitong.handling.models import Assignment
from zhitong.suggestions import services
from zhitong.suggestions.services import CommitmentInput
from zhitong.suggestions.tests.world import build, pdf

ALL_CHECKS = {"lawful": True, "single_matter": True, "feasible": True, "well_written": True}


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """`hour` o'clock in Shanghai on `day`."""
    return datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=datetime.UTC
    ) - datetime.timedelta(hours=8)


def at(day: datetime.date, hour: int = 10):
    return time_machine.travel(moment(day, hour), tick=False)


def registered(w, title: str, *, is_key: bool = False):
    s = services.suggestion_draft(
        by=w.deputy, title=title, content=title + "，请研究办理。", category=w.category
    )
    services.suggestion_submit(suggestion=s, by=w.deputy)
    services.suggestion_review(suggestion=s, by=w.street, outcome="pass", checks=ALL_CHECKS)
    services.suggestion_review(suggestion=s, by=w.staff, outcome="pass", checks=ALL_CHECKS)
    return services.suggestion_register(
        suggestion=s,
        by=w.staff,
        category=w.category,
        lead=w.housing,
        co_units=[w.roads] if title.startswith("一") else [],
        is_key=is_key,
        key_leader=w.leader if is_key else None,
    )


def lead_of(s) -> Assignment:
    return Assignment.objects.filter(case=s.case, role="lead").order_by("-pk").first()


def reply(w, s, by, result_class: str, commitments=(), *, contact=True):
    lead = lead_of(s)
    if lead.state == "pending":
        handling.assignment_accept(assignment=lead, by=by)
    if contact:
        services.contact_record(
            suggestion=s,
            assignment=lead,
            by=by,
            contacted_at=lead.assigned_at,
            method="visit",
            note="上门听取代表意见。",
        )
    return services.suggestion_reply(
        assignment=lead,
        by=by,
        text="答复意见。",
        result_class=result_class,
        files=[pdf()],
        commitments=list(commitments),
    )


def build_year():
    w = build()
    with at(datetime.date(2026, 1, 6)):
        w.s1 = registered(w, "一、关于加装电梯的建议")
        w.s2 = registered(w, "关于增设公交站的建议")
        w.s3 = registered(w, "关于修缮小学操场的建议")
        w.s4 = registered(w, "关于治理噪声的建议")
        w.s5 = registered(w, "关于整治河道的建议", is_key=True)
    with at(datetime.date(2026, 2, 2)):
        services.suggestions_assign(suggestions=[w.s1, w.s2, w.s3, w.s4], by=w.staff)
    with at(datetime.date(2026, 2, 3)):
        co = Assignment.objects.get(case=w.s1.case, role="co")
        handling.assignment_accept(assignment=co, by=w.co_unit)
        services.suggestion_reply(assignment=co, by=w.co_unit, text="协办意见：同意。")
        reply(
            w,
            w.s1,
            w.unit,
            "B",
            [
                CommitmentInput("6月底前完成两台电梯加装", datetime.date(2026, 6, 30)),
                CommitmentInput("9月底前完成其余三台", datetime.date(2026, 9, 30)),
            ],
        )
        services.suggestion_rate(
            suggestion=w.s1, by=w.deputy, result="unsatisfied", attitude="basically", comment="慢"
        )
        reply(w, w.s1, w.unit, "B", contact=False)
        services.suggestion_rate(
            suggestion=w.s1, by=w.deputy, result="satisfied", attitude="satisfied"
        )
        reply(w, w.s2, w.unit, "A")
        services.suggestion_rate(
            suggestion=w.s2,
            by=w.deputy,
            result="satisfied",
            attitude="unsatisfied",
            comment="态度差",
        )
    with at(datetime.date(2026, 2, 4)):
        handling.assignment_return(assignment=lead_of(w.s4), by=w.unit, reason="不属于本单位职责。")
        services.suggestion_reassign_returned(suggestion=w.s4, by=w.staff, unit=w.office_a)
    with at(datetime.date(2026, 3, 10)):
        services.suggestions_assign(suggestions=[w.s5], by=w.staff)
    with at(datetime.date(2026, 6, 20)):
        for commitment in w.s1.commitments.order_by("position"):
            services.commitment_report(
                commitment=commitment, by=w.unit, report="已完成。", files=[pdf("验收.pdf")]
            )
            services.commitment_verify(commitment=commitment, by=w.staff, confirmed=True)
    with at(datetime.date(2026, 7, 1)):
        reply(w, w.s5, w.unit, "C")
    for name in ("s1", "s2", "s3", "s4", "s5"):
        getattr(w, name).refresh_from_db()
    return w
