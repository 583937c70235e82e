"""Shared fixtures and file builders for the intake tests (public form, records, uploads, ledgers)."""

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhitong.accounts.models import Role
from zhitong.deputies.models import DeputyLevel
from zhitong.stations.models import StationKind
from zhitong.testing import factories as f

# Fixtures a test module takes with `from .intake_support import *` (pytest finds fixtures
# by name in the module); helpers are imported by name.
__all__ = [
    "_fresh_cache",
    "categories",
    "community",
    "deputy",
    "deputy_user",
    "liaison",
    "other_community",
    "staff",
    "station",
    "world",
]

# An ELF executable's header and a Windows PE ("MZ") header: what a renamed program starts with.
ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 2000
PE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
    + b"\x00" * 50
    + b"PE\x00\x00"
    + b"\x00" * 2000
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counts live in the cache: each test starts with none; nor does it start
    with the public form's choice lists a previous test kept (rolled-back rows)."""
    from zhitong.opinions.forms_public import choices_changed

    cache.clear()
    choices_changed()
    yield
    cache.clear()
    choices_changed()


def image_bytes(fmt="JPEG", size=(64, 48), color="red", exif=None) -> bytes:
    image = Image.new("RGB", size, color)
    buffer = io.BytesIO()
    kwargs = {"exif": exif.tobytes()} if exif is not None else {}
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def gps_exif():
    """EXIF with a camera make and GPS position (武汉), as a phone writes it."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Model X"
    exif[0x8825] = {1: "N", 2: (30.0, 32.0, 44.0), 3: "E", 4: (114.0, 18.0, 21.0)}
    return exif


def jpeg_upload(name="photo.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG", **kwargs), content_type="image/jpeg")


def png_upload(name="photo.png", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG", **kwargs), content_type="image/png")


@pytest.fixture
def community(street):
    return f.CommunityFactory(parent=street, name="首义社区")


@pytest.fixture
def other_community(street):
    return f.CommunityFactory(parent=street, name="紫阳社区")


@pytest.fixture
def station(community):
    return f.StationFactory(
        name="首义社区代表联络站",
        region=community,
        kind=StationKind.COMMUNITY,
        address="首义路88号",
        opening_hours="周一至周五 9:00-17:00",
        public_code="SSHOUYI01",
    )


def make_serving(deputy, level=DeputyLevel.DISTRICT):
    term = f.TermFactory(region=deputy.district, level=level)
    return f.DeputyMembershipFactory(deputy=deputy, term=term)


@pytest.fixture
def deputy_user(db):
    return f.UserFactory(username="deputy-li", display_name="李代表", role=Role.DEPUTY)


@pytest.fixture
def deputy(district, station, deputy_user):
    """A serving district deputy with a login, head of `station`."""
    deputy = f.DeputyFactory(
        name="李四", district=district, public_code="DLISI0001", user=deputy_user
    )
    make_serving(deputy)
    f.StationAssignmentFactory(station=station, deputy=deputy, is_head=True)
    return deputy


@pytest.fixture
def categories(db):
    livelihood = f.CategoryFactory(name="民生保障", code="C01")
    property_ = f.CategoryFactory(name="物业管理", code="C0101", parent=livelihood)
    f.CategoryFactory(name="人居环境", code="C0102", parent=livelihood)
    governance = f.CategoryFactory(name="社会治理", code="C02")
    return {"livelihood": livelihood, "property": property_, "governance": governance}


@pytest.fixture
def staff(district):
    return f.UserFactory(
        username="staff-wang", display_name="王干事", role=Role.STAFF, region=district
    )


@pytest.fixture
def liaison(station):
    user = f.UserFactory(username="liaison-zhao", display_name="赵联络员", role=Role.LIAISON)
    station.liaisons.add(user)
    return user


def form_data(**overrides) -> dict:
    data = {
        "subject": "小区路灯不亮",
        "content": "首义小区东门的路灯坏了一个月，晚上老人出行不便，希望尽快修好。",
        "category": "",
        "place": "",
        "address": "首义路12号",
        "submitter_name": "张三丰",
        "submitter_phone": "13900001234",
        "submitter_email": "",
    }
    data.update(overrides)
    return data


def submission_key_from(response) -> str:
    """The signed one-time key the rendered form carries."""
    import re

    match = re.search(r'name="submission_key" value="([^"]+)"', response.content.decode())
    assert match, "the form must carry a submission key"
    return match.group(1)


def confirmation_of(response) -> tuple[str, str]:
    """The page a public form's redirect leads to and the submission it confirms: its
    address carries the submission key signed with the time of signing, so two redirects
    to the same confirmation differ when a second passed between them."""
    from django.core import signing
    from django.urls import resolve

    from zhitong.opinions.views_public import CONFIRMATION_SALT

    match = resolve(response["Location"])
    return match.view_name, signing.loads(match.kwargs["token"], salt=CONFIRMATION_SALT)


@pytest.fixture
def world(db):
    """武昌区 (甲街道: station_a with deputy 张甲 and a liaison; 乙街道: station_b) and 江岸区,
    with one account per role."""
    from types import SimpleNamespace

    from zhitong.accounts.tests.world import add_community, add_street
    from zhitong.regions.models import RegionLevel

    district = f.make_district()
    street_a = add_street(district, "甲街道")
    street_b = add_street(district, "乙街道")
    community_a = add_community(street_a, "甲一社区")
    community_a2 = add_community(street_a, "甲二社区")
    community_b = add_community(street_b, "乙一社区")
    far_district = f.RegionFactory(
        code="420102", name="江岸区", level=RegionLevel.DISTRICT, parent=district.parent
    )
    far_street = add_street(far_district, "丙街道")
    far_community = add_community(far_street, "丙一社区")

    station_a = f.StationFactory(region=community_a, name="甲一社区代表联络站")
    station_b = f.StationFactory(region=community_b, name="乙一社区代表联络站")
    station_far = f.StationFactory(region=far_community, name="丙一社区代表联络站")

    def user(name, role, **kw):
        return f.UserFactory(username=name, role=role, display_name=kw.pop("display", name), **kw)

    users = {
        "admin": user("admin1", Role.ADMIN, region=district),
        "staff": user("staff1", Role.STAFF, region=district, display="王工作"),
        "leader": user("leader1", Role.LEADER, region=district),
        "street": user("street_a", Role.STREET, region=street_a),
        "other_street": user("street_b", Role.STREET, region=street_b),
        "far_staff": user("far_staff", Role.STAFF, region=far_district),
        "deputy": user("deputy_a", Role.DEPUTY, display="张甲"),
        "other_deputy": user("deputy_b", Role.DEPUTY, display="李乙"),
        "liaison": user("liaison_a", Role.LIAISON),
        "other_liaison": user("liaison_b", Role.LIAISON),
        "unit": user("unit1", Role.UNIT, unit=f.HandlingUnitFactory(region=district)),
        "citizen": user("citizen1", Role.CITIZEN),
    }
    dep_a = f.DeputyFactory(district=district, name="张甲", user=users["deputy"])
    dep_b = f.DeputyFactory(district=district, name="李乙", user=users["other_deputy"])
    dep_a2 = f.DeputyFactory(district=district, name="周丙")
    f.StationAssignmentFactory(station=station_a, deputy=dep_a, is_head=True)
    f.StationAssignmentFactory(station=station_a, deputy=dep_a2)
    f.StationAssignmentFactory(station=station_b, deputy=dep_b)
    station_a.liaisons.add(users["liaison"])
    station_b.liaisons.add(users["other_liaison"])
    return SimpleNamespace(
        district=district,
        street_a=street_a,
        street_b=street_b,
        community_a=community_a,
        community_a2=community_a2,
        community_b=community_b,
        far_district=far_district,
        far_community=far_community,
        station_a=station_a,
        station_b=station_b,
        station_far=station_far,
        dep_a=dep_a,
        dep_a2=dep_a2,
        dep_b=dep_b,
        users=users,
        **users,
    )
