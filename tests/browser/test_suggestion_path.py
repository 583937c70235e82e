"""End to end in Chromium: one deputy's suggestion (代表建议) through the real pages, 提交办督评.

A deputy drafts a suggestion on the new-draft page and invites a co-signer, who accepts;
the deputy submits it; the street committee (中华路街道人大工委) returns it with a comment;
the deputy edits and resubmits; the street committee and then district staff pass it; staff
register it (lead unit 中华路街道办事处, one co-unit) and confirm it at the assignment
meeting; the co-unit signs and sends its views; the lead unit signs, records its contact
with the deputy and replies (class B, two commitments, a signed PDF letter); the deputy rates
不满意, the lead unit replies again, the deputy rates 满意; the lead unit reports both
commitments carried out, staff verify both, and the suggestion is 已办结. The suggestion
page's timeline names each step and its actor, in order (the unit's view shows the
rating without the rater: 背靠背).

Nothing is moved along by service calls. Set up through the database beforehand, as a
district office would have done before the session (the demo structure lacks them): an
account for the co-unit (a second handling unit of the district). The congress session is
created by staff on the sessions page; the co-signer is another demo deputy, whose account
the demo structure already has (every deputy online, 全进网).
"""

import os
import re
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from zhitong.accounts.models import Role
from zhitong.demo.accounts import DEMO_PASSWORD, DEMO_STREET_NAME, DEMO_UNIT_NAME
from zhitong.deputies.models import Deputy, Term
from zhitong.suggestions.models import Commitment, Status, Suggestion
from zhitong.units.models import HandlingUnit

pytestmark = pytest.mark.browser

TITLE = "关于加快中华路沿线老旧小区加装电梯的建议"
CONTENT = "中华路沿线老旧小区多为六层无电梯住宅，老年居民上下楼困难。建议加快加装电梯工作。"
ADDED = "涉及宏达小区、和平里小区、新华小区三个小区，共十二个单元。"
RETURN_COMMENT = "请写明涉及的具体小区和单元数量。"
VIEWS = "协办意见：同意主办单位方案，本单位负责协调管线迁改。"
REPLY_1 = "已将加装电梯列入年度计划，正在推进。"
REPLY_2 = "已调整计划，增加施工队伍，加快进度。"
COMMITMENT_1 = "6月底前完成宏达小区两台电梯加装"
COMMITMENT_2 = "9月底前完成其余小区电梯加装"
UNSATISFIED_COMMENT = "进度太慢，请加快。"
CATEGORY = "老旧小区改造"


def screenshot(page, name):
    """A full-page picture for a person to look at: $E2E_SCREENSHOT_DIR (else the temp dir)."""
    folder = Path(os.environ.get("E2E_SCREENSHOT_DIR") or tempfile.gettempdir())
    page.screenshot(path=str(folder / f"e2e_{name}.png"), full_page=True)


def letter_pdf() -> bytes:
    """A small real PDF (one blank page), the signed letter."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.fixture
def pages(browser):
    """One desktop browser per person (each with its own cookies)."""
    contexts = []

    def new_page():
        context = browser.new_context(locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield new_page
    for context in contexts:
        context.close()


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/accounts/home/$"))


def pick(select, text):
    """Choose the option whose label ends with `text` (a category shows its parent first)."""
    option = select.locator("option").filter(has_text=re.compile(rf"{re.escape(text)}$"))
    select.select_option(value=option.first.get_attribute("value"))


def status_badge(page):
    return page.get_by_role("heading", level=1).locator(".badge").first


def submit(page, button):
    """Click a form's button and wait for the page the server gives back."""
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None and response.status < 400, (
        page.url,
        response and response.status,
        page.locator(".invalid-feedback, .alert-danger, .errorlist").all_inner_texts(),
    )
    alert = page.locator("#action-error")
    assert alert.count() == 0, alert.inner_text()


def timeline_rows(page) -> list[tuple[str, str]]:
    """(step, actor) of each entry of the suggestion page's 办理过程."""
    items = page.get_by_role("region", name="办理过程").get_by_role("listitem")
    rows = []
    for i in range(items.count()):
        item = items.nth(i)
        rows.append(
            (
                item.locator("strong").first.inner_text().strip(),
                item.locator(":scope > span").first.inner_text().strip(),
            )
        )
    return rows


def test_a_suggestion_from_draft_to_closed(pages, live_server, demo_structure):
    base = live_server.url
    User = get_user_model()
    users = User.objects.in_bulk(["deputy", "street", "staff", "unit"], field_name="username")
    lead_deputy = Deputy.objects.get(user=users["deputy"])
    cosigner = (
        Deputy.objects.filter(district=lead_deputy.district, user__isnull=False)
        .exclude(pk=lead_deputy.pk)
        .order_by("name", "pk")
        .first()
    )
    lead_unit = users["unit"].unit
    assert lead_unit.name == DEMO_UNIT_NAME
    co_unit = (
        HandlingUnit.objects.filter(region__path__startswith=lead_deputy.district.path)
        .exclude(pk=lead_unit.pk)
        .order_by("name", "pk")
        .first()
    )
    # Set up beforehand by the district office: the co-unit's account.
    User.objects.create(
        username="co-unit",
        role=Role.UNIT,
        unit=co_unit,
        display_name=f"{co_unit.name}承办人",
        password=make_password(DEMO_PASSWORD),
    )
    names = {u: users[u].get_full_name() for u in users}
    term = Term.objects.filter(region=lead_deputy.district).order_by("-number").first()

    # 0. Staff add the congress session on the sessions page.
    staff = pages()
    log_in(staff, base, "staff")
    staff.goto(f"{base}/work/suggestions/sessions/")
    staff.get_by_label("届次").select_option(label=str(term))
    staff.get_by_label("会议次数").fill("4")
    staff.get_by_label("开幕日期").fill("2026-01-05")
    staff.get_by_label("闭幕日期").fill("2026-01-08")
    submit(staff, staff.get_by_role("button", name="添加", exact=True))
    session_name = (
        staff.get_by_role("table")
        .get_by_role("row")
        .nth(1)
        .get_by_role("cell")
        .first.inner_text()
        .strip()
    )

    # 1. The deputy drafts it on the new-draft page.
    deputy = pages()
    log_in(deputy, base, "deputy")
    deputy.goto(f"{base}/work/suggestions/new/")
    deputy.get_by_label("建议标题").fill(TITLE)
    deputy.get_by_label("建议内容").fill(CONTENT)
    pick(deputy.get_by_label("类别"), CATEGORY)
    deputy.get_by_label("阅看街道").select_option(label=DEMO_STREET_NAME)
    deputy.get_by_label("所属会议").select_option(label=session_name)
    deputy.get_by_label("闭会期间").check()
    submit(deputy, deputy.get_by_role("button", name="保存草稿"))
    deputy.wait_for_url(re.compile(r"/work/suggestions/\d+/$"))
    assert status_badge(deputy).inner_text() == "草稿"
    suggestion_url = deputy.url
    suggestion = Suggestion.objects.get(title=TITLE)
    assert suggestion.street.name == DEMO_STREET_NAME

    # ... and invites a co-signer.
    invite = deputy.get_by_role("form", name="邀请代表联名")
    invite.get_by_label("邀请联名代表").select_option(label=cosigner.name)
    submit(deputy, invite.get_by_role("button", name="发出邀请"))

    # 2. The co-signer logs in and accepts.
    cosigning = pages()
    log_in(cosigning, base, cosigner.user.username)
    cosigning.goto(suggestion_url)
    submit(cosigning, cosigning.get_by_role("button", name="同意联名"))

    # 3. The deputy submits it.
    deputy.reload()
    submit(deputy, deputy.get_by_role("form", name="提交阅看").get_by_role("button", name="提交"))
    assert status_badge(deputy).inner_text() == "待街道阅看"

    # 4. The street committee returns it with a comment.
    street = pages()
    log_in(street, base, "street")
    street.goto(f"{base}/work/suggestions/review/")
    street.get_by_role("link", name=TITLE).click()
    street.wait_for_url(suggestion_url)
    review = street.locator("#form-review")
    review.get_by_label("阅看意见").fill(RETURN_COMMENT)
    review.get_by_label("退回修改").check()
    submit(street, review.get_by_role("button", name="保存阅看结果"))
    assert status_badge(street).inner_text() == "退回修改"

    # 5. The deputy edits and resubmits.
    deputy.reload()
    assert RETURN_COMMENT in deputy.locator("main").inner_text()
    deputy.get_by_role("link", name="修改建议").click()
    deputy.get_by_label("建议内容").fill(CONTENT + ADDED)
    submit(deputy, deputy.get_by_role("button", name="保存草稿"))
    submit(
        deputy, deputy.get_by_role("form", name="重新提交").get_by_role("button", name="重新提交")
    )
    assert status_badge(deputy).inner_text() == "待街道阅看"

    # 6. The street committee passes it (all checklist items).
    street.reload()
    review = street.locator("#form-review")
    for check in ("合规", "一事一议", "现实可行", "文书规范"):
        review.get_by_label(check, exact=True).check()
    review.get_by_label("通过", exact=True).check()
    submit(street, review.get_by_role("button", name="保存阅看结果"))
    assert status_badge(street).inner_text() == "待区人大阅看"

    # 7. District staff pass it.
    staff.goto(suggestion_url)
    review = staff.locator("#form-review")
    for check in ("合规", "一事一议", "现实可行", "文书规范"):
        review.get_by_label(check, exact=True).check()
    review.get_by_label("通过", exact=True).check()
    submit(staff, review.get_by_role("button", name="保存阅看结果"))
    assert status_badge(staff).inner_text() == "待立案"

    # 8. Staff register it.
    register = staff.get_by_role("region", name="立案编号")
    pick(register.get_by_label("建议类别"), CATEGORY)
    register.get_by_label("拟主办单位").select_option(label=lead_unit.name)
    register.get_by_label("拟协办单位").select_option(label=co_unit.name)
    submit(staff, register.get_by_role("button", name="立案"))
    assert status_badge(staff).inner_text() == "已立案待交办"

    # 9. ... and confirm it at the assignment meeting.
    staff.goto(f"{base}/work/suggestions/meeting/")
    staff.get_by_role("checkbox").first.check()
    submit(staff, staff.get_by_role("button", name="确认交办"))
    staff.goto(suggestion_url)
    assert status_badge(staff).inner_text() == "已交办"

    # 10. The co-unit signs and sends its views.
    co = pages()
    log_in(co, base, "co-unit")
    co.goto(suggestion_url)
    submit(co, co.get_by_role("button", name="签收", exact=True))
    views = co.get_by_role("form", name="协办意见（送主办单位）")
    views.get_by_label("协办意见").fill(VIEWS)
    submit(co, views.get_by_role("button", name="提交协办意见"))

    # 11. The lead unit signs, records its contact with the deputy and replies.
    unit = pages()
    log_in(unit, base, "unit")
    unit.goto(suggestion_url)
    submit(unit, unit.get_by_role("button", name="签收", exact=True))
    contact = unit.get_by_role("form", name="记录办前沟通")
    contact.get_by_label("沟通时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    contact.get_by_label("沟通方式").select_option(label="当面走访")
    contact.get_by_label("沟通情况").fill("上门听取代表意见，代表希望先做宏达小区。")
    submit(unit, contact.get_by_role("button", name="保存沟通记录"))
    reply = unit.get_by_role("form", name="书面答复")
    reply.get_by_label("答复内容").fill(REPLY_1)
    reply.get_by_label("加盖公章的答复函").set_input_files(
        files=[{"name": "答复函.pdf", "mimeType": "application/pdf", "buffer": letter_pdf()}]
    )
    reply.get_by_label("B 正在解决或列入计划解决").check()
    reply.get_by_label("承诺事项1").fill(COMMITMENT_1)
    reply.get_by_label("完成时间1").fill("2027-06-30")
    reply.get_by_label("承诺事项2").fill(COMMITMENT_2)
    reply.get_by_label("完成时间2").fill("2027-09-30")
    submit(unit, reply.get_by_role("button", name="提交答复"))
    assert status_badge(unit).inner_text() == "已答复待评价"

    # 12. The deputy rates it 不满意 with a comment.
    deputy.goto(suggestion_url)
    rate = deputy.get_by_role("form", name="我的评价")
    rate.get_by_role("group", name="对办理结果").get_by_label("不满意").check()
    rate.get_by_role("group", name="对办理态度").get_by_label("基本满意").check()
    rate.get_by_label("评价意见").fill(UNSATISFIED_COMMENT)
    submit(deputy, rate.get_by_role("button", name="提交评价"))
    assert status_badge(deputy).inner_text() == "重新办理"

    # 13. The lead unit replies again.
    unit.reload()
    reply = unit.get_by_role("form", name="书面答复")
    reply.get_by_label("答复内容").fill(REPLY_2)
    reply.get_by_label("加盖公章的答复函").set_input_files(
        files=[{"name": "再次答复函.pdf", "mimeType": "application/pdf", "buffer": letter_pdf()}]
    )
    reply.get_by_label("B 正在解决或列入计划解决").check()
    submit(unit, reply.get_by_role("button", name="提交答复"))
    assert status_badge(unit).inner_text() == "已答复待评价"

    # 14. The deputy rates it 满意.
    deputy.reload()
    rate = deputy.get_by_role("form", name="我的评价")
    rate.get_by_role("group", name="对办理结果").get_by_label("满意", exact=True).check()
    rate.get_by_role("group", name="对办理态度").get_by_label("满意", exact=True).check()
    submit(deputy, rate.get_by_role("button", name="提交评价"))
    assert status_badge(deputy).inner_text() == "承诺落实中"

    # 15. The lead unit reports both commitments carried out.
    unit.reload()
    for text in (COMMITMENT_1, COMMITMENT_2):
        item = unit.locator("#commitments > li", has_text=text)
        form = item.get_by_role("form", name="报告落实情况")
        form.get_by_label("落实情况").fill(f"{text}：已完成并通过验收。")
        submit(unit, form.get_by_role("button", name="提交报告"))

    # 16. Staff verify both, and the suggestion is closed.
    staff.reload()
    for text in (COMMITMENT_1, COMMITMENT_2):
        item = staff.locator("#commitments > li", has_text=text)
        form = item.get_by_role("form", name="核实落实情况")
        form.get_by_label("已落实，核实办结").check()
        submit(staff, form.get_by_role("button", name="提交核实"))
    assert status_badge(staff).inner_text() == "已办结"

    suggestion.refresh_from_db()
    assert suggestion.status == Status.CLOSED
    assert suggestion.cosigners.get().deputy == cosigner
    assert (
        list(suggestion.commitments.values_list("state", flat=True))
        == [Commitment.State.VERIFIED] * 2
    )

    # 17. Every step is in the timeline, in order, with its actor.
    dep, co_name = lead_deputy.name, f"{co_unit.name}承办人"
    street_name, staff_name, unit_name = names["street"], names["staff"], names["unit"]
    rater = "RATER"
    expected = [
        ("起草建议", dep),
        ("邀请联名", dep),
        ("同意联名", cosigner.name),
        ("提交建议", dep),
        ("阅看", street_name),  # returned
        ("修改建议", dep),
        ("提交建议", dep),
        ("阅看", street_name),  # passed
        ("阅看", staff_name),
        ("立案编号", staff_name),
        ("交办", staff_name),
        ("承办单位签收", co_name),
        ("承办单位答复", co_name),  # the co-unit's views
        ("承办单位签收", unit_name),
        ("办前沟通", unit_name),
        ("承办单位答复", unit_name),
        ("评价答复", rater),  # 不满意
        ("承办单位答复", unit_name),
        ("评价答复", rater),  # 满意
        ("报告承诺落实情况", unit_name),
        ("报告承诺落实情况", unit_name),
        ("核实承诺落实情况", staff_name),
        ("核实承诺落实情况", staff_name),
    ]
    staff.reload()
    assert timeline_rows(staff) == [(step, dep if who == rater else who) for step, who in expected]
    assert status_badge(staff).inner_text() == "已办结"
    # The reviews say how they ended: returned by the street, then passed twice.
    entries = staff.get_by_role("region", name="办理过程").get_by_role("listitem")
    assert "退回修改" in entries.nth(4).inner_text()
    assert "通过" in entries.nth(7).inner_text() and "通过" in entries.nth(8).inner_text()
    # The unit sees the ratings without the rater (背靠背评价).
    unit.reload()
    unit_rows = timeline_rows(unit)
    assert unit_rows == [
        (step, "代表（背靠背评价）" if who == rater else who) for step, who in expected
    ]
    assert UNSATISFIED_COMMENT in unit.get_by_role("region", name="办理过程").inner_text()
    screenshot(staff, "suggestion_closed")
    screenshot(unit, "suggestion_closed_unit")
