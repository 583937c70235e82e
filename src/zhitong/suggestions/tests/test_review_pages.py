"""The reviewers' pages (阅看): the queue of the street committee (its own street's
suggestions awaiting the street's review) and of district staff (those awaiting the
district's review), paged, with the 一事一议 hint; the review panel with its checklist,
comments, outcome and the 批评和意见 mark; the reviews as the deputy sees them; the
reviewers' home figures. Per role; bad input is a clear error and changes nothing."""

import re

import pytest
import time_machine
from django.urls import reverse

from zhitong.suggestions import services
from zhitong.suggestions.models import Kind, Review, Status
from zhitong.suggestions.tests.test_draft_pages import (
    ALL_CHECKS,
    DAY,
    SEVERAL,
    drafted,
    events,
    returned,
    submitted,
    user_of,
    world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db, settings, tmp_path):
    built = world(settings, tmp_path)
    with time_machine.travel(DAY, tick=False):
        yield built


def in_district_review(w, **kw):
    s = submitted(w, **kw)
    services.suggestion_review(suggestion=s, by=w.street, outcome="pass", checks=ALL_CHECKS)
    s.refresh_from_db()
    return s


def in_street_b(w):
    """Submitted with 乙街道 to review it."""
    s = services.suggestion_draft(
        by=w.deputy, title="乙街道的建议", content="乙一社区需要增设停车位。", street=w.street_b
    )
    services.suggestion_submit(suggestion=s, by=w.deputy)
    s.refresh_from_db()
    return s


def queue_ids(client, user, page=None):
    client.force_login(user)
    response = client.get(reverse("suggestions:review_queue"), {"page": page} if page else {})
    if response.status_code != 200:
        return response.status_code
    return [s.pk for s in response.context["page"].object_list]


# --- the queue --------------------------------------------------------------------------------


def test_each_reviewer_finds_in_the_queue_what_awaits_their_review(client, w):
    own = submitted(w)
    district = in_district_review(w)
    other_street = in_street_b(w)
    drafted(w)  # a draft is nobody's to review
    assert queue_ids(client, w.street) == [own.pk]
    assert queue_ids(client, w.other_street) == [other_street.pk]
    assert queue_ids(client, w.staff) == [district.pk]
    assert queue_ids(client, w.far_staff) == []
    for who in ("lead", "cosigner", "leader", "unit", "citizen", "admin"):
        assert queue_ids(client, user_of(w, who)) == 403, who


def test_the_queue_is_paged_and_flags_several_matters(client, w):
    flagged = submitted(w, content=SEVERAL, cosign=False)
    for _n in range(25):
        submitted(w, cosign=False)
    first = queue_ids(client, w.street)
    assert len(first) == 25 and first[0] == flagged.pk
    assert len(queue_ids(client, w.street, page=2)) == 1
    page = client.get(reverse("suggestions:review_queue")).content.decode()
    row = re.search(rf'<tr>\s*<td><a href="/work/suggestions/{flagged.pk}/".*?</tr>', page, re.S)
    assert "一事一议？（3项诉求）" in row.group(0)
    assert page.count("一事一议？") == 1
    assert "1 / 2" in page and "?page=2" in page


def test_an_empty_queue_says_so(client, w):
    client.force_login(w.staff)
    page = client.get(reverse("suggestions:review_queue")).content.decode()
    assert "没有等待您阅看的建议。" in page


# --- the review panel and its post ------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "street_review", "district_review"),
    [
        ("street", 302, 403),
        ("other_street", 404, 404),
        ("staff", 403, 302),
        ("far_staff", 404, 404),
        ("leader", 403, 403),
        ("admin", 403, 403),
        ("lead", 403, 403),
        ("cosigner", 403, 403),
        ("another_deputy", 404, 404),
        ("unit", 404, 404),
        ("citizen", 404, 404),
    ],
)
def test_who_may_review_at_each_level(client, w, who, street_review, district_review):
    first = submitted(w)
    second = in_district_review(w)
    client.force_login(user_of(w, who))
    data = {"checks": list(ALL_CHECKS), "outcome": "pass"}
    for s, expected, before in (
        (first, street_review, Status.STREET_REVIEW),
        (second, district_review, Status.DISTRICT_REVIEW),
    ):
        url = reverse("suggestions:review", args=[s.pk])
        page = client.get(reverse("suggestions:detail", args=[s.pk]))
        shown = page.status_code == 200 and f'action="{url}"' in page.content.decode()
        assert shown == (expected == 302), (who, before)
        assert client.post(url, data).status_code == expected, (who, before)
        s.refresh_from_db()
        assert s.status != before if expected == 302 else s.status == before


def test_the_panel_has_the_checklist_comments_outcome_and_the_criticism_mark(client, w):
    s = submitted(w, content=SEVERAL)
    client.force_login(w.street)
    page = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    form = re.search(r'<form[^>]*id="form-review".*?</form>', page, re.S).group(0)
    for label in ("合规", "一事一议", "现实可行", "文书规范", "阅看意见", "通过", "退回修改"):
        assert label in form, label
    assert "转为意见办理" in form and "属于批评和意见" in form
    assert 'type="checkbox" name="checks"' in form and 'type="radio" name="outcome"' in form
    assert "似乎包含3项诉求" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"checks": list(ALL_CHECKS), "outcome": "return", "comment": "  "},
            "退回修改时请写明阅看意见。",
        ),
        (
            {"checks": ["lawful", "feasible", "well_written"], "outcome": "pass"},
            "审查要点未全部符合，不能通过",
        ),
        ({"checks": list(ALL_CHECKS)}, "请选择阅看结果。"),
        ({"checks": list(ALL_CHECKS), "outcome": "approve"}, "选择一个有效的选项"),
    ],
    ids=["return_without_comment", "pass_with_a_failed_check", "no_outcome", "unknown_outcome"],
)
def test_a_bad_review_is_refused_on_the_form_and_changes_nothing(client, w, data, message):
    s = submitted(w)
    before = events(s)
    client.force_login(w.street)
    response = client.post(reverse("suggestions:review", args=[s.pk]), data)
    assert response.status_code == 400
    form = re.search(r'<form[^>]*id="form-review".*?</form>', response.content.decode(), re.S)
    assert message in form.group(0)
    s.refresh_from_db()
    assert s.status == Status.STREET_REVIEW and s.kind == Kind.SUGGESTION
    assert not Review.objects.exists() and events(s) == before


def test_a_return_reaches_the_deputy_with_its_comments(client, w):
    s = submitted(w)
    client.force_login(w.street)
    response = client.post(
        reverse("suggestions:review", args=[s.pk]),
        {"checks": ["lawful", "feasible"], "outcome": "return", "comment": "请写明具体小区。"},
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.status == Status.RETURNED
    review = Review.objects.get()
    assert review.level == "street" and review.checks == {
        "lawful": True,
        "single_matter": False,
        "feasible": True,
        "well_written": False,
    }
    client.force_login(w.deputy)
    page = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    top = re.search(r'id="return-comments".*?</section>', page, re.S).group(0)
    assert "请写明具体小区。" in top and "街道人大工委阅看" in top
    history = re.search(r'<ol[^>]*id="reviews".*?</ol>', page, re.S).group(0)
    assert "退回修改" in history and "请写明具体小区。" in history and "第1版" in history
    # The deputy may edit and submit again; the page offers both.
    assert reverse("suggestions:edit", args=[s.pk]) in page
    assert 'id="form-submit"' in page and "重新提交" in page
    # A handling unit never sees the reviews (none is assigned yet: it does not see the page).
    client.force_login(w.unit)
    assert client.get(reverse("suggestions:detail", args=[s.pk])).status_code == 404


def test_the_district_passes_and_marks_it_a_criticism(client, w):
    s = in_district_review(w)
    client.force_login(w.staff)
    response = client.post(
        reverse("suggestions:review", args=[s.pk]),
        {"checks": list(ALL_CHECKS), "outcome": "pass", "comment": "", "criticism": "on"},
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.status == Status.REVIEWED and s.kind == Kind.CRITICISM
    client.force_login(w.deputy)
    page = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    history = re.search(r'<ol[^>]*id="reviews".*?</ol>', page, re.S).group(0)
    assert "区人大阅看" in history and "街道人大工委阅看" in history and "通过" in history
    assert "批评和意见" in page


def test_a_reviewer_converts_it_to_an_opinion(client, w):
    s = submitted(w)
    client.force_login(w.street)
    response = client.post(
        reverse("suggestions:review", args=[s.pk]),
        {"checks": ["lawful"], "outcome": "convert", "comment": "属具体个案，转意见办理。"},
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.status == Status.CONVERTED and s.converted_opinion is not None


def test_a_returned_suggestion_is_not_reviewed_again_until_resubmitted(client, w):
    s = returned(w)
    client.force_login(w.street)
    page = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert 'id="form-review"' not in page
    before = events(s)
    response = client.post(
        reverse("suggestions:review", args=[s.pk]), {"checks": list(ALL_CHECKS), "outcome": "pass"}
    )
    assert response.status_code in (400, 403)
    assert events(s) == before


# --- the reviewers' home ----------------------------------------------------------------------


@pytest.mark.parametrize(("who", "count"), [("street", 1), ("other_street", 0), ("staff", 1)])
def test_the_reviewers_home_counts_what_awaits_their_review(client, w, who, count):
    submitted(w)
    in_district_review(w)
    client.force_login(user_of(w, who))
    page = client.get(reverse("accounts:home")).content.decode()
    section = re.search(r'aria-labelledby="suggestion-todo-heading".*?</section>', page, re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section.group(0)))
    assert f"待阅看 {count}" in text
    assert 'href="/work/suggestions/review/"' in section.group(0)


# The administrator's home links to the suggestions; the leader's home is the dashboards'
# overview, without the to-do panels.
@pytest.mark.parametrize(
    ("who", "link"), [("admin", True), ("leader", False), ("unit", False), ("citizen", False)]
)
def test_other_homes_have_no_suggestion_figures(client, w, who, link):
    submitted(w)
    client.force_login(user_of(w, who))
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "待阅看" not in page
    assert ("suggestion-todo-heading" in page) == link
    assert ('href="/work/suggestions/"' in page) == link


def test_a_handling_unit_sees_neither_the_versions_nor_the_reviews(client, w):
    s = in_district_review(w)
    services.suggestion_review(suggestion=s, by=w.staff, outcome="pass", checks=ALL_CHECKS)
    services.suggestion_register(suggestion=s, by=w.staff, category=w.category, lead=w.housing)
    services.suggestions_assign(suggestions=[s], by=w.staff)
    client.force_login(w.unit)
    page = client.get(reverse("suggestions:detail", args=[s.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="versions"' not in html and 'id="reviews"' not in html
    client.force_login(w.deputy)
    html = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert 'id="versions"' in html and 'id="reviews"' in html
