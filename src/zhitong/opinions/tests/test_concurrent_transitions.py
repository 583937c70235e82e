"""Two handlers acting on one case at the same moment: the opinion row's lock lets one act
through; the other is refused cleanly, and the timeline holds each step once."""

import threading

import pytest
from django.db import connection, transaction

from zhitong.core.models import Event
from zhitong.opinions import services
from zhitong.opinions.models import Opinion, Status

from .lifecycle_world import build, new_opinion

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _at_once(*acts):
    """Run each act in its own thread and connection, released together; their outcomes."""
    barrier = threading.Barrier(len(acts))
    outcomes = [None] * len(acts)

    def run(index, act):
        try:
            barrier.wait(10)
            with transaction.atomic():
                outcomes[index] = act()
        except Exception as error:  # noqa: BLE001 - the outcome is what is asserted
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, act)) for i, act in enumerate(acts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return outcomes


def test_two_staff_accepting_one_opinion_at_once_make_one_step():
    w = build()
    opinion = new_opinion(w)
    outcomes = _at_once(
        lambda: services.opinion_accept(opinion=Opinion.objects.get(pk=opinion.pk), by=w.staff),
        lambda: services.opinion_accept(opinion=Opinion.objects.get(pk=opinion.pk), by=w.street),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], services.OpinionError), outcomes
    assert Event.objects.for_object(opinion).filter(verb="accept").count() == 1
    assert Opinion.objects.get(pk=opinion.pk).status == Status.ACCEPTED


def test_a_referral_signed_for_twice_at_once_is_signed_once():
    """Two clerks of the unit (or a double click) sign at the same moment."""
    w = build()
    opinion = new_opinion(w)
    services.opinion_accept(opinion=opinion, by=w.staff)
    referral = services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing, working_days=10)
    outcomes = _at_once(
        lambda: services.referral_accept(referral=referral, by=w.unit),
        lambda: services.referral_accept(referral=referral, by=w.unit),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], services.OpinionError), outcomes
    verbs = list(Event.objects.for_object(opinion).values_list("verb", flat=True))
    assert verbs.count("referral_accept") == 1
    opinion.refresh_from_db()
    assert opinion.status == Status.HANDLING


def test_a_reply_and_a_return_at_once_leave_one_consistent_outcome():
    """The unit replies in one window while a colleague returns the case in another: both
    are allowed one after the other only if the first leaves the case open to the second;
    whatever the order, the timeline and the state agree."""
    w = build()
    opinion = new_opinion(w)
    services.opinion_accept(opinion=opinion, by=w.staff)
    referral = services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing, working_days=10)
    services.referral_accept(referral=referral, by=w.unit)
    outcomes = _at_once(
        lambda: services.reply_submit(referral=referral, by=w.unit, text="已处理。"),
        lambda: services.referral_return(referral=referral, by=w.unit, reason="不属于本单位职责"),
    )
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert all(isinstance(e, services.OpinionError) for e in errors), outcomes
    opinion.refresh_from_db()
    referral.refresh_from_db()
    verbs = list(Event.objects.for_object(opinion).values_list("verb", flat=True))
    assert verbs.count("reply_submit") + verbs.count("referral_return") == 2 - len(errors)
    if verbs[-1] == "referral_return":
        assert opinion.status == Status.ACCEPTED
    else:
        assert opinion.status == Status.REPLIED


def test_acting_on_a_case_locks_the_case_not_its_district_or_unit():
    """The opinion's district and the referral's unit are read with the row, but only the
    case row is locked: a district's other cases, a ledger import (which locks the
    district) and the unit's other referrals go on meanwhile."""
    from django.db import connections

    from zhitong.handling.models import Assignment
    from zhitong.handling.services import _locked

    w = build()
    opinion = new_opinion(w)
    services.opinion_accept(opinion=opinion, by=w.staff)
    referral = services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing)
    other = connections.create_connection("default")
    try:
        with transaction.atomic():
            services._lock(opinion.pk)
            _locked(referral.pk)
            with other.cursor() as cursor:
                # NOWAIT: an error at once if another transaction holds the row.
                cursor.execute(
                    "SELECT id FROM regions_region WHERE id = %s FOR UPDATE NOWAIT",
                    [w.district.pk],
                )
                cursor.execute(
                    "SELECT id FROM units_handlingunit WHERE id = %s FOR UPDATE NOWAIT",
                    [w.housing.pk],
                )
                cursor.execute("ROLLBACK")
        assert Assignment.objects.filter(pk=referral.pk).exists()
    finally:
        other.close()
