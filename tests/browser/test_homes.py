"""The leader's home (the district at a glance), its page for staff, and a citizen's home
with their own opinions pass axe-core's WCAG 2.1 A and AA rules in Chromium."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_accessibility import WCAG, log_in
from zhitong.accounts.models import User
from zhitong.opinions.models import Opinion

pytestmark = pytest.mark.browser


def assert_accessible(page, url):
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, f"{url}\n{results.generate_report()}"


def test_the_leaders_home_and_the_overview_pass_axe(page, live_server, demo_district):
    log_in(page, live_server.url, "leader")
    assert page.locator("#league-table tbody tr").count() > 0
    for url in ("/accounts/home/", "/accounts/home/?sort=overdue", "/work/overview/"):
        assert_accessible(page, f"{live_server.url}{url}")


def test_a_citizens_home_with_their_opinions_passes_axe_on_a_phone(
    phone_page, live_server, demo_district
):
    citizen = User.objects.get(username="citizen")
    Opinion.objects.filter(
        pk__in=list(Opinion.objects.order_by("pk").values_list("pk", flat=True)[:12])
    ).update(submitted_by=citizen)
    log_in(phone_page, live_server.url, "citizen")
    assert phone_page.locator("#own-opinions li").count() == 10
    assert_accessible(phone_page, f"{live_server.url}/accounts/home/")
