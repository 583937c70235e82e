"""Referrals moved from opinions to handling: every row, state, due date and timeline kept.

The demo district is built, the database is taken back to the schema before the move
(opinions 0005: referrals and extensions in opinions' own tables, filled by the reverse
of the data migration), rows of the old shape are added there with the historical models,
and the database is migrated forward again. The opinions, their states, due dates,
referrals, extensions, replies and timelines must come out as they went in.
"""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from zhitong.core.models import Event
from zhitong.handling.models import Assignment, Extension
from zhitong.opinions.models import Opinion, Reply

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("opinions", "0005_rating_method")]


def _latest(executor):
    return executor.loader.graph.leaf_nodes()


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _snapshot():
    opinions = {
        o.pk: (o.tracking_code, o.status, o.open_due_date, o.open_very_overdue_from)
        for o in Opinion.objects.all()
    }
    referrals = {
        a.pk: (
            a.opinion.pk,
            a.unit_id,
            a.role,
            a.state,
            a.assigned_at,
            a.accepted_at,
            a.period,
            a.due_date,
            a.very_overdue_from,
            a.deadline,
            a.passing_recorded_for,
            a.replied_at,
        )
        for a in Assignment.objects.select_related("case")
    }
    extensions = {
        e.pk: (e.assignment_id, e.period, e.state, e.reason, e.requested_at, e.decided_at)
        for e in Extension.objects.all()
    }
    replies = dict(Reply.objects.values_list("pk", "referral_id"))
    events = list(
        Event.objects.order_by("id").values_list(
            "id", "object_id", "verb", "from_state", "to_state", "data", "occurred_at"
        )
    )
    return opinions, referrals, extensions, replies, events


def test_the_move_to_handling_keeps_every_opinion_referral_and_event():
    call_command("seed_demo", verbosity=0)
    before = _snapshot()
    opinions, referrals, extensions, replies, events = before
    assert len(referrals) > 100 and extensions and replies and len(events) > 1000

    executor = _migrate(BEFORE)
    # At the old schema: the referrals are opinions' own rows again, ids and dates kept.
    old = executor.loader.project_state(BEFORE).apps
    Referral = old.get_model("opinions", "Referral")
    OldExtension = old.get_model("opinions", "Extension")
    OldOpinion = old.get_model("opinions", "Opinion")
    assert dict(Referral.objects.values_list("pk", "due_date")) == {
        pk: row[7] for pk, row in referrals.items()
    }
    assert dict(Referral.objects.values_list("pk", "opinion_id")) == {
        pk: row[0] for pk, row in referrals.items()
    }
    assert set(OldExtension.objects.values_list("pk", flat=True)) == set(extensions)
    # A referral and an extension made by the old code's shape, never seen by handling.
    received = OldOpinion.objects.filter(status="received").order_by("pk").first()
    staff_id = Referral.objects.values_list("referred_by_id", flat=True).first()
    unit_id = Referral.objects.values_list("unit_id", flat=True).first()
    moment = timezone.now().replace(microsecond=0)
    received.status = "handling"
    received.save(update_fields=["status"])
    made = Referral.objects.create(
        opinion_id=received.pk,
        unit_id=unit_id,
        unit_name="旧式转办",
        role="lead",
        state="accepted",
        referred_by_id=staff_id,
        referred_at=moment,
        working_days=7,
        due_date=datetime.date(2027, 3, 1),
        very_overdue_from=datetime.date(2027, 3, 10),
        deadline={},
    )
    asked = OldExtension.objects.create(
        referral_id=made.pk, working_days=3, reason="旧式延期", requested_by_id=staff_id
    )

    executor = _migrate(_latest(MigrationExecutor(connection)))

    after = _snapshot()
    new_opinions, new_referrals, new_extensions, new_replies, new_events = after
    assert new_events == events
    assert new_replies == replies
    assert {pk: row for pk, row in new_referrals.items() if pk != made.pk} == referrals
    assert {pk: row for pk, row in new_extensions.items() if pk != asked.pk} == extensions
    changed = {pk for pk in opinions if new_opinions[pk] != opinions[pk]}
    assert changed == {received.pk}  # only the status set by hand above
    moved = Assignment.objects.get(pk=made.pk)
    assert (moved.opinion.pk, moved.rule, moved.period, moved.due_date, moved.unit_name) == (
        received.pk,
        "working_days",
        7,
        datetime.date(2027, 3, 1),
        "旧式转办",
    )
    assert moved.case.process == "opinions" and moved.district_id == moved.opinion.district_id
    assert Extension.objects.get(pk=asked.pk).assignment_id == made.pk
    # Every opinion has its case; new rows continue after the copied ids.
    assert not Opinion.objects.filter(case__isnull=True).exists()
    assert Assignment.objects.order_by("-pk").first().pk == made.pk
