"""End to end in Chromium: every demo account reaches its home page; a citizen's phone
opens a station page and its QR code."""

import re

import pytest
from django.utils.translation import override

from zhitong.accounts.models import Role
from zhitong.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from zhitong.stations.models import Station, StationKind

pytestmark = pytest.mark.browser


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.role)
def test_each_demo_account_logs_in_and_lands_on_its_home(
    page, live_server, demo_structure, account
):
    log_in(page, live_server.url, account.username)
    page.wait_for_url(re.compile(r"/accounts/home/$"))
    with override("zh-hans"):
        label = str(Role(account.role).label)
    heading = page.get_by_role("heading", level=1)
    assert label in heading.inner_text()
    # Signing out returns to the public site.
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{live_server.url}/")


def test_phone_opens_a_station_page_and_its_qr_code(phone_page, live_server, demo_structure):
    station = Station.objects.filter(kind=StationKind.COMMUNITY).order_by("pk").first()
    page = phone_page
    page.goto(f"{live_server.url}/stations/")
    assert page.get_by_role("heading", level=1).inner_text()
    page.goto(f"{live_server.url}/stations/{station.public_code}/")
    assert station.name in page.get_by_role("heading", level=1).inner_text()
    assert station.address in page.content()
    # The page fits the phone: nothing wider than the viewport.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    qr = page.locator("img[src*='/qr/station/'], svg").first
    assert qr.is_visible()
    response = page.request.get(f"{live_server.url}/qr/station/{station.public_code}.png")
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
    assert response.body()[:8] == b"\x89PNG\r\n\x1a\n"
    page.goto(f"{live_server.url}/qr/station/{station.public_code}.svg")
    assert page.locator("svg").count() == 1
