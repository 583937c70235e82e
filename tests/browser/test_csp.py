"""The Content-Security-Policy in Chromium: no page of the site breaks it, and it stops
what it is there to stop (an injected inline script, event handler or style)."""

from urllib.parse import urljoin, urlparse

import pytest

from zhitong.demo.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# Not pages: downloads (spreadsheets, pictures, the posters' PDFs), and the way out.
SKIP = ("logout", "export", "download", ".xlsx", ".csv", ".png", ".svg", "/posters/")


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}/accounts/home/")


def visit_from(page, start: str, limit: int) -> list[str]:
    """Open `start` and the pages it links to, breadth first, at most `limit` pages."""
    host = urlparse(start).netloc
    queue, seen = [start], []
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or any(part in url for part in SKIP):
            continue
        seen.append(url)
        page.goto(url)
        for href in page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)"):
            target = urljoin(url, href).split("#")[0]
            if urlparse(target).netloc == host and target not in seen:
                queue.append(target)
    return seen


@pytest.mark.parametrize("username", [None, "staff", "street", "deputy", "unit", "admin"])
def test_no_page_breaks_the_policy(page, live_server, demo_district, username):
    violations = []
    page.on(
        "console",
        lambda m: (
            violations.append(f"{page.url}: {m.text}")
            if "Content Security Policy" in m.text
            else None
        ),
    )
    if username:
        log_in(page, live_server.url, username)
    start = f"{live_server.url}/accounts/home/" if username else f"{live_server.url}/"
    seen = visit_from(page, start, limit=25)
    assert len(seen) > 5
    assert violations == []


def test_the_policy_stops_injected_script_and_style(page, live_server, demo_district):
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        """document.body.insertAdjacentHTML('beforeend',
            '<div id="probe" style="color: rgb(255, 0, 0)">x</div>' +
            '<img src="/no-such-image" onerror="window.pwned = 1">')"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.pwned") is None
    assert page.eval_on_selector("#probe", "e => getComputedStyle(e).color") != "rgb(255, 0, 0)"
    assert sum("Content Security Policy" in m for m in messages) >= 2
