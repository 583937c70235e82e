"""Duplicate hints on the public form, on a phone (390×844) in Chromium.

- With script: while the citizen types, the open opinion of their street about the same
  matter appears under the place (the page asks the server as they type); they follow it
  with one tap, and their opinion is merged into it as their own act.
- Without script: the "看看附近有没有人反映过" button shows the same hint, and following
  works the same.
- The opinion followed was made through the intake service, as the public form makes one.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache

from zhitong.opinions import intake
from zhitong.opinions.models import Channel, Opinion, Status
from zhitong.regions.models import Region, RegionLevel

from .conftest import PHONE

pytestmark = pytest.mark.browser

WIDTH = 390
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
MAIN_SUBJECT = "丽发新城旁搅拌站夜间施工噪音扰民"
MAIN_CONTENT = (
    "丽发新城小区旁边的搅拌站每天晚上施工到凌晨，噪音和粉尘很大，"
    "严重影响居民休息，请求有关部门查处并搬迁搅拌站。"
)
SUBJECT = "搅拌站噪音扰民"
CONTENT = "丽发新城旁的搅拌站夜间噪音扰民，粉尘污染严重，居民无法休息，希望尽快搬迁这个搅拌站。"


def _community():
    community = (
        Region.objects.filter(level=RegionLevel.COMMUNITY, parent__level=RegionLevel.STREET)
        .select_related("parent")
        .order_by("path")
        .first()
    )
    assert community is not None, "the demo district has communities"
    return community


def _open_opinion(community) -> Opinion:
    return intake.opinion_submit(
        data={
            "subject": MAIN_SUBJECT,
            "content": MAIN_CONTENT,
            "category": None,
            "place": community,
            "address": "",
            "submitter_name": "",
            "submitter_phone": "",
            "submitter_email": "",
        },
        photos=[],
        channel=Channel.ONLINE,
        submission_key=None,
    )


def _fill(phone, community):
    place = phone.get_by_label("所在社区")
    option = place.locator(
        f'optgroup[label="{community.parent.name}"] option', has_text=community.name
    )
    place.select_option(value=option.get_attribute("value"))
    phone.get_by_label("标题").fill(SUBJECT)
    phone.get_by_label("内容").fill(CONTENT)


def _followed_and_merged(phone, main: Opinion):
    phone.wait_for_url(re.compile(r"/opinions/submitted/[^/]+/$"))
    text = phone.locator("main").inner_text()
    assert "您选择了跟进相同的问题" in text and MAIN_SUBJECT in text
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH
    mine = Opinion.objects.exclude(pk=main.pk).get()
    assert (mine.status, mine.merged_into_id) == (Status.MERGED, main.pk)
    # The progress page of the one followed, by the citizen's own code.
    phone.get_by_role("link", name="查看合并办理进度").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "合并办理进度"
    assert MAIN_SUBJECT in phone.locator("main").inner_text()


def test_hints_appear_while_typing_and_one_tap_follows(phone_page, live_server, demo_structure):
    cache.clear()
    community = _community()
    main = _open_opinion(community)
    phone = phone_page
    phone.goto(f"{live_server.url}/opinions/new/")
    hints = phone.locator("#similar")
    assert hints.inner_text().strip() == ""
    _fill(phone, community)
    # The page asked the server as the citizen typed: the hint is there without a submit.
    found = phone.locator("#similar-found")
    found.wait_for(state="visible")
    assert MAIN_SUBJECT in found.inner_text() and "相似度" in found.inner_text()
    assert hints.get_attribute("aria-live") == "polite"
    results = Axe().run(phone, options=WCAG)
    assert results.violations_count == 0, results.generate_report()
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert Opinion.objects.count() == 1  # typing wrote nothing
    found.get_by_role("button", name="是同一件事：跟进它并提交").click()
    _followed_and_merged(phone, main)


def test_without_script_the_check_button_shows_the_hints(browser, live_server, demo_structure):
    cache.clear()
    community = _community()
    main = _open_opinion(community)
    context = browser.new_context(locale="zh-CN", java_script_enabled=False, **PHONE)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    try:
        phone.goto(f"{live_server.url}/opinions/new/")
        _fill(phone, community)
        phone.get_by_role("button", name="看看附近有没有人反映过同一件事").click()
        found = phone.locator("#similar-found")
        found.wait_for(state="visible")
        assert MAIN_SUBJECT in found.inner_text()
        # What the citizen typed is still there.
        assert phone.get_by_label("标题").input_value() == SUBJECT
        assert Opinion.objects.count() == 1
        found.get_by_role("button", name="是同一件事：跟进它并提交").click()
        _followed_and_merged(phone, main)
    finally:
        context.close()
