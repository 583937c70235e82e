"""The private station pages: authorization matrix (role × page), content, filters, query counts."""

import pytest

from zhitong.accounts.tests.world import add_community
from zhitong.testing import factories as f

LIST = "/work/stations/"


def detail(station):
    return f"/work/stations/{station.pk}/"


# who -> (list status, {station: detail status})
MATRIX = {
    "admin": (200, {"station_a": 200, "station_b": 200, "station_far": 404}),
    "staff": (200, {"station_a": 200, "station_b": 200, "station_far": 404}),
    "leader": (200, {"station_a": 200, "station_b": 200, "station_far": 404}),
    "street": (200, {"station_a": 200, "station_b": 404, "station_far": 404}),
    "other_street": (200, {"station_a": 404, "station_b": 200, "station_far": 404}),
    "far_staff": (200, {"station_a": 404, "station_b": 404, "station_far": 200}),
    "liaison": (200, {"station_a": 200, "station_b": 404, "station_far": 404}),
    "deputy": (200, {"station_a": 200, "station_b": 404, "station_far": 404}),
    "unit": (403, {"station_a": 404, "station_b": 404, "station_far": 404}),
    "citizen": (403, {"station_a": 404, "station_b": 404, "station_far": 404}),
    "enterprise": (403, {"station_a": 404, "station_b": 404, "station_far": 404}),
}


@pytest.mark.parametrize("who", MATRIX)
def test_station_list_access(client, world, who):
    client.force_login(world.users[who])
    assert client.get(LIST).status_code == MATRIX[who][0]


@pytest.mark.parametrize("who", MATRIX)
@pytest.mark.parametrize("station", ["station_a", "station_b", "station_far"])
def test_station_detail_access(client, world, who, station):
    client.force_login(world.users[who])
    assert client.get(detail(getattr(world, station))).status_code == MATRIX[who][1][station]


@pytest.mark.parametrize("page", ["list", "detail"])
def test_anonymous_is_sent_to_login(client, world, page):
    url = LIST if page == "list" else detail(world.station_a)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/work/stations/")


def test_missing_station_is_404(client, world):
    client.force_login(world.staff)
    assert client.get("/work/stations/999999/").status_code == 404


def test_street_staff_cannot_list_the_other_street(client, world):
    client.force_login(world.street)
    text = client.get(LIST).text
    assert "甲一社区代表联络站" in text
    assert "甲街道代表工作室" in text
    assert "乙一社区代表联络站" not in text
    # Not even by asking for the other street in the filter.
    text = client.get(LIST, {"street": world.street_b.pk}).text
    assert "乙一社区代表联络站" not in text


def test_district_staff_list_both_streets(client, world):
    client.force_login(world.staff)
    text = client.get(LIST).text
    assert "甲一社区代表联络站" in text
    assert "乙一社区代表联络站" in text
    assert "丙街道代表工作室" not in text


def test_list_filters_by_street_and_kind(client, world):
    client.force_login(world.staff)
    text = client.get(LIST, {"street": world.street_b.pk}).text
    assert "乙一社区代表联络站" in text
    assert "甲一社区代表联络站" not in text
    text = client.get(LIST, {"kind": "studio"}).text
    assert "甲街道代表工作室" in text
    assert "甲一社区代表联络站" not in text
    text = client.get(LIST, {"street": world.street_b.pk, "kind": "studio"}).text
    assert "没有符合筛选条件的站点" in text


def test_street_filter_offers_only_streets_in_scope(client, world):
    client.force_login(world.street)
    text = client.get(LIST).text
    assert f'<option value="{world.street_a.pk}"' in text
    assert f'<option value="{world.street_b.pk}"' not in text


def test_list_paginates_and_keeps_filters(client, world):
    for _ in range(30):
        f.StationFactory(region=add_community(world.street_b))
    client.force_login(world.staff)
    first = client.get(LIST, {"street": world.street_b.pk})
    assert "共 31 个站点" in first.text
    assert first.text.count('href="/work/stations/') == 25 + 1  # rows + "clear filter"
    assert f"?street={world.street_b.pk}&amp;page=2" in first.text
    second = client.get(LIST, {"street": world.street_b.pk, "page": 2})
    assert "第 2 / 2 页" in second.text


def test_empty_list_says_so(client, world):
    lonely = f.UserFactory(username="lonely", role="liaison")
    client.force_login(lonely)
    assert "您的工作范围内还没有联络站点" in client.get(LIST).text


def test_list_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    client.force_login(world.staff)
    with django_assert_max_num_queries(8):
        client.get(LIST)
    for _ in range(20):
        station = f.StationFactory(region=add_community(world.street_a))
        station.liaisons.add(world.liaison)
        f.StationAssignmentFactory(station=station, deputy=f.DeputyFactory(district=world.district))
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert response.status_code == 200


def test_detail_shows_everything_to_district_staff(client, world):
    client.force_login(world.staff)
    text = client.get(detail(world.station_a)).text
    assert "<h1" in text and "甲一社区代表联络站" in text
    assert "钥匙在社区居委会王主任处" in text  # internal notes
    assert "张甲" in text
    assert "13800000001" in text  # deputy's mobile
    assert "站长" in text
    assert "liaison1" in text and "13900000009" in text  # liaison and phone
    assert "赵离" in text and "2023-06-30" in text  # assignment history
    assert "上午" in text  # rota
    assert f"/stations/{world.station_a.public_code}/" in text  # the public page


def test_detail_hides_mobiles_from_a_deputy(client, world):
    client.force_login(world.deputy)
    text = client.get(detail(world.station_a)).text
    assert "张甲" in text
    assert "13800000001" not in text
    assert "13900000009" not in text
    assert "不公开" in text


def test_detail_shows_mobiles_to_the_liaison(client, world):
    client.force_login(world.liaison)
    assert "13800000001" in client.get(detail(world.station_a)).text


def test_detail_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world.staff)
    for _ in range(10):
        deputy = f.DeputyFactory(district=world.district)
        f.StationAssignmentFactory(station=world.station_a, deputy=deputy)
        f.DutyRotaFactory(station=world.station_a, deputy=deputy)
    with django_assert_max_num_queries(12):
        response = client.get(detail(world.station_a))
    assert response.status_code == 200
