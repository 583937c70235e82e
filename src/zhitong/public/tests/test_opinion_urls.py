"""The opinion form entry points: paths pinned (they are printed in QR codes) and honest pages."""

import pytest
from django.urls import resolve, reverse

from zhitong.testing import factories as f


def test_opinion_form_paths_never_change():
    # These literal paths are printed on posters and stickers; do not edit this test
    # to follow a change in urls: change the urls back.
    assert reverse("public:opinion_new") == "/opinions/new/"
    assert reverse("public:opinion_new_station", args=["S0000001"]) == (
        "/opinions/new/station/S0000001/"
    )
    assert reverse("public:opinion_new_deputy", args=["D0000001"]) == (
        "/opinions/new/deputy/D0000001/"
    )
    assert resolve("/opinions/new/station/S0000001/").kwargs == {"public_code": "S0000001"}
    assert resolve("/opinions/new/deputy/D0000001/").kwargs == {"public_code": "D0000001"}


@pytest.mark.django_db
def test_general_form_takes_opinions_online(client, station):
    page = client.get("/opinions/new/").content.decode()
    assert 'name="content"' in page  # the form itself, on the stable path
    assert "查找联络站" in page  # and the way to a station to come in person
    assert station.street.name in page  # the street groups of the place select


@pytest.mark.django_db
def test_station_form_says_who_receives_and_where(client, station, deputy):
    response = client.get(f"/opinions/new/station/{station.public_code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "您的意见将交给" in page
    assert "首义社区代表联络站的人大代表" in page
    assert "首义路88号" in page
    assert "周一至周五 9:00-17:00" in page
    assert "张三" in page  # on duty today
    assert 'name="content"' in page


@pytest.mark.django_db
def test_station_form_when_nobody_is_on_duty(client, station):
    page = client.get(f"/opinions/new/station/{station.public_code}/").content.decode()
    assert "今日无代表轮值" in page


@pytest.mark.django_db
def test_deputy_form_names_the_deputy_and_their_station(client, deputy, station):
    response = client.get(f"/opinions/new/deputy/{deputy.public_code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "张三" in page
    assert "市人大代表、区人大代表" in page
    assert "首义社区代表联络站" in page
    assert "首义路88号" in page
    assert "周一至周五 9:00-17:00" in page
    assert "张三代表的轮值接待时间" in page
    assert 'name="content"' in page


@pytest.mark.django_db
def test_deputy_without_station_is_told_where_to_go(client, district, serving):
    lone = f.DeputyFactory(name="赵六", district=district)
    serving(lone)
    page = client.get(f"/opinions/new/deputy/{lone.public_code}/").content.decode()
    assert "该代表暂未编入联络站" in page


@pytest.mark.django_db
def test_opinion_forms_404_for_unknown_codes(client, station):
    assert client.get("/opinions/new/station/NOPE/").status_code == 404
    assert client.get("/opinions/new/deputy/NOPE/").status_code == 404
    station.is_active = False
    station.save()
    assert client.get(f"/opinions/new/station/{station.public_code}/").status_code == 404
