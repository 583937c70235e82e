"""One scope value per user (core.scoping.WorkScope), computed in one place and read by the
selectors, forms, statistics and dashboards."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhitong.core.scoping import ScopeKind, work_scope
from zhitong.opinions.tests.lifecycle_world import build
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build()


def test_each_role_has_its_scope(w):
    district_path = w.district.path
    staff = work_scope(w.staff)
    assert (staff.kind, staff.region_id, staff.district_paths) == (
        ScopeKind.REGION,
        w.district.pk,
        (district_path,),
    )
    street = work_scope(w.street)
    assert (street.kind, street.region_level, street.district_paths) == (
        ScopeKind.REGION,
        "street",
        (district_path,),
    )
    deputy = work_scope(w.deputy)
    assert (deputy.kind, deputy.deputy_id, deputy.station_ids) == (
        ScopeKind.DEPUTY,
        w.dep_a.pk,
        (w.station_a.pk,),
    )
    liaison = work_scope(w.liaison)
    assert (liaison.kind, liaison.station_ids) == (ScopeKind.STATIONS, (w.station_a.pk,))
    unit = work_scope(w.unit)
    assert (unit.kind, unit.unit_id, unit.district_paths) == (
        ScopeKind.UNIT,
        w.housing.pk,
        (district_path,),
    )
    assert work_scope(w.admin).kind == ScopeKind.REGION
    assert work_scope(f.UserFactory(is_superuser=True)).kind == ScopeKind.ALL
    for nobody in (w.citizen, w.enterprise, f.UserFactory(role="deputy")):
        assert work_scope(nobody).district_paths == () and not work_scope(nobody).station_ids
    w.staff.is_active = False
    assert work_scope(w.staff).kind == ScopeKind.NONE
    assert deputy.is_small and liaison.is_small and not staff.is_small
    assert len({s.cache_key for s in (staff, street, deputy, liaison, unit)}) == 5


def test_outside_a_request_the_scope_follows_changes_at_once(w):
    assert work_scope(w.deputy).station_ids == (w.station_a.pk,)
    f.StationAssignmentFactory(station=w.station_b, deputy=w.dep_a)
    assert work_scope(w.deputy).station_ids == tuple(sorted((w.station_a.pk, w.station_b.pk)))


def test_a_request_computes_the_scope_once(client, w):
    client.force_login(w.deputy)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/work/opinions/").status_code == 200
    # The deputy's record and their stations are looked up once for the whole page
    # (the queue, its filters and its counts all read the same scope).
    lookups = [q["sql"] for q in captured if "stations_stationassignment" in q["sql"]]
    assert len(lookups) == 1
