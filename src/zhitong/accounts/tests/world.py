"""A small two-street district with one account per role, for authorization tests."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from zhitong.accounts.models import Role
from zhitong.regions.models import RegionLevel
from zhitong.stations.models import StationKind
from zhitong.testing import factories as f
from zhitong.units.models import UnitKind

PASSWORD = "pass-1234-zt"


def add_street(district, name: str = ""):
    """A street under `district` with the next free 12-digit code.

    Codes come from the database rather than StreetFactory's process-wide sequence,
    which passes 12 characters after a thousand streets in one test run.
    """
    number = district.children.count() + 1
    return f.RegionFactory(
        code=f"{district.code[:6]}{number:03d}000",
        name=name or f"第{number}街道",
        level=RegionLevel.STREET,
        parent=district,
    )


def add_community(street, name: str = ""):
    """A community under `street` with the next free 12-digit code."""
    number = street.children.count() + 1
    return f.RegionFactory(
        code=f"{street.code[:9]}{number:03d}",
        name=name or f"{street.name}第{number}社区",
        level=RegionLevel.COMMUNITY,
        parent=street,
    )


def build_world() -> SimpleNamespace:
    """武昌区 with streets A and B, a station or two in each, and a second district.

    Street A: community station `station_a` (deputy `dep_a`, liaison, today's duty) and
    studio `studio_a`. Street B: `station_b` (deputy `dep_b`). 江岸区: `station_far`.
    """
    today = timezone.localdate()
    district = f.make_district()
    street_a = add_street(district, "甲街道")
    street_b = add_street(district, "乙街道")
    community_a = add_community(street_a, "甲一社区")
    community_b = add_community(street_b, "乙一社区")
    far_district = f.RegionFactory(
        code="420102", name="江岸区", level=RegionLevel.DISTRICT, parent=district.parent
    )
    far_street = add_street(far_district, "丙街道")

    station_a = f.StationFactory(
        region=community_a, name="甲一社区代表联络站", internal_notes="钥匙在社区居委会王主任处"
    )
    studio_a = f.StationFactory(region=street_a, name="甲街道代表工作室", kind=StationKind.STUDIO)
    station_b = f.StationFactory(region=community_b, name="乙一社区代表联络站")
    station_far = f.StationFactory(region=far_street, name="丙街道代表工作室", kind="studio")

    dep_a = f.DeputyFactory(district=district, name="张甲", mobile="13800000001")
    dep_b = f.DeputyFactory(district=district, name="李乙", mobile="13800000002")
    dep_far = f.DeputyFactory(district=far_district, name="王丙", mobile="13800000003")
    dep_left = f.DeputyFactory(district=district, name="赵离", mobile="13800000004")
    f.DeputyMembershipFactory(deputy=dep_a)
    f.StationAssignmentFactory(station=station_a, deputy=dep_a, is_head=True)
    f.StationAssignmentFactory(station=station_b, deputy=dep_b)
    f.StationAssignmentFactory(station=station_far, deputy=dep_far)
    f.StationAssignmentFactory(
        station=station_a,
        deputy=dep_left,
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2023, 6, 30),
    )
    f.DutyRotaFactory(station=station_a, deputy=dep_a, weekday=today.weekday(), period="am")
    f.DutyRotaFactory(station=station_b, deputy=dep_b, weekday=today.weekday(), period="pm")

    unit_a = f.HandlingUnitFactory(region=district, name="武昌区住房和城市更新局")
    unit_b = f.HandlingUnitFactory(
        region=street_b, name="乙街道办事处", kind=UnitKind.STREET_OFFICE
    )
    unit_far = f.HandlingUnitFactory(region=far_district, name="江岸区教育局")

    def user(name, role, **kw):
        return f.UserFactory(username=name, role=role, display_name=name, **kw)

    users = {
        "admin": user("admin1", Role.ADMIN, region=district, is_staff=True),
        "staff": user("staff1", Role.STAFF, region=district),
        "leader": user("leader1", Role.LEADER, region=district),
        "street": user("street_a", Role.STREET, region=street_a),
        "other_street": user("street_b", Role.STREET, region=street_b),
        "far_staff": user("far_staff", Role.STAFF, region=far_district),
        "liaison": user("liaison1", Role.LIAISON, phone="13900000009"),
        "deputy": user("deputy1", Role.DEPUTY),
        "unit": user("unit1", Role.UNIT, unit=unit_a),
        "citizen": user("citizen1", Role.CITIZEN),
        "enterprise": user("enterprise1", Role.ENTERPRISE),
    }
    station_a.liaisons.add(users["liaison"])
    dep_a.user = users["deputy"]
    dep_a.save(update_fields=["user"])

    return SimpleNamespace(
        today=today,
        district=district,
        street_a=street_a,
        street_b=street_b,
        far_district=far_district,
        station_a=station_a,
        studio_a=studio_a,
        station_b=station_b,
        station_far=station_far,
        dep_a=dep_a,
        dep_b=dep_b,
        dep_far=dep_far,
        dep_left=dep_left,
        unit_a=unit_a,
        unit_b=unit_b,
        unit_far=unit_far,
        users=users,
        **users,
    )


@pytest.fixture
def world(db):
    return build_world()
