"""The demo district's half year of opinions: `seed_demo` builds them, consistent and alive."""

import datetime
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from zhitong.accounts.models import Role, User
from zhitong.core.db import event_deletes_allowed
from zhitong.core.models import Event
from zhitong.demo.accounts import DEMO_STREET_NAME, DEMO_UNIT_NAME
from zhitong.demo.opinions import CLOSED, COLLECTED, ensure_opinions
from zhitong.handling import services as handling_services
from zhitong.handling.models import Assignment, Extension, Rating, Reply
from zhitong.notifications.models import Message, Notification
from zhitong.opinions import services
from zhitong.opinions.models import (
    AUTO_CLOSE_DEFAULT,
    CLOSED_STATUSES,
    Channel,
    IntakeSession,
    Opinion,
    Status,
)
from zhitong.opinions.search_text import opinion_search_text
from zhitong.opinions.selectors import opinions_visible_to
from zhitong.opinions.stats import opinion_figures, pending_counts
from zhitong.opinions.tracking import is_canonical
from zhitong.regions.models import Region, RegionLevel
from zhitong.suggestions.models import ReceptionDay, Suggestion
from zhitong.workdays.selectors import add_working_days, working_calendar

pytestmark = pytest.mark.django_db

# The demo suggestions (zhitong.demo.suggestions) share the handling tables, and one of
# them was converted into an opinion (channel "suggestion"): the opinions' figures leave
# them out.
OPINIONS = "opinions"

WUCHANG = "420106"
# Every verb the services and intake write on an opinion, and the status they lead to
# (None: the status does not change).
VERBS = {
    "received": Status.RECEIVED,
    "accept": Status.ACCEPTED,
    "decline": Status.DECLINED,
    "answer_on_spot": Status.REPLIED,
    "refer": Status.REFERRED,
    "referral_accept": None,
    "referral_return": Status.ACCEPTED,
    "reply_submit": None,
    "reply_send": Status.SENT,
    "rating_submit": None,
    "rating_record": None,
    "rating_default": Status.CLOSED,
    "merge": Status.MERGED,
    "close_with_main": None,
    "extension_request": None,
    "extension_decide": None,
    "deadline_passed": None,
    # A deputy raised it into a suggestion (the demo suggestions, zhitong.demo.suggestions).
    "raise_suggestion": None,
}
# Steps nobody signs: the submitter's rating, the scheduled deadline check. (A rating
# taken by phone, rating_record, is signed by whoever took it.)
UNSIGNED = {"rating_submit", "close_with_main", "deadline_passed", "rating_default"}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One seed for the module, rolled back at its end; each test runs in a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", force=True, stdout=StringIO())
        yield Region.objects.get(code=WUCHANG)
        transaction.set_rollback(True)


def opinion_events() -> dict[int, list[Event]]:
    """Each demo opinion's events, oldest first."""
    opinion_type = ContentType.objects.get_for_model(Opinion)
    timelines = defaultdict(list)
    for event in Event.objects.filter(content_type=opinion_type).order_by("occurred_at", "id"):
        timelines[int(event.object_id)].append(event)
    return timelines


def account(username) -> User:
    return User.objects.get(username=username)


def handler_of(unit) -> User:
    return User.objects.filter(role=Role.UNIT, unit=unit, is_active=True).order_by("pk").first()


def fingerprint():
    """What a user could tell apart between two builds of the demo opinions."""
    return sorted(
        Opinion.objects.exclude(channel=Channel.SUGGESTION).values_list(
            "tracking_code",
            "subject",
            "content",
            "status",
            "channel",
            "category__code",
            "street__code",
            "station__public_code",
            "deputy__public_code",
            "submitter_name",
            "submitter_phone",
        )
    )


def delete_demo_opinions():
    # Duplicates first: the main opinions are PROTECTed while merged ones point at them.
    # Only a test empties the demo: the application never deletes a case with a timeline.
    with event_deletes_allowed():
        # The demo suggestions first: one was converted into an opinion (PROTECTed), and
        # reception days' agendas PROTECT the suggestions on them.
        ReceptionDay.objects.all().delete()
        Suggestion.objects.all().delete()
        Opinion.objects.filter(merged_into__isnull=False).delete()
        Opinion.objects.all().delete()
        IntakeSession.objects.all().delete()


# --- the figures of the report ------------------------------------------------------------


def test_half_a_year_as_in_the_report(seeded):
    # The opinion a reviewer made of a demo suggestion (转为意见办理) is the suggestions'.
    opinions = Opinion.objects.filter(district=seeded).exclude(channel=Channel.SUGGESTION)
    assert opinions.count() == COLLECTED == 528
    assert opinions.filter(status__in=CLOSED_STATUSES).count() == CLOSED == 430
    statuses = Counter(opinions.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)  # every status, open and final
    assert statuses[Status.CLOSED_UNSATISFIED] >= 3
    assert statuses[Status.MERGED] >= 1 and statuses[Status.DECLINED] >= 10

    now = timezone.now()
    oldest, newest = (
        opinions.order_by("received_at").first(),
        opinions.order_by("-received_at").first(),
    )
    assert now - datetime.timedelta(days=190) < oldest.received_at
    assert newest.received_at < now
    # Spread over the half year: something every month.
    months = {
        timezone.localtime(at).strftime("%Y-%m")
        for at in opinions.values_list("received_at", flat=True)
    }
    assert len(months) >= 6

    channels = Counter(Opinion.objects.filter(district=seeded).values_list("channel", flat=True))
    assert set(channels) == set(Channel.values) - {Channel.IMPORT}
    assert channels.most_common(1)[0][0] == Channel.STATION_VISIT

    # 18 half-month talks (代表半月谈), each with several opinions.
    talks = IntakeSession.objects.filter(kind=IntakeSession.Kind.HALF_MONTH_TALK)
    assert talks.count() == 18
    assert all(talk.opinions.count() >= 3 for talk in talks)
    assert all(talk.deputies.exists() for talk in talks)

    # The demo street has more than its share, so its accounts have work to show.
    by_street = Counter(opinions.values_list("street__name", flat=True))
    assert by_street.most_common(1)[0][0] == DEMO_STREET_NAME


def test_opinions_read_like_a_city_district(seeded):
    rows = list(Opinion.objects.exclude(channel=Channel.SUGGESTION))
    assert all(is_canonical(o.tracking_code) for o in rows)
    assert all(o.search_text == opinion_search_text(o.subject, o.content) for o in rows)
    assert all(o.submitter_phone.startswith("1390000") for o in rows if o.submitter_phone)
    anonymous = [o for o in rows if not o.submitter_name]
    assert 0 < len(anonymous) < len(rows) / 3
    subjects = " ".join(o.subject for o in rows)
    for matter in ("物业", "停车", "加装电梯", "老旧小区改造", "路灯", "垃圾分类", "老年食堂"):
        assert matter in subjects, matter
    assert len({o.subject for o in rows}) > 300
    # Placed where they belong: the station's street, a community of that street.
    for o in Opinion.objects.exclude(channel=Channel.SUGGESTION).select_related("place", "station"):
        assert o.place.level == RegionLevel.COMMUNITY and o.place.parent_id == o.street_id
        if o.station_id:
            assert o.station.street_id == o.street_id
    # Replies read as written by their unit, with its contact.
    reply = Reply.objects.filter(on_the_spot=False, assignment__role=Assignment.Role.LEAD).first()
    assert reply.text.startswith("您好！") and reply.assignment.unit.contact_person in reply.text


# --- timelines ----------------------------------------------------------------------------


def test_every_timeline_is_the_one_the_services_would_have_written(seeded):
    timelines = opinion_events()
    now = timezone.now()
    opinions = Opinion.objects.in_bulk()
    assert set(timelines) == set(opinions)
    for pk, events in timelines.items():
        opinion = opinions[pk]
        first = events[0]
        assert (first.verb, first.from_state, first.to_state) == ("received", "", "received")
        assert first.occurred_at >= opinion.received_at
        assert (first.actor_id is None) == (opinion.recorded_by_id is None)
        previous = first
        for event in events[1:]:
            assert event.verb in VERBS, event.verb
            assert event.from_state == previous.to_state, (opinion.tracking_code, event.verb)
            expected = VERBS[event.verb]
            if expected is not None:
                assert event.to_state == expected, (opinion.tracking_code, event.verb)
            assert (event.actor_id is None) == (event.verb in UNSIGNED), event.verb
            assert event.occurred_at >= previous.occurred_at
            assert event.district_code == WUCHANG
            previous = event
        assert events[-1].occurred_at < now
        assert events[-1].to_state == opinion.status, opinion.tracking_code
        # The row was last saved by the last step that moved it (a deadline passing or an
        # extension request leaves the row as it was).
        moves = [e for e in events if e.from_state != e.to_state]
        assert opinion.updated_at == moves[-1].occurred_at, opinion.tracking_code
        accepts = [e for e in events if e.verb == "accept"]
        assert opinion.accepted_at == (accepts[0].occurred_at if accepts else None)
        if opinion.status in CLOSED_STATUSES:
            assert opinion.closed_at == moves[-1].occurred_at
        else:
            assert opinion.closed_at is None


def test_rows_agree_with_their_events(seeded):
    events = [e for timeline in opinion_events().values() for e in timeline]
    by_verb = defaultdict(list)
    for event in events:
        by_verb[event.verb].append(event)

    replies = Reply.objects.select_related("opinion").in_bulk()
    for event in by_verb["reply_submit"] + by_verb["answer_on_spot"]:
        reply = replies[event.data["reply"]]
        assert reply.created_at == event.occurred_at and reply.opinion.pk == int(event.object_id)
        assert reply.author_id == event.actor_id
    for event in by_verb["reply_send"]:
        reply = replies[event.data["reply"]]
        assert reply.sent_at == event.occurred_at and reply.reviewed_by_id == event.actor_id
        assert event.data["edited"] == (reply.text_sent != reply.text)
    ratings = Rating.objects.filter(case__process=OPINIONS).in_bulk()
    rated = by_verb["rating_submit"] + by_verb["rating_record"] + by_verb["rating_default"]
    assert len(ratings) == len(rated)
    for event in rated:
        rating = ratings[event.data["rating"]]
        assert rating.created_at == event.occurred_at and rating.score == event.data["score"]
        assert rating.reply_id == event.data["reply"] and rating.comment == event.note
        assert rating.taken_by_id == event.actor_id
    # Replies nobody rated closed by themselves (默认满意) after the district's working
    # days, by the daily check just after midnight: nobody's act.
    by_default = [ratings[e.data["rating"]] for e in by_verb["rating_default"]]
    assert len(by_default) == 12
    for event in by_verb["rating_default"]:
        rating = ratings[event.data["rating"]]
        assert rating.score == Rating.Score.DEFAULT and rating.method == Rating.Method.AUTO
        assert rating.rater_id is None and rating.taken_by_id is None
        sent = replies[rating.reply_id].sent_at
        assert event.data["working_days"] == AUTO_CLOSE_DEFAULT
        assert (
            working_calendar().working_days_between(
                timezone.localdate(sent), timezone.localdate(event.occurred_at)
            )
            == AUTO_CLOSE_DEFAULT
        )
        if rating.score == Rating.Score.UNSATISFIED:
            assert rating.comment  # an unsatisfied rating says why
    # Some submitters were called back (电话回访) and told the reviewer their rating.
    by_phone = [ratings[e.data["rating"]] for e in by_verb["rating_record"]]
    assert len(by_phone) >= 20
    assert all(r.method == Rating.Method.PHONE for r in by_phone)
    referrals = Assignment.objects.in_bulk()
    for event in by_verb["refer"]:
        lead = referrals[event.data["referral"]]
        assert lead.assigned_at == event.occurred_at and lead.assigned_by_id == event.actor_id
        assert lead.unit_id == event.data["unit"]["id"]
    for event in by_verb["referral_accept"]:
        referral = referrals[event.data["referral"]]
        assert referral.accepted_at == event.occurred_at
        assert User.objects.get(pk=event.actor_id).unit_id == referral.unit_id
    extensions = Extension.objects.in_bulk()
    for event in by_verb["extension_request"]:
        assert extensions[event.data["extension"]].requested_at == event.occurred_at
    for event in by_verb["merge"]:
        duplicate = Opinion.objects.get(pk=event.object_id)
        assert duplicate.merged_into_id == event.data["into"]["id"]
    for opinion in Opinion.objects.filter(merged_into__isnull=False).select_related("merged_into"):
        if opinion.merged_into.status in CLOSED_STATUSES:
            assert opinion.status == opinion.merged_into.status  # followed its main one
        else:
            assert opinion.status == Status.MERGED


def test_referrals_go_to_the_routed_unit_within_working_days(seeded):
    timelines = opinion_events()
    refers = [e for events in timelines.values() for e in events if e.verb == "refer"]
    assert len(refers) > 400
    for event in refers:
        lead = Assignment.objects.select_related("opinion").get(pk=event.data["referral"])
        opinion = lead.opinion
        suggested = services.suggested_unit_for(opinion)
        assert event.data["suggested_unit"]["id"] == suggested.pk
        assert lead.suggested_unit_id == suggested.pk
        assert event.data["changed_from_suggestion"] == (lead.unit_id != suggested.pk)
        start = timezone.localdate(lead.assigned_at)
        deadline = add_working_days(start, lead.period)
        assert event.data["due_date"] == deadline.due.isoformat()
        assert event.data["deadline"] == deadline.as_data()
    # A due date always matches the computation stored beside it.
    for referral in Assignment.objects.filter(case__process=OPINIONS):
        assert referral.deadline["due"] == referral.due_date.isoformat()
    # Returned referrals were referred again, to another unit.
    returned = Assignment.objects.filter(case__process=OPINIONS, state=Assignment.State.RETURNED)
    assert returned.exists()
    for referral in returned:
        again = referral.opinion.referrals.filter(assigned_at__gt=referral.assigned_at).first()
        assert again is not None and again.unit_id != referral.unit_id


def test_open_cases_in_every_state_with_overdue_ones_recorded(seeded):
    today = timezone.localdate()
    open_leads = Assignment.objects.filter(
        case__process=OPINIONS,
        role=Assignment.Role.LEAD,
        state__in=[Assignment.State.PENDING, Assignment.State.ACCEPTED],
    )
    overdue = open_leads.filter(due_date__lt=today, opinion__status=Status.HANDLING)
    assert overdue.count() >= 5
    # Some are very overdue (严重超期): late by the working days they had as well.
    very = Opinion.objects.filter(status=Status.HANDLING, open_very_overdue_from__lte=today)
    assert 2 <= very.count() < overdue.count()
    for referral in overdue:
        passed = Event.objects.for_object(referral.opinion).filter(verb="deadline_passed")
        assert referral.due_date.isoformat() in [e.data["due_date"] for e in passed]
        assert referral.passing_recorded_for == referral.due_date
    # The daily check finds nothing left to record: the demo recorded what it would have.
    assert handling_services.deadlines_record_passings(today=today) == 0
    pending = Extension.objects.filter(
        assignment__case__process=OPINIONS, state=Extension.State.PENDING
    )
    assert pending.count() == 1
    assert Extension.objects.filter(
        assignment__case__process=OPINIONS, state=Extension.State.APPROVED
    ).exists()
    # Sent back after an unsatisfied rating, being handled again with a fresh deadline.
    assert Opinion.objects.filter(status=Status.HANDLING, returned_for_rework=1).exists()
    # Most closed cases were answered in time and most submitters were satisfied.
    figures = opinion_figures(
        account("staff"),
        start=today - datetime.timedelta(days=200),
        end=today,
    ).total
    assert (figures.collected, figures.closed) == (528, 430)
    assert figures.on_time_rate > 80
    assert figures.satisfaction_rate > 90


def test_notifications_and_messages_went_out_when_each_step_happened(seeded):
    """What the services queue for after their commit went out at each step's moment."""
    opinion_type = ContentType.objects.get_for_model(Opinion)
    # An opinion returned by its first unit is referred twice: each referral is a moment.
    events = defaultdict(set)
    for e in Event.objects.filter(content_type=opinion_type, verb__in=["refer", "received"]):
        events[(int(e.object_id), e.verb)].add(e.occurred_at)
    referred = Notification.objects.filter(recipient=account("unit"), verb="opinion_referred")
    assert referred.count() >= 20
    for note in referred:
        assert note.created_at in events[(int(note.subject_id), "refer")]
    # Each submitter who left a mobile number got the tracking code by SMS on the day.
    codes = Message.objects.filter(channel="sms", subject__startswith="您的意见建议已收到")
    with_phone = Opinion.objects.exclude(submitter_phone="")
    assert codes.count() == with_phone.count() > 300
    for message in codes:
        assert {message.sent_at} == events[(int(message.related_id), "received")]
        assert message.status == "sent"


# --- who sees what ----------------------------------------------------------------------


def test_demo_unit_sees_exactly_the_opinions_referred_to_it(seeded):
    unit_user = account("unit")
    assert unit_user.unit.name == DEMO_UNIT_NAME
    referred = set()
    withdrawn = set()
    for pk, events in opinion_events().items():
        for event in events:
            units = [event.data.get("unit") or {}] + event.data.get("co_units", [])
            if event.verb == "refer" and unit_user.unit_id in [u.get("id") for u in units]:
                referred.add(pk)
            if event.verb == "merge" and event.data["withdrawn"]:
                withdrawn.add(pk)
    visible = set(opinions_visible_to(unit_user).values_list("pk", flat=True))
    assert visible == referred - withdrawn
    assert len(visible) >= 20


def test_each_demo_home_has_work_to_show(seeded):
    counts = {
        username: {p.key: p.count for p in pending_counts(account(username))}
        for username in ("staff", "street", "deputy", "liaison", "unit")
    }
    assert all(counts["staff"].values()), counts["staff"]
    assert counts["street"]["received"] and counts["street"]["accepted"]
    assert counts["street"]["overdue"]
    for username in ("deputy", "liaison"):
        assert counts[username]["received"] and counts[username]["replied"], counts[username]
        assert counts[username]["overdue"]
    assert counts["unit"]["referred"] + counts["unit"]["handling"] > 0
    assert counts["unit"]["overdue"]
    for username, least in (("street", 60), ("deputy", 25), ("liaison", 25), ("leader", 528)):
        assert opinions_visible_to(account(username)).count() >= least, username
    assert not opinions_visible_to(account("citizen")).exists()


# --- the real services carry on from the demo states ------------------------------------


def first(status, **filters) -> Opinion:
    return Opinion.objects.filter(status=status, **filters).order_by("pk").first()


def last_event(opinion) -> Event:
    return Event.objects.for_object(opinion).order_by("-occurred_at", "-id").first()


def test_the_services_carry_on_from_every_open_state(seeded):
    staff = account("staff")

    received = first(Status.RECEIVED)
    services.opinion_accept(opinion=received, by=staff)
    assert last_event(received).from_state == Status.RECEIVED

    accepted = first(Status.ACCEPTED)
    unit = services.suggested_unit_for(accepted)
    lead = services.opinion_refer(opinion=accepted, by=staff, unit=unit)
    assert lead.due_date == add_working_days(timezone.localdate(), lead.period).due

    referred = first(Status.REFERRED)
    lead = referred.referrals.get(state=Assignment.State.PENDING, role=Assignment.Role.LEAD)
    services.referral_accept(referral=lead, by=handler_of(lead.unit))
    referred.refresh_from_db()
    assert referred.status == Status.HANDLING

    waiting = Extension.objects.get(
        assignment__case__process=OPINIONS, state=Extension.State.PENDING
    )
    services.extension_decide(extension=waiting, by=staff, approve=True)
    waiting.assignment.refresh_from_db()
    assert waiting.assignment.due_date > datetime.date.fromisoformat(
        waiting.assignment.deadline["start"]
    )

    # An overdue case is answered, reviewed, sent and rated: the whole loop closes.
    handling = (
        Opinion.objects.filter(
            status=Status.HANDLING,
            referrals__role=Assignment.Role.LEAD,
            referrals__state=Assignment.State.ACCEPTED,
            referrals__due_date__lt=timezone.localdate(),
        )
        .order_by("pk")
        .first()
    )
    lead = handling.referrals.get(role=Assignment.Role.LEAD, state=Assignment.State.ACCEPTED)
    reply = services.reply_submit(referral=lead, by=handler_of(lead.unit), text="已完成整改。")
    services.reply_send(reply=reply, by=staff)
    services.rating_submit(opinion=handling, score=Rating.Score.SATISFIED)
    handling.refresh_from_db()
    assert handling.status == Status.CLOSED

    # A reply waiting for review is sent; the submitter rates it.
    replied = first(Status.REPLIED, replies__on_the_spot=False)
    latest = replied.replies.filter(sent_at__isnull=True).exclude(assignment__role="co").last()
    services.reply_send(reply=latest, by=staff)
    sent = first(Status.SENT)
    services.rating_submit(opinion=sent, score=Rating.Score.BASICALLY)
    sent.refresh_from_db()
    assert sent.status == Status.CLOSED

    # The deputy's on-the-spot answer is sent by the deputy.
    spot = first(Status.REPLIED, replies__on_the_spot=True)
    services.reply_send(reply=spot.replies.get(), by=account("deputy"))


def test_a_second_unsatisfied_rating_closes_a_reworked_case(seeded):
    reworked = first(Status.HANDLING, returned_for_rework=1)
    lead = reworked.referrals.get(role=Assignment.Role.LEAD, state=Assignment.State.ACCEPTED)
    reply = services.reply_submit(referral=lead, by=handler_of(lead.unit), text="再次整改完毕。")
    services.reply_send(reply=reply, by=account("staff"))
    services.rating_submit(opinion=reworked, score=Rating.Score.UNSATISFIED, comment="仍未解决")
    reworked.refresh_from_db()
    assert reworked.status == Status.CLOSED_UNSATISFIED


def test_a_merged_duplicate_follows_its_main_opinion_to_the_end(seeded):
    duplicate = first(Status.MERGED)
    main = duplicate.merged_into
    assert main.status == Status.HANDLING
    lead = main.referrals.get(role=Assignment.Role.LEAD, state=Assignment.State.ACCEPTED)
    reply = services.reply_submit(referral=lead, by=handler_of(lead.unit), text="已处理。")
    services.reply_send(reply=reply, by=account("staff"))
    services.rating_submit(opinion=main, score=Rating.Score.SATISFIED)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED
    assert last_event(duplicate).verb == "close_with_main"


# --- building -----------------------------------------------------------------------------


def test_second_run_changes_nothing(seeded):
    before = (
        Opinion.objects.count(),
        Event.objects.count(),
        Assignment.objects.count(),
        User.objects.count(),
        fingerprint(),
    )
    call_command("seed_demo", force=True, stdout=StringIO())
    after = (
        Opinion.objects.count(),
        Event.objects.count(),
        Assignment.objects.count(),
        User.objects.count(),
        fingerprint(),
    )
    assert after == before


def test_the_same_opinions_whenever_they_are_built(seeded):
    before = fingerprint()
    users = User.objects.count()
    delete_demo_opinions()
    # Built again, and on another day: the same opinions, each in the same state. (One
    # rebuild: each goes through the services and takes a while.)
    assert ensure_opinions(seeded, now=timezone.now() - datetime.timedelta(days=40)) == 528
    assert fingerprint() == before
    assert User.objects.count() == users  # the generated accounts are reused


def test_only_the_first_district_gets_opinions(seeded):
    call_command("seed_demo", scale=2, force=True, stdout=StringIO())
    other = Region.objects.filter(level=RegionLevel.DISTRICT).exclude(code=WUCHANG).get()
    assert not Opinion.objects.filter(district=other).exists()
    assert (
        Opinion.objects.filter(district=seeded).exclude(channel=Channel.SUGGESTION).count() == 528
    )


def test_every_open_due_date_is_what_the_services_would_keep(seeded):
    from zhitong.handling.deadlines import running_lead_dates

    opinions = list(Opinion.objects.filter(district=seeded))
    assert any(o.open_due_date for o in opinions)
    assert all(o.open_due_date == running_lead_dates(o.case_id)["due"] for o in opinions)


def test_every_very_overdue_date_is_what_the_services_would_keep(seeded):
    from zhitong.handling.deadlines import recomputed_very_overdue_from, running_lead_dates
    from zhitong.workdays.selectors import working_calendar

    calendar = working_calendar()
    referrals = list(Assignment.objects.filter(opinion__district=seeded, due_date__isnull=False))
    assert referrals
    assert all(r.very_overdue_from == recomputed_very_overdue_from(r, calendar) for r in referrals)
    opinions = list(Opinion.objects.filter(district=seeded))
    assert any(o.open_very_overdue_from for o in opinions)
    assert all(
        o.open_very_overdue_from == running_lead_dates(o.case_id)["very_overdue"] for o in opinions
    )


def test_the_router_proposes_from_the_start_and_learns_from_the_staff(seeded, client):
    """Trained on the shipped real messages before the half year, so each opinion got a
    proposal as it arrived and staff's triage confirmed or corrected it; trained again
    after, on those decisions too."""
    from zhitong.insights.models import Example, Prediction, RouterVersion

    first, second = RouterVersion.objects.order_by("number")
    assert first.labels == sorted(first.labels) and len(first.labels) == 7
    assert {first.state, second.state} in (
        {RouterVersion.State.RETIRED, RouterVersion.State.CURRENT},
        {RouterVersion.State.CURRENT, RouterVersion.State.REFUSED},
    )
    assert first.figures["macro_f1"] > 0.7 and first.figures["held_back"] > 50
    sources = set(Example.objects.values_list("source", flat=True))
    assert sources == {"seed", "prior", "confirmed", "corrected"}
    assert Prediction.objects.filter(process="opinions").count() > 100
    waiting = Opinion.objects.filter(status=Status.RECEIVED).count()
    client.force_login(account("staff"))
    page = client.get("/work/opinions/?status=received").content.decode()
    assert waiting == 0 or "模型建议" in page
    assert "第2版" in client.get("/work/insights/router/").content.decode()


def test_staff_see_the_repeated_matters_as_likely_duplicates(seeded, client):
    """Two citizens wrote again about a matter still being handled: every demo opinion has
    its fingerprint, and the case page of each repeat shows staff the one being handled as
    a likely duplicate, to merge in one click."""
    from zhitong.demo.opinions import RECEIVED_DUPLICATES
    from zhitong.insights.models import TextPrint

    assert TextPrint.objects.filter(process="opinions").count() == Opinion.objects.count()
    client.force_login(account("staff"))
    shown = 0
    for opinion in Opinion.objects.filter(status=Status.RECEIVED):
        page = client.get(f"/work/opinions/{opinion.pk}/").content.decode()
        if 'id="likely-duplicates"' not in page:
            continue
        panel = page[page.index('id="likely-duplicates"') :]
        panel = panel[: panel.index("</section>")]
        assert "合并到这件" in panel and "相似度" in panel
        shown += 1
    assert shown >= RECEIVED_DUPLICATES
