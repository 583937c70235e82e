"""The case page (/work/opinions/<pk>/) and its action endpoints, role by role."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from zhitong.core.events import event_record, events_for
from zhitong.handling.models import Assignment, Extension, Rating
from zhitong.opinions import services
from zhitong.opinions.models import Opinion, Status
from zhitong.opinions.tests.lifecycle_world import build, new_opinion
from zhitong.suggestions.models import Suggestion
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return build()


def detail(opinion):
    return reverse("opinions:detail", args=[opinion.pk])


def received(w, **kw):
    opinion = new_opinion(w, **kw)
    with transaction.atomic():
        event_record(actor=None, subject=opinion, verb="received", to_state=Status.RECEIVED)
    return opinion


def accepted(w, **kw):
    opinion = received(w, **kw)
    return services.opinion_accept(opinion=opinion, by=w.staff)


def referred(w, **kw):
    opinion = accepted(w, **kw)
    services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing, co_units=[w.roads])
    opinion.refresh_from_db()
    return opinion


def lead_of(opinion):
    return opinion.referrals.get(role=Assignment.Role.LEAD)


def handling(w, **kw):
    opinion = referred(w, **kw)
    services.referral_accept(referral=lead_of(opinion), by=w.unit)
    opinion.refresh_from_db()
    return opinion


def replied(w, **kw):
    opinion = handling(w, **kw)
    services.reply_submit(referral=lead_of(opinion), by=w.unit, text="已修复路灯。")
    opinion.refresh_from_db()
    return opinion


def snapshot(opinion):
    """What an action could change: the opinion row, its referrals, replies and events."""
    opinion = Opinion.objects.get(pk=opinion.pk)
    return (
        opinion.status,
        opinion.category_id,
        opinion.merged_into_id,
        list(opinion.referrals.values_list("pk", "state", "due_date")),
        list(opinion.replies.values_list("pk", "sent_at")),
        Extension.objects.filter(assignment__opinion=opinion).count(),
        len(list(events_for(opinion))),
    )


# --- the page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status",
    [
        ("staff", 200),
        ("leader", 200),
        ("admin", 200),
        ("street", 200),
        ("other_street", 404),
        ("far_staff", 404),
        ("deputy", 200),
        ("other_deputy", 404),
        ("liaison", 200),
        ("other_liaison", 404),
        ("unit", 404),
        ("citizen", 404),
        ("enterprise", 404),
    ],
)
def test_who_may_open_a_received_case(client, w, role, status):
    opinion = received(w)
    client.force_login(getattr(w, role))
    assert client.get(detail(opinion)).status_code == status


def test_a_unit_opens_what_was_referred_to_it_and_nothing_else(client, w):
    mine = referred(w)
    elsewhere = referred(w, street=w.street_b)
    services.referral_return(referral=lead_of(elsewhere), by=w.unit, reason="不属于本单位")
    services.opinion_refer(opinion=elsewhere, by=w.staff, unit=w.office_a)
    client.force_login(w.unit)
    assert client.get(detail(mine)).status_code == 200
    # Returned referrals still count: the unit keeps seeing what it once held.
    assert client.get(detail(elsewhere)).status_code == 200
    client.force_login(w.other_unit)
    assert client.get(detail(mine)).status_code == 404
    assert client.get(reverse("opinions:detail", args=[999999])).status_code == 404


def test_the_case_page_shows_everything_to_those_handling_it(client, w):
    opinion = replied(w, address="中山路123号5栋")
    client.force_login(w.staff)
    html = client.get(detail(opinion)).content.decode()
    # The submitter in full, on the case page only.
    assert "赵六" in html and "13900001234" in html and "中山路123号5栋" in html
    # Referrals with unit, role, state and the deadline explanation.
    assert "武昌区住房和城市更新局" in html and "主办" in html and "协办" in html
    assert "起算日" in html and "工作日数" in html and "跳过的法定节假日" in html
    # The reply and the full timeline, with actors.
    assert "已修复路灯。" in html
    for label in ["收到意见", "受理", "转办", "承办单位签收", "承办单位答复"]:
        assert label in html
    assert "王工作" in html and "住建局经办人" in html
    assert "转办至武昌区住房和城市更新局，期限" in html and "协办：武昌区城市管理执法局" in html
    # The reviewer's form is there for staff.
    assert reverse("opinions:send", args=[opinion.pk, opinion.replies.get().pk]) in html


def test_the_page_offers_only_the_actions_the_user_may_take(client, w):
    opinion = received(w)
    client.force_login(w.staff)
    html = client.get(detail(opinion)).content.decode()
    assert reverse("opinions:accept", args=[opinion.pk]) in html
    assert reverse("opinions:decline", args=[opinion.pk]) in html
    assert reverse("opinions:refer", args=[opinion.pk]) not in html  # not accepted yet
    services.opinion_accept(opinion=opinion, by=w.staff)
    html = client.get(detail(opinion)).content.decode()
    assert reverse("opinions:refer", args=[opinion.pk]) in html
    assert reverse("opinions:accept", args=[opinion.pk]) not in html
    client.force_login(w.deputy)
    html = client.get(detail(opinion)).content.decode()
    assert reverse("opinions:refer", args=[opinion.pk]) not in html
    assert reverse("opinions:answer_on_spot", args=[opinion.pk]) in html
    assert reverse("suggestions:raise_from_opinion", args=[opinion.pk]) in html


def test_the_unit_sees_its_own_buttons(client, w):
    opinion = referred(w)
    lead = lead_of(opinion)
    client.force_login(w.unit)
    html = client.get(detail(opinion)).content.decode()
    assert reverse("opinions:referral_accept", args=[opinion.pk, lead.pk]) in html
    assert reverse("opinions:referral_return", args=[opinion.pk, lead.pk]) in html
    assert reverse("opinions:accept", args=[opinion.pk]) not in html
    co = opinion.referrals.get(role=Assignment.Role.CO)
    assert reverse("opinions:referral_accept", args=[opinion.pk, co.pk]) not in html


def test_a_script_in_the_content_is_shown_as_text(client, w):
    opinion = received(w, content="<script>alert('x')</script>路灯坏了")
    client.force_login(w.staff)
    html = client.get(detail(opinion)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


# --- actions: allowed roles succeed ----------------------------------------------------------


def post(client, name, opinion, data=None, *extra):
    # Raising a suggestion is the suggestions app's action on the case page.
    url_name = (
        "suggestions:raise_from_opinion" if name == "raise_suggestion" else f"opinions:{name}"
    )
    return client.post(reverse(url_name, args=[opinion.pk, *extra]), data or {})


def test_accept_with_a_category(client, w):
    opinion = received(w, category=None)
    client.force_login(w.staff)
    response = post(client, "accept", opinion, {"category": w.category.pk, "note": "已核实"})
    assert response.status_code == 302 and response["Location"] == detail(opinion)
    opinion.refresh_from_db()
    assert opinion.status == Status.ACCEPTED and opinion.category == w.category
    assert "已受理。" in client.get(detail(opinion)).content.decode()


def test_decline_needs_a_reason(client, w):
    opinion = received(w)
    before = snapshot(opinion)
    client.force_login(w.staff)
    response = post(client, "decline", opinion, {"note": "重复"})
    assert response.status_code == 400
    assert "请选择不予受理的原因。" in response.content.decode()
    assert snapshot(opinion) == before
    response = post(client, "decline", opinion, {"reason": "duplicate", "note": "重复反映"})
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == Status.DECLINED and opinion.decline_reason == "duplicate"


def test_answer_on_the_spot_by_the_deputy(client, w):
    opinion = accepted(w)
    client.force_login(w.deputy)
    response = post(client, "answer_on_spot", opinion, {"text": ""})
    assert response.status_code == 400 and "请填写答复内容。" in response.content.decode()
    response = post(client, "answer_on_spot", opinion, {"text": "已当场联系物业。"})
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == Status.REPLIED
    assert opinion.replies.get().on_the_spot


def test_change_the_category(client, w):
    opinion = received(w, category=None)
    client.force_login(w.staff)
    assert post(client, "category", opinion, {}).status_code == 400
    assert post(client, "category", opinion, {"category": w.category.pk}).status_code == 302
    opinion.refresh_from_db()
    assert opinion.category == w.category


def test_refer_with_co_units_and_a_deadline(client, w):
    opinion = accepted(w)
    client.force_login(w.staff)
    response = post(
        client,
        "refer",
        opinion,
        {"unit": w.housing.pk, "co_units": [w.roads.pk], "working_days": 10, "note": "请尽快"},
    )
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == Status.REFERRED
    lead = lead_of(opinion)
    assert lead.unit == w.housing and lead.period == 10 and lead.due_date
    assert opinion.referrals.get(role=Assignment.Role.CO).unit == w.roads


def test_refer_to_an_unknown_or_foreign_unit_is_refused(client, w):
    opinion = accepted(w)
    before = snapshot(opinion)
    client.force_login(w.staff)
    for unit in (999999, w.unit_far.pk):
        response = post(client, "refer", opinion, {"unit": unit})
        assert response.status_code == 400
        assert "所选承办单位不存在或已停用。" in response.content.decode()
    response = post(client, "refer", opinion, {"unit": w.housing.pk, "co_units": [w.housing.pk]})
    assert response.status_code == 400
    assert "协办单位不能与主办单位相同。" in response.content.decode()
    assert snapshot(opinion) == before


def test_the_unit_signs_returns_and_replies(client, w):
    opinion = referred(w)
    lead = lead_of(opinion)
    client.force_login(w.unit)
    assert post(client, "referral_accept", opinion, {}, lead.pk).status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == Status.HANDLING
    response = post(client, "reply", opinion, {f"r{lead.pk}-text": ""}, lead.pk)
    assert response.status_code == 400 and "请填写答复内容。" in response.content.decode()
    upload = SimpleUploadedFile("答复.pdf", b"%PDF-1.4 reply", content_type="application/pdf")
    response = client.post(
        reverse("opinions:reply", args=[opinion.pk, lead.pk]),
        {f"r{lead.pk}-text": "已完成维修。", f"r{lead.pk}-files": [upload]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    opinion.refresh_from_db()
    assert opinion.status == Status.REPLIED
    reply = opinion.replies.get()
    assert reply.text == "已完成维修。"


def test_a_reply_with_too_many_or_too_large_files_is_refused_at_the_form(client, w):
    opinion = referred(w)
    lead = lead_of(opinion)
    client.force_login(w.unit)
    assert post(client, "referral_accept", opinion, {}, lead.pk).status_code == 302
    url = reverse("opinions:reply", args=[opinion.pk, lead.pk])

    def pdf(name, size=20):
        return SimpleUploadedFile(name, b"%PDF-1.4" + b"x" * size, content_type="application/pdf")

    six = [pdf(f"{i}.pdf") for i in range(6)]
    response = client.post(url, {f"r{lead.pk}-text": "见附件。", f"r{lead.pk}-files": six})
    assert response.status_code == 400
    assert "最多上传 5 个文件，您选择了 6 个。" in response.content.decode()
    big = pdf("大.pdf", services.MAX_DOCUMENT_BYTES)
    response = client.post(url, {f"r{lead.pk}-text": "见附件。", f"r{lead.pk}-files": [big]})
    assert response.status_code == 400
    assert "“大.pdf”过大" in response.content.decode()
    assert not opinion.replies.exists()


def test_the_unit_returns_a_referral_with_a_reason(client, w):
    opinion = referred(w)
    lead = lead_of(opinion)
    before = snapshot(opinion)
    client.force_login(w.unit)
    response = post(client, "referral_return", opinion, {f"r{lead.pk}-reason": ""}, lead.pk)
    assert response.status_code == 400
    assert "请填写退回理由。" in response.content.decode()
    assert snapshot(opinion) == before
    response = post(
        client, "referral_return", opinion, {f"r{lead.pk}-reason": "属街道职责"}, lead.pk
    )
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == Status.ACCEPTED
    lead.refresh_from_db()
    assert lead.state == Assignment.State.RETURNED and lead.return_reason == "属街道职责"


def test_staff_send_the_reply_to_the_submitter(client, w):
    opinion = replied(w)
    reply = opinion.replies.get()
    client.force_login(w.staff)
    response = post(client, "send", opinion, {"text_sent": ""}, reply.pk)
    assert response.status_code == 400 and "请填写反馈内容。" in response.content.decode()
    response = post(client, "send", opinion, {"text_sent": "您好，路灯已修复。"}, reply.pk)
    assert response.status_code == 302
    opinion.refresh_from_db()
    reply.refresh_from_db()
    assert opinion.status == Status.SENT and reply.text_sent == "您好，路灯已修复。"


def test_extension_requested_by_the_unit_and_decided_by_staff(client, w):
    opinion = handling(w)
    lead = lead_of(opinion)
    old_due = lead.due_date
    client.force_login(w.unit)
    response = post(client, "extension_request", opinion, {f"r{lead.pk}-working_days": 5}, lead.pk)
    assert response.status_code == 400 and "请填写延期理由。" in response.content.decode()
    response = post(
        client,
        "extension_request",
        opinion,
        {f"r{lead.pk}-working_days": 5, f"r{lead.pk}-reason": "需现场勘查"},
        lead.pk,
    )
    assert response.status_code == 302
    extension = Extension.objects.get()
    # The unit may not decide its own request.
    response = post(
        client, "extension_decide", opinion, {f"e{extension.pk}-decision": "approve"}, extension.pk
    )
    assert response.status_code == 403
    client.force_login(w.staff)
    response = post(client, "extension_decide", opinion, {}, extension.pk)
    assert response.status_code == 400 and "请选择是否批准。" in response.content.decode()
    response = post(
        client, "extension_decide", opinion, {f"e{extension.pk}-decision": "approve"}, extension.pk
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    extension.refresh_from_db()
    assert extension.state == Extension.State.APPROVED
    assert lead.due_date > old_due
    html = client.get(detail(opinion)).content.decode()
    assert "需现场勘查" in html and "已批准" in html
    # The case page says when the reply becomes very overdue: the time allowed in all
    # (the category's 15 working days and the 5 granted) after the new due date.
    assert f"超过期限满20个工作日即为严重超期（{lead.very_overdue_from:%Y-%m-%d}起）。" in html


def test_an_answered_referral_shows_no_very_overdue_date(client, w):
    opinion = accepted(w)
    lead = services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing)
    services.referral_accept(referral=lead, by=w.unit)
    services.reply_submit(referral=lead, by=w.unit, text="已修复路灯。")
    client.force_login(w.staff)
    assert "即为严重超期" not in client.get(detail(opinion)).content.decode()


def test_merge_into_another_opinion_by_its_code(client, w):
    main = received(w, tracking_code="MAIN000001")
    duplicate = received(w, tracking_code="DUPL000001")
    client.force_login(w.staff)
    response = post(client, "merge", duplicate, {"into": "NOPE000000"})
    assert response.status_code == 400
    assert "找不到该查询码对应的意见" in response.content.decode()
    response = post(client, "merge", duplicate, {"into": "main000001"})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == main
    html = client.get(detail(main)).content.decode()
    assert "DUPL000001" in html


def test_merge_into_an_opinion_out_of_scope_is_not_found(client, w):
    theirs = received(w, tracking_code="THEIR00001", street=w.street_b)
    mine = received(w)
    client.force_login(w.street)
    response = post(client, "merge", mine, {"into": theirs.tracking_code})
    assert response.status_code in (400, 403)
    mine.refresh_from_db()
    assert mine.status == Status.RECEIVED


def test_a_deputy_raises_opinions_into_a_suggestion(client, w):
    first = received(w)
    second = received(w, tracking_code="SECOND0001")
    client.force_login(w.deputy)
    response = post(client, "raise_suggestion", first, {"title": "", "others": ""})
    assert response.status_code == 400 and "请填写建议标题。" in response.content.decode()
    response = post(
        client,
        "raise_suggestion",
        first,
        {"title": "关于改善小区照明的建议", "others": "second0001"},
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert set(suggestion.source_opinions.all()) == {first, second}
    assert "关于改善小区照明的建议" in client.get(detail(first)).content.decode()


# --- actions: refused ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, role, status",
    [
        ("accept", "unit", 403),  # can see it (referred) but not triage
        ("decline", "unit", 403),
        ("refer", "deputy", 403),
        ("merge", "deputy", 403),
        ("raise_suggestion", "staff", 403),
        ("category", "unit", 403),
        ("accept", "other_unit", 404),
        ("accept", "other_street", 404),
        ("accept", "citizen", 404),
    ],
)
def test_opinion_actions_refused_change_nothing(client, w, name, role, status):
    opinion = referred(w)
    before = snapshot(opinion)
    client.force_login(getattr(w, role))
    data = {
        "category": w.category.pk,
        "reason": "duplicate",
        "unit": w.housing.pk,
        "into": "X",
        "title": "标题",
    }
    assert post(client, name, opinion, data).status_code == status
    assert snapshot(opinion) == before


@pytest.mark.parametrize(
    "name, role, status",
    [
        ("referral_accept", "staff", 403),
        ("referral_accept", "co_unit", 403),  # sees the case (co-unit), not the lead's referral
        ("referral_return", "deputy", 403),
        ("reply", "liaison", 403),
        ("extension_request", "staff", 403),
        ("referral_accept", "other_unit", 404),
        ("referral_accept", "citizen", 404),
    ],
)
def test_referral_actions_refused_change_nothing(client, w, name, role, status):
    opinion = referred(w)
    lead = lead_of(opinion)
    before = snapshot(opinion)
    client.force_login(getattr(w, role))
    data = {f"r{lead.pk}-reason": "理由", f"r{lead.pk}-text": "答复", f"r{lead.pk}-working_days": 3}
    assert post(client, name, opinion, data, lead.pk).status_code == status
    assert snapshot(opinion) == before


def test_a_referral_of_another_opinion_is_not_found(client, w):
    one = referred(w)
    other = referred(w)
    client.force_login(w.unit)
    response = post(client, "referral_accept", one, {}, lead_of(other).pk)
    assert response.status_code == 404
    assert lead_of(other).state == Assignment.State.PENDING


def test_a_stale_page_gets_the_services_message_and_changes_nothing(client, w):
    opinion = accepted(w)
    before = snapshot(opinion)
    client.force_login(w.staff)
    response = post(client, "accept", opinion, {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "不能进行此操作" in html and 'role="alert"' in html
    assert snapshot(opinion) == before


def test_actions_only_accept_post(client, w):
    opinion = received(w)
    client.force_login(w.staff)
    assert client.get(reverse("opinions:accept", args=[opinion.pk])).status_code == 405


# --- query count -------------------------------------------------------------------------------


def _crowded(w, n):
    """An opinion with n referrals, n replies (with a rating), n extensions and many events."""
    opinion = new_opinion(w, status=Status.HANDLING)
    for i in range(n):
        unit = f.HandlingUnitFactory(region=w.district, name=f"单位{n}-{i}")
        referral = f.ReferralFactory(
            opinion=opinion,
            unit=unit,
            assigned_by=w.staff,
            role="lead" if i == 0 else "co",
            state="accepted",
            deadline={
                "start": "2025-06-02",
                "working_days": 15,
                "due": "2025-06-23",
                "provisional": False,
                "provisional_years": [],
                "holidays_skipped": [],
                "makeup_workdays_counted": [],
            },
        )
        f.ExtensionFactory(assignment=referral, requested_by=w.unit)
        reply = f.ReplyFactory(assignment=referral, opinion=opinion, author=w.unit)
        reply.sent_at = reply.created_at
        reply.reviewed_by = w.staff
        reply.save()
        Rating.objects.create(opinion=opinion, reply=reply, score="basically")
        with transaction.atomic():
            for verb in ("refer", "referral_accept", "reply_submit"):
                event_record(actor=w.staff, subject=opinion, verb=verb)
    dup = new_opinion(w, status=Status.MERGED, merged_into=opinion)
    assert dup.merged_into_id == opinion.pk
    return opinion


@pytest.mark.parametrize("n", [1, 10])
def test_the_case_page_costs_a_fixed_number_of_queries(client, w, n, django_assert_max_num_queries):
    opinion = _crowded(w, n)
    client.force_login(w.staff)
    client.get(detail(opinion))
    with django_assert_max_num_queries(22):
        response = client.get(detail(opinion))
    assert response.status_code == 200
    assert len(response.context["referral_views"]) == n
    assert len(response.context["replies"]) == n
    assert len(response.context["timeline"]) == 3 * n


@pytest.mark.parametrize("n", [1, 10])
def test_the_unit_case_page_costs_a_fixed_number_of_queries(
    client, w, n, django_assert_max_num_queries
):
    opinion = _crowded(w, n)
    client.force_login(w.unit)
    Assignment.objects.filter(opinion=opinion, role="lead").update(unit=w.housing)
    client.get(detail(opinion))
    with django_assert_max_num_queries(22):
        assert client.get(detail(opinion)).status_code == 200


def test_internal_notes_are_for_triage_not_for_units(client, w):
    opinion = referred(w)
    Opinion.objects.filter(pk=opinion.pk).update(internal_note="反映人情绪激动，注意沟通")
    client.force_login(w.staff)
    assert "反映人情绪激动" in client.get(detail(opinion)).content.decode()
    client.force_login(w.unit)
    assert "反映人情绪激动" not in client.get(detail(opinion)).content.decode()
