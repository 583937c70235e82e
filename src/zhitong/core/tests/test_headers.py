"""Response headers: the Content-Security-Policy, and no caching of personal data."""

import hashlib
import re
from pathlib import Path

import pytest

from zhitong.accounts.models import Role
from zhitong.testing.factories import UserFactory

PACKAGE = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(PACKAGE.rglob("templates/**/*.html"))


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = [p.strip().split() for p in policy.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


# --- Content-Security-Policy -----------------------------------------------------------


def test_every_page_carries_a_strict_policy(client, db):
    policy = directives(client.get("/accounts/login/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert not any("unsafe-eval" in v or v == "*" for vs in policy.values() for v in vs)


def test_the_policy_is_on_error_pages_and_files_too(client, db):
    assert "Content-Security-Policy" in client.get("/no-such-page/")
    assert "Content-Security-Policy" in client.get("/static/css/zhitong.css")


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path.relative_to(PACKAGE)}: {tag}")
        if re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text:
            offenders.append(f"{path.relative_to(PACKAGE)}: event handler or javascript: URL")
    assert offenders == []


def test_no_template_has_a_style_block():
    assert [p for p in TEMPLATES if "<style" in p.read_text(encoding="utf-8")] == []


def test_no_template_has_an_inline_style_attribute(client, db):
    """The policy refuses inline style: every style lives in the static CSS."""
    found = [
        (path.name, value)
        for path in TEMPLATES
        for value in re.findall(r'\sstyle="([^"]*)"', path.read_text(encoding="utf-8"))
    ]
    assert found == []
    assert directives(client.get("/"))["style-src"] == ["'self'"]


# --- Cache-Control ---------------------------------------------------------------------


@pytest.fixture
def staffer(district):
    return UserFactory(role=Role.STAFF, region=district)


def cache_control(response) -> set[str]:
    return {p.strip() for p in response.get("Cache-Control", "").split(",") if p.strip()}


def test_every_page_to_a_signed_in_user_is_no_store(client, staffer):
    client.force_login(staffer)
    for url in ("/accounts/home/", "/", "/stations/", "/work/notifications/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert cache_control(response) >= {"no-store", "private"}, url
        assert "public" not in cache_control(response), url
        assert not any(
            d.startswith("max-age=") and d != "max-age=0" for d in cache_control(response)
        )


def test_work_and_account_pages_are_no_store_for_anybody(client, db):
    for url in ("/accounts/login/", "/work/opinions/", "/admin/login/"):
        assert cache_control(client.get(url)) >= {"no-store", "private"}, url


def test_public_pages_stay_cacheable_for_anonymous_visitors(client, db):
    response = client.get("/stations/")
    assert response.status_code == 200
    assert "no-store" not in cache_control(response)


def test_a_views_own_cache_header_gives_way_for_signed_in_users(client, staffer, district):
    from zhitong.testing.factories import CommunityFactory, StationFactory

    street = district.children.first() or district
    station = StationFactory(region=CommunityFactory(parent=street))
    url = f"/qr/station/{station.public_code}.svg"
    # The QR code is public, and cached for anonymous visitors...
    assert "public" in cache_control(client.get(url))
    # ...but not once someone has signed in.
    client.force_login(staffer)
    assert cache_control(client.get(url)) == {"no-store", "private"}


@pytest.mark.django_db
def test_citizens_photos_are_served_private_and_no_store(client):
    from django.core.files.base import ContentFile

    from zhitong.opinions.models import Attachment
    from zhitong.opinions.tests.lifecycle_world import build, new_opinion
    from zhitong.opinions.tests.test_attachments import PNG

    world = build()
    opinion = new_opinion(world)
    attachment = Attachment(
        opinion=opinion,
        original_name="门口.png",
        content_type="image/png",
        size=len(PNG),
        sha256=hashlib.sha256(PNG).hexdigest(),
        extension=".png",
    )
    attachment.file.save("x.png", ContentFile(PNG), save=False)
    attachment.save()
    client.force_login(world.users["staff"])
    response = client.get(f"/work/opinions/{opinion.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
