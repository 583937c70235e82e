"""Citizens' photos are served only to those who may open the case, never as public media."""

import hashlib

import pytest
from django.core.files.base import ContentFile

from zhitong.opinions.models import Attachment
from zhitong.opinions.tests.lifecycle_world import build, new_opinion

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def world():
    return build()


@pytest.fixture
def photo(world):
    opinion = new_opinion(world)
    digest = hashlib.sha256(PNG).hexdigest()
    attachment = Attachment(
        opinion=opinion,
        original_name="门口.png",
        content_type="image/png",
        size=len(PNG),
        sha256=digest,
        extension=".png",
    )
    attachment.file.save("x.png", ContentFile(PNG), save=False)
    attachment.save()
    return attachment


def url(photo):
    return f"/work/opinions/{photo.opinion_id}/attachments/{photo.pk}/"


@pytest.mark.parametrize("who", ["staff", "street", "deputy", "liaison"])
def test_those_handling_the_case_see_the_photo(client, world, photo, who):
    client.force_login(world.users[who])
    response = client.get(url(photo))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    assert response["Cache-Control"].startswith("private")


@pytest.mark.parametrize(
    "who", ["other_street", "far_staff", "other_deputy", "other_liaison", "unit", "citizen"]
)
def test_others_get_not_found(client, world, photo, who):
    client.force_login(world.users[who])
    assert client.get(url(photo)).status_code == 404


def test_anonymous_is_sent_to_login(client, photo):
    response = client.get(url(photo))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_attachment_of_another_opinion_is_not_found_under_this_one(client, world, photo):
    other = new_opinion(world)
    client.force_login(world.staff)
    response = client.get(f"/work/opinions/{other.pk}/attachments/{photo.pk}/")
    assert response.status_code == 404


def test_the_case_page_links_the_photo_through_the_guarded_view(client, world, photo):
    client.force_login(world.staff)
    page = client.get(f"/work/opinions/{photo.opinion_id}/").content.decode()
    assert url(photo) in page
    assert "/media/" not in page
