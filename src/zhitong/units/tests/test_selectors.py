"""Which handling units each role may see (units_visible_to, access_unit)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from zhitong.accounts.tests.world import build_world
from zhitong.testing import factories as f
from zhitong.units.selectors import access_unit, units_visible_to


@pytest.fixture
def world(db):
    return build_world()


def names(queryset):
    return {u.name for u in queryset}


def test_unit_account_sees_only_its_own_unit(world):
    assert names(units_visible_to(world.unit)) == {"武昌区住房和城市更新局"}


def test_unit_account_gets_404_for_another_unit(world):
    assert access_unit(world.unit, world.unit_a.pk) == world.unit_a
    for other in (world.unit_b, world.unit_far):
        with pytest.raises(Http404):
            access_unit(world.unit, other.pk)


def test_unit_account_without_unit_sees_nothing(world):
    # Bypasses User.clean on purpose: a half-configured account must not open everything.
    broken = f.UserFactory(username="broken", role="unit")
    assert not units_visible_to(broken).exists()


def test_district_staff_see_the_district_subtree(world):
    assert names(units_visible_to(world.staff)) == {"武昌区住房和城市更新局", "乙街道办事处"}


def test_street_staff_see_their_street_office_only(world):
    assert names(units_visible_to(world.other_street)) == {"乙街道办事处"}
    assert not units_visible_to(world.street).exists()


@pytest.mark.parametrize("who", ["liaison", "deputy", "citizen", "enterprise"])
def test_other_roles_see_no_units(world, who):
    assert not units_visible_to(world.users[who]).exists()


def test_anonymous_sees_no_units(world):
    assert not units_visible_to(AnonymousUser()).exists()
