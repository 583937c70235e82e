"""The station selectors and the `access_station` gatekeeper, branch by branch."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from zhitong.stations.selectors import access_station, station_list, stations_visible_to
from zhitong.testing import factories as f


def names(queryset):
    return {s.name for s in queryset}


def test_district_staff_see_both_streets(world):
    assert names(stations_visible_to(world.staff)) == {
        "甲一社区代表联络站",
        "甲街道代表工作室",
        "乙一社区代表联络站",
    }


def test_street_staff_see_their_street_only(world):
    assert names(stations_visible_to(world.street)) == {"甲一社区代表联络站", "甲街道代表工作室"}
    assert names(stations_visible_to(world.other_street)) == {"乙一社区代表联络站"}


def test_liaison_sees_the_stations_they_keep(world):
    assert names(stations_visible_to(world.liaison)) == {"甲一社区代表联络站"}
    world.station_b.liaisons.add(world.liaison)
    assert names(stations_visible_to(world.liaison)) == {"甲一社区代表联络站", "乙一社区代表联络站"}


def test_deputy_sees_the_station_they_are_assigned_to_now(world):
    assert names(stations_visible_to(world.deputy)) == {"甲一社区代表联络站"}
    assignment = world.dep_a.station_assignments.get()
    assignment.end_date = world.today - datetime.timedelta(days=1)
    assignment.save()
    assert not stations_visible_to(world.deputy).exists()


@pytest.mark.parametrize("who", ["unit", "citizen", "enterprise"])
def test_roles_without_stations_see_none(world, who):
    assert not stations_visible_to(world.users[who]).exists()


def test_anonymous_sees_none(world):
    assert not stations_visible_to(AnonymousUser()).exists()


def test_access_station_returns_a_visible_station(world):
    assert access_station(world.street, world.station_a.pk) == world.station_a


def test_access_station_404_when_missing(world):
    with pytest.raises(Http404):
        access_station(world.staff, 999_999)


def test_access_station_404_when_out_of_scope(world):
    with pytest.raises(Http404):
        access_station(world.street, world.station_b.pk)


def test_access_station_404_for_a_role_without_stations(world):
    with pytest.raises(Http404):
        access_station(world.unit, world.station_a.pk)


def test_access_station_404_for_garbage_pk(world):
    with pytest.raises(Http404):
        access_station(world.staff, "abc")


def test_missing_and_forbidden_look_the_same(world):
    messages = []
    for pk in (999_999, world.station_b.pk):
        with pytest.raises(Http404) as caught:
            access_station(world.street, pk)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


def test_station_list_counts_current_deputies_and_liaisons(world):
    stations = {s.name: s for s in station_list(world.staff)}
    station_a = stations["甲一社区代表联络站"]
    # 张甲 now; 赵离 left in 2023 and is not counted.
    assert station_a.deputy_count == 1
    assert station_a.liaison_count == 1
    assert stations["甲街道代表工作室"].deputy_count == 0


def test_liaison_list_counts_all_liaisons_not_only_themselves(world):
    other = f.UserFactory(username="liaison2", role="liaison")
    world.station_a.liaisons.add(other)
    (station_a,) = station_list(world.liaison)
    assert station_a.liaison_count == 2


def test_station_list_filters(world):
    assert names(station_list(world.staff, street_id=world.street_b.pk)) == {"乙一社区代表联络站"}
    assert names(station_list(world.staff, kind="studio")) == {"甲街道代表工作室"}
    # A filter never widens the scope.
    assert not station_list(world.street, street_id=world.street_b.pk).exists()
