"""The contact form gives its time to the minute (datetime-local): a contact recorded in
the minute the suggestion was assigned is not "before the assignment"."""

import datetime

import pytest
import time_machine

from zhitong.handling.models import Assignment
from zhitong.suggestions import services
from zhitong.suggestions.services import SuggestionError
from zhitong.suggestions.tests.test_path import drafted, registered
from zhitong.suggestions.tests.world import build

pytestmark = pytest.mark.django_db

ASSIGNED = datetime.datetime(2026, 2, 2, 2, 30, 40, tzinfo=datetime.UTC)


def assigned_lead(w):
    with time_machine.travel(ASSIGNED, tick=False):
        s = registered(w, drafted(w))
        services.suggestions_assign(suggestions=[s], by=w.staff)
    return s, Assignment.objects.get(case=s.case, role="lead")


def test_a_contact_in_the_assignment_minute_is_recorded():
    w = build()
    s, lead = assigned_lead(w)
    with time_machine.travel(ASSIGNED + datetime.timedelta(seconds=10), tick=False):
        contact = services.contact_record(
            suggestion=s,
            assignment=lead,
            by=w.unit,
            contacted_at=ASSIGNED.replace(second=0),
            method="phone",
            note="电话听取代表意见。",
        )
    assert contact.contacted_at == ASSIGNED.replace(second=0)


def test_a_contact_a_minute_before_the_assignment_is_refused():
    w = build()
    s, lead = assigned_lead(w)
    with (
        time_machine.travel(ASSIGNED + datetime.timedelta(seconds=10), tick=False),
        pytest.raises(SuggestionError) as refused,
    ):
        services.contact_record(
            suggestion=s,
            assignment=lead,
            by=w.unit,
            contacted_at=ASSIGNED.replace(second=0) - datetime.timedelta(minutes=1),
            method="phone",
            note="电话听取代表意见。",
        )
    assert refused.value.code == "early_time"
    assert not s.contacts.exists()
