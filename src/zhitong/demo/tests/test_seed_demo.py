"""The demo district: `seed_demo` builds Wuchang's structure, the same way every run."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.test import RequestFactory

from zhitong.accounts.models import Role, User
from zhitong.demo.accounts import (
    DEMO_ACCOUNTS,
    DEMO_HOME_PATH,
    DEMO_PASSWORD,
    DEMO_STREET_NAME,
    DEMO_UNIT_NAME,
    DEMO_USERNAMES,
)
from zhitong.demo.management.commands import seed_demo
from zhitong.deputies.models import (
    Deputy,
    DeputyGroup,
    DeputyLevel,
    DeputyMembership,
    GroupKind,
    GroupMembership,
    MembershipStatus,
)
from zhitong.opinions.models import Opinion
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations.models import DutyRota, Station, StationAssignment, StationKind
from zhitong.units.models import Category, CategoryRoute, HandlingUnit, UnitKind, route_for

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One seed for the whole module, rolled back at its end so other modules start empty.

    Each test runs in a savepoint inside this transaction (pytest-django's `db`), so
    a test that seeds again or deletes leaves the next test the original data. The demo
    opinions, which go through the services and take a while, are built and tested by
    test_seed_demo_opinions; the structure is built here without them.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", force=True, opinions=False, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def counts():
    return {
        "regions": Region.objects.count(),
        "stations": Station.objects.count(),
        "deputies": Deputy.objects.count(),
        "memberships": DeputyMembership.objects.count(),
        "assignments": StationAssignment.objects.count(),
        "rota": DutyRota.objects.count(),
        "groups": DeputyGroup.objects.count(),
        "group_members": GroupMembership.objects.count(),
        "units": HandlingUnit.objects.count(),
        "categories": Category.objects.count(),
        "routes": CategoryRoute.objects.count(),
        "users": User.objects.count(),
    }


def fingerprint():
    """Everything a user could tell apart between two builds, keyed by public codes."""
    return {
        "deputies": sorted(
            Deputy.objects.values_list(
                "public_code", "name", "gender", "birth_year", "party", "occupation"
            )
        ),
        "seats": sorted(
            DeputyMembership.objects.values_list(
                "deputy__public_code", "level", "constituency", "status"
            )
        ),
        "stations": sorted(
            Station.objects.values_list("public_code", "name", "kind", "region__code", "address")
        ),
        "assignments": sorted(
            StationAssignment.objects.values_list(
                "station__public_code", "deputy__public_code", "is_head"
            )
        ),
        "rota": sorted(
            DutyRota.objects.values_list(
                "station__public_code", "deputy__public_code", "weekday", "period"
            )
        ),
        "groups": sorted(
            GroupMembership.objects.values_list("group__name", "deputy__public_code", "role")
        ),
    }


def by_kind(model, field="kind"):
    return dict(model.objects.values_list(field).annotate(n=Count("pk")))


def test_seed_builds_wuchang_as_in_the_report(seeded):
    district = Region.objects.get(code="420106")
    assert (district.name, district.parent.name, district.parent.parent.name) == (
        "武昌区",
        "武汉市",
        "湖北省",
    )
    streets = Region.objects.streets()
    assert streets.count() == 14
    assert all(s.name.endswith("街道") and len(s.code) == 12 for s in streets)
    assert Region.objects.get(name=DEMO_STREET_NAME).parent == district
    communities = Region.objects.communities()
    assert communities.count() == 143
    assert all(c.code[:9] == c.parent.code[:9] and c.name.endswith("社区") for c in communities)

    assert by_kind(Station) == {
        StationKind.STUDIO: 14,
        StationKind.COMMUNITY: 143,
        StationKind.CENTRAL: 26,
        StationKind.BUILDING: 9,
        StationKind.STREET_BLOCK: 7,
        StationKind.PARK: 6,
        StationKind.HERITAGE: 3,
    }
    assert by_kind(DeputyGroup) == {
        GroupKind.STREET: 13,
        GroupKind.CITY: 3,
        GroupKind.PROFESSIONAL: 7,
        GroupKind.TASK_TEAM: 27,
    }
    assert 35 <= HandlingUnit.objects.count() <= 45
    assert HandlingUnit.objects.filter(kind=UnitKind.STREET_OFFICE).count() == 14
    for kind in (UnitKind.COURT, UnitKind.PROCURATORATE, UnitKind.SUPERVISORY):
        assert HandlingUnit.objects.filter(kind=kind).count() == 1
    assert "武昌区" in seeded and "143" in seeded


def test_deputies_at_four_levels_all_in_a_station(seeded):
    serving = DeputyMembership.objects.filter(status=MembershipStatus.SERVING)
    per_level = dict(serving.values_list("level").annotate(n=Count("pk")))
    assert 380 <= per_level[DeputyLevel.DISTRICT] <= 420
    for level in (DeputyLevel.CITY, DeputyLevel.PROVINCIAL, DeputyLevel.NATIONAL):
        assert per_level[level] > 0
    # Some people sit at two levels: fewer people than seats.
    assert Deputy.objects.count() < DeputyMembership.objects.count()

    # 全部编组进站: every deputy has exactly one current station.
    current = StationAssignment.objects.current()
    assert current.values("deputy").distinct().count() == Deputy.objects.count()
    assert current.count() == Deputy.objects.count()
    assert Station.objects.filter(assignments__is_head=True).distinct().count() == 208

    # Private numbers are obviously fake.
    assert all(m.startswith("1390000") for m in Deputy.objects.values_list("mobile", flat=True))


def test_every_district_deputy_is_in_one_street_group(seeded):
    district_deputies = Deputy.objects.filter(
        memberships__level=DeputyLevel.DISTRICT, memberships__status=MembershipStatus.SERVING
    )
    in_street_groups = GroupMembership.objects.filter(
        group__kind=GroupKind.STREET, end_date__isnull=True
    )
    assert in_street_groups.count() == district_deputies.count()
    assert set(in_street_groups.values_list("deputy", flat=True)) == set(
        district_deputies.values_list("pk", flat=True)
    )
    for group in DeputyGroup.objects.exclude(kind=GroupKind.STREET):
        assert group.memberships.count() >= 5, group.name


def test_central_stations_link_several_communities_of_their_street(seeded):
    for station in Station.objects.filter(kind=StationKind.CENTRAL).prefetch_related(
        "linked_communities"
    ):
        linked = list(station.linked_communities.all())
        assert len(linked) >= 2
        assert all(c.parent_id == station.street_id for c in linked)


def test_many_stations_have_a_deputy_on_duty_every_weekday(seeded):
    monday = datetime.date(2026, 11, 23)
    for offset in range(5):
        on_duty = DutyRota.objects.on(monday + datetime.timedelta(days=offset))
        assert on_duty.values("station").distinct().count() > 100


def test_each_demo_account_signs_in_with_the_demo_password(seeded):
    assert {a.role for a in DEMO_ACCOUNTS} == set(Role.values)
    request = RequestFactory().post("/accounts/login/")
    for account in DEMO_ACCOUNTS:
        user = authenticate(request, username=account.username, password=DEMO_PASSWORD)
        assert user is not None, account.username
        assert user.role == account.role
        user.full_clean()  # scopes satisfy the role's rules
    assert list(User.objects.filter(is_staff=True).values_list("username", flat=True)) == ["admin"]


def test_demo_accounts_work_in_the_demo_street(seeded):
    demo = User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
    users = {u.role: u for u in demo}
    district = Region.objects.get(code="420106")
    street = Region.objects.get(name=DEMO_STREET_NAME)
    assert users[Role.ADMIN].is_superuser
    for role in (Role.ADMIN, Role.STAFF, Role.LEADER):
        assert users[role].region == district
    assert users[Role.STREET].region == street
    assert users[Role.UNIT].unit.name == DEMO_UNIT_NAME
    assert users[Role.CITIZEN].region is None and users[Role.ENTERPRISE].region is None

    station = users[Role.LIAISON].liaison_stations.get()
    assert station.street == street
    deputy = users[Role.DEPUTY].deputy
    assert deputy.memberships.filter(level=DeputyLevel.DISTRICT).exists()
    assert deputy.station_assignments.get().station == station
    assert users[Role.DEPUTY].display_name == deputy.name


def test_routing_sends_street_matters_to_the_street_office(seeded):
    street = Region.objects.get(name=DEMO_STREET_NAME)
    community = street.children.first()
    property_mgmt = Category.objects.get(name="物业管理")
    education = Category.objects.get(name="教育")
    assert property_mgmt.parent.name == "社会治理"
    assert route_for(property_mgmt, community).name == DEMO_UNIT_NAME
    assert route_for(education, community).name == "武昌区教育局"
    # A matter not tied to a street goes to the district department.
    assert route_for(property_mgmt, street.parent).kind == UnitKind.DEPARTMENT


def test_second_run_changes_nothing(seeded):
    before, codes = counts(), fingerprint()
    out = StringIO()
    call_command("seed_demo", force=True, opinions=False, stdout=out)
    assert counts() == before
    assert fingerprint() == codes
    assert "未重复生成" in out.getvalue()


def test_rebuilding_gives_the_same_codes_and_people(seeded):
    before = fingerprint()
    assert not Opinion.objects.exists()  # they would hold on to stations (PROTECT)
    Station.objects.all().delete()
    DeputyGroup.objects.all().delete()
    Deputy.objects.all().delete()
    assert not Deputy.objects.exists()
    call_command("seed_demo", force=True, opinions=False, stdout=StringIO())
    assert fingerprint() == before


def test_scale_builds_more_districts_with_accounts_in_the_first(seeded):
    call_command("seed_demo", scale=2, force=True, opinions=False, stdout=StringIO())
    districts = Region.objects.filter(level=RegionLevel.DISTRICT).order_by("code")
    assert districts.count() == 2
    for district in districts:
        assert Region.objects.subtree(district).streets().count() == 14
        assert Region.objects.subtree(district).communities().count() == 143
        assert Station.objects.in_region(district).count() == 208
        assert Deputy.objects.in_district(district).count() > 400
        assert HandlingUnit.objects.in_region(district).count() == 42
    assert User.objects.get(username="admin").region.code == "420106"
    assert User.objects.filter(role=Role.STREET).count() == 1


def test_refuses_a_non_debug_database_unless_forced(db, monkeypatch):
    monkeypatch.setattr(seed_demo, "is_test_database", lambda: False)
    before = counts()
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", scale=2, stdout=StringIO())
    assert counts() == before


def test_print_demo_accounts_shows_each_login(seeded):
    out = StringIO()
    call_command("print_demo_accounts", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text and DEMO_HOME_PATH in text
    for account in DEMO_ACCOUNTS:
        assert account.username in text
        assert str(Role(account.role).label) in text
    assert "未创建" not in text


def test_seeding_tells_the_opinion_form_to_read_its_stations_again(seeded):
    """Stations go in with bulk_create (no save signals). A database emptied and seeded
    again holds the same public codes under new ids: a station the form kept from before
    would file opinions under ids that no longer exist (a foreign-key error at commit)."""
    from zhitong.stations import directory
    from zhitong.stations.models import Station

    code = Station.objects.order_by("pk").values_list("public_code", flat=True).first()
    directory.station_for_form(code)
    before = directory._form_station_version()
    call_command("seed_demo", force=True, opinions=False, stdout=StringIO())
    assert directory._form_station_version() != before
    assert code not in directory._form_stations


def test_every_deputy_of_the_demo_district_is_online(seeded):
    """全进网: each deputy of 武昌区 has a deputy account (the demo password, not yet used),
    and the demo deputy keeps the published one."""
    wuchang = Region.objects.get(code="420106")
    deputies = Deputy.objects.filter(district=wuchang)
    assert deputies.exists() and not deputies.filter(user__isnull=True).exists()
    deputy = (
        deputies.exclude(user__username=DEMO_USERNAMES[Role.DEPUTY]).select_related("user").first()
    )
    assert (deputy.user.role, deputy.user.username) == (Role.DEPUTY, deputy.public_code.lower())
    assert deputy.user.last_login is None
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username=deputy.user.username, password=DEMO_PASSWORD) is not None
    assert (
        authenticate(request, username=DEMO_USERNAMES[Role.DEPUTY], password=DEMO_PASSWORD)
        is not None
    )


def test_print_demo_accounts_says_how_a_phone_opens_the_site(seeded, settings):
    settings.PUBLIC_BASE_URL = "http://192.168.1.20:8000"
    out = StringIO()
    call_command("print_demo_accounts", host="0.0.0.0", port=8000, stdout=out)  # noqa: S104
    text = out.getvalue()
    assert "http://192.168.1.20:8000/accounts/login/" in text
    assert "手机连上同一个局域网" in text and "http://192.168.1.20:8000/" in text


def test_the_rota_keeps_to_each_stations_opening_hours(seeded):
    """Every duty line falls on a day and period the station's hours open it, and no deputy
    sits at two places at once."""
    from zhitong.stations.hours import NEEDS, read_hours

    hours = {s.pk: read_hours(s.opening_hours) for s in Station.objects.all()}
    assert all(h is not None for h in hours.values())
    taken: dict[tuple[int, int, str], int] = {}
    lines = DutyRota.objects.values_list("station", "deputy", "weekday", "period")
    for station, deputy, weekday, period in lines:
        assert hours[station].is_open(weekday, period), (station, weekday, period)
        for half in NEEDS[period]:
            assert (deputy, weekday, half) not in taken, (deputy, weekday, half)
            taken[(deputy, weekday, half)] = station
    # The evenings (代表夜话) and Saturday mornings the hours promise are kept.
    assert DutyRota.objects.filter(period="evening").exists()
    assert DutyRota.objects.filter(weekday=5).exists()
