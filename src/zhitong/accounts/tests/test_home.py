"""The home page (工作台): one per role, each showing that role's own work and nothing else."""

import re

import pytest

from zhitong.accounts.models import Role
from zhitong.accounts.tests.world import add_community, add_street
from zhitong.stations.models import Weekday
from zhitong.testing import factories as f

HOME = "/accounts/home/"

H1 = {
    "admin": "系统管理员工作台",
    "staff": "常委会工作人员工作台",
    "leader": "主任会议成员工作台",
    "street": "街道人大工委工作台",
    "liaison": "联络员工作台",
    "deputy": "人大代表工作台",
    "unit": "承办单位工作台",
    "citizen": "群众工作台",
    "enterprise": "企业代表工作台",
}

# The page itself, plus one count query per figure of the opinions panel (4 at most), plus
# whether the user is an auditor (the link to the access records), plus the to-do list (one
# query, whatever it holds), plus the suggestions panel (one query for all its figures).
HOME_MAX_QUERIES = 17


def h1_of(response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.text, re.S)
    assert match, "page has no <h1>"
    return match.group(1).strip()


def home_as(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/home/"


@pytest.mark.parametrize("who", list(H1))
def test_every_role_gets_its_own_home(client, world, who):
    response = home_as(client, world.users[who])
    assert h1_of(response) == H1[who]


def test_superuser_without_a_role_gets_the_admin_home(client, world):
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    response = home_as(client, root)
    assert h1_of(response) == "系统管理员工作台"
    assert 'data-count="stations">4<' in response.text


def test_admin_home_counts_only_its_scope(client, world):
    text = home_as(client, world.admin).text
    # 武昌区: district, 2 streets, 2 communities; not 江岸区 or the province above.
    assert 'data-count="regions">5<' in text
    assert 'data-count="stations">3<' in text
    # 张甲, 李乙, 赵离 are 武昌区 deputies; 王丙 is 江岸区's.
    assert 'data-count="deputies">3<' in text
    assert 'data-count="units">2<' in text
    assert 'href="/admin/"' in text
    assert "/work/imports/" in text
    # The opinions panel: what waits for this account, each figure linking to the queue.
    assert "意见建议待处理" in text


def test_admin_account_count_covers_every_kind_of_account_in_scope(client, world):
    text = home_as(client, world.admin).text
    # admin1, staff1, leader1, street_a, street_b (region), unit1 (unit in the district),
    # deputy1 (张甲 of 武昌区), liaison1 (keeps 甲一社区代表联络站). Not far_staff, not citizens.
    assert 'data-count="accounts">8<' in text


def test_region_role_without_region_sees_a_warning_not_data(client, world):
    lost = f.UserFactory(username="lost", role=Role.STAFF)
    text = home_as(client, lost).text
    assert "尚未设置工作范围" in text
    assert "甲街道" not in text


def test_district_overview_lists_streets_with_counts(client, world):
    # The staff's home; the leader's is the district at a glance (dashboards).
    text = home_as(client, world.staff).text
    assert "甲街道" in text
    assert "乙街道" in text
    assert "丙街道" not in text
    assert f'href="/work/stations/?street={world.street_a.pk}"' in text
    # 甲街道: 2 stations, 1 current deputy (赵离 left in 2023).
    row = re.search(r"甲街道</a></th>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>", text)
    assert row and row.groups() == ("2", "1")
    assert "意见建议待处理" in text
    assert "待转办" in text


def test_district_overview_query_count_does_not_grow_with_streets(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.staff)
    with django_assert_max_num_queries(HOME_MAX_QUERIES):
        client.get(HOME)
    for _ in range(10):
        street = add_street(world.district)
        station = f.StationFactory(region=street)
        f.StationAssignmentFactory(station=station, deputy=f.DeputyFactory(district=world.district))
    with django_assert_max_num_queries(HOME_MAX_QUERIES):
        response = client.get(HOME)
    assert response.text.count("/work/stations/?street=") == 12


def test_street_home_shows_its_street_only(client, world):
    text = home_as(client, world.street).text
    assert "甲一社区代表联络站" in text
    assert "甲街道代表工作室" in text
    assert "乙一社区代表联络站" not in text
    assert "张甲" in text
    assert "李乙" not in text
    assert "王丙" not in text
    assert f'href="/work/stations/{world.station_a.pk}/"' in text


def test_street_home_query_count_is_fixed(client, world, django_assert_max_num_queries):
    client.force_login(world.street)
    for _ in range(8):
        station = f.StationFactory(region=add_community(world.street_a))
        f.StationAssignmentFactory(station=station, deputy=f.DeputyFactory(district=world.district))
    with django_assert_max_num_queries(HOME_MAX_QUERIES):
        response = client.get(HOME)
    assert response.status_code == 200


def test_liaison_home_shows_kept_stations_with_todays_duty(client, world):
    text = home_as(client, world.liaison).text
    assert "甲一社区代表联络站" in text
    assert "上午：张甲" in text
    assert "乙一社区代表联络站" not in text
    assert "李乙" not in text


def test_liaison_without_stations_sees_an_empty_state(client, world):
    lonely = f.UserFactory(username="lonely", role=Role.LIAISON)
    assert "还没有负责的联络站点" in home_as(client, lonely).text


def test_deputy_home_shows_own_profile_station_duty_and_qr(client, world):
    text = home_as(client, world.deputy).text
    assert "张甲" in text
    assert "13800000001" in text
    assert "甲一社区代表联络站" in text
    assert "站长" in text
    weekday = Weekday(world.today.weekday()).label
    assert f"{weekday}上午 · 甲一社区代表联络站" in text
    assert f"/deputies/{world.dep_a.public_code}/" in text
    assert f"/qr/deputy/{world.dep_a.public_code}.svg" in text
    assert "李乙" not in text


def test_deputy_account_without_record_is_told_so(client, world):
    orphan = f.UserFactory(username="orphan", role=Role.DEPUTY)
    assert "尚未关联代表信息" in home_as(client, orphan).text


def test_unit_home_shows_its_unit_and_empty_assignments(client, world):
    text = home_as(client, world.unit).text
    assert "武昌区住房和城市更新局" in text
    assert "乙街道办事处" not in text
    # The unit's opinion figures: referrals to sign for, in hand, overdue.
    assert "待签收" in text
    assert "办理中" in text


@pytest.mark.parametrize("who", ["citizen", "enterprise"])
def test_citizen_home_offers_the_opinion_form(client, world, who):
    text = home_as(client, world.users[who]).text
    assert "我的意见" in text
    assert 'href="/opinions/track/"' in text
    assert 'href="/opinions/new/"' in text
    assert "甲一社区代表联络站" not in text
