"""The statistics page's charts in Chromium: drawn (ECharts' SVG) under the content security
policy without a violation, a click on a bar (or Enter on a focused chart) opens the list of
as many opinions as the bar counts, and axe-core finds no WCAG 2.1 A/AA violation."""

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from zhitong.demo.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.browser

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}/accounts/home/")


def watch_policy(page) -> list[str]:
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return violations


def bar_centre(page, chart_id: str, series: int, index: int) -> tuple[float, float]:
    """Where a bar is on the page: its layout inside the chart plus the chart's position."""
    return page.evaluate(
        """([id, series, index]) => {
            const element = document.getElementById(id);
            const chart = echarts.getInstanceByDom(element);
            const bar = chart.getModel().getSeriesByIndex(series).getData().getItemLayout(index);
            const box = element.getBoundingClientRect();
            return [box.left + bar.x + bar.width / 2, box.top + bar.y + bar.height / 2];
        }""",
        [chart_id, series, index],
    )


def queue_count(page) -> int:
    text = page.locator("#queue-total").inner_text()
    return int(re.search(r"\d+", text).group(0))


@pytest.mark.parametrize("username", ["staff", "unit"])
def test_the_charts_draw_open_their_lists_and_pass_axe(page, live_server, demo_district, username):
    violations = watch_policy(page)
    log_in(page, live_server.url, username)
    stats_url = f"{live_server.url}{reverse('opinions:stats')}"
    page.goto(stats_url)
    data = json.loads(page.locator("#chart-data").text_content())
    assert {chart["id"] for chart in data} >= {"trend", "channel", "category", "street", "unit"}
    for chart in data:
        assert page.locator(f"#chart-{chart['id']} svg").count() == 1, chart["id"]
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()

    # A click on the channel chart's first "received" bar opens its list.
    channel = next(chart for chart in data if chart["id"] == "channel")
    page.locator("#chart-channel").scroll_into_view_if_needed()
    x, y = bar_centre(page, "chart-channel", 0, 0)
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r"/work/opinions/\?"))
    assert queue_count(page) == channel["series"][0]["data"][0]
    assert "channel=" in page.url and "total=1" in page.url

    # From the keyboard: the category chart focused, its second group, Enter.
    page.goto(stats_url)
    category = next(chart for chart in data if chart["id"] == "category")
    assert len(category["categories"]) >= 2
    page.locator("#chart-category").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    live = page.locator("#chart-category-live").inner_text()
    assert live.startswith(category["categories"][1])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/work/opinions/\?"))
    assert queue_count(page) == category["series"][0]["data"][1]
    assert violations == []


def test_the_statistics_page_in_english_passes_axe(page, live_server, demo_district):
    violations = watch_policy(page)
    log_in(page, live_server.url, "staff")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}{reverse('opinions:stats')}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#chart-trend svg").count() == 1
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()
    assert violations == []
