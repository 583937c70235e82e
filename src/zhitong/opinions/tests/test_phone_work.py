"""Working from a phone, as the server writes it: the home's "录入意见" with the user's own
station chosen, the record form's ?station= preselection (checked against the stations the
user may record at), the queue's folded filters and cards, the case page's actions before
its history. How it looks at 390 px is tests/browser/test_phone.py's."""

import re

import pytest
from django.urls import reverse

from zhitong.opinions import services
from zhitong.opinions.tests.lifecycle_world import build
from zhitong.opinions.tests.test_work_case import (
    detail,
    handling,
    received,
    referred,
    replied,
)
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db

HOME = "/accounts/home/"
RECORD = "/work/opinions/record/"
QUEUE = "/work/opinions/"


@pytest.fixture
def w(db):
    return build()


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def selected_station(html: str) -> str | None:
    """The value of the record form's chosen station, or None (the empty choice)."""
    select = re.search(r'<select name="station".*?</select>', html, re.S)
    assert select, "no station select"
    chosen = re.search(r'<option value="(\d*)"[^>]*selected', select.group(0))
    return (chosen.group(1) or None) if chosen else None


# --- the home's "录入意见" -------------------------------------------------------------------


def test_a_liaison_home_offers_recording_at_each_own_station(client, w):
    second = f.StationFactory(region=w.community_a, name="甲一社区第二联络点")
    second.liaisons.add(w.liaison)
    html = page(client, w.liaison, HOME)
    assert 'id="record-heading"' in html
    for station in (w.station_a, second):
        assert f'href="{RECORD}?station={station.pk}"' in html
    # Not a station the liaison does not keep.
    assert f"?station={w.station_b.pk}" not in html
    # First on the page, before the stations and the pending figures.
    assert html.index('id="record-heading"') < html.index('id="stations-heading"')


def test_a_deputy_home_offers_recording_at_the_station_they_sit_at(client, w):
    html = page(client, w.deputy, HOME)
    assert f'href="{RECORD}?station={w.station_a.pk}"' in html
    assert f"?station={w.station_b.pk}" not in html
    assert html.index('id="record-heading"') < html.index('id="profile-heading"')


def test_a_liaison_without_a_station_gets_no_record_button(client, w):
    lonely = f.UserFactory(username="liaison_c", role="liaison")
    html = page(client, lonely, HOME)
    assert 'id="record-heading"' not in html
    assert "您还没有负责的联络站点" in html


@pytest.mark.parametrize("role", ["unit", "leader", "citizen"])
def test_who_does_not_record_gets_no_record_button(client, w, role):
    assert 'id="record-heading"' not in page(client, w.users[role], HOME)


def test_an_inactive_station_is_not_offered(client, w):
    w.station_a.is_active = False
    w.station_a.save(update_fields=["is_active"])
    assert 'id="record-heading"' not in page(client, w.liaison, HOME)


# --- the record form's ?station= -------------------------------------------------------------


def test_the_home_link_opens_the_record_form_with_that_station_chosen(client, w):
    # The street committee may record at both of its street's stations: nothing is chosen
    # until the link names one.
    second = f.StationFactory(region=w.community_a, name="甲一社区第二联络点")
    assert selected_station(page(client, w.street, RECORD)) is None
    html = page(client, w.street, f"{RECORD}?station={second.pk}")
    assert selected_station(html) == str(second.pk)
    assert "链接中的站点" not in html


@pytest.mark.parametrize("value", ["{other}", "abc", "-1", "99999999", "1 OR 1=1"])
def test_a_station_the_user_may_not_record_at_is_not_chosen(client, w, value):
    value = value.format(other=w.station_b.pk)
    second = f.StationFactory(region=w.community_a, name="甲一社区第二联络点")
    second.liaisons.add(w.liaison)
    html = page(client, w.liaison, f"{RECORD}?{'station=' + value}")
    assert selected_station(html) is None
    assert "链接中的站点不是你可以录入意见的站点，请在下面选择接待站点。" in html
    # The form still offers only the liaison's own stations.
    assert f'value="{w.station_b.pk}"' not in html


def test_the_one_station_of_a_liaison_is_chosen_with_or_without_the_link(client, w):
    assert selected_station(page(client, w.liaison, RECORD)) == str(w.station_a.pk)
    html = page(client, w.liaison, f"{RECORD}?station={w.station_a.pk}")
    assert selected_station(html) == str(w.station_a.pk)


# --- the queue: folded filters, one markup for table and cards ------------------------------


def test_the_filters_fold_away_unless_a_filter_is_in_force(client, w):
    received(w)
    html = page(client, w.staff, QUEUE)
    details = re.search(r"<details class=\"queue-filters[^>]*>", html).group(0)
    assert " open" not in details and "data-open-wide" in details
    assert re.search(r"<summary[^>]*>\s*筛选", html)
    assert "queue-filters.js" in html
    filtered = page(client, w.staff, f"{QUEUE}?status=received")
    details = re.search(r"<details class=\"queue-filters[^>]*>", filtered).group(0)
    assert " open" in details
    assert "已筛选" in filtered
    # A refused filter opens them too, so the field in error can be seen.
    refused = page(client, w.staff, f"{QUEUE}?date_from=not-a-date")
    assert " open" in re.search(r"<details class=\"queue-filters[^>]*>", refused).group(0)


def test_each_queue_value_is_named_for_the_phone_cards(client, w):
    referred(w)
    html = page(client, w.staff, QUEUE)
    table = re.search(r"<table[^>]*table-cards[^>]*>.*?</table>", html, re.S).group(0)
    assert 'role="table"' in table and 'role="rowheader"' in table
    for label in ["接收时间", "渠道", "类别", "街道 / 站点", "代表", "反映人", "状态", "承办单位"]:
        assert f'data-label="{label}"' in table
    # Every data cell of a row says what it holds.
    row = re.search(r"<tbody[^>]*>(.*?)</tbody>", table, re.S).group(1)
    cells = re.findall(r"<td role=\"cell\"([^>]*)>", row)
    assert cells and all("data-label=" in c or "card-pick" in c for c in cells)


# --- the case page: the actions before the history ------------------------------------------


def _before(html: str, first: str, then: str) -> bool:
    return html.index(first) < html.index(then)


def test_the_units_reply_form_comes_before_the_content_and_history(client, w):
    opinion = handling(w)
    lead = opinion.referrals.get(role="lead")
    html = page(client, w.unit, detail(opinion))
    reply_url = reverse("opinions:reply", args=[opinion.pk, lead.pk])
    assert _before(html, 'id="actions-heading"', 'id="content-heading"')
    assert _before(html, reply_url, 'id="content-heading"')
    assert _before(html, reply_url, 'id="timeline-heading"')
    # The referral's card further down keeps its facts, without a second form.
    assert html.count(reply_url) == 1


def test_the_reviewers_send_form_comes_first(client, w):
    opinion = replied(w)
    html = page(client, w.staff, detail(opinion))
    send_url = reverse("opinions:send", args=[opinion.pk, opinion.replies.get().pk])
    assert _before(html, send_url, 'id="content-heading"')


def test_the_header_sums_the_case_up(client, w):
    opinion = handling(w)
    html = page(client, w.unit, detail(opinion))
    header = re.search(r"<header class=\"mb-3\">.*?</header>", html, re.S).group(0)
    # Received, channel, station and category; the running lead unit and its due date.
    assert "甲一社区代表联络站" in header and "物业管理" in header
    assert "主办：武昌区住房和城市更新局，期限" in header


def test_the_liaisons_phone_rating_form_comes_first_with_the_reply_it_rates(client, w):
    opinion = replied(w)
    services.reply_send(reply=opinion.replies.get(), by=w.staff, text_sent="路灯已经修好。")
    html = page(client, w.liaison, detail(opinion))
    rate_url = reverse("opinions:record_rating", args=[opinion.pk])
    assert _before(html, rate_url, 'id="content-heading"')
    form = re.search(rf'<form[^>]*action="{rate_url}".*?</form>', html, re.S).group(0)
    assert "反馈群众的答复" in form and "路灯已经修好。" in form


def test_staff_supervision_of_a_running_referral_comes_first(client, w):
    opinion = referred(w)
    lead = opinion.referrals.get(role="lead")
    html = page(client, w.staff, detail(opinion))
    chase_url = reverse("opinions:chase", args=[opinion.pk, lead.pk])
    assert _before(html, chase_url, 'id="content-heading"')
    assert "督办：武昌区住房和城市更新局" in html


def test_a_reader_without_actions_gets_no_empty_actions_section(client, w):
    opinion = replied(w)
    services.reply_send(reply=opinion.replies.get(), by=w.staff)
    services.rating_submit(opinion=opinion, score="satisfied")
    html = page(client, w.staff, detail(opinion))
    assert 'id="actions-heading"' not in html
    assert 'id="content-heading"' in html
