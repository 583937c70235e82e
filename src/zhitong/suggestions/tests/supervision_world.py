"""Suggestions brought to the states the supervision tests need, through the real services
(the moves of test_path)."""

from __future__ import annotations

import datetime

import time_machine

from zhitong.accounts.models import Role
from zhitong.handling import services as handling
from zhitong.handling.models import Assignment
from zhitong.suggestions import services
from zhitong.suggestions.services import CommitmentInput
from zhitong.suggestions.tests.world import build, pdf
from zhitong.testing import factories as f

ALL_CHECKS = {"lawful": True, "single_matter": True, "feasible": True, "well_written": True}


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """`hour` o'clock in Shanghai on `day`, as UTC."""
    return datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=datetime.UTC
    ) - datetime.timedelta(hours=8)


def at(day: datetime.date):
    return time_machine.travel(moment(day), tick=False)


def world():
    w = build()
    w.other_leader = f.UserFactory(
        username="leader2", role=Role.LEADER, region=w.district, display_name="另一位主任"
    )
    w.users["other_leader"] = w.other_leader
    return w


def running(
    w,
    title: str,
    *,
    assigned_on: datetime.date,
    key: bool = False,
    co_units=None,
):
    """A suggestion of 张甲 reviewed, registered (key, led by w.leader, when `key`) and
    assigned to housing (lead) and roads (co-unit) on `assigned_on`."""
    with at(assigned_on - datetime.timedelta(days=1)):
        s = services.suggestion_draft(
            by=w.deputy, title=title, content=f"{title}：具体情况。", category=w.category
        )
        services.suggestion_submit(suggestion=s, by=w.deputy)
        services.suggestion_review(suggestion=s, by=w.street, outcome="pass", checks=ALL_CHECKS)
        services.suggestion_review(suggestion=s, by=w.staff, outcome="pass", checks=ALL_CHECKS)
        services.suggestion_register(
            suggestion=s,
            by=w.staff,
            category=w.category,
            lead=w.housing,
            co_units=[w.roads] if co_units is None else co_units,
            is_key=key,
            key_leader=w.leader if key else None,
        )
    with at(assigned_on):
        services.suggestions_assign(suggestions=[s], by=w.staff)
    s.refresh_from_db()
    return s


def lead_of(s) -> Assignment:
    return Assignment.objects.get(case_id=s.case_id, role="lead")


def replied(w, s, *, on: datetime.date, result_class="B", commitments=()):
    """The lead unit signs, records its contact and replies on `on`."""
    lead = lead_of(s)
    with at(on):
        if lead.state == "pending":
            handling.assignment_accept(assignment=lead, by=w.unit)
        if not s.contacts.exists():
            services.contact_record(
                suggestion=s,
                assignment=lead,
                by=w.unit,
                contacted_at=moment(on, 9),
                method="visit",
                note="上门听取代表意见。",
            )
        services.suggestion_reply(
            assignment=lead_of(s),
            by=w.unit,
            text="答复如下。",
            result_class=result_class,
            files=[pdf()],
            commitments=[CommitmentInput(text, due) for text, due in commitments],
        )
    s.refresh_from_db()
    return s


def rated(w, s, *, on: datetime.date, result: str):
    with at(on):
        services.suggestion_rate(
            suggestion=s,
            by=w.deputy,
            result=result,
            attitude="satisfied",
            comment="" if result != "unsatisfied" else "进度太慢。",
        )
    s.refresh_from_db()
    return s
