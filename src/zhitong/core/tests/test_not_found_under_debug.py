"""Under DEBUG (`make run`), a missing page is the site's own 404 page, not Django's
technical page; the slash is still added where that finds a page."""

import pytest
from django.test import override_settings

from zhitong.accounts.models import Role
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db

TECHNICAL = ("Using the URLconf", "Page not found at", "technical_404", "Django tried these URL")


def assert_site_404(response):
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text
    assert "返回首页" in text
    for marker in TECHNICAL:
        assert marker not in text


@override_settings(DEBUG=True)
def test_an_address_that_matches_nothing_gets_the_sites_404(client):
    assert_site_404(client.get("/no-such-page/"))


@override_settings(DEBUG=True)
def test_a_view_that_finds_nothing_gets_the_sites_404(client):
    district = f.make_district()
    client.force_login(f.UserFactory(role=Role.STAFF, region=district))
    assert_site_404(client.get("/work/stations/999999/"))


@override_settings(DEBUG=True)
def test_the_slash_is_still_added(client):
    response = client.get("/accounts/login")
    assert response.status_code == 301
    assert response["Location"] == "/accounts/login/"


def test_without_debug_it_is_the_same_page(client):
    assert_site_404(client.get("/no-such-page/"))
