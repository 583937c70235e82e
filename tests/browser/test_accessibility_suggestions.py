"""Accessibility of the suggestion pages (issue 12): axe-core's WCAG 2.1 A and AA rules in
Chromium on the suggestion page as a draft seen by its deputy (with its draft forms:
submit, invite co-signers, files, withdraw) and as an assigned suggestion seen by its lead
unit (sign for it, refuse it, ask for more time), and on the staff's queue.

The states are made through the services (what these tests check is the pages, not the
path: tests/browser/test_suggestion_path.py walks that through the pages); the congress
session is added as staff would add it on the sessions page.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.browser.test_accessibility import log_in
from tests.browser.test_accessibility_issue11 import assert_no_violations, open_checked
from zhitong.deputies.models import Deputy, Term
from zhitong.suggestions import services
from zhitong.suggestions.models import CongressSession
from zhitong.units.models import Category

pytestmark = pytest.mark.browser

ALL_CHECKS = {"lawful": True, "single_matter": True, "feasible": True, "well_written": True}


def session_for(district):
    term = Term.objects.filter(region=district).order_by("-number").first()
    return CongressSession.objects.create(
        term=term,
        district=district,
        number=4,
        opens_on=datetime.date(2026, 1, 5),
        closes_on=datetime.date(2026, 1, 8),
    )


@pytest.fixture
def world(demo_structure):
    users = get_user_model().objects.in_bulk(
        ["deputy", "street", "staff", "unit"], field_name="username"
    )
    deputy = Deputy.objects.get(user=users["deputy"])
    session = session_for(deputy.district)
    category = Category.objects.filter(name="老旧小区改造").first()
    draft = services.suggestion_draft(
        by=users["deputy"],
        title="关于加快老旧小区加装电梯的建议",
        content="老旧小区居民上下楼困难，建议加快加装电梯。",
        category=category,
        session=session,
    )
    assigned = services.suggestion_draft(
        by=users["deputy"],
        title="关于增设中华路公交站台遮雨棚的建议",
        content="中华路沿线公交站台没有遮雨棚，建议增设。",
        category=category,
        session=session,
    )
    services.suggestion_submit(suggestion=assigned, by=users["deputy"])
    services.suggestion_review(
        suggestion=assigned, by=users["street"], outcome="pass", checks=ALL_CHECKS
    )
    services.suggestion_review(
        suggestion=assigned, by=users["staff"], outcome="pass", checks=ALL_CHECKS
    )
    services.suggestion_register(
        suggestion=assigned, by=users["staff"], category=category, lead=users["unit"].unit
    )
    services.suggestions_assign(suggestions=[assigned], by=users["staff"])
    return {"draft": draft, "assigned": assigned}


def detail(live_server, suggestion) -> str:
    return f"{live_server.url}{reverse('suggestions:detail', args=[suggestion.pk])}"


def test_a_draft_seen_by_its_deputy_passes_axe(page, live_server, world):
    log_in(page, live_server.url, "deputy")
    open_checked(page, detail(live_server, world["draft"]))
    assert page.get_by_role("form", name="邀请代表联名").count() == 1


def test_the_new_draft_page_passes_axe(page, live_server, world):
    log_in(page, live_server.url, "deputy")
    open_checked(page, f"{live_server.url}{reverse('suggestions:new')}")


def test_an_assigned_suggestion_seen_by_its_lead_unit_passes_axe(page, live_server, world):
    log_in(page, live_server.url, "unit")
    open_checked(page, detail(live_server, world["assigned"]))
    assert page.get_by_role("button", name="签收", exact=True).count() == 1
    # Signed for: the contact and reply forms.
    with page.expect_navigation():
        page.get_by_role("button", name="签收", exact=True).click()
    assert page.get_by_role("form", name="书面答复").count() == 1
    assert_no_violations(page, "signed for")


def test_the_staff_queue_passes_axe(page, live_server, world):
    log_in(page, live_server.url, "staff")
    open_checked(page, f"{live_server.url}{reverse('suggestions:queue')}")
