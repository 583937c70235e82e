"""Permission rules and region scoping, role by role, and their agreement with the selectors."""

import pytest
from django.contrib.auth.models import AnonymousUser

from zhitong.accounts.models import Role
from zhitong.core.scoping import region_in_scope, scope_by_region
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations.models import Station
from zhitong.stations.selectors import stations_visible_to
from zhitong.testing import factories as f
from zhitong.units.selectors import units_visible_to

STATIONS = ["station_a", "studio_a", "station_b", "station_far"]

# who -> the stations whose private page they may open
STATION_MATRIX = {
    "admin": {"station_a", "studio_a", "station_b"},
    "staff": {"station_a", "studio_a", "station_b"},
    "leader": {"station_a", "studio_a", "station_b"},
    "street": {"station_a", "studio_a"},
    "other_street": {"station_b"},
    "far_staff": {"station_far"},
    "liaison": {"station_a"},
    "deputy": {"station_a"},
    "unit": set(),
    "citizen": set(),
    "enterprise": set(),
}


def user_of(world, who):
    return AnonymousUser() if who == "anonymous" else world.users[who]


@pytest.mark.parametrize("who", [*STATION_MATRIX, "anonymous"])
@pytest.mark.parametrize("station", STATIONS)
def test_view_station_private(world, who, station):
    user = user_of(world, who)
    expected = station in STATION_MATRIX.get(who, set())
    assert user.has_perm("stations.view_station_private", getattr(world, station)) is expected


@pytest.mark.parametrize("who", [*STATION_MATRIX, "anonymous"])
def test_rules_and_selector_agree_on_stations(world, who):
    """The list (selector) and the detail page (rule) must never disagree."""
    user = user_of(world, who)
    by_rule = {
        s.pk for s in Station.objects.all() if user.has_perm("stations.view_station_private", s)
    }
    by_selector = set(stations_visible_to(user).values_list("pk", flat=True))
    assert by_rule == by_selector
    assert by_selector == {getattr(world, name).pk for name in STATION_MATRIX.get(who, set())}


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("admin", True),
        ("staff", True),
        ("leader", True),
        ("street", True),
        ("liaison", True),
        ("deputy", True),
        ("unit", False),
        ("citizen", False),
        ("enterprise", False),
        ("anonymous", False),
    ],
)
def test_list_stations(world, who, allowed):
    assert user_of(world, who).has_perm("stations.list_stations") is allowed


def test_inactive_staff_loses_every_permission(world):
    world.staff.is_active = False
    world.staff.save()
    assert not world.staff.has_perm("stations.list_stations")
    assert not world.staff.has_perm("stations.view_station_private", world.station_a)
    assert not stations_visible_to(world.staff).exists()


def test_staff_without_region_sees_nothing(world):
    lost = f.UserFactory(username="lost", role=Role.STAFF)
    assert not lost.has_perm("stations.list_stations")
    assert not lost.has_perm("stations.view_station_private", world.station_a)
    assert not stations_visible_to(lost).exists()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("staff", True), ("street", True), ("liaison", True), ("deputy", False), ("unit", False)],
)
def test_station_contacts_are_for_staff_and_liaisons(world, who, allowed):
    assert world.users[who].has_perm("stations.view_station_contacts", world.station_a) is allowed


UNIT_MATRIX = {
    "staff": {"unit_a", "unit_b"},
    "street": set(),
    "other_street": {"unit_b"},
    "far_staff": {"unit_far"},
    "unit": {"unit_a"},
    "liaison": set(),
    "deputy": set(),
    "citizen": set(),
}


@pytest.mark.parametrize("who", UNIT_MATRIX)
@pytest.mark.parametrize("unit", ["unit_a", "unit_b", "unit_far"])
def test_view_unit(world, who, unit):
    expected = unit in UNIT_MATRIX[who]
    assert world.users[who].has_perm("units.view_unit", getattr(world, unit)) is expected
    assert (
        units_visible_to(world.users[who]).filter(pk=getattr(world, unit).pk).exists() is expected
    )


DEPUTY_MATRIX = {
    "staff": {"dep_a", "dep_b", "dep_left"},
    # 张甲 sits at a station in 甲街道; 赵离 left it in 2023.
    "street": {"dep_a"},
    "other_street": {"dep_b"},
    "far_staff": {"dep_far"},
    "deputy": {"dep_a"},
    "liaison": set(),
    "unit": set(),
    "citizen": set(),
}


@pytest.mark.parametrize("who", DEPUTY_MATRIX)
@pytest.mark.parametrize("deputy", ["dep_a", "dep_b", "dep_far", "dep_left"])
def test_view_deputy_private(world, who, deputy):
    expected = deputy in DEPUTY_MATRIX[who]
    assert world.users[who].has_perm("deputies.view_deputy_private", getattr(world, deputy)) is (
        expected
    )


def test_scope_by_region_is_a_subtree(world):
    regions = Region.objects.all()
    assert set(scope_by_region(regions, world.street, "parent")) == {
        r for r in regions if r.parent_id == world.street_a.pk
    }
    stations = Station.objects.all()
    assert set(scope_by_region(stations, world.staff, "region")) == {
        world.station_a,
        world.studio_a,
        world.station_b,
    }


@pytest.mark.parametrize("who", ["liaison", "deputy", "unit", "citizen", "enterprise"])
def test_scope_by_region_gives_nothing_to_roles_without_a_region(world, who):
    assert not scope_by_region(Station.objects.all(), world.users[who], "region").exists()


def test_scope_by_region_gives_nothing_to_anonymous(world):
    assert not scope_by_region(Station.objects.all(), AnonymousUser(), "region").exists()


def test_scope_by_region_gives_all_to_a_superuser(world):
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    assert scope_by_region(Station.objects.all(), root, "region").count() == 4


def test_scope_does_not_leak_to_a_sibling_whose_code_shares_a_prefix(world):
    # "4201060100" would match "420106010" as a bare prefix; the path's "/" stops that.
    short = f.RegionFactory(code="420106010", level=RegionLevel.STREET, parent=world.district)
    longer = f.RegionFactory(code="4201060100", level=RegionLevel.STREET, parent=world.district)
    user = f.UserFactory(username="short", role=Role.STREET, region=short)
    assert region_in_scope(user, short)
    assert not region_in_scope(user, longer)
    assert list(scope_by_region(Region.objects.all(), user, "parent")) == []
