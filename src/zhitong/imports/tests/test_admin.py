"""Admin smoke test: every structure model's changelist and add page open for a superuser."""

import pytest
from django.contrib import admin
from django.urls import reverse

from zhitong.core.events import event_record
from zhitong.core.models import Event
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db

STRUCTURE_APPS = {"regions", "units", "deputies", "stations", "core", "imports"}


@pytest.fixture
def superuser(district):
    return f.UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def filled(place, staff):
    """One row of every structure model, so changelists render real rows."""
    deputy = f.DeputyFactory(district=place["district"])
    f.DeputyMembershipFactory(deputy=deputy, term=place["district_term"])
    f.GroupMembershipFactory(deputy=deputy, group=place["group"])
    f.StationAssignmentFactory(deputy=deputy, station=place["station"])
    f.DutyRotaFactory(deputy=deputy, station=place["station"])
    f.CategoryRouteFactory(
        region=place["district"], unit=f.HandlingUnitFactory(region=place["district"])
    )
    return deputy


def registered_models():
    return [m for m in admin.site._registry if m._meta.app_label in STRUCTURE_APPS]


def test_all_structure_models_are_registered():
    names = {m.__name__ for m in registered_models()}
    assert names >= {
        "Region",
        "HandlingUnit",
        "Category",
        "CategoryRoute",
        "Term",
        "Deputy",
        "DeputyMembership",
        "DeputyGroup",
        "Station",
        "Event",
        "ImportBatch",
    }


def test_changelists_and_change_pages_open(client, superuser, filled):
    client.force_login(superuser)
    for model in registered_models():
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        obj = model.objects.first()
        if obj is not None:
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            assert client.get(url).status_code == 200, url


def test_changelist_filters_and_search_work(client, superuser, filled, place):
    client.force_login(superuser)
    url = reverse("admin:deputies_deputy_changelist")
    response = client.get(url, {"district_district": place["district"].pk, "q": filled.name})
    assert response.status_code == 200
    assert filled.public_code in response.text
    response = client.get(reverse("admin:stations_station_changelist"), {"street_district": "0"})
    assert response.status_code == 200


def test_event_admin_is_read_only(client, superuser, place):
    from django.db import transaction

    with transaction.atomic():
        event = event_record(actor=superuser, subject=place["district"], verb="admin_change")
    client.force_login(superuser)
    assert client.get(reverse("admin:core_event_add")).status_code == 403
    change_url = reverse("admin:core_event_change", args=[event.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    client.post(change_url, {"verb": "changed"})
    assert Event.objects.get(pk=event.pk).verb == "admin_change"
    assert client.get(reverse("admin:core_event_delete", args=[event.pk])).status_code == 403
    assert "delete_selected" not in client.get(reverse("admin:core_event_changelist")).text


def test_admin_speaks_chinese(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:index")).text
    for label in ("人大代表", "代表联络站点", "承办单位", "行政区划", "事件", "导入批次"):
        assert label in page
