"""Accessibility of the pages issue 11 added or changed: axe-core's WCAG 2.1 A and AA rules
in Chromium on each page as it opens and, for its forms, once more as the server gives it
back refusing a submission (the browser's own checks switched off, as an old browser would
not run them); and the keyboard: the page's main action is reached with Tab and shows where
the focus is.

The pages: the opinions' settings (意见办理设置); on a case, the supervision forms of a
running referral (催办, 调整期限, 改派) and the callback form (记录回访评价) with its time;
the overdue queue with the bulk supervision form (批量督办); a station's duty rota (值班表)
with its add, edit and remove pages; the posters page (批量下载张贴海报) and a single
poster's error page; the roster update (更新代表名册) and its preview, the accounts and
invitations page (账号与邀请), an invitation's page (valid and used), the locked accounts
page (登录锁定) and the login page telling the tries left. The leader's overview, the
citizen's home and the statistics charts have their own tests (test_homes.py,
test_stats_charts.py).
"""

import io
import re

import openpyxl
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import transaction
from django.urls import reverse

from tests.browser.test_accessibility import WCAG, log_in
from zhitong.accounts.invitations import invitation_issue
from zhitong.accounts.models import Role, User
from zhitong.deputies.models import Deputy
from zhitong.opinions.models import Opinion, Status
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations.models import DutyRota

pytestmark = pytest.mark.browser


# --- helpers ------------------------------------------------------------------------------


def assert_no_violations(page, what: str = "") -> None:
    """axe checks what is rendered: the folded forms (<details>) are opened first."""
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, f"{what or page.url}\n{results.generate_report()}"


def open_checked(page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, (url, response and response.status)
    assert_no_violations(page, url)


def submit_refused(page, button, status: int = 400) -> None:
    """Click `button` with the browser's checks off; the server refuses with `status` and
    the page it gives back marks the fields in error and passes axe."""
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None and response.status == status, (page.url, response.status)
    assert_no_violations(page, f"{page.url} (refused)")


def assert_errors_described(page) -> None:
    """Every field in error is marked aria-invalid and names its message, which is shown."""
    invalid = page.locator("[aria-invalid='true']")
    assert invalid.count() > 0
    for i in range(invalid.count()):
        field = invalid.nth(i)
        described = (field.get_attribute("aria-describedby") or "").split()
        errors = [d for d in described if d.endswith("_error")]
        assert errors, field.evaluate("f => f.outerHTML")
        assert page.locator(f"#{errors[0]}").is_visible()


def tab_to(page, target, limit: int = 400) -> None:
    """Press Tab from the top of the page until `target` has the focus, and check that the
    focus is visible on it (an outline or Bootstrap's focus ring)."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, 0)")
    handle = target.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("el => el === document.activeElement", handle):
            break
    else:
        raise AssertionError(f"Tab never reached {target}")
    ring = page.evaluate(
        """el => {
            const s = getComputedStyle(el);
            const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
            return outline || (s.boxShadow && s.boxShadow !== 'none');
        }""",
        handle,
    )
    assert ring, f"no visible focus on {target}"


def url(live_server, name, *args, query: str = "") -> str:
    return f"{live_server.url}{reverse(name, args=args)}{'?' + query if query else ''}"


def test_axe_sees_a_violation(page, live_server, demo_structure):
    """The check itself: a field without a name is found."""
    page.goto(url(live_server, "accounts:login"))
    page.evaluate("document.querySelector('main').append(document.createElement('select'))")
    results = Axe().run(page, options=WCAG)
    assert "select-name" in results.generate_report()


# --- the opinions: settings, case page forms, the overdue queue ---------------------------


def test_the_opinion_settings_page_passes_axe(page, live_server, demo_structure):
    log_in(page, live_server.url, "staff")
    open_checked(page, url(live_server, "opinions:settings"))
    save = page.get_by_role("button", name="保存", exact=True)
    tab_to(page, save)

    page.get_by_label(re.compile("工作日")).fill("-3")
    submit_refused(page, save)
    assert_errors_described(page)


def _overdue_case_url(page, live_server) -> str:
    page.goto(url(live_server, "opinions:queue", query="deadline=overdue"))
    link = page.locator("main table a[href*='/work/opinions/']").first
    return link.evaluate("a => a.href")


def test_the_supervision_forms_on_a_case_pass_axe(page, live_server, demo_district):
    log_in(page, live_server.url, "staff")
    case = _overdue_case_url(page, live_server)
    open_checked(page, case)
    chase = page.get_by_role("button", name="催办", exact=True)
    tab_to(page, chase)

    # 调整期限 without a date or reason (axe opened the folded forms).
    submit_refused(page, page.get_by_role("button", name="调整期限", exact=True))
    assert_errors_described(page)

    # 改派 without a unit or reason.
    # The folded form opens from the keyboard.
    page.goto(case)
    summary = page.locator("summary", has_text="改派其他承办单位")
    tab_to(page, summary)
    page.keyboard.press("Enter")
    assert page.get_by_role("button", name="改派", exact=True).is_visible()
    submit_refused(page, page.get_by_role("button", name="改派", exact=True))
    assert_errors_described(page)
    # The page comes back at its top: the error there links to the refused form, and from
    # it the next Tab lands on the field to correct.
    link = page.get_by_role("link", name="转到要修改的表单", exact=True)
    tab_to(page, link)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id").startswith("form-reassign-")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"

    # 催办 with a note longer than the unit can be sent.
    page.goto(case)
    page.evaluate(
        "() => { const t = document.querySelector(\"form[action$='/chase/'] textarea\");"
        " t.removeAttribute('maxlength'); t.value = '催'.repeat(2001); }"
    )
    submit_refused(page, page.get_by_role("button", name="催办", exact=True))
    assert_errors_described(page)


def test_the_callback_form_passes_axe(page, live_server, demo_district):
    sent = Opinion.objects.filter(status=Status.SENT).order_by("pk").first()
    log_in(page, live_server.url, "staff")
    open_checked(page, url(live_server, "opinions:detail", sent.pk))
    record = page.get_by_role("button", name="记录评价", exact=True)
    tab_to(page, record)
    assert page.get_by_label("回访时间").get_attribute("type") == "datetime-local"

    # "Unsatisfied" without what the citizen said.
    page.get_by_label("群众的评价").select_option("unsatisfied")
    submit_refused(page, record)
    assert_errors_described(page)


def test_the_overdue_queue_with_bulk_supervision_passes_axe(page, live_server, demo_district):
    log_in(page, live_server.url, "staff")
    overdue = url(live_server, "opinions:queue", query="deadline=overdue")
    open_checked(page, overdue)
    assert page.get_by_role("heading", name="批量督办").is_visible()
    supervise = page.get_by_role("button", name="督办勾选的意见", exact=True)
    tab_to(page, supervise)

    # Nothing checked.
    submit_refused(page, supervise)
    assert page.get_by_text("请至少勾选一件意见。").is_visible()

    # A new deadline without the date or the reason.
    page.goto(overdue)
    page.locator("input[form='bulk-supervise-form']").first.check()
    page.get_by_label("调整办理期限").check()
    submit_refused(page, page.get_by_role("button", name="督办勾选的意见", exact=True))
    assert page.locator("[aria-invalid='true'], .alert-danger").count() > 0


# --- the duty rota -------------------------------------------------------------------------


def test_the_duty_rota_pages_pass_axe(page, live_server, demo_structure):
    liaison = User.objects.get(username="liaison")
    line = (
        DutyRota.objects.filter(station__liaisons=liaison)
        .select_related("station")
        .order_by("pk")
        .first()
    )
    station = line.station
    log_in(page, live_server.url, "liaison")
    rota = url(live_server, "stations:rota", station.pk)
    open_checked(page, rota)
    add = page.get_by_role("button", name="添加", exact=True)
    tab_to(page, add)
    submit_refused(page, add)
    assert_errors_described(page)

    edit = url(live_server, "stations:rota_line", station.pk, line.pk)
    open_checked(page, edit)
    save = page.get_by_role("button", name="保存", exact=True)
    tab_to(page, save)
    page.get_by_label("生效日期").fill("")
    submit_refused(page, save)
    assert_errors_described(page)

    open_checked(page, url(live_server, "stations:rota_remove", station.pk, line.pk))
    tab_to(page, page.get_by_role("button", name="删除", exact=True))


# --- posters -------------------------------------------------------------------------------


def test_the_posters_page_and_a_posters_error_page_pass_axe(page, live_server, demo_structure):
    log_in(page, live_server.url, "staff")
    posters = url(live_server, "posters:region")
    open_checked(page, posters)
    download = page.get_by_role("button", name="下载 PDF", exact=True)
    tab_to(page, download)

    # A street or district that is not (or no longer) the user's to print: the list
    # offers no such choice, so the page is changed as a stale one would be.
    page.evaluate("document.querySelector('#id_region').options[0].value = '999999'")
    page.locator("#id_region").select_option("999999")
    submit_refused(page, download)
    assert_errors_described(page)

    # The whole district: too many posters for one request, offered to the task worker.
    page.goto(posters)
    district = Region.objects.get(level=RegionLevel.DISTRICT)
    page.locator("#id_region").select_option(str(district.pk))
    page.get_by_role("button", name="下载 PDF", exact=True).click()
    page.wait_for_load_state()
    background = page.get_by_role("button", name="在后台生成", exact=True)
    assert background.is_visible()
    assert_no_violations(page, "posters: the district's batch")
    tab_to(page, background)

    # A single poster asked for in a size there is none of.
    station = DutyRota.objects.order_by("pk").first().station
    open_checked(page, url(live_server, "posters:station", station.pk, query="size=a3"), 400)


# --- the roster update, accounts and invitations -------------------------------------------


def roster_xlsx(deputies, *, bad: bool = False) -> bytes:
    """The deputies as a roster update: codes filled in, the first one's occupation
    changed, and a new deputy; with `bad`, a row the roster refuses (a gender of neither)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "姓名",
            "性别",
            "民族",
            "出生年份",
            "政治面貌",
            "工作单位及职务",
            "代表层级",
            "届次",
            "选区/选举单位",
            "代表编码",
        ]
    )
    for i, deputy in enumerate(deputies):
        seats = list(deputy.memberships.select_related("term").order_by("term__level"))
        sheet.append(
            [
                deputy.name,
                deputy.get_gender_display(),
                deputy.ethnicity,
                deputy.birth_year,
                deputy.party,
                deputy.occupation + ("（兼任社区主任）" if i == 0 else ""),
                "、".join(seat.get_level_display() for seat in seats),
                "、".join(str(seat.term.number) for seat in seats),
                "；".join(seat.constituency for seat in seats),
                deputy.public_code,
            ]
        )
    term = deputies[0].memberships.select_related("term").first().term
    sheet.append(
        [
            "王新",
            "不详" if bad else "男",
            "汉族",
            1982,
            "群众",
            "某公司职员",
            term.get_level_display(),
            term.number,
            "第1选区",
            "",
        ]
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_roster_update_and_its_previews_pass_axe(page, live_server, demo_structure, tmp_path):
    district = Region.objects.get(level=RegionLevel.DISTRICT)
    deputies = list(
        Deputy.objects.filter(district=district, memberships__isnull=False)
        .distinct()
        .order_by("pk")[:5]
    )
    log_in(page, live_server.url, "staff")
    upload = url(live_server, "imports:roster")
    open_checked(page, upload)
    button = page.get_by_role("button", name="上传并预览", exact=True)
    tab_to(page, button)

    # No file.
    submit_refused(page, button)
    assert_errors_described(page)

    # A good roster: one changed, one new, the rest unchanged.
    page.goto(upload)
    page.get_by_label(re.compile("代表名册")).set_input_files(
        {"name": "名册.xlsx", "mimeType": XLSX, "buffer": roster_xlsx(deputies)}
    )
    page.get_by_role("button", name="上传并预览", exact=True).click()
    page.wait_for_url("**/work/imports/roster/*/")
    assert page.get_by_role("button", name="确认更新", exact=True).is_visible()
    assert_no_violations(page, "roster preview")
    tab_to(page, page.get_by_role("button", name="确认更新", exact=True))

    # A roster with an error: the preview lists it and offers nothing to apply.
    page.goto(upload)
    page.get_by_label(re.compile("代表名册")).set_input_files(
        {"name": "有错误.xlsx", "mimeType": XLSX, "buffer": roster_xlsx(deputies, bad=True)}
    )
    page.get_by_role("button", name="上传并预览", exact=True).click()
    page.wait_for_url("**/work/imports/roster/*/")
    assert page.get_by_role("heading", name=re.compile("^错误")).is_visible()
    assert_no_violations(page, "rejected roster preview")

    # The history of previews on the upload page.
    open_checked(page, upload)


def test_the_accounts_and_invitations_page_passes_axe(page, live_server, demo_structure):
    # A deputy on the roster without an account, listed to choose.
    district = Region.objects.get(level=RegionLevel.DISTRICT)
    Deputy.objects.create(
        name="王新", gender="M", birth_year=1982, district=district, public_code="D-AXE-0001"
    )
    log_in(page, live_server.url, "staff")
    people = url(live_server, "imports:people")
    open_checked(page, people)
    create = page.get_by_role("button", name="开通账号并发送邀请", exact=True)
    assert page.get_by_role("checkbox", name=re.compile("王新")).is_visible()
    tab_to(page, create)
    resend = page.get_by_role("button", name=re.compile("^发送邀请"))
    assert resend.count() > 0
    tab_to(page, resend.first)

    # Nobody chosen.
    submit_refused(page, create)
    assert page.get_by_role("alert").count() > 0


def test_an_invitations_page_valid_refused_and_used_passes_axe_on_a_phone(
    phone_page, live_server, demo_structure
):
    """The link comes by SMS: opened on a phone."""
    page = phone_page
    staff = User.objects.get(username="staff")
    invited = User.objects.filter(role=Role.DEPUTY, last_login__isnull=True).order_by("pk").first()
    with transaction.atomic():
        token = invitation_issue(user=invited, by=staff, channel="sms", to="13800000000").token
    invitation = url(live_server, "accounts:invitation", token)

    open_checked(page, invitation)
    set_password = page.get_by_role("button", name="设置密码并登录", exact=True)
    tab_to(page, set_password)

    # Two passwords that differ.
    page.locator("#id_new_password1").fill("Lanting-2026-xu")
    page.locator("#id_new_password2").fill("Lanting-2026-xv")
    submit_refused(page, set_password)
    assert_errors_described(page)

    page.locator("#id_new_password1").fill("Lanting-2026-xu")
    page.locator("#id_new_password2").fill("Lanting-2026-xu")
    page.get_by_role("button", name="设置密码并登录", exact=True).click()
    page.wait_for_url(f"{live_server.url}/accounts/home/")
    page.context.clear_cookies()

    # The same link once used.
    open_checked(page, invitation, 410)


def test_the_login_with_tries_left_and_the_locked_accounts_page_pass_axe(
    page, live_server, demo_structure
):
    login = url(live_server, "accounts:login")
    page.goto(login)
    for _ in range(2):
        page.get_by_label("用户名").fill("deputy")
        page.get_by_label("密码").fill("not-the-password")
        with page.expect_navigation():
            page.get_by_role("button", name="登录", exact=True).click()
    assert page.get_by_text(re.compile("再输错 \\d 次")).is_visible()
    assert_no_violations(page, "login with tries left")
    page.get_by_label("用户名").fill("deputy")
    tab_to(page, page.get_by_role("button", name="登录", exact=True))

    log_in(page, live_server.url, "admin")
    open_checked(page, url(live_server, "accounts:locked"))
    unlock = page.get_by_role("button", name=re.compile("解除锁定"))
    assert unlock.count() >= 1
    tab_to(page, unlock.first)
