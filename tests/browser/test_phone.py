"""Working from a phone (390×844), in Chromium: liaisons and deputies at stations and on the
street.

- The queue, a case and the record form fit the screen: no element wider than the viewport,
  no text running one character per line; a screenshot of each (a real PNG, in the test's
  temporary directory, and in $E2E_SCREENSHOT_DIR when set); axe-core's WCAG 2.1 AA rules.
- The must-show loop on a phone: a walk-in opinion recorded by the liaison, referred by
  staff, replied by the unit, the reply sent; the liaison records the citizen's satisfaction
  from a phone call (回访) and the case closes.
- A reply nobody rated closes by itself after the district's working days (set on the
  settings page), with the clock moved: the live server runs in this process, so
  time-machine moves its clock too (the liaison's home then names the moved day).
"""

import datetime
import os
import re
import shutil
from pathlib import Path

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from zhitong.demo.accounts import DEMO_PASSWORD, DEMO_STREET_NAME, DEMO_UNIT_NAME
from zhitong.handling.models import Rating
from zhitong.opinions import intake, services
from zhitong.opinions.models import Category, Channel, Opinion, Status
from zhitong.workdays.selectors import working_calendar

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 390, 844
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
CATEGORY_NAME = "物业管理"  # routed to the street office (DEMO_UNIT_NAME)
CODE_PATTERN = re.compile(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}")
NO_ACTOR = "系统或反映人"

# What sticks out of a phone's screen, and text squeezed to a character or two per line:
# every element's box against the viewport; every text node's line boxes (Range rects); a
# table cell holding text narrower than two characters.
LAYOUT_PROBLEMS = """() => {
  const width = window.innerWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.classList.length ? '.' + [...el.classList].join('.') : '');
  const problems = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > width + 1) problems.push(`${name(el)} reaches ${Math.round(box.right)}px`);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, '');
    if (text.length < 2) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
      .map(r => Math.round(r.top)));
    // "退出" on two lines, or a longer text at two characters a line or fewer.
    if ((lines.size >= 2 && text.length / lines.size <= 1.5)
        || (lines.size >= 3 && text.length / lines.size <= 2)) {
      problems.push(`"${text.slice(0, 12)}" in ${name(node.parentElement)}: ${lines.size} lines`);
    }
  }
  for (const cell of document.querySelectorAll('td, th')) {
    const box = cell.getBoundingClientRect();
    const em = parseFloat(getComputedStyle(cell).fontSize);
    if (cell.innerText.trim() && box.width > 0 && box.width < 2 * em) {
      problems.push(`${name(cell)} "${cell.innerText.trim().slice(0, 12)}" is ${box.width}px wide`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, problems};
}"""


@pytest.fixture
def desk(browser):
    """A desktop browser for the staff and the unit."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/accounts/home/$"))


def log_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def assert_fits_a_phone(page, what):
    found = page.evaluate(LAYOUT_PROBLEMS)
    assert found["innerWidth"] == WIDTH, what
    assert found["scrollWidth"] <= WIDTH, f"{what}: scrollWidth {found['scrollWidth']}"
    assert not found["problems"], f"{what}:\n" + "\n".join(found["problems"][:20])


def assert_accessible(page, what):
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, f"{what}\n{results.generate_report()}"


def screenshot(page, folder: Path, name: str) -> Path:
    """A full-page PNG of what the phone shows, checked to be one, 390 px wide."""
    path = folder / f"phone_{name}.png"
    page.screenshot(path=str(path), full_page=True)
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.width == WIDTH and image.height >= HEIGHT
    wanted = os.environ.get("E2E_SCREENSHOT_DIR")
    if wanted:
        shutil.copy(path, Path(wanted) / path.name)
    return path


def first_screen(page, locator) -> bool:
    """Whether the element starts within the phone's first screen (page not scrolled)."""
    page.evaluate("window.scrollTo(0, 0)")
    box = locator.bounding_box()
    return box is not None and box["y"] < HEIGHT


def status_badge(page):
    return page.locator("main header").first.locator(".badge").first


def open_case_from_queue(page, base_url, subject):
    """The phone's queue, filters folded, the case found by its card's link."""
    page.goto(f"{base_url}/work/opinions/")
    page.get_by_role("link", name=subject).click()
    page.wait_for_url(re.compile(r"/work/opinions/\d+/$"))


def case_for(username, status):
    """An opinion of the demo in `status` that `username` may act on from the case page."""
    from zhitong.opinions.selectors import opinions_visible_to

    user = get_user_model().objects.get(username=username)
    opinion = opinions_visible_to(user).filter(status=status).order_by("-received_at").first()
    assert opinion is not None, (username, status)
    return opinion


# --- the pages fit a phone ----------------------------------------------------------------


def test_work_pages_fit_a_phone(phone_page, live_server, demo_district, tmp_path):
    page, base = phone_page, live_server.url

    # The liaison's home: "录入意见" on the first screen, with their own station chosen.
    log_in(page, base, "liaison")
    liaison = get_user_model().objects.get(username="liaison")
    own = list(intake.recording_stations(liaison))
    assert own, "the demo liaison keeps a station"
    record = page.get_by_role("region", name="录入意见").get_by_role("link").first
    assert first_screen(page, record)
    assert_fits_a_phone(page, "liaison home")
    record.click()
    page.wait_for_url(re.compile(rf"/work/opinions/record/\?station={own[0].pk}$"))
    assert page.get_by_label("接待站点").input_value() == str(own[0].pk)
    assert_fits_a_phone(page, "record form")
    screenshot(page, tmp_path, "record_form")
    assert_accessible(page, "record form")

    # The queue: filters folded away, one card per opinion.
    page.goto(f"{base}/work/opinions/")
    filters = page.locator("details.queue-filters")
    assert filters.evaluate("d => d.open") is False
    assert page.get_by_label("关键词").is_hidden()
    rows = page.locator("main table.table-cards tbody tr")
    assert rows.count() > 1
    card = rows.first.bounding_box()
    assert card["width"] <= WIDTH and card["height"] > 3 * 16  # a card, not a thin row
    assert page.locator("main table.table-cards thead").bounding_box()["height"] <= 1
    assert_fits_a_phone(page, "queue")
    screenshot(page, tmp_path, "queue")
    assert_accessible(page, "queue")
    # A filter in force keeps them open.
    page.locator("details.queue-filters > summary").click()
    page.get_by_label("状态").select_option(label="已反馈")
    page.get_by_role("button", name="筛选", exact=True).click()
    page.wait_for_url(re.compile(r"status=sent"))
    assert page.locator("details.queue-filters").evaluate("d => d.open") is True
    assert_fits_a_phone(page, "queue, filtered")

    # A case awaiting the citizen's rating: the phone rating form on the first screen.
    sent = case_for("liaison", Status.SENT)
    page.goto(f"{base}/work/opinions/{sent.pk}/")
    rating_form = page.get_by_role("form", name="记录回访评价")
    assert first_screen(page, rating_form)
    assert (
        rating_form.bounding_box()["y"]
        < page.get_by_role("heading", name="反映内容").bounding_box()["y"]
    )
    assert_fits_a_phone(page, "case (liaison)")
    screenshot(page, tmp_path, "case")
    assert_accessible(page, "case (liaison)")
    log_out(page)

    # Staff: the queue with its bulk forms, and a case to accept and refer.
    log_in(page, base, "staff")
    page.goto(f"{base}/work/opinions/")
    assert_fits_a_phone(page, "queue (staff)")
    screenshot(page, tmp_path, "queue_staff")
    received = case_for("staff", Status.RECEIVED)
    page.goto(f"{base}/work/opinions/{received.pk}/")
    assert first_screen(page, page.get_by_role("form", name="受理", exact=True))
    assert_fits_a_phone(page, "case (staff)")
    assert_accessible(page, "case (staff)")
    log_out(page)

    # The unit: its reply form first.
    log_in(page, base, "unit")
    handling = case_for("unit", Status.HANDLING)
    page.goto(f"{base}/work/opinions/{handling.pk}/")
    reply = page.get_by_role("form", name="提交答复")
    assert first_screen(page, reply.get_by_role("heading", name="提交答复"))
    assert_fits_a_phone(page, "case (unit)")
    screenshot(page, tmp_path, "case_unit")
    assert_accessible(page, "case (unit)")

    for name in ["record_form", "queue", "case", "queue_staff", "case_unit"]:
        assert (tmp_path / f"phone_{name}.png").stat().st_size > 10_000


# --- the must-show loop ---------------------------------------------------------------------


SUBJECT = "楼道声控灯坏了"
CONTENT = "来访群众反映：幸福小区5栋2单元楼道声控灯坏了半个月，晚上老人上下楼看不见，希望尽快修好。"
REPLY = "经核查，已安排物业公司更换5栋2单元楼道声控灯，已于当日恢复照明。"
CALLBACK = "群众电话里说灯已经修好了，很满意。"


def test_a_walk_in_recorded_on_a_phone_is_closed_by_a_phone_callback(
    phone_page, desk, live_server, demo_structure, tmp_path
):
    phone, base = phone_page, live_server.url
    users = get_user_model().objects.in_bulk(["liaison", "staff", "unit"], field_name="username")
    station = intake.recording_stations(users["liaison"]).first()
    assert station.street.name == DEMO_STREET_NAME

    # 1. At the station, the liaison records the visitor's opinion on a phone.
    log_in(phone, base, "liaison")
    phone.get_by_role("region", name="录入意见").get_by_role("link").first.click()
    phone.wait_for_url(re.compile(r"/work/opinions/record/\?station=\d+$"))
    assert phone.get_by_label("接待站点").input_value() == str(station.pk)
    assert phone.get_by_label("渠道").input_value() == Channel.STATION_VISIT
    phone.get_by_label("标题").fill(SUBJECT)
    phone.get_by_label("内容").fill(CONTENT)
    phone.get_by_label("类别（选填）").select_option(label=CATEGORY_NAME)
    phone.get_by_label("详细地点（选填）").fill("幸福小区5栋2单元")
    phone.get_by_label("姓名（选填）").fill("刘桂兰")
    phone.get_by_label("联系电话（选填）").fill("027-88123456")  # a landline: no SMS
    assert_fits_a_phone(phone, "record form, filled")
    phone.get_by_role("button", name="保存").click()
    phone.wait_for_url(re.compile(r"/work/opinions/record/\d+/done/$"))
    code = CODE_PATTERN.search(phone.locator("main").inner_text()).group(0)
    assert_fits_a_phone(phone, "recorded")
    screenshot(phone, tmp_path, "recorded")
    opinion = Opinion.objects.get(tracking_code=code)
    assert (opinion.channel, opinion.station_id, opinion.status) == (
        Channel.STATION_VISIT,
        station.pk,
        Status.RECEIVED,
    )
    assert opinion.recorded_by_id == users["liaison"].pk

    # 2. Staff accept it and refer it to the street office (desktop).
    log_in(desk, base, "staff")
    desk.goto(f"{base}/work/opinions/{opinion.pk}/")
    desk.get_by_role("form", name="受理", exact=True).get_by_role(
        "button", name="受理", exact=True
    ).click()
    desk.wait_for_load_state()
    assert status_badge(desk).inner_text() == "已受理"
    refer = desk.get_by_role("form", name="转办")
    refer.get_by_label("主办单位").select_option(label=DEMO_UNIT_NAME)
    refer.get_by_role("button", name="转办", exact=True).click()
    desk.wait_for_load_state()
    assert status_badge(desk).inner_text() == "已转办"
    log_out(desk)

    # 3. The unit signs for it and replies.
    log_in(desk, base, "unit")
    desk.goto(f"{base}/work/opinions/{opinion.pk}/")
    desk.get_by_role("button", name="签收", exact=True).click()
    desk.wait_for_load_state()
    reply = desk.get_by_role("form", name="提交答复")
    reply.get_by_label("答复内容").fill(REPLY)
    reply.get_by_role("button", name="提交答复").click()
    desk.wait_for_load_state()
    assert status_badge(desk).inner_text() == "已答复"
    log_out(desk)

    # 4. Staff review the reply and send it.
    log_in(desk, base, "staff")
    desk.goto(f"{base}/work/opinions/{opinion.pk}/")
    desk.get_by_role("form", name="审核答复并反馈群众").get_by_role(
        "button", name="反馈群众"
    ).click()
    desk.wait_for_load_state()
    assert status_badge(desk).inner_text() == "已反馈"
    sent_at = opinion.replies.get().sent_at

    # 5. Half an hour later the liaison calls the citizen back and, another half hour on,
    # records on the phone what was said; the clock is moved so both times are real.
    called = timezone.localtime(sent_at) + datetime.timedelta(minutes=30)
    with time_machine.travel(called + datetime.timedelta(minutes=30), tick=True):
        open_case_from_queue(phone, base, SUBJECT)
        assert status_badge(phone).inner_text() == "已反馈"
        form = phone.get_by_role("form", name="记录回访评价")
        assert first_screen(phone, form)
        form.get_by_label("回访方式").select_option(label="电话回访")
        form.get_by_label("回访时间").fill(called.strftime("%Y-%m-%dT%H:%M"))
        form.get_by_label("群众的评价").select_option(label="满意")
        form.get_by_label("群众的意见").fill(CALLBACK)
        assert_fits_a_phone(phone, "case, rating by phone")
        form.get_by_role("button", name="记录评价").click()
        phone.wait_for_load_state()

        # 6. Closed: on the page and in the database, the rating the liaison's own act.
        assert status_badge(phone).inner_text() == "已办结"
        answers = phone.get_by_role("region", name="答复与评价").inner_text()
        assert "满意" in answers and "电话回访" in answers and CALLBACK in answers
        timeline = phone.get_by_role("region", name="办理记录").inner_text()
        assert called.strftime("%Y-%m-%d %H:%M") in timeline
        assert_fits_a_phone(phone, "case, closed")
        screenshot(phone, tmp_path, "case_closed")
    opinion.refresh_from_db()
    assert opinion.status == Status.CLOSED
    rating = Rating.objects.get(opinion=opinion)
    assert (rating.score, rating.method, rating.comment) == (
        Rating.Score.SATISFIED,
        Rating.Method.PHONE,
        CALLBACK,
    )
    assert rating.taken_by_id == users["liaison"].pk
    assert timezone.localtime(rating.created_at).replace(second=0, microsecond=0) == called.replace(
        second=0, microsecond=0
    )


# --- closing by itself ----------------------------------------------------------------------


def _sent_reply(users) -> Opinion:
    """A walk-in recorded, referred, replied and sent today, through the services (the
    loop above goes through the pages)."""
    station = intake.recording_stations(users["liaison"]).first()
    opinion = intake.opinion_record(
        by=users["liaison"],
        data={"subject": "小区门口路灯不亮", "content": "小区门口两盏路灯一周没亮。"},
        station=station,
        channel=Channel.STATION_VISIT,
    )
    services.opinion_accept(opinion=opinion, by=users["staff"])
    services.opinion_refer(
        opinion=opinion,
        by=users["staff"],
        unit=users["unit"].unit,
        category=Category.objects.get(name=CATEGORY_NAME),
    )
    lead = services.referral_accept(referral=opinion.referrals.get(), by=users["unit"])
    reply = services.reply_submit(referral=lead, by=users["unit"], text="已更换灯泡。")
    services.reply_send(reply=reply, by=users["staff"])
    return Opinion.objects.get(pk=opinion.pk)


def test_an_unrated_reply_closes_by_itself_after_the_set_days(
    phone_page, desk, live_server, demo_structure, tmp_path
):
    base = live_server.url
    users = get_user_model().objects.in_bulk(["liaison", "staff", "unit"], field_name="username")
    opinion = _sent_reply(users)
    assert opinion.status == Status.SENT
    sent_on = timezone.localdate(opinion.replies.get().sent_at)

    # Staff set the district's days to 3 on the settings page.
    log_in(desk, base, "staff")
    desk.goto(f"{base}/work/opinions/settings/")
    field = desk.get_by_label("逾期未评价自动办结（工作日）")
    assert field.input_value() == "10"
    field.fill("3")
    desk.get_by_role("button", name="保存").click()
    desk.wait_for_load_state()
    assert "意见办理设置已保存。" in desk.locator("main").inner_text()

    calendar = working_calendar()
    third = calendar.add_working_days(sent_on, 3).due
    second = calendar.add_working_days(sent_on, 2).due
    tz = timezone.get_current_timezone()

    # Two working days on, the daily check leaves it open.
    with time_machine.travel(datetime.datetime.combine(second, datetime.time(0, 30), tz)):
        call_command("handling_check_deadlines", verbosity=0)
    opinion.refresh_from_db()
    assert opinion.status == Status.SENT

    # On the third working day it closes, as 默认满意, the system's act.
    with time_machine.travel(datetime.datetime.combine(third, datetime.time(0, 30), tz)):
        call_command("handling_check_deadlines", verbosity=0)
    opinion.refresh_from_db()
    assert opinion.status == Status.CLOSED
    rating = Rating.objects.get(opinion=opinion)
    assert (rating.score, rating.method, rating.taken_by_id) == (
        Rating.Score.DEFAULT,
        Rating.Method.AUTO,
        None,
    )

    # That morning the liaison opens the case on a phone. The live server's clock moved
    # too: the home names the moved day (and the session of days ago has lapsed).
    phone = phone_page
    with time_machine.travel(datetime.datetime.combine(third, datetime.time(9, 0), tz), tick=True):
        log_in(phone, base, "liaison")
        heading = phone.get_by_role("heading", name=re.compile("我联系的站点")).inner_text()
        assert f"{third.month}月{third.day}日" in heading, heading
        open_case_from_queue(phone, base, "小区门口路灯不亮")
        assert status_badge(phone).inner_text() == "已办结"
        answers = phone.get_by_role("region", name="答复与评价").inner_text()
        assert "默认满意" in answers and "逾期未评价" in answers
        entries = phone.get_by_role("region", name="办理记录").get_by_role("listitem")
        last = entries.nth(entries.count() - 1).inner_text()
        assert "逾期未评价，默认满意办结" in last
        assert NO_ACTOR in last
        assert "答复反馈后3个工作日无人评价" in last
        assert third.strftime("%Y-%m-%d 00:30") in last
        assert_fits_a_phone(phone, "case, closed by itself")
        screenshot(phone, tmp_path, "case_closed_default")
        assert_accessible(phone, "case, closed by itself")
