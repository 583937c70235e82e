"""Accessibility in Chromium: axe-core's WCAG 2.1 A and AA rules on the public pages (on a
phone) and on the work pages of the opinions process (on a desktop), and the keyboard
path past the navigation.

axe-core finds what a machine can find (names, labels, roles, contrast, structure); it
does not replace trying a page with a screen reader, but a page that fails it fails
screen-reader users for certain.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from zhitong.demo.accounts import DEMO_PASSWORD
from zhitong.opinions.models import Opinion
from zhitong.stations.models import Station, StationKind

pytestmark = pytest.mark.browser

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}/accounts/home/")


def assert_accessible(page, url):
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, f"{url}\n{results.generate_report()}"


def _public_urls():
    from zhitong.opinions.models import Status

    station = Station.objects.filter(kind=StationKind.COMMUNITY).order_by("pk").first()
    opinion = Opinion.objects.order_by("pk").first()
    sent = Opinion.objects.filter(status=Status.SENT).order_by("pk").first()
    merged = Opinion.objects.filter(status=Status.MERGED).order_by("pk").first()
    return [
        reverse("public:index"),
        reverse("public:station_list"),
        reverse("public:station_detail", args=[station.public_code]),
        reverse("public:deputy_list"),
        reverse("public:opinion_new_station", args=[station.public_code]),
        reverse("opinions_public:track"),
        reverse("opinions_public:detail", args=[opinion.tracking_code]),
        # The rating form with its rating key field, and a merged opinion's view of its
        # main one.
        reverse("opinions_public:rate", args=[sent.tracking_code]),
        reverse("opinions_public:follow", args=[merged.tracking_code]),
        reverse("accounts:login"),
        reverse("accounts:password_reset"),
    ]


def test_public_pages_pass_axe_on_a_phone(phone_page, live_server, demo_district):
    for url in _public_urls():
        assert_accessible(phone_page, f"{live_server.url}{url}")


def test_the_public_form_with_errors_passes_axe(phone_page, live_server, demo_district):
    """The page a citizen gets back when the server refuses the form (the browser's own
    checks switched off, as an old phone browser would not run them)."""
    station = Station.objects.filter(kind=StationKind.COMMUNITY).order_by("pk").first()
    page = phone_page
    page.goto(
        f"{live_server.url}{reverse('public:opinion_new_station', args=[station.public_code])}"
    )
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid='true']").count() > 0
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()


# Besides the home page, the queue, a case, the overdue filter and the statistics: what
# each role also works with.
ROLE_PAGES = {
    "staff": [
        "opinions:import",
        "notifications:centre",
        "notifications:settings",
        "stations:list",
        "imports:list",
        "accounts:password_change",
    ],
    "street": ["notifications:centre", "stations:list"],
    "unit": ["notifications:centre", "notifications:settings"],
    "deputy": ["opinions:record", "opinions:session_new"],
    "liaison": ["opinions:record", "opinions:session_new"],
}


@pytest.mark.parametrize("username", sorted(ROLE_PAGES))
def test_opinion_work_pages_pass_axe(page, live_server, demo_district, username):
    log_in(page, live_server.url, username)
    queue = reverse("opinions:queue")
    assert_accessible(page, f"{live_server.url}/accounts/home/")
    assert_accessible(page, f"{live_server.url}{queue}")
    # The first case in the user's queue, as they would open it.
    page.goto(f"{live_server.url}{queue}")
    case_link = page.locator("main table a[href*='/work/opinions/']").first
    assert_accessible(page, case_link.evaluate("a => a.href"))
    assert_accessible(page, f"{live_server.url}{queue}?deadline=overdue")
    assert_accessible(page, f"{live_server.url}{reverse('opinions:stats')}")
    assert_accessible(page, f"{live_server.url}{reverse('opinions:topics')}")
    for name in ROLE_PAGES[username]:
        assert_accessible(page, f"{live_server.url}{reverse(name)}")


def test_the_confirmation_page_with_the_rating_key_passes_axe(
    phone_page, live_server, demo_district
):
    station = Station.objects.filter(kind=StationKind.COMMUNITY).order_by("pk").first()
    page = phone_page
    page.goto(
        f"{live_server.url}{reverse('public:opinion_new_station', args=[station.public_code])}"
    )
    page.locator("#id_subject").fill("楼道灯坏了")
    page.locator("#id_content").fill("3栋2单元楼道灯坏了一周，晚上上下楼看不见。")
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url("**/opinions/submitted/**")
    assert "您的评价码" in page.content()
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()


def test_audit_jobs_and_a_background_export_pass_axe(page, live_server, demo_district, monkeypatch):
    from zhitong.opinions import export

    monkeypatch.setattr(export, "INLINE_MAX_ROWS", 10)  # the demo's ledger is "large"
    log_in(page, live_server.url, "admin")
    assert_accessible(page, f"{live_server.url}{reverse('core:access_records')}")
    page.get_by_role("button", name="退出").click()
    log_in(page, live_server.url, "staff")
    assert_accessible(page, f"{live_server.url}{reverse('opinions:export')}")
    page.get_by_role("button", name="在后台生成").click()
    page.wait_for_url("**/work/jobs/*/")
    assert "下载" in page.content()
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()
    assert_accessible(page, f"{live_server.url}{reverse('core:jobs')}")


def test_the_first_tab_offers_to_skip_to_the_content(page, live_server, demo_district):
    log_in(page, live_server.url, "staff")
    page.goto(f"{live_server.url}{reverse('opinions:queue')}")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "跳到主要内容"
    assert page.locator(":focus").is_visible()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    # The next Tab lands inside the main content, not back in the navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("Boolean(document.activeElement.closest('#main'))")
