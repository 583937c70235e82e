"""The public pages as a visitor sees them: content, filters, 404s and what they never show."""

import datetime
import re

import pytest
from django.urls import reverse

from zhitong.deputies.models import DeputyLevel, MembershipStatus
from zhitong.public.tests.conftest import (
    PRIVATE_ID_TAIL,
    PRIVATE_MOBILE,
    PRIVATE_NOTES,
    PRIVATE_USERNAME,
)
from zhitong.stations.models import StationKind
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# ---- index -----------------------------------------------------------------


def test_index_explains_and_counts_in_chinese(client, station, deputy):
    f.StationFactory(region=f.CommunityFactory(parent=station.street), is_active=False)
    page = html(client.get(reverse("public:index")))
    assert "找到您身边的人大代表" in page
    assert "现有代表联络站点 1 个，在任人大代表 1 名" in page
    assert reverse("public:opinion_new") in page
    assert reverse("public:deputy_list") in page
    # The street select sends the visitor to the filtered station list.
    assert f'action="{reverse("public:station_list")}"' in page
    assert f'value="{station.street.code}"' in page


# ---- station directory -----------------------------------------------------


def test_station_list_shows_cards_for_active_stations_only(client, station):
    f.StationFactory(
        name="已撤销联络站", region=f.CommunityFactory(parent=station.street), is_active=False
    )
    page = html(client.get(reverse("public:station_list")))
    assert "首义社区代表联络站" in page
    assert "首义路88号" in page
    assert "周一至周五 9:00-17:00" in page
    assert "社区代表联络站" in page
    assert station.street.name in page
    assert "已撤销联络站" not in page
    assert "共 1 个站点" in page


def test_station_list_filters_by_street_and_kind(client, station, other_street):
    f.StationFactory(name="另一街道工作室", region=other_street, kind=StationKind.STUDIO)
    f.StationFactory(name="同街道楼宇联络点", region=station.street, kind=StationKind.BUILDING)
    url = reverse("public:station_list")

    by_street = html(client.get(url, {"street": other_street.code}))
    assert "另一街道工作室" in by_street
    assert "首义社区代表联络站" not in by_street

    by_kind = html(client.get(url, {"street": station.street.code, "kind": "building"}))
    assert "同街道楼宇联络点" in by_kind
    assert "首义社区代表联络站" not in by_kind
    assert "另一街道工作室" not in by_kind


def test_station_list_ignores_unknown_filter_values(client, station):
    page = html(client.get(reverse("public:station_list"), {"street": "nope", "kind": "x"}))
    assert "首义社区代表联络站" in page


def test_station_list_empty_state(client, station):
    page = html(client.get(reverse("public:station_list"), {"kind": "heritage"}))
    assert "没有找到符合条件的联络站。" in page
    assert "清除筛选" in page


def test_station_list_paginates_by_twenty_keeping_filters(client, street):
    for n in range(25):
        f.StationFactory(name=f"分页站{n:02d}", region=street, kind=StationKind.STUDIO)
    url = reverse("public:station_list")
    first = html(client.get(url, {"street": street.code}))
    assert first.count('class="card h-100"') == 20
    assert "第 1 页，共 2 页" in first
    assert f"street={street.code}" in first and "page=2" in first
    second = html(client.get(url, {"street": street.code, "page": 2}))
    assert second.count('class="card h-100"') == 5


# ---- station page ----------------------------------------------------------


def test_station_page_shows_what_a_visitor_needs(client, station, deputy, today):
    page = html(client.get(reverse("public:station_detail", args=[station.public_code])))
    for text in [
        "首义社区代表联络站",
        "首义路88号",
        "周一至周五 9:00-17:00",
        "027-88886666",
        "本站面向首义社区居民。",
        "首义社区",
        "今日轮值代表",
        "上午",
        "站长",
        "区人大代表",
        "市人大代表",
        "向本站代表反映意见",
    ]:
        assert text in page, text
    assert reverse("public:opinion_new_station", args=[station.public_code]) in page
    assert reverse("public:deputy_detail", args=[deputy.public_code]) in page
    # The QR code, and downloads of both formats.
    assert reverse("public:station_qr", args=[station.public_code, "svg"]) in page
    assert reverse("public:station_qr", args=[station.public_code, "png"]) in page
    assert "https://zt.example.cn/opinions/new/station/SSHOUYI01/" in page


def test_station_page_levels_are_listed_highest_first(client, station, deputy):
    page = html(client.get(reverse("public:station_detail", args=[station.public_code])))
    assert "市人大代表、区人大代表" in page


def test_station_page_without_duty_today_says_so(client, station, deputy, today):
    deputy.duty_rota.update(weekday=(today.weekday() + 1) % 7)
    page = html(client.get(reverse("public:station_detail", args=[station.public_code])))
    assert "今日无代表轮值" in page
    # Tomorrow's line still shows in the week table.
    assert page.count(f'href="{reverse("public:deputy_detail", args=[deputy.public_code])}"') >= 2


def test_station_page_lists_head_first_and_hides_former_deputies(
    client, station, deputy, district, serving, yesterday
):
    member = f.DeputyFactory(name="丁一", district=district)
    serving(member)
    f.StationAssignmentFactory(station=station, deputy=member)
    left = f.DeputyFactory(name="已离站代表", district=district)
    serving(left)
    f.StationAssignmentFactory(station=station, deputy=left, end_date=yesterday)
    resigned = f.DeputyFactory(name="已辞职代表", district=district)
    serving(resigned, status=MembershipStatus.RESIGNED)
    f.StationAssignmentFactory(station=station, deputy=resigned)
    f.DutyRotaFactory(station=station, deputy=resigned, weekday=yesterday.weekday())
    f.DutyRotaFactory(station=station, deputy=resigned, weekday=(yesterday.weekday() + 1) % 7)

    page = html(client.get(reverse("public:station_detail", args=[station.public_code])))
    assert page.index("张三") < page.index("丁一")  # head first, though 丁 sorts first
    assert "已离站代表" not in page
    assert "已辞职代表" not in page


def test_central_station_lists_linked_communities(client, street):
    central = f.StationFactory(name="中心站", region=street, kind=StationKind.CENTRAL)
    central.linked_communities.set(
        [f.CommunityFactory(parent=street, name=n) for n in ["紫阳社区", "彭刘杨社区"]]
    )
    page = html(client.get(reverse("public:station_detail", args=[central.public_code])))
    assert "联系社区" in page
    assert "紫阳社区" in page and "彭刘杨社区" in page


def test_unknown_and_inactive_station_pages_are_404(client, station):
    assert client.get(reverse("public:station_detail", args=["NOPE"])).status_code == 404
    station.is_active = False
    station.save()
    assert (
        client.get(reverse("public:station_detail", args=[station.public_code])).status_code == 404
    )


# ---- deputy directory ------------------------------------------------------


def test_deputy_list_shows_serving_deputies_with_levels_station_groups(
    client, deputy, district, serving, yesterday
):
    former = f.DeputyFactory(name="前任代表", district=district)
    m = serving(former)[0]
    m.end_date = yesterday
    m.save()
    recalled = f.DeputyFactory(name="被罢免代表", district=district)
    serving(recalled, status=MembershipStatus.RECALLED)

    page = html(client.get(reverse("public:deputy_list")))
    assert "张三" in page
    assert "市人大代表、区人大代表" in page
    assert "首义社区代表联络站" in page
    assert "城建环保专业代表小组" in page
    assert "前任代表" not in page
    assert "被罢免代表" not in page
    assert "共 1 名代表" in page


def test_deputy_list_search_and_filters(client, deputy, district, station, other_street, serving):
    other_station = f.StationFactory(name="别处工作室", region=other_street)
    li = f.DeputyFactory(name="李四", district=district)
    serving(li, DeputyLevel.PROVINCIAL)
    f.StationAssignmentFactory(station=other_station, deputy=li)
    url = reverse("public:deputy_list")

    by_name = html(client.get(url, {"q": "李"}))
    assert "李四" in by_name and "张三" not in by_name

    by_street = html(client.get(url, {"street": station.street.code}))
    assert "张三" in by_street and "李四" not in by_street

    by_level = html(client.get(url, {"level": "provincial"}))
    assert "李四" in by_level and "张三" not in by_level

    by_city = html(client.get(url, {"level": "city"}))
    assert "张三" in by_city and "李四" not in by_city

    none = html(client.get(url, {"q": "王"}))
    assert "没有找到符合条件的代表。" in none


def test_deputy_level_filter_ignores_non_serving_seats(client, deputy, district, serving):
    # A deputy who resigned a provincial seat but still serves as district deputy
    # is not a provincial deputy.
    wang = f.DeputyFactory(name="王五", district=district)
    serving(wang)
    serving(wang, DeputyLevel.PROVINCIAL, status=MembershipStatus.RESIGNED)
    page = html(client.get(reverse("public:deputy_list"), {"level": "provincial"}))
    assert "王五" not in page


def test_deputy_list_paginates(client, district, serving):
    for n in range(23):
        serving(f.DeputyFactory(name=f"代表{n:02d}", district=district))
    url = reverse("public:deputy_list")
    assert html(client.get(url)).count('class="card h-100"') == 20
    assert html(client.get(url, {"page": 2})).count('class="card h-100"') == 3


# ---- deputy page -----------------------------------------------------------


def test_deputy_page_shows_public_profile(client, deputy, station, today):
    page = html(client.get(reverse("public:deputy_detail", args=[deputy.public_code])))
    for text in [
        "张三",
        "男",
        "武汉某某公司总经理",
        "区人大代表",
        "市人大代表",
        "武汉市第十七届人民代表大会",
        "武昌区第十七届人民代表大会",
        "第3选区",
        "首义社区代表联络站",
        "城建环保专业代表小组",
        "专业代表小组",
        "上午",
        "给张三代表写信",
        "一码一代表",
    ]:
        assert text in page, text
    assert reverse("public:station_detail", args=[station.public_code]) in page
    assert reverse("public:opinion_new_deputy", args=[deputy.public_code]) in page
    assert reverse("public:deputy_qr", args=[deputy.public_code, "svg"]) in page
    assert reverse("public:deputy_qr", args=[deputy.public_code, "png"]) in page


def test_unknown_and_former_deputy_pages_are_404(client, deputy, yesterday):
    assert client.get(reverse("public:deputy_detail", args=["NOPE"])).status_code == 404
    deputy.memberships.update(end_date=yesterday)
    assert client.get(reverse("public:deputy_detail", args=[deputy.public_code])).status_code == 404


# ---- across all pages ------------------------------------------------------


def all_public_urls(station, deputy):
    return [
        reverse("public:index"),
        reverse("public:station_list"),
        reverse("public:station_detail", args=[station.public_code]),
        reverse("public:deputy_list"),
        reverse("public:deputy_list") + "?q=张",
        reverse("public:deputy_detail", args=[deputy.public_code]),
        reverse("public:opinion_new"),
        reverse("public:opinion_new_station", args=[station.public_code]),
        reverse("public:opinion_new_deputy", args=[deputy.public_code]),
    ]


def test_no_page_shows_private_data(client, station, deputy):
    for url in all_public_urls(station, deputy):
        page = html(client.get(url))
        for secret in [PRIVATE_MOBILE, PRIVATE_ID_TAIL, PRIVATE_NOTES, PRIVATE_USERNAME]:
            assert secret not in page, (url, secret)


def test_pages_work_without_javascript(client, station, deputy):
    for url in all_public_urls(station, deputy):
        page = html(client.get(url))
        # No script, but the opinion form's optional one: it shows similar opinions while
        # the citizen types, which the form's "check" button does without it.
        scripts = [s for s in re.findall(r"<script[^>]*>", page) if "similar-opinions.js" not in s]
        assert scripts == [], url
        assert 'lang="zh-hans"' in page, url
        # Every form submits by plain GET, no script needed.
        assert page.count("<form") == page.count('method="get"') + page.count('method="post"')


def test_pages_answer_head_but_not_post(client, station):
    url = reverse("public:station_detail", args=[station.public_code])
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


def test_stale_rota_lines_are_not_shown(client, station, deputy, today):
    old = f.DeputyFactory(name="旧轮值代表", district=deputy.district)
    f.DeputyMembershipFactory(deputy=old, term=f.TermFactory(region=deputy.district))
    f.DutyRotaFactory(
        station=station,
        deputy=old,
        weekday=today.weekday(),
        valid_from=today - datetime.timedelta(days=30),
        valid_until=today - datetime.timedelta(days=1),
    )
    page = html(client.get(reverse("public:station_detail", args=[station.public_code])))
    assert "旧轮值代表" not in page
