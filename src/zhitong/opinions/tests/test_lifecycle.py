"""The life of an opinion through the services: each step, its event and who is told."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from zhitong.core.events import event_record, events_for
from zhitong.core.models import Event
from zhitong.handling import services as handling_services
from zhitong.handling.models import Assignment, Rating, Reply
from zhitong.opinions import lifecycle, services
from zhitong.opinions.models import DeclineReason, Opinion, Status
from zhitong.opinions.selectors import opinion_timeline
from zhitong.opinions.services import OpinionError
from zhitong.opinions.tests.lifecycle_world import at, build, frozen, new_opinion
from zhitong.suggestions.models import Suggestion
from zhitong.suggestions.services import SuggestionError, suggestion_raise_from_opinions
from zhitong.testing.factories import CategoryFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return build()


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """Run a service as a request would: the on-commit notifications run when it commits."""

    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


@pytest.fixture
def sent(monkeypatch):
    from zhitong.opinions.tests.lifecycle_world import Sent

    fake = Sent()
    monkeypatch.setattr(services, "notifications_api", lambda: fake)
    monkeypatch.setattr(handling_services, "notifications_api", lambda: fake)
    return fake


def received(opinion):
    """The event intake writes when an opinion arrives (so the timeline starts there)."""
    with transaction.atomic():
        event_record(actor=None, subject=opinion, verb="received", to_state=Status.RECEIVED)
    return opinion


def steps(opinion):
    return [(e.verb, e.from_state, e.to_state) for e in events_for(opinion)]


def accepted_opinion(w, **kw):
    opinion = new_opinion(w, **kw)
    return services.opinion_accept(opinion=opinion, by=w.staff)


def referred_opinion(w, co_units=(), **kw):
    opinion = accepted_opinion(w, **kw)
    services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing, co_units=co_units)
    return Opinion.objects.get(pk=opinion.pk)


def lead_of(opinion):
    return opinion.referrals.get(role=Assignment.Role.LEAD, state__in=["pending", "accepted"])


def sent_opinion(w, text="已修好路灯。"):
    opinion = referred_opinion(w)
    referral = services.referral_accept(referral=lead_of(opinion), by=w.unit)
    reply = services.reply_submit(referral=referral, by=w.unit, text=text)
    services.reply_send(reply=reply, by=w.deputy)
    return Opinion.objects.get(pk=opinion.pk)


# --- the whole loop ----------------------------------------------------------------------


def test_happy_path_every_step_is_on_the_timeline_with_actor_time_and_states(w, sent, act):
    day = D(2026, 3, 2)  # a Monday
    with frozen(at(day, 8)):
        opinion = received(new_opinion(w))

    with frozen(at(day, 9)):
        act(services.opinion_accept, opinion=opinion, by=w.staff, note="属实，受理")
    with frozen(at(day, 10)):
        lead = act(services.opinion_refer, opinion=opinion, by=w.staff, unit=w.housing)
    with frozen(at(day, 11)):
        act(services.referral_accept, referral=lead, by=w.unit)
    with frozen(at(D(2026, 3, 5), 15)):
        reply = act(
            services.reply_submit, referral=lead, by=w.unit, text="已安排维修，路灯已恢复。"
        )
    with frozen(at(D(2026, 3, 6), 9)):
        act(
            services.reply_send,
            reply=reply,
            by=w.deputy,
            text_sent="您好，住建局已安排维修，路灯已恢复照明。",
        )
    with frozen(at(D(2026, 3, 7), 20)):
        rating = act(services.rating_submit, opinion=opinion, score="satisfied", comment="很快")

    opinion.refresh_from_db()
    assert opinion.status == Status.CLOSED
    assert opinion.closed_at == at(D(2026, 3, 7), 20)
    assert rating.score == Rating.Score.SATISFIED

    events = list(events_for(opinion))
    assert [(e.verb, e.from_state, e.to_state) for e in events] == [
        ("received", "", "received"),
        ("accept", "received", "accepted"),
        ("refer", "accepted", "referred"),
        ("referral_accept", "referred", "handling"),
        ("reply_submit", "handling", "replied"),
        ("reply_send", "replied", "sent"),
        ("rating_submit", "sent", "closed"),
    ]
    assert [e.actor for e in events] == [None, w.staff, w.staff, w.unit, w.unit, w.deputy, None]
    assert [e.actor_name for e in events[1:6]] == [
        "王工作",
        "王工作",
        "住建局经办人",
        "住建局经办人",
        "张甲",
    ]
    assert [e.occurred_at for e in events[1:]] == [
        at(day, 9),
        at(day, 10),
        at(day, 11),
        at(D(2026, 3, 5), 15),
        at(D(2026, 3, 6), 9),
        at(D(2026, 3, 7), 20),
    ]
    assert all(e.district_code == w.district.code for e in events[1:])
    assert events[1].note == "属实，受理"
    # The referral's deadline: 15 working days from Monday 2026-03-02 is Monday 03-23.
    assert events[2].data["due_date"] == "2026-03-23"
    lead.refresh_from_db()
    assert lead.state == Assignment.State.REPLIED
    assert lead.due_date == D(2026, 3, 23)

    # Who was told: the unit on referral, the reviewers on reply, the submitter on send.
    assert sent.verbs() == ["opinion_referred", "reply_submitted", "opinion_rated"]
    assert sent.notifications[0].recipients == [w.unit]
    reviewers = set(sent.notifications[1].recipients)
    assert {w.deputy, w.liaison, w.staff, w.street} <= reviewers
    assert w.unit not in reviewers and w.other_street not in reviewers
    assert len(sent.messages) == 1
    assert sent.messages[0].channel == "sms" and sent.messages[0].to == "13900001234"
    assert "路灯已恢复照明" in sent.messages[0].body
    assert opinion.tracking_code in sent.messages[0].body

    # The submitter's timeline: every step, no internal note, no full names of staff.
    public = opinion_timeline(opinion, for_submitter=True)
    assert [e.verb for e in public] == [e.verb for e in events]
    assert all(e.note == "" for e in public[:-1])
    assert public[1].actor_name == "王**"
    assert public[-1].note == "很快"


def test_referral_suggests_the_unit_from_the_routing_table_and_staff_may_choose_another(w):
    opinion = accepted_opinion(w)
    assert services.suggested_unit_for(opinion) == w.office_a  # 甲街道's property route
    lead = services.opinion_refer(
        opinion=opinion, by=w.staff, unit=w.housing, co_units=[w.roads], working_days=10
    )
    assert lead.suggested_unit == w.office_a
    assert lead.unit == w.housing and lead.unit_name == w.housing.name
    co = opinion.referrals.get(role=Assignment.Role.CO)
    assert co.unit == w.roads and co.due_date == lead.due_date and co.period == 10
    event = events_for(opinion).last()
    assert event.data["suggested_unit"]["name"] == "甲街道办事处"
    assert event.data["changed_from_suggestion"] is True
    assert [c["name"] for c in event.data["co_units"]] == ["武昌区城市管理执法局"]


def test_the_category_deadline_is_used_when_staff_give_no_working_days(w):
    w.category.deadline_days = 5
    w.category.save()
    with frozen(at(D(2026, 3, 2))):
        lead = services.opinion_refer(opinion=accepted_opinion(w), by=w.staff, unit=w.housing)
    assert lead.period == 5
    assert lead.due_date == D(2026, 3, 9)


def test_a_unit_of_another_district_cannot_be_chosen(w):
    opinion = accepted_opinion(w)
    with pytest.raises(OpinionError) as error:
        services.opinion_refer(opinion=opinion, by=w.staff, unit=w.unit_far)
    assert "不属于本区" in str(error.value)
    with pytest.raises(OpinionError, match="协办单位不能与主办单位相同"):
        services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing, co_units=[w.housing])
    assert not Assignment.objects.exists()


def test_decline_with_a_reason_is_final_and_the_submitter_is_told(w, sent, act):
    opinion = new_opinion(w)
    act(
        services.opinion_decline,
        opinion=opinion,
        by=w.liaison,
        reason=DeclineReason.OUT_OF_SCOPE,
        note="属于法院审理事项，请通过诉讼途径解决。",
    )
    opinion.refresh_from_db()
    assert opinion.status == Status.DECLINED
    assert opinion.decline_reason == "out_of_scope"
    assert steps(opinion) == [("decline", "received", "declined")]
    assert sent.messages[0].to == "13900001234"
    assert "不属于受理范围" in sent.messages[0].body
    with pytest.raises(OpinionError):
        services.opinion_decline(opinion=opinion, by=w.staff, reason="duplicate")
    with pytest.raises(OpinionError, match="请选择不予受理的原因"):
        services.opinion_decline(opinion=new_opinion(w), by=w.staff, reason="rude")


def test_answered_on_the_spot_then_sent_and_rated(w, sent, act):
    opinion = accepted_opinion(w)
    reply = act(
        services.opinion_answer_on_spot,
        opinion=opinion,
        by=w.deputy,
        text="该路段已列入今年改造计划，预计下月施工。",
    )
    assert reply.on_the_spot and reply.assignment is None and reply.author == w.deputy
    act(services.reply_send, reply=reply, by=w.deputy)
    act(services.rating_submit, opinion=opinion, score="basically")
    opinion.refresh_from_db()
    assert opinion.status == Status.CLOSED
    assert steps(opinion)[1:] == [
        ("answer_on_spot", "accepted", "replied"),
        ("reply_send", "replied", "sent"),
        ("rating_submit", "sent", "closed"),
    ]
    assert Reply.objects.get().text_sent == reply.text


# --- unsatisfied: back to the unit once -------------------------------------------------------


def test_unsatisfied_returns_to_the_lead_unit_once_then_closes_unsatisfied(w, sent, act):
    with frozen(at(D(2026, 3, 2))):
        opinion = sent_opinion(w)
    lead = opinion.referrals.get(role=Assignment.Role.LEAD)
    assert lead.due_date == D(2026, 3, 23)

    # First unsatisfied rating, on Thursday 2026-04-02: back to the unit with 15 new
    # working days from that day.
    with frozen(at(D(2026, 4, 2), 19)):
        act(
            services.rating_submit,
            opinion=opinion,
            score="unsatisfied",
            comment="路灯只亮了两天又坏了",
        )
    opinion.refresh_from_db()
    assert opinion.status == Status.HANDLING
    assert opinion.returned_for_rework == 1
    lead.refresh_from_db()
    assert lead.state == Assignment.State.ACCEPTED
    # 2026 清明节: rest Sat 4-4 to Mon 4-6. From Thu 4-2: 4-3 (1), 4-7..4-10 (5),
    # 4-13..4-17 (10), 4-20..4-24 (15).
    assert lead.due_date == D(2026, 4, 24)
    assert sent.notifications[-1].verb == "opinion_rated"
    assert sent.notifications[-1].recipients == [w.unit]
    assert "路灯只亮了两天又坏了" in sent.notifications[-1].text

    reply = act(services.reply_submit, referral=lead, by=w.unit, text="已更换整条线路。")
    act(services.reply_send, reply=reply, by=w.staff)
    act(services.rating_submit, opinion=opinion, score="unsatisfied", comment="还是不行")
    opinion.refresh_from_db()
    assert opinion.status == Status.CLOSED_UNSATISFIED
    assert opinion.returned_for_rework == 1
    assert opinion.closed_at is not None
    assert steps(opinion)[-5:] == [
        ("reply_send", "replied", "sent"),
        ("rating_submit", "sent", "handling"),
        ("reply_submit", "handling", "replied"),
        ("reply_send", "replied", "sent"),
        ("rating_submit", "sent", "closed_unsatisfied"),
    ]
    assert Rating.objects.filter(opinion=opinion).count() == 2
    with pytest.raises(OpinionError):
        services.rating_submit(opinion=opinion, score="satisfied")


def test_an_unsatisfied_rating_needs_a_reason_and_a_rating_needs_a_reply_sent(w):
    opinion = sent_opinion(w)
    with pytest.raises(OpinionError, match="请说明不满意的原因"):
        services.rating_submit(opinion=opinion, score="unsatisfied", comment="  ")
    with pytest.raises(OpinionError, match="请选择满意、基本满意或不满意"):
        services.rating_submit(opinion=opinion, score="great")
    with pytest.raises(OpinionError):
        services.rating_submit(opinion=referred_opinion(w), score="satisfied")
    assert not Rating.objects.exists()


# --- the unit returns it ------------------------------------------------------------------


def test_the_lead_unit_returns_it_to_triage_and_staff_refer_it_again(w, sent, act):
    opinion = referred_opinion(w, co_units=[w.roads])
    lead = lead_of(opinion)
    act(
        services.referral_return,
        referral=lead,
        by=w.unit,
        reason="路灯属于街道管理，不是我局职责。",
    )
    opinion.refresh_from_db()
    lead.refresh_from_db()
    assert opinion.status == Status.ACCEPTED
    assert lead.state == Assignment.State.RETURNED and lead.return_reason.startswith("路灯")
    assert opinion.referrals.get(role=Assignment.Role.CO).state == Assignment.State.WITHDRAWN
    event = events_for(opinion).last()
    assert (event.verb, event.from_state, event.to_state) == (
        "referral_return",
        "referred",
        "accepted",
    )
    assert event.note == "路灯属于街道管理，不是我局职责。"
    assert sent.verbs()[-1] == "assignment_returned"
    assert w.staff in sent.notifications[-1].recipients

    # The unit that returned it still sees the case but can no longer act on it.
    with pytest.raises(OpinionError):
        services.reply_submit(referral=lead, by=w.unit, text="……")
    new_lead = services.opinion_refer(opinion=opinion, by=w.staff, unit=w.office_a)
    assert new_lead.state == Assignment.State.PENDING
    services.referral_accept(referral=new_lead, by=w.other_unit)
    opinion.refresh_from_db()
    assert opinion.status == Status.HANDLING


def test_a_return_needs_a_reason(w):
    opinion = referred_opinion(w)
    with pytest.raises(OpinionError, match="请填写退回理由"):
        services.referral_return(referral=lead_of(opinion), by=w.unit, reason="")
    assert lead_of(opinion).state == Assignment.State.PENDING


def test_a_co_unit_signs_replies_or_returns_without_moving_the_opinion(w):
    opinion = referred_opinion(w, co_units=[w.roads])
    co = opinion.referrals.get(role=Assignment.Role.CO)
    services.referral_accept(referral=co, by=w.co_unit)
    opinion.refresh_from_db()
    assert opinion.status == Status.REFERRED
    reply = services.reply_submit(referral=co, by=w.co_unit, text="配合排查线路。")
    opinion.refresh_from_db()
    assert opinion.status == Status.REFERRED
    # Only the lead's reply goes to the submitter.
    with pytest.raises(OpinionError):
        services.reply_send(reply=reply, by=w.staff)
    assert steps(opinion)[-2:] == [
        ("referral_accept", "referred", "referred"),
        ("reply_submit", "referred", "referred"),
    ]


# --- replies ------------------------------------------------------------------------------


def _png(name="photo.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_reply_keeps_its_attachments_checked_by_content(w, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    opinion = referred_opinion(w)
    lead = services.referral_accept(referral=lead_of(opinion), by=w.unit)
    pdf = SimpleUploadedFile("答复函.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    reply = services.reply_submit(
        referral=lead, by=w.unit, text="答复见附件。", files=[_png(), pdf]
    )
    attachments = {a.original_name: a for a in reply.attachments.all()}
    assert set(attachments) == {"photo.jpg", "答复函.pdf"}
    assert attachments["photo.jpg"].content_type == "image/png"  # by content, not name
    assert attachments["答复函.pdf"].content_type == "application/pdf"
    assert all(a.opinion_id is None for a in attachments.values())


def test_an_executable_renamed_pdf_or_jpg_is_refused_and_nothing_is_written(w, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    opinion = referred_opinion(w)
    lead = services.referral_accept(referral=lead_of(opinion), by=w.unit)
    before = Event.objects.count()
    for bad in (
        SimpleUploadedFile("答复.pdf", b"MZ\x90\x00evil"),
        SimpleUploadedFile("photo.jpg", b"MZ\x90\x00evil"),
    ):
        with pytest.raises(OpinionError):
            services.reply_submit(referral=lead, by=w.unit, text="见附件", files=[bad])
    assert not Reply.objects.exists()
    assert Event.objects.count() == before
    opinion.refresh_from_db()
    assert opinion.status == Status.HANDLING


def test_the_reviewer_may_edit_the_text_sent_and_both_are_kept(w):
    opinion = referred_opinion(w)
    lead = services.referral_accept(referral=lead_of(opinion), by=w.unit)
    reply = services.reply_submit(referral=lead, by=w.unit, text="经查，已处理。")
    reply = services.reply_send(reply=reply, by=w.liaison, text_sent="您好：路灯已修复，谢谢。")
    reply.refresh_from_db()
    assert reply.text == "经查，已处理。"
    assert reply.text_sent == "您好：路灯已修复，谢谢。"
    assert reply.reviewed_by == w.liaison
    assert events_for(opinion).last().data["edited"] is True
    with pytest.raises(OpinionError):
        services.reply_send(reply=reply, by=w.liaison)


# --- merge --------------------------------------------------------------------------------


def test_merged_duplicates_follow_their_main_opinion_and_close_with_it(w, sent, act):
    main = referred_opinion(w)
    duplicate = accepted_opinion(w, submitter_phone="", submitter_email="li@example.com")
    silent = new_opinion(w, submitter_phone="", submitter_name="")
    act(services.opinion_merge, opinion=duplicate, into=main, by=w.staff, note="同一路灯")
    act(services.opinion_merge, opinion=silent, into=main, by=w.street)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == main
    assert steps(duplicate) == [
        ("accept", "received", "accepted"),
        ("merge", "accepted", "merged"),
    ]
    assert events_for(duplicate).last().data["into"]["tracking_code"] == main.tracking_code
    # Each submitter with an address is told (the one without cannot be).
    assert [(m.channel, m.to) for m in sent.messages] == [("email", "li@example.com")]
    assert duplicate.tracking_code in sent.messages[0].body
    assert main.tracking_code not in sent.messages[0].body  # it would let them rate it

    with pytest.raises(OpinionError):
        services.opinion_accept(opinion=duplicate, by=w.staff)
    services.referral_accept(referral=lead_of(main), by=w.unit)
    main = Opinion.objects.get(pk=main.pk)
    reply = services.reply_submit(referral=lead_of(main), by=w.unit, text="已修复。")
    act(services.reply_send, reply=reply, by=w.staff)
    act(services.rating_submit, opinion=main, score="satisfied")
    for opinion in (duplicate, silent):
        opinion.refresh_from_db()
        assert opinion.status == Status.CLOSED
        assert opinion.merged_into == main
        assert opinion.closed_at is not None
        verb, from_state, to_state = steps(opinion)[-1]
        assert (verb, from_state, to_state) == ("close_with_main", "merged", "closed")
    assert sent.messages[-1].to == "li@example.com" and "已办结" in sent.messages[-1].body
    # The duplicate's submitter reads why it closed (the label table once named a verb
    # never written, "merged_closed", so the page said only "已办结").
    from zhitong.opinions.views_public import _progress

    labels = [str(label) for _, label in _progress(duplicate)["timeline"]]
    assert labels[-1] == "合并办理的主件已办结"


def test_a_referred_duplicate_has_its_referrals_withdrawn(w):
    main = accepted_opinion(w)
    duplicate = referred_opinion(w)
    services.opinion_merge(opinion=duplicate, into=main, by=w.staff)
    assert set(duplicate.referrals.values_list("state", flat=True)) == {"withdrawn"}


@pytest.mark.parametrize("case", ["self", "chain", "closed_main", "declined_main"])
def test_merge_refuses_what_cannot_be_a_main_opinion(w, case):
    opinion = new_opinion(w)
    into = new_opinion(w)
    if case == "self":
        into = opinion
    elif case == "chain":
        services.opinion_merge(opinion=into, into=new_opinion(w), by=w.staff)
    elif case == "closed_main":
        into.status = Status.CLOSED
        into.save()
    else:
        services.opinion_decline(opinion=into, by=w.staff, reason="abusive")
    with pytest.raises(OpinionError):
        services.opinion_merge(opinion=opinion, into=into, by=w.staff)
    opinion.refresh_from_db()
    assert opinion.status == Status.RECEIVED and opinion.merged_into is None


# --- suggestions --------------------------------------------------------------------------


def test_a_deputy_raises_opinions_into_a_suggestion_draft_keeping_the_links(w):
    first = accepted_opinion(w)
    second = new_opinion(w, deputy=None)  # came to 张甲's station
    suggestion = suggestion_raise_from_opinions(
        opinions=[first, second],
        by=w.deputy,
        title="关于加强老旧小区路灯维护的建议",
        content="多位群众反映……",
    )
    assert suggestion.status == Suggestion.Status.DRAFT
    assert suggestion.lead_deputy == w.dep_a and suggestion.district == w.district
    assert set(suggestion.source_opinions.all()) == {first, second}
    assert set(first.suggestions.all()) == {suggestion}
    for opinion in (first, second):
        opinion.refresh_from_db()
        event = events_for(opinion).last()
        assert event.verb == "raise_suggestion" and event.from_state == event.to_state
        assert event.data["suggestion"] == suggestion.pk
    assert first.status == Status.ACCEPTED  # raising does not change the opinion's course


def test_only_a_deputy_the_opinion_was_addressed_to_may_raise_it(w):
    opinion = new_opinion(w)
    for user in (w.staff, w.other_deputy, w.liaison):
        with pytest.raises(PermissionDenied):
            suggestion_raise_from_opinions(opinions=[opinion], by=user, title="建议")
    with pytest.raises(SuggestionError, match="请填写建议标题"):
        suggestion_raise_from_opinions(opinions=[opinion], by=w.deputy, title=" ")
    assert not Suggestion.objects.exists()


# --- category, bulk referral ------------------------------------------------------------


def test_the_category_is_confirmed_with_an_event(w):
    opinion = new_opinion(w, category=None)
    other = CategoryFactory(name="交通出行")
    services.opinion_update_category(opinion=opinion, by=w.staff, category=other)
    opinion.refresh_from_db()
    assert opinion.category == other
    event = events_for(opinion).last()
    assert (event.verb, event.from_state, event.to_state) == (
        "update_category",
        "received",
        "received",
    )
    assert event.data["from"] is None and event.data["to"]["name"] == "交通出行"


def test_bulk_referral_is_all_or_nothing(w):
    ready = [accepted_opinion(w) for _ in range(3)]
    not_ready = new_opinion(w)  # still received
    with pytest.raises(OpinionError) as error:
        services.opinion_bulk_refer(opinions=[*ready, not_ready], by=w.staff, unit=w.housing)
    assert not_ready.tracking_code in str(error.value)
    assert not Assignment.objects.exists()
    assert set(
        Opinion.objects.filter(pk__in=[o.pk for o in ready]).values_list("status", flat=True)
    ) == {"accepted"}
    referrals = services.opinion_bulk_refer(opinions=ready, by=w.staff, unit=w.housing)
    assert len(referrals) == 3
    assert set(
        Opinion.objects.filter(pk__in=[o.pk for o in ready]).values_list("status", flat=True)
    ) == {"referred"}


# --- invalid transitions -------------------------------------------------------------------


def _declined(w):
    opinion = new_opinion(w)
    services.opinion_decline(opinion=opinion, by=w.staff, reason="duplicate", note="重复")
    return Opinion.objects.get(pk=opinion.pk)


INVALID = {
    "accept an accepted opinion": lambda w, o: services.opinion_accept(opinion=o, by=w.staff),
    "refer a declined opinion": lambda w, o: services.opinion_refer(
        opinion=o, by=w.staff, unit=w.housing
    ),
    "answer a declined opinion": lambda w, o: services.opinion_answer_on_spot(
        opinion=o, by=w.staff, text="现场答复"
    ),
    "rate a declined opinion": lambda w, o: services.rating_submit(opinion=o, score="satisfied"),
    "merge a declined opinion": lambda w, o: services.opinion_merge(
        opinion=o, into=new_opinion(w), by=w.staff
    ),
    "recategorize a declined opinion": lambda w, o: services.opinion_update_category(
        opinion=o, by=w.staff, category=CategoryFactory()
    ),
}


@pytest.mark.parametrize("name", INVALID)
def test_an_invalid_transition_is_refused_in_chinese_and_changes_nothing(w, name):
    opinion = _declined(w) if "declined" in name else accepted_opinion(w)
    before = (
        Event.objects.count(),
        Opinion.objects.values_list("status", flat=True).get(pk=opinion.pk),
    )
    with pytest.raises(OpinionError) as error:
        INVALID[name](w, opinion)
    assert error.value.code == "invalid_transition"
    assert "不能" in str(error.value)
    assert (
        Event.objects.count(),
        Opinion.objects.values_list("status", flat=True).get(pk=opinion.pk),
    ) == before


def test_a_reply_to_a_declined_opinion_is_refused_and_writes_no_event(w, settings):
    opinion = referred_opinion(w)
    lead = lead_of(opinion)
    services.referral_accept(referral=lead, by=w.unit)
    # A stale page: meanwhile the opinion was declined (here forced, as a data repair would).
    Opinion.objects.filter(pk=opinion.pk).update(status=Status.DECLINED)
    before = Event.objects.count()
    with pytest.raises(OpinionError) as error:
        services.reply_submit(referral=lead, by=w.unit, text="已处理")
    assert "已答复" not in str(error.value) and "不予受理" in str(error.value)
    assert Event.objects.count() == before
    assert not Reply.objects.exists()


def test_nothing_is_sent_when_the_action_fails(w, sent, act):
    opinion = new_opinion(w)
    with pytest.raises(OpinionError):
        act(services.opinion_refer, opinion=opinion, by=w.staff, unit=w.housing)
    assert sent.notifications == [] and sent.messages == []


def test_the_transition_table_is_consistent():
    for action, transition in lifecycle.TRANSITIONS.items():
        assert transition.sources, action
        assert transition.sources <= set(Status.values)
        assert transition.target is None or transition.target in Status.values
    assert lifecycle.rating_target("satisfied", 0) == Status.CLOSED
    assert lifecycle.rating_target("unsatisfied", 0) == Status.HANDLING
    assert lifecycle.rating_target("unsatisfied", 1) == Status.CLOSED_UNSATISFIED


def test_notifications_reach_the_real_centre_when_it_is_installed(w, act):
    from zhitong.notifications.models import Message, Notification

    opinion = accepted_opinion(w)
    act(services.opinion_refer, opinion=opinion, by=w.staff, unit=w.housing)
    assert Notification.objects.filter(recipient=w.unit, verb="opinion_referred").count() == 1
    act(
        services.opinion_decline,
        opinion=new_opinion(w),
        by=w.staff,
        reason="abusive",
    )
    assert Message.objects.filter(to="13900001234").count() == 1


def test_a_main_opinion_with_duplicates_cannot_be_declined(w):
    main = new_opinion(w)
    services.opinion_merge(opinion=new_opinion(w), into=main, by=w.staff)
    with pytest.raises(OpinionError, match="不能不予受理"):
        services.opinion_decline(opinion=main, by=w.staff, reason="out_of_scope")
    main.refresh_from_db()
    assert main.status == Status.RECEIVED


def test_the_suggestion_raised_from_opinions_starts_its_own_timeline_with_them(w):
    from zhitong.core.events import events_for as timeline

    first = accepted_opinion(w)
    suggestion = suggestion_raise_from_opinions(
        opinions=[first], by=w.deputy, title="关于路灯的建议"
    )
    [event] = list(timeline(suggestion))
    assert (event.verb, event.actor) == ("raised_from_opinions", w.deputy)
    assert event.data["opinions"] == [{"id": first.pk, "tracking_code": first.tracking_code}]
