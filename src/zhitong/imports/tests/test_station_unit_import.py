"""Importing liaison stations (联络站点) and handling units (承办单位)."""

import io

import pytest

from zhitong.core.models import Event
from zhitong.imports.models import ImportKind, ImportStatus
from zhitong.imports.services import import_structure
from zhitong.stations.models import Station, StationKind
from zhitong.testing import factories as f
from zhitong.units.models import HandlingUnit, UnitKind

from .xlsx import STATION_HEADER, UNIT_HEADER, station_row, unit_row, xlsx

pytestmark = pytest.mark.django_db


def run(kind, data, *, place, by):
    return import_structure(
        kind=kind, file=io.BytesIO(data), file_name="导入.xlsx", region=place["district"], by=by
    )


def errors_of(batch):
    assert batch.status == ImportStatus.REJECTED
    return [(e["row"], e["column"], e["message"]) for e in batch.errors]


# ---------------------------------------------------------------- stations


def test_good_station_list_writes_stations_and_events(place, staff):
    data = xlsx(
        STATION_HEADER + ["联系社区"],
        station_row() + [""],
        station_row(name="中南路街道代表工作室", kind="街道代表工作室", community="", phone="")
        + [""],
        station_row(name="中南中心站", kind="社区中心代表联络站", community="")
        + ["中南路社区、水果湖社区"],
        station_row(name="中商广场联络点", kind="楼宇联络点", community="", street="420106001000")
        + [""],
    )
    batch = run(ImportKind.STATIONS, data, place=place, by=staff)
    assert batch.status == ImportStatus.SUCCEEDED, batch.errors
    assert batch.created_count == 4
    assert batch.summary == {"linked_communities": 2}

    community_station = Station.objects.get(name="水果湖社区代表联络站")
    assert community_station.kind == StationKind.COMMUNITY
    assert community_station.region == place["other_community"]
    assert community_station.street == place["street"]
    assert community_station.public_phone == "027-88880000"
    assert community_station.public_code.startswith("S") and len(community_station.public_code) == 8
    studio = Station.objects.get(name="中南路街道代表工作室")
    assert (studio.region, studio.street) == (place["street"], place["street"])
    central = Station.objects.get(name="中南中心站")
    assert set(central.linked_communities.all()) == {place["community"], place["other_community"]}
    assert Event.objects.for_object(studio).get().verb == "imported"
    assert Event.objects.for_object(batch).get().verb == "import_succeeded"


def test_station_name_already_in_the_street_is_an_error(place, staff, counts):
    before = counts()
    data = xlsx(
        STATION_HEADER,
        station_row(name="中南路社区代表联络站", community="中南路社区"),
        station_row(),
        station_row(address="另一个地址"),
    )
    errors = errors_of(run(ImportKind.STATIONS, data, place=place, by=staff))
    assert errors[0][:2] == (2, "站点名称")
    assert "已有同名站点（编码 " in errors[0][2]
    assert errors[1] == (4, "站点名称", "与第 3 行重复：同一街道内站点名称不能相同。")
    assert counts() == before


def test_station_rows_with_bad_kind_region_or_community_are_errors(
    place, staff, counts, far_district
):
    before = counts()
    data = xlsx(
        STATION_HEADER,
        station_row(name="一", kind="联络处"),
        station_row(name="二", street="大智街道"),
        station_row(name="三", community=""),
        station_row(name="四", community="不存在社区"),
        station_row(name="五", kind="街道代表工作室", community="水果湖社区"),
        station_row(name="六", address=""),
    )
    errors = errors_of(run(ImportKind.STATIONS, data, place=place, by=staff))
    assert [e[:2] for e in errors] == [
        (2, "类型"),
        (3, "所在街道"),
        (4, "所在社区"),
        (5, "所在社区"),
        (6, "所在社区"),
        (7, "地址"),
    ]
    assert "只能填：街道代表工作室、社区代表联络站" in errors[0][2]
    assert errors[2][2] == "社区代表联络站须填写所在社区。"
    assert errors[3][2] == "在“中南路街道”范围内找不到社区“不存在社区”。"
    assert counts() == before


def test_station_kind_may_leave_out_the_word_daibiao(place, staff):
    batch = run(
        ImportKind.STATIONS,
        xlsx(STATION_HEADER, station_row(kind="社区联络站")),
        place=place,
        by=staff,
    )
    assert batch.succeeded, batch.errors


# ---------------------------------------------------------------- units


def test_good_unit_list_writes_units(place, staff):
    data = xlsx(
        UNIT_HEADER,
        unit_row(),
        unit_row(name="中南路街道办事处", short="", kind="街道办事处", region="中南路街道"),
        unit_row(name="武昌区人民法院", short="区法院", kind="法院", region=""),
    )
    batch = run(ImportKind.UNITS, data, place=place, by=staff)
    assert batch.status == ImportStatus.SUCCEEDED, batch.errors
    assert batch.created_count == 3
    office = HandlingUnit.objects.get(name="中南路街道办事处")
    assert (office.kind, office.region) == (UnitKind.STREET_OFFICE, place["street"])
    court = HandlingUnit.objects.get(name="武昌区人民法院")
    assert (court.kind, court.region, court.short_name) == ("court", place["district"], "区法院")
    assert Event.objects.for_object(court).get().note == f"由导入批次 #{batch.pk} 创建"


def test_unit_rows_with_bad_values_are_errors(place, staff, counts, far_district):
    f.HandlingUnitFactory(region=place["district"], name="武昌区民政局")
    before = counts()
    data = xlsx(
        UNIT_HEADER,
        unit_row(kind="区委"),
        unit_row(name="武昌区民政局"),
        unit_row(name="某某", region="江岸区"),
        unit_row(name="街道办", kind="街道办事处", region="武昌区"),
        unit_row(name="街道办二", kind="街道办事处", region=""),
        unit_row(name="甲局", phone="电话待定"),
        unit_row(name="甲局"),
    )
    errors = errors_of(run(ImportKind.UNITS, data, place=place, by=staff))
    assert [e[:2] for e in errors] == [
        (2, "单位类型"),
        (3, "单位名称"),
        (4, "所属区划"),
        (5, "所属区划"),
        (6, "所属区划"),
        (7, "联系电话"),
    ]
    assert errors[1][2] == "“武昌区”已有同名承办单位，不能重复导入。"
    assert errors[3][2] == "街道办事处的所属区划须是街道。"
    assert counts() == before


def test_duplicate_unit_rows_in_one_file(place, staff):
    data = xlsx(UNIT_HEADER, unit_row(), unit_row(short="教育局"))
    errors = errors_of(run(ImportKind.UNITS, data, place=place, by=staff))
    assert errors == [(3, "单位名称", "与第 2 行重复：同一区划内单位名称不能相同。")]


# ---------------------------------------------------------------- the stations' liaisons


def test_a_liaison_on_the_station_list_gets_an_account_to_be_invited(place, staff, client):
    """全进网: the liaison named on a station's row has an account with the station, no
    password yet, and is on the list of people to invite."""
    from zhitong.accounts.models import Role, User

    data = xlsx(
        STATION_HEADER + ["联络员", "联络员手机"],
        station_row() + ["王芳", "139 0000 1111"],
        station_row(name="中南路街道代表工作室", kind="街道代表工作室", community="") + ["", ""],
    )
    batch = run(ImportKind.STATIONS, data, place=place, by=staff)
    assert batch.status == ImportStatus.SUCCEEDED, batch.errors
    assert batch.summary == {"linked_communities": 0, "liaison_accounts": 1}
    station = Station.objects.get(name="水果湖社区代表联络站")
    (liaison,) = station.liaisons.all()
    assert (liaison.role, liaison.display_name, liaison.phone) == (
        Role.LIAISON,
        "王芳",
        "13900001111",
    )
    assert liaison.username == f"liaison-{station.public_code.lower()}"
    assert not liaison.has_usable_password() and liaison.last_login is None
    assert Event.objects.for_object(liaison).get().verb == "account_created"
    assert not Station.objects.get(name="中南路街道代表工作室").liaisons.exists()
    assert User.objects.filter(role=Role.LIAISON).count() == 1
    client.force_login(staff)
    assert "王芳" in client.get("/work/imports/people/").content.decode()


@pytest.mark.parametrize(
    "liaison, mobile, column",
    [
        ("王芳", "", "联络员手机"),
        ("王芳", "027-88880000", "联络员手机"),
        ("", "13900001111", "联络员"),
    ],
)
def test_a_liaison_needs_a_name_and_a_mobile_number(place, staff, liaison, mobile, column):
    from zhitong.accounts.models import Role, User

    stations = Station.objects.count()
    data = xlsx(STATION_HEADER + ["联络员", "联络员手机"], station_row() + [liaison, mobile])
    batch = run(ImportKind.STATIONS, data, place=place, by=staff)
    assert [e[1] for e in errors_of(batch)] == [column]
    assert Station.objects.count() == stations
    assert not User.objects.filter(role=Role.LIAISON).exists()
