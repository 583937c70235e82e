"""Query counts of the public pages stay fixed as stations, deputies and rota lines grow."""

import pytest
from django.urls import reverse

from zhitong.deputies.models import DeputyLevel, GroupKind
from zhitong.stations.models import StationKind
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db

# Exact counts of the pages as built; what matters is that they hold for 5 rows and for 30.
# station list: streets for the select, count, page.
STATION_LIST_MAX = 3
# station page: station, communities, today's duty, the week, assignments, their levels.
STATION_PAGE_MAX = 6
# deputy list: streets, count, page, then levels, stations and groups prefetched.
DEPUTY_LIST_MAX = 6
# deputy page: deputy, levels, stations, groups, duty slots.
DEPUTY_PAGE_MAX = 5
# opinion entry points: station and its duty today; deputy, levels, stations, groups,
# the station's duty today and the deputy's own duty slots.
OPINION_STATION_MAX = 4
OPINION_DEPUTY_MAX = 9


def grow(n, *, district, station, serving, today):
    """n more serving deputies at `station`, on duty today, each in a group; n more stations."""
    group = f.DeputyGroupFactory(kind=GroupKind.STREET, region=district)
    for _ in range(n):
        deputy = f.DeputyFactory(district=district)
        serving(deputy, DeputyLevel.DISTRICT, DeputyLevel.CITY)
        f.StationAssignmentFactory(station=station, deputy=deputy)
        f.DutyRotaFactory(station=station, deputy=deputy, weekday=today.weekday())
        f.DutyRotaFactory(station=station, deputy=deputy, weekday=(today.weekday() + 2) % 7)
        f.GroupMembershipFactory(group=group, deputy=deputy)
        f.StationFactory(region=f.CommunityFactory(parent=f.StreetFactory(parent=district)))
        station.linked_communities.add(f.CommunityFactory(parent=station.street))


@pytest.fixture
def central(street):
    return f.StationFactory(region=street, kind=StationKind.CENTRAL)


def today_weekday(request):
    return request.getfixturevalue("today").weekday()


def _scenario(request, n):
    district = request.getfixturevalue("district")
    station = request.getfixturevalue("central")
    serving = request.getfixturevalue("serving")
    today = request.getfixturevalue("today")
    grow(n, district=district, station=station, serving=serving, today=today)
    deputy = station.assignments.first().deputy
    return station, deputy


@pytest.mark.parametrize("n", [5, 30])
def test_station_list_query_count_is_fixed(request, client, django_assert_max_num_queries, n):
    _scenario(request, n)
    with django_assert_max_num_queries(STATION_LIST_MAX):
        assert client.get(reverse("public:station_list")).status_code == 200


@pytest.mark.parametrize("n", [5, 30])
def test_station_page_query_count_is_fixed(request, client, django_assert_max_num_queries, n):
    station, _ = _scenario(request, n)
    with django_assert_max_num_queries(STATION_PAGE_MAX):
        response = client.get(reverse("public:station_detail", args=[station.public_code]))
    assert response.status_code == 200
    assert response.content.decode().count("市人大代表、区人大代表") == n


@pytest.mark.parametrize("n", [5, 30])
def test_deputy_list_query_count_is_fixed(request, client, django_assert_max_num_queries, n):
    _scenario(request, n)
    with django_assert_max_num_queries(DEPUTY_LIST_MAX):
        response = client.get(reverse("public:deputy_list"))
    assert response.status_code == 200
    assert response.content.decode().count("市人大代表、区人大代表") == min(n, 20)


@pytest.mark.parametrize("n", [5, 30])
def test_deputy_page_query_count_is_fixed(request, client, django_assert_max_num_queries, n):
    station, deputy = _scenario(request, n)
    # Grow the deputy's own rows too: more groups and duty slots.
    for _ in range(n):
        f.GroupMembershipFactory(deputy=deputy, group=f.DeputyGroupFactory(region=deputy.district))
        elsewhere = f.StationFactory(region=f.CommunityFactory(parent=station.street))
        f.StationAssignmentFactory(station=elsewhere, deputy=deputy)
        f.DutyRotaFactory(station=elsewhere, deputy=deputy, weekday=today_weekday(request))
    with django_assert_max_num_queries(DEPUTY_PAGE_MAX):
        response = client.get(reverse("public:deputy_detail", args=[deputy.public_code]))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [5, 30])
def test_opinion_pages_query_count_is_fixed(request, client, django_assert_max_num_queries, n):
    station, deputy = _scenario(request, n)
    with django_assert_max_num_queries(OPINION_STATION_MAX):
        assert client.get(f"/opinions/new/station/{station.public_code}/").status_code == 200
    with django_assert_max_num_queries(OPINION_DEPUTY_MAX):
        assert client.get(f"/opinions/new/deputy/{deputy.public_code}/").status_code == 200
