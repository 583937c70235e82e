"""The deputy's admin page lists their stations (the inline is added by stations)."""

import pytest

from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db


def test_the_deputy_admin_page_lists_the_deputys_stations(client, district):
    station = f.StationFactory(region=f.CommunityFactory(parent=f.StreetFactory(parent=district)))
    deputy = f.DeputyFactory(district=district)
    f.StationAssignmentFactory(station=station, deputy=deputy)
    admin = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(f"/admin/deputies/deputy/{deputy.pk}/change/").content.decode()
    assert 'name="station_assignments-TOTAL_FORMS"' in page
    assert 'name="station_assignments-0-station"' in page
