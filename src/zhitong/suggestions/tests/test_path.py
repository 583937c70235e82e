"""The whole path of a suggestion through the services: 提 → 阅看 → 交 → 办 → 评 → 落实."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from zhitong.core.models import Event
from zhitong.handling import services as handling
from zhitong.handling.models import Assignment, Rating
from zhitong.suggestions import services
from zhitong.suggestions.models import Commitment, CoSigner, Review, Status, Suggestion
from zhitong.suggestions.services import CommitmentInput, SuggestionError
from zhitong.suggestions.tests.world import build, pdf

pytestmark = pytest.mark.django_db

ALL_CHECKS = {"lawful": True, "single_matter": True, "feasible": True, "well_written": True}


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=datetime.UTC
    ) - datetime.timedelta(hours=8)


@pytest.fixture
def w(db):
    return build()


def drafted(w, **kw):
    return services.suggestion_draft(
        by=w.deputy,
        title=kw.pop("title", "关于加快老旧小区加装电梯的建议"),
        content=kw.pop("content", "老旧小区居民上下楼困难，建议加快加装电梯。"),
        category=w.category,
        **kw,
    )


def registered(w, suggestion):
    services.suggestion_submit(suggestion=suggestion, by=w.deputy)
    services.suggestion_review(
        suggestion=suggestion, by=w.street, outcome="pass", checks=ALL_CHECKS
    )
    services.suggestion_review(suggestion=suggestion, by=w.staff, outcome="pass", checks=ALL_CHECKS)
    return services.suggestion_register(
        suggestion=suggestion, by=w.staff, category=w.category, lead=w.housing, co_units=[w.roads]
    )


def test_the_whole_path(w):
    with time_machine.travel(moment(datetime.date(2026, 1, 6)), tick=False):
        s = drafted(w)
        assert s.street == w.street_a and s.session == w.session and s.during_session
        services.cosigners_invite(suggestion=s, by=w.deputy, deputies=[w.dep_b])
        services.cosigner_respond(suggestion=s, by=w.other_deputy, accept=True)
        services.suggestion_submit(suggestion=s, by=w.deputy)
        s.refresh_from_db()
        assert s.status == Status.STREET_REVIEW
        services.suggestion_review(
            suggestion=s,
            by=w.street,
            outcome="return",
            checks=ALL_CHECKS,
            comment="请写明具体小区。",
        )
        s.refresh_from_db()
        assert s.status == Status.RETURNED
        services.suggestion_edit(
            suggestion=s,
            by=w.deputy,
            title=s.title,
            content=s.content + "涉及甲一社区三个小区。",
            category=w.category,
            street=w.street_a,
            session=w.session,
        )
        services.suggestion_submit(suggestion=s, by=w.deputy)
        services.suggestion_review(suggestion=s, by=w.street, outcome="pass", checks=ALL_CHECKS)
        services.suggestion_review(suggestion=s, by=w.staff, outcome="pass", checks=ALL_CHECKS)
        services.suggestion_register(
            suggestion=s, by=w.staff, category=w.category, lead=w.housing, co_units=[w.roads]
        )
        s.refresh_from_db()
        assert s.version == 2 and s.versions.count() == 2
        assert s.number == 1 and s.reference == "第16届4次会议第1号"
    with time_machine.travel(moment(datetime.date(2026, 2, 2)), tick=False):
        services.suggestions_assign(suggestions=[s], by=w.staff)
        s.refresh_from_db()
        lead = Assignment.objects.get(case=s.case, role="lead")
        co = Assignment.objects.get(case=s.case, role="co")
        # 3 months from 2 Feb → 2 May (a Saturday, in the May Day holiday) rolls on.
        assert lead.due_date >= datetime.date(2026, 5, 2)
        assert co.due_date >= datetime.date(2026, 3, 2)
        assert s.status == Status.ASSIGNED and s.open_due_date == lead.due_date
    with time_machine.travel(moment(datetime.date(2026, 2, 3)), tick=False):
        handling.assignment_accept(assignment=lead, by=w.unit)
        handling.assignment_accept(assignment=co, by=w.co_unit)
        services.suggestion_reply(assignment=co, by=w.co_unit, text="协办意见：同意。")
        with pytest.raises(SuggestionError) as refused:
            services.suggestion_reply(
                assignment=lead,
                by=w.unit,
                text="答复",
                result_class="B",
                files=[pdf()],
                commitments=[CommitmentInput("年内完成两台", datetime.date(2026, 6, 30))],
            )
        assert refused.value.code == "contact_first"
        services.contact_record(
            suggestion=s,
            assignment=lead,
            by=w.unit,
            contacted_at=moment(datetime.date(2026, 2, 3), 9),
            method="visit",
            note="上门听取代表意见。",
        )
        services.suggestion_reply(
            assignment=lead,
            by=w.unit,
            text="正在推进。",
            result_class="B",
            files=[pdf()],
            commitments=[
                CommitmentInput("6月底前完成两台电梯加装", datetime.date(2026, 6, 30)),
                CommitmentInput("9月底前完成其余三台", datetime.date(2026, 9, 30)),
            ],
        )
        s.refresh_from_db()
        assert s.status == Status.REPLIED and s.commitments.count() == 2
        services.suggestion_rate(
            suggestion=s,
            by=w.deputy,
            result="unsatisfied",
            attitude="basically",
            comment="进度太慢。",
        )
        s.refresh_from_db()
        assert s.status == Status.REHANDLING
        lead.refresh_from_db()
        assert lead.state == "accepted" and lead.due_date >= datetime.date(2026, 3, 3)
        services.suggestion_reply(
            assignment=lead,
            by=w.unit,
            text="已调整计划。",
            result_class="B",
            files=[pdf()],
        )
        services.suggestion_rate(
            suggestion=s, by=w.deputy, result="satisfied", attitude="satisfied"
        )
        s.refresh_from_db()
        assert s.status == Status.CARRYING_OUT
        rating = Rating.objects.filter(case=s.case).order_by("pk").last()
        assert rating.back_to_back and rating.aspects == {"attitude": "satisfied"}
    with time_machine.travel(moment(datetime.date(2026, 6, 20)), tick=False):
        for commitment in s.commitments.order_by("position"):
            services.commitment_report(
                commitment=commitment, by=w.unit, report="已完成。", files=[pdf("验收.pdf")]
            )
            services.commitment_verify(commitment=commitment, by=w.staff, confirmed=True)
        s.refresh_from_db()
        assert s.status == Status.CLOSED
    verbs = list(
        Event.objects.filter(object_id=s.pk, content_type__model="suggestion").values_list(
            "verb", flat=True
        )
    )
    for verb in (
        "suggestion_draft",
        "cosigner_invite",
        "cosigner_accept",
        "suggestion_submit",
        "suggestion_review",
        "suggestion_register",
        "suggestion_assign",
        "assignment_accept",
        "assignment_reply",
        "suggestion_contact",
        "reply_rate",
        "commitment_report",
        "commitment_verify",
    ):
        assert verb in verbs, verb


def test_a_unit_refuses_in_time_and_staff_reassign(w):
    with time_machine.travel(moment(datetime.date(2026, 2, 2)), tick=False):
        s = registered(w, drafted(w))
        services.suggestions_assign(suggestions=[s], by=w.staff)
        lead = Assignment.objects.get(case=s.case, role="lead")
    with time_machine.travel(moment(datetime.date(2026, 2, 4)), tick=False):
        handling.assignment_return(assignment=lead, by=w.unit, reason="不属于本单位职责。")
        new = services.suggestion_reassign_returned(suggestion=s, by=w.staff, unit=w.office_a)
    s.refresh_from_db()
    assert s.reassign_count == 1 and new.unit == w.office_a and new.role == "lead"


def test_refusing_after_the_days_allowed_is_refused(w):
    with time_machine.travel(moment(datetime.date(2026, 2, 2)), tick=False):
        s = registered(w, drafted(w))
        services.suggestions_assign(suggestions=[s], by=w.staff)
        lead = Assignment.objects.get(case=s.case, role="lead")
    with (
        time_machine.travel(moment(datetime.date(2026, 2, 20)), tick=False),
        pytest.raises(SuggestionError) as refused,
    ):
        handling.assignment_return(assignment=lead, by=w.unit, reason="不属于本单位职责。")
    assert refused.value.code == "too_late_to_refuse"
    lead.refresh_from_db()
    assert lead.state == "pending"


def test_bad_input_changes_nothing(w):
    with pytest.raises(SuggestionError):
        services.suggestion_draft(by=w.deputy, title="  ", content="")
    assert not Suggestion.objects.exists()
    s = drafted(w)
    services.cosigners_invite(suggestion=s, by=w.deputy, deputies=[w.dep_b])
    with pytest.raises(SuggestionError) as twice:
        services.cosigners_invite(suggestion=s, by=w.deputy, deputies=[w.dep_b])
    assert twice.value.code == "already_invited"
    services.cosigner_respond(suggestion=s, by=w.other_deputy, accept=True)
    with pytest.raises(SuggestionError) as again:
        services.cosigner_respond(suggestion=s, by=w.other_deputy, accept=False)
    assert again.value.code == "already_answered"
    assert CoSigner.objects.get().state == "accepted"
    with pytest.raises(PermissionDenied):
        services.suggestion_submit(suggestion=s, by=w.other_deputy)
    empty = services.suggestion_draft(by=w.deputy, title="标题", content="")
    with pytest.raises(SuggestionError) as no_content:
        services.suggestion_submit(suggestion=empty, by=w.deputy)
    assert no_content.value.code == "required"
    assert Suggestion.objects.get(pk=empty.pk).status == Status.DRAFT


def test_several_matters_are_flagged():
    text = "一、修路。\n二、增设学校。\n三、治理噪声。"
    assert len(services.several_matters(text)) == 3
    assert services.several_matters("建议加装电梯。") == []


def test_review_to_an_opinion(w):
    s = drafted(w)
    services.suggestion_submit(suggestion=s, by=w.deputy)
    review = services.suggestion_review(
        suggestion=s,
        by=w.street,
        outcome="convert",
        checks={},
        comment="属于具体事项，转意见办理。",
    )
    s.refresh_from_db()
    assert review.outcome == Review.Outcome.CONVERT
    assert s.status == Status.CONVERTED and s.converted_opinion.channel == "suggestion"
    assert s.converted_opinion.deputy == w.dep_a
    assert not Commitment.objects.exists()
