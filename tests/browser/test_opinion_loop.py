"""End to end in Chromium: one opinion's closed loop (意见闭环) through the real pages.

A citizen scans a deputy's QR code on a phone and submits with a photo; staff accept
and refer it; the street office signs for it and replies; staff send the reply; the
citizen rates it 满意 by the tracking code; the opinion is closed and the case page's
timeline names who did each step and when. Nothing is moved along by service calls:
the database is read only to pick the deputy and place and to check the end state.
"""

import io
import os
import re
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from PIL import Image

from zhitong.demo.accounts import DEMO_PASSWORD, DEMO_STREET_NAME, DEMO_UNIT_NAME
from zhitong.handling.models import Assignment, Rating
from zhitong.opinions.models import Channel, Opinion, Status
from zhitong.public import qr
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations import directory
from zhitong.stations.models import StationAssignment

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390
CATEGORY_NAME = "物业管理"  # routed to the street office where the matter arises
CODE_PATTERN = re.compile(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}")
TIME_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
# Steps without a signed-in actor (the submitter's own) are shown with this name.
NO_ACTOR = "系统或反映人"
SUBJECT = "小区电梯经常停运"
CONTENT = "宏达小区3栋的电梯这个月停了四次，老人上下楼很困难，物业一直没有修好，希望督促尽快维修。"
REPLY = "经现场核查，已责成物业公司更换电梯主板，本周五前恢复运行，并每月安排维保检查。"
RATING_COMMENT = "电梯已经修好了，谢谢！"


@pytest.fixture
def unit_page(browser):
    """A second desktop browser, for the handling unit's account."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name):
    """A full-page picture for a person to look at: $E2E_SCREENSHOT_DIR (else the temp dir)."""
    folder = Path(os.environ.get("E2E_SCREENSHOT_DIR") or tempfile.gettempdir())
    page.screenshot(path=str(folder / f"e2e_{name}.png"), full_page=True)


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/accounts/home/$"))


def open_case(page, base_url, code, subject):
    """Find the opinion in the work queue by its tracking code and open its case page."""
    page.goto(f"{base_url}/work/opinions/")
    page.get_by_label("关键词").fill(code)
    page.get_by_role("button", name="筛选", exact=True).click()
    page.get_by_role("link", name=subject).click()
    page.wait_for_url(re.compile(r"/work/opinions/\d+/$"))
    assert code in page.get_by_role("navigation", name="面包屑").inner_text()


def status_badge(page):
    """The case page's status badge, beside its heading."""
    return page.locator("main header").first.locator(".badge").first


def png_photo() -> bytes:
    """A small real photo (PNG), made here so the upload check decodes a genuine image."""
    image = Image.new("RGB", (64, 48), (180, 40, 40))
    for x in range(64):
        image.putpixel((x, 24), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def deputy_in_demo_street():
    """A serving deputy whose opinions go to a station of the demo street."""
    street = Region.objects.get(name=DEMO_STREET_NAME, level=RegionLevel.STREET)
    assignments = (
        StationAssignment.objects.current()
        .filter(station__street=street, station__is_active=True)
        .select_related("deputy")
        .order_by("pk")
    )
    for assignment in assignments:
        deputy = directory.deputy_get(assignment.deputy.public_code)
        station = directory.deputy_main_station(deputy)
        if station is not None and station.street_id == street.pk:
            return deputy, station, street
    pytest.fail(f"the demo has no deputy at a station of {DEMO_STREET_NAME}")


def timeline_rows(page) -> list[tuple[str, str, str]]:
    """(time, step, actor) of each entry of the case page's 办理记录."""
    items = page.get_by_role("region", name="办理记录").get_by_role("listitem")
    rows = []
    for i in range(items.count()):
        item = items.nth(i)
        time_text = item.locator("time").inner_text().strip()
        # "2026-11-26 15:48 · 受理 · 张三 （待受理 → 已受理）", then detail lines.
        first_line = item.inner_text().strip().splitlines()[0]
        parts = [part.strip() for part in first_line.split("·")]
        assert len(parts) >= 3, first_line
        actor = re.sub(r"（[^（）]*→[^（）]*）$", "", "·".join(parts[2:])).strip()
        rows.append((time_text, parts[1], actor))
    return rows


def test_citizen_to_unit_and_back_closes_the_loop(
    phone_page, page, unit_page, live_server, demo_district, settings
):
    base = live_server.url
    # Printed codes carry the configured public address; here that is the live server.
    settings.PUBLIC_BASE_URL = base
    deputy, station, street = deputy_in_demo_street()
    community = (
        Region.objects.filter(parent=street, level=RegionLevel.COMMUNITY).order_by("path").first()
    )
    users = get_user_model().objects.in_bulk(["staff", "unit"], field_name="username")
    staff_name, unit_name = users["staff"].get_full_name(), users["unit"].get_full_name()
    assert users["unit"].unit.name == DEMO_UNIT_NAME

    # 1. The citizen scans the deputy's QR code: it encodes the deputy's form URL.
    phone = phone_page
    target = qr.deputy_target(deputy.public_code)
    assert target == f"{base}/opinions/new/deputy/{deputy.public_code}/"
    scanned = phone.request.get(f"{base}/qr/deputy/{deputy.public_code}.png")
    assert scanned.status == 200
    assert scanned.body() == qr.qr_bytes(target, "png")

    phone.goto(target)
    assert phone.get_by_role("heading", level=1).inner_text() == "反映意见建议"
    assert deputy.name in phone.locator("main").inner_text()
    phone.get_by_label("标题").fill(SUBJECT)
    phone.get_by_label("内容").fill(CONTENT)
    phone.get_by_label("类别").select_option(label=CATEGORY_NAME)
    place = phone.get_by_label("所在社区")
    option = place.locator(f'optgroup[label="{street.name}"] option', has_text=community.name)
    place.select_option(value=option.get_attribute("value"))
    phone.get_by_label("详细地点").fill("宏达小区3栋")
    phone.get_by_label("照片").set_input_files(
        files=[{"name": "elevator.png", "mimeType": "image/png", "buffer": png_photo()}]
    )
    phone.get_by_label("姓名").fill("王建华")
    phone.get_by_label("手机号码").fill("13912345678")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    screenshot(phone, "public_form")
    phone.get_by_role("button", name="提交", exact=True).click()

    phone.wait_for_url(re.compile(r"/opinions/submitted/[^/]+/$"))
    assert phone.get_by_role("heading", level=1).inner_text() == "提交成功"
    code_box = phone.get_by_role("region", name="您的查询码")
    found = CODE_PATTERN.search(code_box.inner_text())
    assert found, code_box.inner_text()
    code = found.group(0)
    # The rating key (评价码) is shown to the submitter alone, beside the code.
    key_found = re.search(r"评价码\s*([0-9A-Z]{4}-[0-9A-Z]{4})", code_box.inner_text())
    assert key_found, code_box.inner_text()
    rating_key = key_found.group(1)
    # The code also went by SMS to the (masked) phone number.
    assert "139****5678" in phone.locator("main").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    screenshot(phone, "confirmation")

    opinion = Opinion.objects.get(tracking_code=code)
    assert opinion.status == Status.RECEIVED
    assert opinion.channel == Channel.QR_DEPUTY
    assert (opinion.deputy_id, opinion.station_id) == (deputy.pk, station.pk)
    assert opinion.category.name == CATEGORY_NAME
    assert opinion.place_id == community.pk
    assert opinion.attachments.filter(reply__isnull=True).count() == 1

    # 2. Staff find it in the queue, accept it and refer it to the street office.
    log_in(page, base, "staff")
    open_case(page, base, code, SUBJECT)
    assert status_badge(page).inner_text() == "待受理"
    page.get_by_role("img", name="照片 1").wait_for()
    accept = page.get_by_role("form", name="受理")
    accept.get_by_label("受理备注").fill("属物业管理问题，予以受理。")
    accept.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_load_state()
    assert status_badge(page).inner_text() == "已受理"

    refer = page.get_by_role("form", name="转办")
    # The routing table (分级分类) suggests the street office, and the form starts there.
    assert DEMO_UNIT_NAME in refer.inner_text()
    unit_select = refer.get_by_label("主办单位")
    assert unit_select.locator("option:checked").inner_text() == DEMO_UNIT_NAME
    unit_select.select_option(label=DEMO_UNIT_NAME)
    refer.get_by_label("转办说明").fill("请核实并督促物业维修。")
    refer.get_by_role("button", name="转办", exact=True).click()
    page.wait_for_load_state()
    assert status_badge(page).inner_text() == "已转办"
    referrals = page.get_by_role("region", name="转办与办理期限")
    assert DEMO_UNIT_NAME in referrals.inner_text()

    # 3. The unit finds it in its own queue, signs for it and replies.
    log_in(unit_page, base, "unit")
    open_case(unit_page, base, code, SUBJECT)
    unit_page.get_by_role("button", name="签收", exact=True).click()
    unit_page.wait_for_load_state()
    assert status_badge(unit_page).inner_text() == "办理中"
    reply_form = unit_page.get_by_role("form", name="提交答复")
    reply_form.get_by_label("答复内容").fill(REPLY)
    reply_form.get_by_role("button", name="提交答复").click()
    unit_page.wait_for_load_state()
    assert status_badge(unit_page).inner_text() == "已答复"
    assert REPLY in unit_page.get_by_role("region", name="答复与评价").inner_text()

    # 4. Staff review the reply and send it to the submitter.
    page.reload()
    send = page.get_by_role("form", name="审核答复并反馈群众")
    assert send.get_by_label("反馈给群众的内容").input_value() == REPLY
    send.get_by_role("button", name="反馈群众").click()
    page.wait_for_load_state()
    assert status_badge(page).inner_text() == "已反馈"

    # 5. The citizen looks the code up (typed loosely), reads the reply and rates it.
    phone.goto(f"{base}/opinions/track/")
    phone.get_by_label("查询码").fill(code.lower().replace("-", " "))
    phone.get_by_role("button", name="查询", exact=True).click()
    phone.wait_for_url(re.compile(rf"/opinions/track/{code}/$"))
    assert "已反馈" in phone.locator("main").inner_text()
    assert REPLY in phone.get_by_role("region", name="答复").inner_text()
    rate = phone.get_by_role("region", name="评价办理结果")
    rate.get_by_label("评价码").fill(rating_key.lower())
    rate.get_by_label("满意", exact=True).check()
    rate.get_by_label("评价意见").fill(RATING_COMMENT)
    rate.get_by_role("button", name="提交评价").click()
    phone.wait_for_url(re.compile(rf"/opinions/track/{code}/$"))
    main = phone.locator("main").inner_text()
    assert "感谢您的评价！" in phone.content()
    assert "已办结" in main
    assert "您的评价：满意" in main
    assert phone.get_by_role("region", name="评价办理结果").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    screenshot(phone, "tracking_closed")

    # 6. Closed, and the case page's timeline names who did each step and when.
    opinion.refresh_from_db()
    assert opinion.status == Status.CLOSED
    rating = Rating.objects.get(opinion=opinion)
    assert (rating.score, rating.comment) == (Rating.Score.SATISFIED, RATING_COMMENT)
    referral = Assignment.objects.get(opinion=opinion)
    assert referral.unit.name == DEMO_UNIT_NAME
    assert referral.accepted_at is not None and referral.replied_at is not None

    page.reload()
    assert status_badge(page).inner_text() == "已办结"
    rows = timeline_rows(page)
    assert [(step, actor) for _time, step, actor in rows] == [
        ("收到意见", NO_ACTOR),
        ("受理", staff_name),
        ("转办", staff_name),
        ("承办单位签收", unit_name),
        ("承办单位答复", unit_name),
        ("审核并反馈群众", staff_name),
        ("群众评价", NO_ACTOR),
    ]
    for time_text, step, actor in rows:
        assert TIME_PATTERN.match(time_text), (step, time_text)
        assert actor, step
    screenshot(page, "case_closed")
    assert [time_text for time_text, _step, _actor in rows] == sorted(
        time_text for time_text, _step, _actor in rows
    )
