"""Fixtures of the import tests: one district with a street, two communities and a station."""

import pytest

from zhitong.accounts.models import Role
from zhitong.deputies.models import (
    Deputy,
    DeputyLevel,
    DeputyMembership,
    GroupKind,
    GroupMembership,
)
from zhitong.regions.models import RegionLevel
from zhitong.stations.models import Station, StationAssignment, StationKind
from zhitong.testing import factories as f
from zhitong.units.models import HandlingUnit


@pytest.fixture
def place(district):
    """中南路街道 with 中南路社区 (its station) and 水果湖社区; terms 17 (区) and 16 (市)."""
    street = f.StreetFactory(parent=district, name="中南路街道", code="420106001000")
    community = f.CommunityFactory(parent=street, name="中南路社区", code="420106001001")
    other_community = f.CommunityFactory(parent=street, name="水果湖社区", code="420106001002")
    station = f.StationFactory(
        region=community, name="中南路社区代表联络站", kind=StationKind.COMMUNITY
    )
    district_term = f.TermFactory(region=district, level=DeputyLevel.DISTRICT, number=17)
    city_term = f.TermFactory(region=district.parent, level=DeputyLevel.CITY, number=16)
    group = f.DeputyGroupFactory(
        region=district, name="城建环保专业代表小组", kind=GroupKind.PROFESSIONAL
    )
    return {
        "district": district,
        "street": street,
        "community": community,
        "other_community": other_community,
        "station": station,
        "district_term": district_term,
        "city_term": city_term,
        "group": group,
    }


@pytest.fixture
def far_district(district):
    region = f.RegionFactory(
        code="420102", name="江岸区", level=RegionLevel.DISTRICT, parent=district.parent
    )
    f.StreetFactory(parent=region, name="大智街道", code="420102001000")
    return region


@pytest.fixture
def staff(district):
    return f.UserFactory(username="staff1", display_name="王工作", role=Role.STAFF, region=district)


@pytest.fixture
def counts():
    """A snapshot of the structure tables; compare two snapshots to prove nothing was written."""

    def snapshot():
        return {
            model.__name__: model.objects.count()
            for model in (
                Deputy,
                DeputyMembership,
                GroupMembership,
                Station,
                StationAssignment,
                HandlingUnit,
            )
        }

    return snapshot
