"""Category routing (分级分类): the nearest route up the region tree wins."""

import pytest

from zhitong.testing import factories as f
from zhitong.units.models import UnitKind, route_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(district):
    street = f.StreetFactory(parent=district, name="中华路街道")
    community = f.CommunityFactory(parent=street)
    office = f.HandlingUnitFactory(
        name="中华路街道办事处", kind=UnitKind.STREET_OFFICE, region=street
    )
    bureau = f.HandlingUnitFactory(name="区教育局", region=district)
    livelihood = f.CategoryFactory(name="民生保障")
    property_mgmt = f.CategoryFactory(name="物业管理", parent=livelihood)
    education = f.CategoryFactory(name="教育", parent=livelihood)
    f.CategoryRouteFactory(category=property_mgmt, region=street, unit=office)
    f.CategoryRouteFactory(category=education, region=district, unit=bureau)
    return locals()


def test_street_level_matter_goes_to_the_street_office(table):
    assert route_for(table["property_mgmt"], table["community"]) == table["office"]


def test_district_level_matter_goes_to_the_department(table):
    assert route_for(table["education"], table["community"]) == table["bureau"]


def test_no_route_gives_none(table, other_street):
    assert route_for(table["property_mgmt"], other_street) is None


def test_subcategory_falls_back_to_its_parents_route(table):
    table_parent_route = f.CategoryRouteFactory(
        category=table["livelihood"], region=table["district"], unit=table["bureau"]
    )
    child = f.CategoryFactory(name="一老一小", parent=table["livelihood"])
    assert route_for(child, table["community"]) == table_parent_route.unit
