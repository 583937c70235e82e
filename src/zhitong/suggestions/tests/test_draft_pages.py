"""The deputy's pages (提): the new draft and its edit page, files and their download,
co-signers and the invited deputy's answer, submit with the 一事一议 warning, withdraw,
the versions, the deputy's sections of the list and the home page's figures. Each page and
post per role; each form on the page exactly when posting it is accepted; bad input is a
clear error on the form and changes nothing."""

import datetime
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from zhitong.accounts.models import Role
from zhitong.core.models import Event
from zhitong.suggestions import services
from zhitong.suggestions.models import CoSigner, File, Status, Suggestion, Version
from zhitong.suggestions.selectors_draft import pending_counts
from zhitong.suggestions.tests.world import PDF, build, pdf
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db

ALL_CHECKS = {"lawful": True, "single_matter": True, "feasible": True, "well_written": True}
# During the session (5–8 January 2026), at 10:00 in Shanghai.
DAY = datetime.datetime(2026, 1, 6, 2, tzinfo=datetime.UTC)
SEVERAL = "一、增设路灯。\n二、修缮人行道。\n三、增加公交班次。"


def world(settings, tmp_path):
    """The suggestions' world, files stored under `tmp_path`, with a third deputy."""
    settings.MEDIA_ROOT = tmp_path
    made = build()
    made.media = tmp_path
    # A third deputy of the district, never invited: "another deputy".
    made.dep_c = f.DeputyFactory(district=made.district, name="赵丙")
    made.third_deputy = f.UserFactory(username="deputy_c", role=Role.DEPUTY, display_name="赵丙")
    made.dep_c.user = made.third_deputy
    made.dep_c.save(update_fields=["user"])
    return made


@pytest.fixture
def w(db, settings, tmp_path):
    built = world(settings, tmp_path)
    with time_machine.travel(DAY, tick=False):
        yield built


def user_of(w, who):
    return {"lead": w.deputy, "cosigner": w.other_deputy, "another_deputy": w.third_deputy}.get(
        who
    ) or getattr(w, who)


def drafted(w, content="老旧小区居民上下楼困难，建议加快加装电梯。", cosign=True):
    """A draft by 张甲 with 李乙 as a co-signer who has joined."""
    s = services.suggestion_draft(
        by=w.deputy, title="关于加快老旧小区加装电梯的建议", content=content, category=w.category
    )
    if cosign:
        services.cosigners_invite(suggestion=s, by=w.deputy, deputies=[w.dep_b])
        services.cosigner_respond(suggestion=s, by=w.other_deputy, accept=True)
    s.refresh_from_db()
    return s


def submitted(w, **kw):
    s = drafted(w, **kw)
    services.suggestion_submit(suggestion=s, by=w.deputy)
    s.refresh_from_db()
    return s


def returned(w, **kw):
    s = submitted(w, **kw)
    services.suggestion_review(
        suggestion=s, by=w.street, outcome="return", checks=ALL_CHECKS, comment="请写明具体小区。"
    )
    s.refresh_from_db()
    return s


def events(s):
    return Event.objects.filter(object_id=s.pk).count()


# --- the new draft ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("another_deputy", 200),
        ("staff", 403),
        ("street", 403),
        ("leader", 403),
        ("unit", 403),
        ("citizen", 403),
        ("admin", 403),
    ],
)
def test_who_may_open_the_new_draft_page(client, w, who, status):
    client.force_login(user_of(w, who))
    response = client.get(reverse("suggestions:new"))
    assert response.status_code == status
    if status == 200:
        assert 'action="/work/suggestions/new/"' in response.content.decode()


def test_the_new_draft_page_offers_the_deputys_street_and_the_current_session(client, w):
    client.force_login(w.deputy)
    form = client.get(reverse("suggestions:new")).context["form"]
    assert form.initial["street"] == w.street_a.pk
    assert form.initial["session"] == w.session.pk
    assert form.initial["period"] == "during"


def test_a_deputy_saves_a_new_draft(client, w):
    client.force_login(w.deputy)
    response = client.post(
        reverse("suggestions:new"),
        {
            "title": "关于增设路灯的建议",
            "content": "甲一社区夜间照明不足。",
            "category": w.category.pk,
            "street": w.street_a.pk,
            "session": w.session.pk,
            "period": "recess",
        },
    )
    s = Suggestion.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/work/suggestions/{s.pk}/"
    assert s.lead_deputy == w.dep_a and s.status == Status.DRAFT
    assert s.street == w.street_a and s.session == w.session and not s.during_session


def test_a_new_draft_left_blank_takes_the_deputys_street_group_and_the_session(client, w):
    client.force_login(w.deputy)
    page = client.get(reverse("suggestions:new")).content.decode()
    assert "（我所在的街道代表小组）" in page and "（当前会议）" in page
    response = client.post(
        reverse("suggestions:new"),
        {"title": "关于增设路灯的建议", "street": "", "session": "", "period": "during"},
    )
    assert response.status_code == 302
    s = Suggestion.objects.get()
    assert s.street == w.street_a and s.session == w.session and s.during_session


def test_no_other_role_may_post_a_new_draft(client, w):
    client.force_login(w.staff)
    response = client.post(reverse("suggestions:new"), {"title": "标题", "period": "during"})
    assert response.status_code == 403
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "", "content": ""}, "title", "请填写建议标题。"),
        ({"title": "   ", "content": "内容"}, "title", "请填写建议标题。"),
        ({"title": "长" * 101, "content": "内容"}, "title", "建议标题不能超过100个字"),
    ],
)
def test_a_bad_draft_is_refused_on_the_form(client, w, data, field, message):
    client.force_login(w.deputy)
    response = client.post(reverse("suggestions:new"), {**data, "period": "during"})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not Suggestion.objects.exists() and not Event.objects.exists()


# --- the edit page ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "draft", "returned_"),
    [
        ("lead", 200, 200),
        ("cosigner", 403, 403),
        ("another_deputy", 404, 404),
        ("street", 404, 403),
        ("other_street", 404, 404),
        ("staff", 404, 403),
        ("far_staff", 404, 404),
        ("leader", 404, 403),
        ("unit", 404, 404),
        ("citizen", 404, 404),
    ],
)
def test_who_may_open_the_edit_page(client, w, who, draft, returned_):
    first = drafted(w)
    second = returned(w)
    client.force_login(user_of(w, who))
    assert client.get(reverse("suggestions:edit", args=[first.pk])).status_code == draft
    assert client.get(reverse("suggestions:edit", args=[second.pk])).status_code == returned_


def test_the_lead_deputy_edits_a_returned_draft_and_not_a_submitted_one(client, w):
    s = returned(w)
    client.force_login(w.deputy)
    data = {
        "title": s.title,
        "content": s.content + "涉及甲一社区三个小区。",
        "category": w.category.pk,
        "street": w.street_a.pk,
        "session": w.session.pk,
        "period": "during",
    }
    response = client.post(reverse("suggestions:edit", args=[s.pk]), data)
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.content.endswith("三个小区。") and s.status == Status.RETURNED
    other = submitted(w)
    assert client.post(reverse("suggestions:edit", args=[other.pk]), data).status_code == 403
    other.refresh_from_db()
    assert "三个小区" not in other.content


def test_a_bad_edit_changes_nothing(client, w):
    s = drafted(w)
    before = events(s)
    client.force_login(w.deputy)
    response = client.post(
        reverse("suggestions:edit", args=[s.pk]), {"title": "长" * 101, "period": "during"}
    )
    assert response.status_code == 400
    assert "建议标题不能超过100个字" in response.content.decode()
    s.refresh_from_db()
    assert s.title == "关于加快老旧小区加装电梯的建议" and events(s) == before


# --- files ------------------------------------------------------------------------------------


def test_the_lead_deputy_attaches_files_and_those_who_see_the_page_download_them(client, w):
    s = drafted(w)
    client.force_login(w.deputy)
    response = client.post(
        reverse("suggestions:files_add", args=[s.pk]), {"files": [pdf("现场照片说明.pdf")]}
    )
    assert response.status_code == 302
    stored = File.objects.get()
    assert stored.purpose == "draft" and stored.original_name == "现场照片说明.pdf"
    url = reverse("suggestions:file", args=[s.pk, stored.pk])
    page = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert f'href="{url}"' in page
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "filename*=utf-8''%E7%8E%B0" in download["Content-Disposition"]
    for who, status in [
        ("cosigner", 200),
        ("another_deputy", 404),
        ("staff", 404),
        ("street", 404),
        ("citizen", 404),
    ]:
        client.force_login(user_of(w, who))
        assert client.get(url).status_code == status, who
    services.suggestion_submit(suggestion=s, by=w.deputy)
    for who, status in [
        ("street", 200),
        ("staff", 200),
        ("leader", 200),
        ("other_street", 404),
        ("far_staff", 404),
        ("unit", 404),
        ("another_deputy", 404),
        ("citizen", 404),
    ]:
        client.force_login(user_of(w, who))
        assert client.get(url).status_code == status, who
    # Another suggestion's file is not found through this one.
    client.force_login(w.deputy)
    other = drafted(w, cosign=False)
    assert client.get(reverse("suggestions:file", args=[other.pk, stored.pk])).status_code == 404


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("说明.pdf", b"just text", content_type="application/pdf"),
            "只能上传PDF",
        ),
        (
            SimpleUploadedFile("说明.docx", b"PK\x03\x04", content_type="application/msword"),
            "只能上传PDF",
        ),
        (
            SimpleUploadedFile(
                "大文件.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
            ),
            "每个文件不能超过 10 MB",
        ),
    ],
    ids=["not_a_pdf", "a_word_file", "too_large"],
)
def test_a_bad_file_is_refused_on_the_form_and_nothing_is_stored(client, w, upload, message):
    s = drafted(w)
    before = events(s)
    client.force_login(w.deputy)
    response = client.post(reverse("suggestions:files_add", args=[s.pk]), {"files": [upload]})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in re.search(r'<form[^>]*id="form-files".*?</form>', page, re.S).group(0)
    assert not File.objects.exists() and events(s) == before
    assert not list(w.media.rglob("*.*"))


def test_only_the_lead_deputy_uploads(client, w):
    s = drafted(w)
    for who, status in [("cosigner", 403), ("another_deputy", 404), ("staff", 404)]:
        client.force_login(user_of(w, who))
        response = client.post(reverse("suggestions:files_add", args=[s.pk]), {"files": [pdf()]})
        assert response.status_code == status, who
    assert not File.objects.exists()


# --- co-signers -------------------------------------------------------------------------------


def test_the_lead_deputy_invites_several_deputies_at_once(client, w):
    s = drafted(w, cosign=False)
    client.force_login(w.deputy)
    response = client.post(
        reverse("suggestions:invite", args=[s.pk]), {"deputies": [w.dep_b.pk, w.dep_c.pk]}
    )
    assert response.status_code == 302
    assert set(s.cosigners.values_list("deputy__name", "state")) == {
        ("李乙", "invited"),
        ("赵丙", "invited"),
    }


@pytest.mark.parametrize(
    ("invite", "message"),
    [
        ("lead", "领衔代表不能再联名自己的建议。"),
        ("twice", "已经邀请过李乙代表联名。"),
        ("none", "请选择要邀请联名的代表。"),
        ("far", "请选择本区的代表。"),
    ],
)
def test_a_bad_invitation_is_refused_on_the_form(client, w, invite, message):
    s = drafted(w)  # 李乙 has joined already
    far = f.DeputyFactory(district=w.far_district, name="王远")
    deputies = {
        "lead": [w.dep_a.pk],
        "twice": [w.dep_b.pk, w.dep_c.pk],
        "none": [],
        "far": [far.pk],
    }
    before = events(s)
    client.force_login(w.deputy)
    response = client.post(
        reverse("suggestions:invite", args=[s.pk]), {"deputies": deputies[invite]}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert s.cosigners.count() == 1 and events(s) == before


def test_the_invitation_list_offers_the_districts_deputies_not_yet_invited(client, w):
    s = drafted(w)
    client.force_login(w.deputy)
    page = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    select = re.search(r'<select name="deputies".*?</select>', page, re.S).group(0)
    assert "赵丙" in select and "李乙" not in select and "张甲" not in select


def test_the_invited_deputy_answers_once(client, w):
    s = drafted(w, cosign=False)
    services.cosigners_invite(suggestion=s, by=w.deputy, deputies=[w.dep_b, w.dep_c])
    client.force_login(w.other_deputy)
    page = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert reverse("suggestions:respond", args=[s.pk]) in page and "张甲代表邀请您联名" in page
    url = reverse("suggestions:respond", args=[s.pk])
    assert client.post(url, {"answer": "accept"}).status_code == 302
    assert s.cosigners.get(deputy=w.dep_b).state == CoSigner.State.ACCEPTED
    before = events(s)
    response = client.post(url, {"answer": "decline"})
    assert response.status_code == 400
    assert "你已经答复过联名邀请（已联名）。" in response.content.decode()
    assert s.cosigners.get(deputy=w.dep_b).state == CoSigner.State.ACCEPTED and events(s) == before
    client.force_login(w.third_deputy)
    assert client.post(url, {"answer": "decline"}).status_code == 302
    assert s.cosigners.get(deputy=w.dep_c).state == CoSigner.State.DECLINED


@pytest.mark.parametrize(("who", "status"), [("lead", 403), ("staff", 404), ("citizen", 404)])
def test_only_an_invited_deputy_answers(client, w, who, status):
    s = drafted(w, cosign=False)
    services.cosigners_invite(suggestion=s, by=w.deputy, deputies=[w.dep_b])
    client.force_login(user_of(w, who))
    response = client.post(reverse("suggestions:respond", args=[s.pk]), {"answer": "accept"})
    assert response.status_code == status
    assert s.cosigners.get().state == CoSigner.State.INVITED


# --- submit, withdraw, versions ---------------------------------------------------------------


def test_the_page_warns_of_several_matters_before_submitting_and_submitting_is_allowed(client, w):
    s = drafted(w, content=SEVERAL)
    client.force_login(w.deputy)
    page = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    form = re.search(r'<form[^>]*id="form-submit".*?</form>', page, re.S).group(0)
    assert "似乎包含3项诉求" in form and "二、修缮人行道。" in form
    assert client.post(reverse("suggestions:submit", args=[s.pk])).status_code == 302
    s.refresh_from_db()
    assert s.status == Status.STREET_REVIEW and s.versions.count() == 1


def test_submitting_an_empty_content_is_refused(client, w):
    s = drafted(w, content="")
    before = events(s)
    client.force_login(w.deputy)
    response = client.post(reverse("suggestions:submit", args=[s.pk]))
    assert response.status_code == 400
    page = response.content.decode()
    form = re.search(r'<form[^>]*id="form-submit".*?</form>', page, re.S).group(0)
    assert "请填写建议内容。" in form
    s.refresh_from_db()
    assert s.status == Status.DRAFT and not Version.objects.exists() and events(s) == before


@pytest.mark.parametrize(
    ("who", "status"),
    [("cosigner", 403), ("another_deputy", 404), ("street", 404), ("staff", 404)],
)
def test_only_the_lead_deputy_submits(client, w, who, status):
    s = drafted(w)
    client.force_login(user_of(w, who))
    assert client.post(reverse("suggestions:submit", args=[s.pk])).status_code == status
    s.refresh_from_db()
    assert s.status == Status.DRAFT


def test_the_lead_deputy_withdraws_before_filing_and_not_after(client, w):
    s = submitted(w)
    client.force_login(w.deputy)
    response = client.post(reverse("suggestions:withdraw", args=[s.pk]), {"reason": "重复"})
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.status == Status.WITHDRAWN
    other = submitted(w)
    services.suggestion_review(suggestion=other, by=w.street, outcome="pass", checks=ALL_CHECKS)
    services.suggestion_review(suggestion=other, by=w.staff, outcome="pass", checks=ALL_CHECKS)
    page = client.get(reverse("suggestions:detail", args=[other.pk])).content.decode()
    assert reverse("suggestions:withdraw", args=[other.pk]) not in page
    response = client.post(reverse("suggestions:withdraw", args=[other.pk]))
    assert response.status_code == 400 and "不能进行此操作" in response.content.decode()
    other.refresh_from_db()
    assert other.status == Status.REVIEWED


def test_each_submitted_version_is_on_the_page_for_the_deputy_and_the_reviewers(client, w):
    s = returned(w)
    services.suggestion_edit(
        suggestion=s,
        by=w.deputy,
        title="关于甲一社区加装电梯的建议",
        content="甲一社区三个小区需加装电梯。",
        category=w.category,
        street=w.street_a,
        session=w.session,
    )
    services.suggestion_submit(suggestion=s, by=w.deputy)
    for who in ("lead", "cosigner", "street", "staff"):
        client.force_login(user_of(w, who))
        page = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
        versions = re.search(r'<ol[^>]*id="versions".*?</ol>', page, re.S).group(0)
        assert "第1版" in versions and "第2版" in versions, who
        assert (
            "关于加快老旧小区加装电梯的建议" in versions
            and "甲一社区三个小区需加装电梯。" in versions
        )
        assert "2026-01-06 10:00" in versions


# --- the deputy's list and home ---------------------------------------------------------------


def test_the_deputys_sections_of_the_list(client, w):
    lead_draft = drafted(w, cosign=False)
    back = returned(w)
    invited = services.suggestion_draft(by=w.other_deputy, title="李乙的建议", content="内容")
    services.cosigners_invite(suggestion=invited, by=w.other_deputy, deputies=[w.dep_a])
    joined = services.suggestion_draft(by=w.other_deputy, title="李乙联名的建议", content="内容")
    services.cosigners_invite(suggestion=joined, by=w.other_deputy, deputies=[w.dep_a])
    services.cosigner_respond(suggestion=joined, by=w.deputy, accept=True)
    client.force_login(w.deputy)

    def titles(show):
        response = client.get(reverse("suggestions:list"), {"show": show})
        assert response.status_code == 200
        return {s.pk for s in response.context["page"].object_list}

    assert titles("lead") == {lead_draft.pk, back.pk}
    assert titles("returned") == {back.pk}
    assert titles("drafts") == {lead_draft.pk}
    assert titles("invited") == {invited.pk}
    assert titles("cosigned") == {joined.pk}
    assert titles("") == {lead_draft.pk, back.pk, invited.pk, joined.pk}
    page = client.get(reverse("suggestions:list")).content.decode()
    assert "待我确认的联名邀请" in page and 'href="/work/suggestions/new/"' in page
    # Not a deputy: no sections.
    client.force_login(w.staff)
    page = client.get(reverse("suggestions:list"), {"show": "lead"}).content.decode()
    assert "待我确认的联名邀请" not in page


def test_the_deputys_home_counts_invitations_returned_drafts_and_drafts(client, w):
    drafted(w, cosign=False)
    returned(w)
    invited = services.suggestion_draft(by=w.other_deputy, title="李乙的建议", content="内容")
    services.cosigners_invite(suggestion=invited, by=w.other_deputy, deputies=[w.dep_a])
    client.force_login(w.deputy)
    page = client.get(reverse("accounts:home")).content.decode()
    section = re.search(r'aria-labelledby="suggestion-todo-heading".*?</section>', page, re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section.group(0)))
    assert "待确认的联名邀请 1" in text and "被退回修改 1" in text and "草稿 1" in text
    assert 'href="/work/suggestions/?show=invited"' in section.group(0)
    assert 'href="/work/suggestions/"' in section.group(0)


def test_the_deputys_figures_are_one_query(w, django_assert_num_queries):
    drafted(w, cosign=False)
    returned(w)
    with django_assert_num_queries(1):
        counts = pending_counts(w.deputy)
    assert [(c.key, c.count) for c in counts] == [("invited", 0), ("returned", 1), ("drafts", 1)]


# --- each form on the page exactly when its post is accepted ----------------------------------


def _reviewed(w):
    s = submitted(w)
    services.suggestion_review(suggestion=s, by=w.street, outcome="pass", checks=ALL_CHECKS)
    services.suggestion_review(suggestion=s, by=w.staff, outcome="pass", checks=ALL_CHECKS)
    s.refresh_from_db()
    return s


def _district_review(w):
    s = submitted(w)
    services.suggestion_review(suggestion=s, by=w.street, outcome="pass", checks=ALL_CHECKS)
    s.refresh_from_db()
    return s


def _invited(w):
    s = drafted(w, cosign=False)
    services.cosigners_invite(suggestion=s, by=w.deputy, deputies=[w.dep_b])
    s.refresh_from_db()
    return s


STATES = {
    "draft": _invited,
    "street_review": submitted,
    "district_review": _district_review,
    "returned": returned,
    "reviewed": _reviewed,
}
ROLES = [
    "lead",
    "cosigner",
    "another_deputy",
    "street",
    "other_street",
    "staff",
    "far_staff",
    "leader",
    "unit",
    "citizen",
]
FORM_ACTION = re.compile(r'<form[^>]*method="post"[^>]*action="([^"]+)"')


def endpoints(w, s):
    pk = s.pk
    return [
        ("invite", reverse("suggestions:invite", args=[pk]), lambda: {"deputies": [w.dep_c.pk]}),
        ("respond", reverse("suggestions:respond", args=[pk]), lambda: {"answer": "accept"}),
        ("submit", reverse("suggestions:submit", args=[pk]), dict),
        ("withdraw", reverse("suggestions:withdraw", args=[pk]), lambda: {"reason": ""}),
        ("files", reverse("suggestions:files_add", args=[pk]), lambda: {"files": [pdf()]}),
        (
            "review",
            reverse("suggestions:review", args=[pk]),
            lambda: {"checks": list(ALL_CHECKS), "outcome": "pass", "comment": ""},
        ),
    ]


@pytest.mark.parametrize("state", list(STATES))
def test_every_form_is_one_the_role_may_post_and_every_act_has_its_form(client, w, state):
    s = STATES[state](w)
    assert s.status == state
    problems = []
    for role in ROLES:
        client.force_login(user_of(w, role))
        page = client.get(reverse("suggestions:detail", args=[s.pk]))
        on_page = (
            set(FORM_ACTION.findall(page.content.decode())) if page.status_code == 200 else set()
        )
        for name, url, data in endpoints(w, s):
            with transaction.atomic():
                response = client.post(url, data())
                transaction.set_rollback(True)
            accepted = response.status_code == 302
            if accepted != (url in on_page):
                problems.append(
                    f"{state}/{role}/{name}: post {response.status_code}, "
                    f"form {'shown' if url in on_page else 'absent'}"
                )
    assert not problems, "\n".join(problems)
