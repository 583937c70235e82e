"""The demo district's suggestions of one session: `seed_demo` builds them through the
services, in every state, with the accounts that work on them."""

import datetime
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from zhitong.accounts.models import Role, User
from zhitong.core.models import Event
from zhitong.demo.accounts import DEMO_UNIT_NAME, SUGGESTION_ACCOUNTS
from zhitong.demo.suggestions import TOTAL, DemoSuggestions, letter_pdf
from zhitong.handling.models import Assignment, Rating, Reply
from zhitong.regions.models import Region
from zhitong.suggestions.models import (
    Commitment,
    CongressSession,
    CoSigner,
    DistrictSettings,
    File,
    Kind,
    Status,
    Suggestion,
)
from zhitong.suggestions.selectors import suggestions_visible_to

pytestmark = pytest.mark.django_db

WUCHANG = "420106"
FIRST_VERBS = {"suggestion_draft", "raised_from_opinions"}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One seed for the module, rolled back at its end; each test runs in a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", force=True, stdout=StringIO())
        yield Region.objects.get(code=WUCHANG)
        transaction.set_rollback(True)


def session_of(district) -> CongressSession:
    return CongressSession.objects.get(district=district)


def timelines() -> dict[int, list[Event]]:
    kind = ContentType.objects.get_for_model(Suggestion)
    found = defaultdict(list)
    for event in Event.objects.filter(content_type=kind).order_by("occurred_at", "id"):
        found[int(event.object_id)].append(event)
    return found


def test_one_session_with_suggestions_in_every_state(seeded):
    session = session_of(seeded)
    suggestions = Suggestion.objects.filter(session=session)
    assert 140 <= suggestions.count() == TOTAL <= 160
    assert Suggestion.objects.filter(district=seeded).count() == TOTAL
    statuses = Counter(suggestions.values_list("status", flat=True))
    assert set(statuses) == set(Status.values) - {Status.WITHDRAWN}
    assert statuses[Status.CLOSED] > TOTAL / 3
    # Most raised while it sat (大会期间), a few in the recess (闭会期间), each series
    # numbered from 1 without gaps.
    during = suggestions.filter(during_session=True).exclude(number=None)
    recess = suggestions.filter(during_session=False).exclude(number=None)
    assert during.count() > 3 * recess.count() > 0
    for series in (during, recess):
        numbers = sorted(series.values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
    assert suggestions.filter(kind=Kind.CRITICISM).count() == 1
    converted = suggestions.get(status=Status.CONVERTED)
    assert converted.converted_opinion.channel == "suggestion"
    assert suggestions.filter(source_opinions__isnull=False).exists()
    # Returned for revision and submitted again: a second version.
    assert suggestions.filter(version=2).exists()
    assert session.opens_on.month == 1


def test_every_timeline_starts_with_its_draft_and_follows_the_services(seeded):
    found = timelines()
    suggestions = Suggestion.objects.in_bulk()
    assert set(found) == set(suggestions)
    now = timezone.now()
    for pk, events in found.items():
        suggestion = suggestions[pk]
        first = events[0]
        assert first.verb in FIRST_VERBS, (pk, first.verb)
        assert (first.from_state, first.to_state) == ("", Status.DRAFT)
        assert first.actor_id == suggestion.lead_deputy.user_id
        assert events[-1].occurred_at < now
        moves = [e for e in events if e.from_state != e.to_state]
        assert moves[-1].to_state == suggestion.status, (pk, moves[-1].verb)
        assert suggestion.created_at == first.occurred_at


def test_the_path_from_the_draft_to_the_ledger(seeded):
    suggestions = Suggestion.objects.filter(district=seeded)
    verbs = Counter(Event.objects.filter(district_code=WUCHANG).values_list("verb", flat=True))
    for verb in (
        "cosigner_invite",
        "cosigner_accept",
        "cosigner_decline",
        "suggestion_review",
        "suggestion_edit",
        "suggestion_register",
        "suggestion_assign",
        "suggestion_reassign",
        "assignment_return",
        "assignment_accept",
        "suggestion_contact",
        "assignment_reply",
        "extension_request",
        "extension_decide",
        "chase",
        "reply_rate",
        "commitment_report",
        "commitment_verify",
        "commitment_overdue",
        "deadline_passed",
    ):
        assert verbs[verb] > 0, verb
    # Every result class, with the signed letter (a real PDF) on each lead reply.
    replies = Reply.objects.filter(case__in=suggestions.values("case"), assignment__role="lead")
    assert set(replies.values_list("result_class", flat=True)) == {"A", "B", "C", "D"}
    letters = File.objects.filter(purpose=File.Purpose.REPLY)
    assert letters.count() == replies.count()
    content = letters.first().file.read()
    assert content.startswith(b"%PDF-") and b"startxref" in content
    # Co-units sent their views; refusals were reassigned.
    assert Reply.objects.filter(case__in=suggestions.values("case"), assignment__role="co")
    assert suggestions.filter(reassign_count=1).count() >= 3
    # Ratings back-to-back on result and attitude, each score.
    ratings = Rating.objects.filter(case__in=suggestions.values("case"))
    assert {"satisfied", "basically", "unsatisfied"} <= set(ratings.values_list("score", flat=True))
    assert all(r.back_to_back and "attitude" in r.aspects for r in ratings)


def test_rehandled_and_carried_out(seeded):
    suggestions = Suggestion.objects.filter(district=seeded)
    # Unsatisfied, handled again, rated again.
    rehandled = suggestions.filter(rehandle_count=1, status=Status.CLOSED)
    assert rehandled.exists()
    for suggestion in rehandled:
        scores = list(
            Rating.objects.filter(case=suggestion.case)
            .order_by("pk")
            .values_list("score", flat=True)
        )
        assert len(scores) == 2 and scores[0] == "unsatisfied"
    assert suggestions.filter(status=Status.REHANDLING, rehandle_count=1).exists()
    # Closed when every commitment was verified.
    closed_verified = [
        s
        for s in suggestions.filter(status=Status.CLOSED, commitments__isnull=False).distinct()
        if all(c.state == Commitment.State.VERIFIED for c in s.commitments.all())
    ]
    assert closed_verified
    # Still being carried out: open, and overdue with the passing recorded.
    today = timezone.localdate()
    commitments = Commitment.objects.filter(suggestion__district=seeded)
    assert commitments.filter(state=Commitment.State.OPEN, due_date__gte=today).exists()
    overdue = commitments.filter(state=Commitment.State.OPEN, due_date__lt=today)
    assert overdue.exists()
    assert all(c.passing_recorded_for == c.due_date for c in overdue)
    assert suggestions.filter(status=Status.CARRYING_OUT).count() >= 10


def test_overdue_replies(seeded):
    today = timezone.localdate()
    suggestions = Suggestion.objects.filter(district=seeded)
    # Open past the due date, recorded by the daily check and chased.
    open_late = Assignment.objects.filter(
        case__in=suggestions.values("case"),
        role="lead",
        state__in=("pending", "accepted"),
        due_date__lt=today,
    )
    assert open_late.exists()
    assert all(a.passing_recorded_for == a.due_date for a in open_late)
    assert any(a.chase_count for a in open_late)
    # Answered after the due date.
    late = [
        r
        for r in Reply.objects.filter(
            case__in=suggestions.values("case"), assignment__role="lead"
        ).select_related("assignment")
        if timezone.localdate(r.created_at) > r.assignment.due_date
    ]
    assert late


def test_the_demo_accounts_have_suggestions_to_work_on(seeded):
    users = {u.username: u for u in User.objects.all()}
    deputy, street, staff = users["deputy"], users["street"], users["staff"]
    unit, leader = users["unit"], users["leader"]
    suggestions = Suggestion.objects.filter(district=seeded)
    mine = suggestions.filter(lead_deputy__user=deputy)
    assert mine.filter(status=Status.DRAFT).count() >= 2
    assert mine.filter(status=Status.REPLIED).exists()  # one to rate
    assert CoSigner.objects.filter(deputy__user=deputy, state="invited").count() >= 2
    assert CoSigner.objects.filter(deputy__user=deputy, state="accepted").exists()
    assert suggestions.filter(status=Status.STREET_REVIEW, street=street.region).exists()
    assert suggestions_visible_to(staff).filter(status=Status.REGISTERED).exists()
    office = users[SUGGESTION_ACCOUNTS[0].username]
    assert office.role == Role.UNIT and office.check_password("zhitong-demo-2026")
    settings = DistrictSettings.objects.get(district=seeded)
    assert settings.government_office == office.unit
    assert Event.objects.filter(verb="suggestion_assign", actor=office).exists()
    assert unit.unit.name == DEMO_UNIT_NAME
    running = Assignment.objects.filter(
        unit=unit.unit, case__process="suggestions", state__in=("pending", "accepted")
    )
    assert running.count() >= 3
    keys = suggestions.filter(is_key=True)
    assert 5 <= keys.count() <= 8
    assert keys.filter(key_leader=leader).count() >= 2
    assert all(k.key_leader.role == Role.LEADER for k in keys)


def test_print_demo_accounts_shows_the_government_office(seeded):
    out = StringIO()
    call_command("print_demo_accounts", stdout=out)
    text = out.getvalue()
    for account in SUGGESTION_ACCOUNTS:
        assert account.username in text and account.display_name in text


def test_second_run_changes_nothing(seeded):
    before = (Suggestion.objects.count(), Event.objects.count(), User.objects.count())
    call_command("seed_demo", force=True, stdout=StringIO())
    after = (Suggestion.objects.count(), Event.objects.count(), User.objects.count())
    assert after == before


def test_the_same_suggestions_are_planned_whenever_built(seeded):
    """The plan is drawn from the district's seed: the same titles, deputies and paths."""

    def plan(now):
        builder = DemoSuggestions(seeded, now)
        assert builder.load()
        builder._structure()
        builder._plan()
        return [(p.path.name, p.deputy.pk, p.title, p.lead.pk) for p in builder.plans]

    now = timezone.now()
    built = plan(now)
    titles = set(Suggestion.objects.values_list("title", flat=True))
    assert {title for _, _, title, _ in built} == titles
    # Another day, the same but for those raised from the half year's opinions.
    other_day = plan(now - datetime.timedelta(days=40))
    assert [p for p in other_day if not p[0].startswith("raised")] == [
        p for p in built if not p[0].startswith("raised")
    ]


def test_the_letter_is_a_valid_pdf():
    pdf = letter_pdf(["Reply letter"])
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    assert pdf[xref:].startswith(b"xref")


def test_supervision_the_reception_day_and_the_quality_review(seeded):
    from zhitong.suggestions.models import (
        QualityProblem,
        QualityReview,
        ReceptionDay,
        SupervisionActivity,
    )

    led = SupervisionActivity.objects.exclude(kind="reception")
    assert led.exists() and all(a.suggestion.is_key for a in led.select_related("suggestion"))
    assert all(a.recorded_by.role == "leader" for a in led.select_related("recorded_by"))
    held = ReceptionDay.objects.get(state=ReceptionDay.State.HELD)
    assert 10 <= held.items.count() <= 15
    assert not held.items.filter(outcome="").exists()
    assert ReceptionDay.objects.filter(state=ReceptionDay.State.PLANNED).exists()
    assert QualityReview.objects.filter(round=1).count() >= 10
    assert QualityReview.objects.filter(round=2).exists()
    problems = QualityProblem.objects.all()
    assert problems.filter(answered_at__isnull=False).exists()
    assert problems.filter(answered_at__isnull=True).exists()
