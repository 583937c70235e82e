"""Referrals, replies and ratings moved from opinions to handling: every row, state, due
date, review and timeline kept.

The demo district is built, the database is taken back to the schema before the moves
(opinions 0005: referrals, extensions, replies and ratings in opinions' own tables, filled
by the reverse of the data migrations), rows of the old shape are added there with the
historical models, and the database is migrated forward again. The opinions, their states,
due dates, referrals, extensions, replies (reviewed, sent, on the spot), ratings (online
and taken by phone), reply attachments and timelines must come out as they went in.
"""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from zhitong.core.models import Event
from zhitong.handling.models import Assignment, Extension, Rating, Reply
from zhitong.opinions.models import Attachment, Opinion

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
    replies = {
        r.pk: (
            r.opinion.pk,
            r.assignment_id,
            r.unit_name,
            r.text,
            r.on_the_spot,
            r.author_id,
            r.created_at,
            r.reviewed_by_id,
            r.sent_at,
            r.text_sent,
        )
        for r in Reply.objects.all()
    }
    ratings = {
        g.pk: (
            g.opinion.pk,
            g.reply_id,
            g.score,
            g.comment,
            g.method,
            g.taken_by_id,
            g.created_at,
        )
        for g in Rating.objects.all()
    }
    attachments = dict(Attachment.objects.filter(reply__isnull=False).values_list("pk", "reply_id"))
    events = list(
        Event.objects.order_by("id").values_list(
            "id", "object_id", "verb", "from_state", "to_state", "data", "occurred_at"
        )
    )
    return opinions, referrals, extensions, replies, ratings, attachments, events


def test_the_move_to_handling_keeps_every_opinion_referral_reply_rating_and_event():
    # The opinions' half year only: the move concerned opinions (suggestions came later).
    call_command("seed_demo", "--no-suggestions", verbosity=0)
    before = _snapshot()
    opinions, referrals, extensions, replies, ratings, attachments, events = before
    assert len(referrals) > 100 and extensions and len(events) > 1000
    # The demo has replies of every kind: a unit's and on the spot, sent after review and
    # waiting for it, rated online, by phone, and closed by the system (默认满意).
    assert {r[4] for r in replies.values()} == {True, False}
    assert {r[8] is None for r in replies.values()} == {True, False}
    assert {(g[4], g[5] is None) for g in ratings.values()} == {
        ("online", True),
        ("phone", False),
        ("auto", True),
    }

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
    OldReply = old.get_model("opinions", "Reply")
    OldRating = old.get_model("opinions", "Rating")
    OldAttachment = old.get_model("opinions", "Attachment")
    assert {
        r.pk: (r.opinion_id, r.referral_id, r.on_the_spot, r.reviewed_by_id, r.sent_at, r.text_sent)
        for r in OldReply.objects.all()
    } == {pk: (row[0], row[1], row[4], row[7], row[8], row[9]) for pk, row in replies.items()}
    # The old schema knows no rating by the system (默认满意): such a rating goes back as a
    # satisfied online one whose comment says what it was (opinions 0011), and comes back.
    by_default = {pk for pk, row in ratings.items() if row[4] == "auto"}
    assert len(by_default) == 12
    assert {
        g.pk: (g.opinion_id, g.reply_id, g.score, g.method, g.taken_by_id)
        for g in OldRating.objects.all()
    } == {
        pk: (
            row[0],
            row[1],
            *(("satisfied", "online") if pk in by_default else (row[2], row[4])),
            row[5],
        )
        for pk, row in ratings.items()
    }
    assert (
        set(
            OldRating.objects.filter(comment="【默认满意：逾期未评价，系统办结】").values_list(
                "pk", flat=True
            )
        )
        == by_default
    )
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
    # The old code's replies: the unit's, reviewed and sent edited, rated online, with a
    # file; one given on the spot, sent as written, rated by phone.
    unit_reply = OldReply.objects.create(
        opinion_id=received.pk,
        referral_id=made.pk,
        unit_name="旧式转办",
        text="旧式答复",
        author_id=staff_id,
        created_at=moment,
        reviewed_by_id=staff_id,
        sent_at=moment + datetime.timedelta(hours=1),
        text_sent="旧式答复（审核后）",
    )
    online = OldRating.objects.create(
        opinion_id=received.pk, reply_id=unit_reply.pk, score="basically", comment="还行"
    )
    filed = OldAttachment.objects.create(
        reply_id=unit_reply.pk,
        file="opinions/ab/old.pdf",
        original_name="旧式附件.pdf",
        content_type="application/pdf",
        size=10,
        sha256="ab" * 32,
        extension=".pdf",
    )
    accepted = OldOpinion.objects.filter(status="accepted").order_by("pk").first()
    spot = OldReply.objects.create(
        opinion_id=accepted.pk,
        referral_id=None,
        unit_name="旧式代表",
        text="当场说明",
        on_the_spot=True,
        author_id=staff_id,
        created_at=moment,
        reviewed_by_id=staff_id,
        sent_at=moment,
        text_sent="当场说明",
    )
    by_phone = OldRating.objects.create(
        opinion_id=accepted.pk,
        reply_id=spot.pk,
        score="unsatisfied",
        comment="没解决",
        method="phone",
        taken_by_id=staff_id,
    )

    executor = _migrate(_latest(MigrationExecutor(connection)))

    after = _snapshot()
    new_opinions, new_referrals, new_extensions, new_replies, new_ratings = after[:5]
    new_attachments, new_events = after[5:]
    assert new_events == events
    made_replies = {unit_reply.pk, spot.pk}
    assert {pk: row for pk, row in new_replies.items() if pk not in made_replies} == replies
    made_ratings = {online.pk, by_phone.pk}
    assert {pk: row for pk, row in new_ratings.items() if pk not in made_ratings} == ratings
    assert {pk: r for pk, r in new_attachments.items() if pk != filed.pk} == attachments
    assert {pk: row for pk, row in new_referrals.items() if pk != made.pk} == referrals
    assert {pk: row for pk, row in new_extensions.items() if pk != asked.pk} == extensions
    changed = {pk for pk in opinions if new_opinions[pk] != opinions[pk]}
    assert changed == {received.pk}  # only the status set by hand above
    assert new_replies[unit_reply.pk] == (
        received.pk,
        made.pk,
        "旧式转办",
        "旧式答复",
        False,
        staff_id,
        moment,
        staff_id,
        moment + datetime.timedelta(hours=1),
        "旧式答复（审核后）",
    )
    assert new_replies[spot.pk] == (
        accepted.pk, None, "旧式代表", "当场说明", True, staff_id, moment, staff_id, moment,
        "当场说明",
    )  # fmt: skip
    assert new_ratings[online.pk][:6] == (
        received.pk,
        unit_reply.pk,
        "basically",
        "还行",
        "online",
        None,
    )
    assert new_ratings[by_phone.pk][:6] == (
        accepted.pk, spot.pk, "unsatisfied", "没解决", "phone", staff_id,
    )  # fmt: skip
    moved_reply = Reply.objects.get(pk=unit_reply.pk)
    assert moved_reply.case_id == moved_reply.opinion.case_id == moved_reply.assignment.case_id
    assert Rating.objects.get(pk=by_phone.pk).rater_id is None
    assert Attachment.objects.get(pk=filed.pk).reply == moved_reply
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
    newer = Reply.objects.create(
        case_id=moved_reply.case_id, text="新答复", author_id=staff_id, created_at=moment
    )
    assert newer.pk > max(new_replies)
    assert Rating.objects.create(reply=newer, score="satisfied").pk > max(new_ratings)
