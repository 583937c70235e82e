"""The region tree: paths, subtrees and the district a region lies in."""

import pytest

from zhitong.regions.models import Region
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db


def test_subtree_holds_the_region_and_its_descendants_only(district):
    a = f.StreetFactory(parent=district, code="420106001000")
    b = f.StreetFactory(parent=district, code="420106002000")
    a1 = f.CommunityFactory(parent=a, code="420106001001")
    f.CommunityFactory(parent=b, code="420106002001")
    assert set(Region.objects.subtree(a)) == {a, a1}
    assert a1.is_within(a) and a1.is_within(district)
    assert not a1.is_within(b)


def test_sibling_codes_sharing_a_prefix_are_not_in_each_others_subtree(district):
    # "…/4201060010/" must not match "…/420106001000/" by a bare string prefix.
    a = f.StreetFactory(parent=district, code="420106001000")
    f.StreetFactory(parent=district, code="420106001001")
    assert list(Region.objects.subtree(a)) == [a]


def test_ancestors_run_from_the_root_down(district):
    street = f.StreetFactory(parent=district, code="420106003000")
    community = f.CommunityFactory(parent=street, code="420106003007")
    assert [r.code for r in community.ancestors()] == [
        "420000",
        "420100",
        "420106",
        "420106003000",
        "420106003007",
    ]


def test_district_code_of_each_level(district):
    street = f.StreetFactory(parent=district, code="420106004000")
    community = f.CommunityFactory(parent=street, code="420106004002")
    assert community.district_code == street.district_code == district.district_code == "420106"
    assert district.parent.district_code == ""
