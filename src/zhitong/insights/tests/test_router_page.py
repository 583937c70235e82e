"""The router's page, its retraining and the auto-routing setting: per role, and bad input."""

import pytest
from django.urls import reverse

from zhitong.core.models import Job
from zhitong.insights import services
from zhitong.insights.models import RoutingSettings
from zhitong.insights.tests.support import HOUSING, SCHOOLS, install
from zhitong.opinions.tests.lifecycle_world import build

pytestmark = pytest.mark.django_db

SEES = ("admin", "staff", "leader", "far_staff")
BLIND = ("street", "deputy", "liaison", "unit", "citizen", "enterprise")


@pytest.fixture
def w(db):
    w = build()
    install({HOUSING: "WY01", SCHOOLS: "EDU01"})
    return w


@pytest.mark.parametrize("role", SEES)
def test_who_sees_the_router(w, client, role):
    client.force_login(w.users[role])
    r = client.get(reverse("insights:router"))
    assert r.status_code == 200
    page = r.content.decode()
    assert "第1版" in page and "宏平均F1" in page


@pytest.mark.parametrize("role", BLIND)
def test_who_does_not(w, client, role):
    client.force_login(w.users[role])
    assert client.get(reverse("insights:router")).status_code == 403
    assert client.post(reverse("insights:retrain")).status_code == 403
    r = client.post(
        reverse("insights:settings"),
        {"district": w.district.code, "auto_route": "on", "threshold": "0.9"},
    )
    assert r.status_code in (403, 404)
    assert not Job.objects.exists() and not RoutingSettings.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, w):
    r = client.get(reverse("insights:router"))
    assert r.status_code == 302 and "login" in r["Location"]


def test_the_leader_sees_but_neither_retrains_nor_sets(w, client):
    client.force_login(w.leader)
    page = client.get(reverse("insights:router")).content.decode()
    assert 'action="/work/insights/router/retrain/"' not in page
    assert 'action="/work/insights/router/settings/"' not in page
    assert client.post(reverse("insights:retrain")).status_code == 403
    r = client.post(
        reverse("insights:settings"),
        {"district": w.district.code, "auto_route": "on", "threshold": "0.9"},
    )
    assert r.status_code == 403 and not RoutingSettings.objects.exists()


def test_staff_turn_auto_routing_on_for_their_district(w, client):
    client.force_login(w.staff)
    page = client.get(reverse("insights:router")).content.decode()
    assert "未开启" in page
    r = client.post(
        reverse("insights:settings"),
        {"district": w.district.code, "auto_route": "on", "threshold": "0.97"},
    )
    assert r.status_code == 302
    setting = services.routing_settings(w.district.pk)
    assert setting.auto_route and setting.threshold == 0.97 and setting.changed_by == w.staff
    assert "已开启" in client.get(r["Location"]).content.decode()


def test_staff_of_another_district_cannot_set_this_one(w, client):
    client.force_login(w.far_staff)
    r = client.post(
        reverse("insights:settings"),
        {"district": w.district.code, "auto_route": "on", "threshold": "0.9"},
    )
    assert r.status_code == 404 and not RoutingSettings.objects.exists()


@pytest.mark.parametrize(
    "threshold, message",
    [("2", "0.999"), ("0.1", "0.5"), ("abc", "数"), ("", "必填")],
)
def test_a_bad_threshold_is_refused_and_nothing_is_kept(w, client, threshold, message):
    client.force_login(w.staff)
    r = client.post(
        reverse("insights:settings"),
        {"district": w.district.code, "auto_route": "on", "threshold": threshold},
    )
    assert r.status_code == 400 and message in r.content.decode()
    assert not RoutingSettings.objects.exists()


def test_the_service_checks_the_threshold_too(w):
    with pytest.raises(services.InsightsError):
        services.routing_settings_update(
            district=w.district, by=w.staff, auto_route=True, threshold=1.5
        )
    with pytest.raises(services.InsightsError):
        services.routing_settings_update(
            district=w.district, by=w.staff, auto_route=True, threshold="0.9"
        )
    assert not RoutingSettings.objects.exists()


def test_the_queue_links_to_the_router_for_those_who_may_see_it(w, client):
    client.force_login(w.staff)
    assert 'href="/work/insights/router/"' in client.get(reverse("opinions:queue")).content.decode()
    client.force_login(w.unit)
    assert (
        'href="/work/insights/router/"'
        not in client.get(reverse("opinions:queue")).content.decode()
    )
