"""Accepting is one transaction: when a later part of it fails (here the router's training
row), the opinion is not left accepted without its event."""

import pytest

from zhitong.core.models import Event
from zhitong.insights import services as insights
from zhitong.opinions import services
from zhitong.opinions.models import Opinion, Status
from zhitong.opinions.tests.lifecycle_world import build, new_opinion

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_failure_late_in_accepting_leaves_the_opinion_as_it_was(monkeypatch):
    w = build()
    opinion = new_opinion(w)

    def broken(**kwargs):
        raise RuntimeError("the training row could not be written")

    monkeypatch.setattr(insights, "example_record", broken)
    with pytest.raises(RuntimeError):
        services.opinion_accept(opinion=opinion, by=w.staff, category=w.category)
    assert Opinion.objects.get(pk=opinion.pk).status == Status.RECEIVED
    assert not Event.objects.for_object(opinion).filter(verb="accept").exists()
