"""Fixtures for the public pages: a street with a station, its deputies and a duty rota."""

import datetime

import pytest
from django.utils import timezone

from zhitong.accounts.tests.world import world  # noqa: F401 (the two-street world: posters)
from zhitong.deputies.models import DeputyLevel, GroupKind, MembershipStatus
from zhitong.stations.models import StationKind
from zhitong.testing import factories as f

PRIVATE_MOBILE = "13987650123"
PRIVATE_ID_TAIL = "5X8Q"
PRIVATE_NOTES = "钥匙在物业老周处内部备注"
PRIVATE_USERNAME = "deputy-login-zhangsan"
UPWARD = {DeputyLevel.CITY: 1, DeputyLevel.PROVINCIAL: 2, DeputyLevel.NATIONAL: 3}


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    settings.PUBLIC_BASE_URL = "https://zt.example.cn"


@pytest.fixture
def serving(db):
    """Make a deputy serving: a district seat (and optionally more levels)."""

    def make(deputy, *levels, status=MembershipStatus.SERVING):
        memberships = []
        for level in levels or (DeputyLevel.DISTRICT,):
            # Each level's congress sits in its own region: a city seat in the city.
            region = deputy.district
            for _ in range(UPWARD.get(level, 0)):
                region = region.parent or region
            term = f.TermFactory(region=region, level=level)
            memberships.append(
                f.DeputyMembershipFactory(
                    deputy=deputy, term=term, constituency="第3选区", status=status
                )
            )
        return memberships

    return make


@pytest.fixture
def station(street):
    community = f.CommunityFactory(parent=street, name="首义社区")
    return f.StationFactory(
        name="首义社区代表联络站",
        region=community,
        kind=StationKind.COMMUNITY,
        address="首义路88号",
        opening_hours="周一至周五 9:00-17:00",
        public_phone="027-88886666",
        introduction="本站面向首义社区居民。",
        internal_notes=PRIVATE_NOTES,
        public_code="SSHOUYI01",
    )


@pytest.fixture
def deputy(district, station, serving, today):
    """A serving district and city deputy, head of `station`, on duty today, in a group."""
    user = f.UserFactory(username=PRIVATE_USERNAME)
    deputy = f.DeputyFactory(
        name="张三",
        gender="M",
        district=district,
        occupation="武汉某某公司总经理",
        mobile=PRIVATE_MOBILE,
        id_number_tail=PRIVATE_ID_TAIL,
        user=user,
        public_code="DZHANGSAN",
    )
    serving(deputy, DeputyLevel.DISTRICT, DeputyLevel.CITY)
    f.StationAssignmentFactory(station=station, deputy=deputy, is_head=True)
    f.DutyRotaFactory(station=station, deputy=deputy, weekday=today.weekday(), period="am")
    group = f.DeputyGroupFactory(
        name="城建环保专业代表小组", kind=GroupKind.PROFESSIONAL, region=district
    )
    f.GroupMembershipFactory(group=group, deputy=deputy)
    return deputy


@pytest.fixture
def yesterday(today):
    return today - datetime.timedelta(days=1)
