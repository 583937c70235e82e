"""QR codes: what they encode, the images served, caching and 404s."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from zhitong.public import qr

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_targets_are_absolute_opinion_form_urls(settings):
    settings.PUBLIC_BASE_URL = "https://rd.wuchang.example.cn"
    assert qr.station_target("S0001") == (
        "https://rd.wuchang.example.cn/opinions/new/station/S0001/"
    )
    assert qr.deputy_target("D0001") == "https://rd.wuchang.example.cn/opinions/new/deputy/D0001/"


def test_qr_bytes_makes_svg_and_png_from_the_url():
    url = "https://zt.example.cn/opinions/new/station/S0001/"
    svg = qr.qr_bytes(url, "svg")
    assert svg.startswith(b"<?xml")
    assert b"<svg" in svg and b"viewBox" in svg
    assert qr.qr_bytes(url, "png").startswith(PNG_MAGIC)
    # Different targets give different symbols; the same target the same bytes.
    assert qr.qr_bytes(url, "svg") == svg
    assert qr.qr_bytes(url.replace("S0001", "S0002"), "svg") != svg
    with pytest.raises(ValueError):
        qr.qr_bytes(url, "gif")


def test_qr_is_a_full_size_qr_code_not_micro(monkeypatch):
    seen = {}
    real_make_qr = qr.segno.make_qr

    def spy(content, **kwargs):
        code = real_make_qr(content, **kwargs)
        seen["content"], seen["micro"] = content, code.is_micro
        return code

    monkeypatch.setattr(qr.segno, "make_qr", spy)
    qr.qr_bytes("https://a.cn/x/", "png")
    assert seen == {"content": "https://a.cn/x/", "micro": False}


@pytest.mark.django_db
def test_station_qr_endpoints_encode_the_station_form(client, station, monkeypatch):
    encoded = []
    real = qr.qr_bytes
    monkeypatch.setattr(qr, "qr_bytes", lambda url, fmt: encoded.append(url) or real(url, fmt))

    svg = client.get(reverse("public:station_qr", args=[station.public_code, "svg"]))
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<?xml")

    png = client.get(reverse("public:station_qr", args=[station.public_code, "png"]))
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(PNG_MAGIC)

    assert encoded == ["https://zt.example.cn/opinions/new/station/SSHOUYI01/"] * 2


@pytest.mark.django_db
def test_deputy_qr_endpoints_encode_the_deputy_form(client, deputy, monkeypatch):
    encoded = []
    real = qr.qr_bytes
    monkeypatch.setattr(qr, "qr_bytes", lambda url, fmt: encoded.append(url) or real(url, fmt))
    for fmt, ctype in [("svg", "image/svg+xml"), ("png", "image/png")]:
        response = client.get(reverse("public:deputy_qr", args=[deputy.public_code, fmt]))
        assert response.status_code == 200
        assert response["Content-Type"] == ctype
    assert encoded == ["https://zt.example.cn/opinions/new/deputy/DZHANGSAN/"] * 2


def test_qr_paths():
    assert reverse("public:station_qr", args=["S1", "svg"]) == "/qr/station/S1.svg"
    assert reverse("public:deputy_qr", kwargs={"public_code": "D1", "format": "png"}) == (
        "/qr/deputy/D1.png"
    )


@pytest.mark.django_db
def test_qr_is_cacheable_and_revalidates(client, station):
    url = reverse("public:station_qr", args=[station.public_code, "png"])
    first = client.get(url)
    assert "max-age=86400" in first["Cache-Control"]
    assert "public" in first["Cache-Control"]
    assert first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.django_db
def test_qr_download_is_an_attachment(client, station):
    url = reverse("public:station_qr", args=[station.public_code, "svg"])
    assert "Content-Disposition" not in client.get(url)
    response = client.get(url, {"download": "1"})
    assert response["Content-Disposition"] == (
        f'attachment; filename="zhitong-station-{station.public_code}.svg"'
    )


@pytest.mark.django_db
def test_qr_404_for_unknown_inactive_or_former(client, station, deputy, yesterday):
    assert client.get("/qr/station/NOPE.svg").status_code == 404
    assert client.get("/qr/deputy/NOPE.png").status_code == 404
    assert client.get(f"/qr/station/{station.public_code}.gif").status_code == 404

    station.is_active = False
    station.save()
    assert client.get(f"/qr/station/{station.public_code}.svg").status_code == 404
    # A known ETag does not bypass the check.
    assert (
        client.get(f"/qr/station/{station.public_code}.svg", HTTP_IF_NONE_MATCH="*").status_code
        == 404
    )

    deputy.memberships.update(end_date=yesterday)
    assert client.get(f"/qr/deputy/{deputy.public_code}.svg").status_code == 404
