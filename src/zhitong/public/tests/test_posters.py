"""Posters (张贴海报), read back from the PDF: the text a citizen reads, the QR code a phone
decodes (rendered to an image and decoded), the paper size, the embedded fonts; who may print
which poster; bad input; the batch of a street or district; and the page that says PDFs
cannot be made on a machine without pango."""

import io

import pytest
from django.conf import settings
from django.utils import translation

from zhitong.core.models import Job
from zhitong.public import qr, views_posters
from zhitong.public.pdf import pdf_unavailable
from zhitong.public.posters import INSTRUCTION

needs_pdf = pytest.mark.skipif(
    bool(pdf_unavailable()), reason=f"WeasyPrint cannot run here: {pdf_unavailable()}"
)
A4 = (595, 842)
A5 = (420, 595)


def station_url(station, size="a4"):
    return f"/work/posters/station/{station.pk}/?size={size}"


def deputy_url(deputy, size="a4"):
    return f"/work/posters/deputy/{deputy.pk}/?size={size}"


class ReadPdf:
    """A PDF opened back: each page's text, size, fonts and the QR codes on it."""

    def __init__(self, data: bytes):
        import pypdf

        assert data.startswith(b"%PDF-")
        self.data = data
        self.reader = pypdf.PdfReader(io.BytesIO(data))
        self.pages = self.reader.pages

    def text(self, n: int = 0) -> str:
        # pypdf spaces out some CJK runs; the poster's words are compared without spaces.
        return "".join(self.pages[n].extract_text().split())

    def size(self, n: int = 0) -> tuple[int, int]:
        box = self.pages[n].mediabox
        return round(float(box.width)), round(float(box.height))

    def fonts(self, n: int = 0) -> list[tuple[str, list[str]]]:
        """Each font of the page with the font files embedded for it."""
        found = []
        for font in self.pages[n]["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font
            if "/DescendantFonts" in font:
                described = font["/DescendantFonts"][0].get_object()
            descriptor = described["/FontDescriptor"].get_object()
            files = [key for key in descriptor if key.startswith("/FontFile")]
            found.append((str(font.get("/BaseFont")), files))
        return found

    def qr_codes(self, n: int = 0) -> list[str]:
        import pypdfium2
        import zxingcpp

        document = pypdfium2.PdfDocument(self.data)
        image = document[n].render(scale=2).to_pil()
        return [code.text for code in zxingcpp.read_barcodes(image)]


def read(response) -> ReadPdf:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    return ReadPdf(b"".join(response) if response.streaming else response.content)


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    settings.PUBLIC_BASE_URL = "https://rd.wuchang.example.cn"


# --- what the poster prints --------------------------------------------------------------------


@needs_pdf
def test_a_station_poster_reads_back_with_its_qr_code(client, world):
    client.force_login(world.staff)
    pdf = read(client.get(station_url(world.station_a)))
    assert len(pdf.pages) == 1
    text = pdf.text()
    assert world.station_a.name in text
    assert world.station_a.address in text
    assert str(INSTRUCTION) in text
    assert "工作日9:00-17:00" in text  # the opening hours
    assert "今日值班" in text and "上午张甲" in text  # the world puts 张甲 on duty today
    assert world.station_a.internal_notes not in text
    assert pdf.qr_codes() == [qr.station_target(world.station_a.public_code)]
    assert pdf.qr_codes()[0] == (
        f"https://rd.wuchang.example.cn/opinions/new/station/{world.station_a.public_code}/"
    )
    assert pdf.size() == A4
    fonts = pdf.fonts()
    assert fonts and all(files for _name, files in fonts), fonts
    assert any("CJK" in name for name, _files in fonts)


@needs_pdf
def test_a5_paper(client, world):
    client.force_login(world.liaison)
    pdf = read(client.get(station_url(world.station_a, "a5")))
    assert pdf.size() == A5
    assert pdf.qr_codes() == [qr.station_target(world.station_a.public_code)]
    assert "A5" in client.get(station_url(world.station_a, "a5"))["Content-Disposition"]


@needs_pdf
def test_a_deputy_poster_names_their_station_and_duty(client, world):
    client.force_login(world.deputy)  # 张甲's own account
    pdf = read(client.get(deputy_url(world.dep_a)))
    text = pdf.text()
    assert "张甲" in text
    assert world.station_a.name in text and world.station_a.address in text
    assert str(INSTRUCTION) in text
    assert "上午·" + world.station_a.name in text  # today's duty
    assert "下次值班" in text
    assert world.dep_a.mobile not in text
    assert pdf.qr_codes() == [qr.deputy_target(world.dep_a.public_code)]
    assert pdf.size() == A4
    assert all(files for _name, files in pdf.fonts())


# --- who may print -------------------------------------------------------------------------------

STATION_MATRIX = {
    "admin": 200,
    "staff": 200,
    "street": 200,
    "liaison": 200,
    "leader": 403,
    "deputy": 403,
    "other_street": 404,
    "far_staff": 404,
    "unit": 404,
    "citizen": 404,
    "enterprise": 404,
}
DEPUTY_MATRIX = {
    "admin": 200,
    "staff": 200,
    "street": 200,
    "deputy": 200,
    "liaison": 404,
    "leader": 404,
    "other_street": 404,
    "far_staff": 404,
    "unit": 404,
    "citizen": 404,
    "enterprise": 404,
}


@needs_pdf
@pytest.mark.parametrize("who", STATION_MATRIX)
def test_who_may_print_a_station_poster(client, world, who):
    client.force_login(world.users[who])
    assert client.get(station_url(world.station_a)).status_code == STATION_MATRIX[who]


@needs_pdf
@pytest.mark.parametrize("who", DEPUTY_MATRIX)
def test_who_may_print_a_deputy_poster(client, world, who):
    client.force_login(world.users[who])
    assert client.get(deputy_url(world.dep_a)).status_code == DEPUTY_MATRIX[who]


def test_anonymous_is_sent_to_login(client, world):
    for url in (station_url(world.station_a), deputy_url(world.dep_a), "/work/posters/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["liaison", "deputy", "leader", "unit", "citizen"])
def test_the_batch_page_is_for_staff_and_street_committees(client, world, who):
    client.force_login(world.users[who])
    assert client.get("/work/posters/").status_code == 403


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["a3", "A4 ", "letter"])
def test_an_unknown_paper_size_is_refused_in_chinese(client, world, size):
    client.force_login(world.staff)
    for url in (station_url(world.station_a, size), deputy_url(world.dep_a, size)):
        response = client.get(url)
        assert response.status_code == 400
        assert "纸张大小只能是 A4 或 A5" in response.text


def test_a_station_of_another_district_is_not_found(client, world):
    client.force_login(world.staff)
    assert client.get(station_url(world.station_far)).status_code == 404
    assert client.get(deputy_url(world.dep_far)).status_code == 404
    assert client.get("/work/posters/station/999999/").status_code == 404


def test_the_batch_of_another_district_is_refused(client, world):
    client.force_login(world.staff)
    response = client.get("/work/posters/", {"region": world.far_district.pk, "size": "a4"})
    assert response.status_code == 400
    assert "只能选择您工作范围内的街道或区" in response.text
    client.force_login(world.street)
    response = client.get("/work/posters/", {"region": world.street_b.pk, "kind": "stations"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("kind", "everyone", "请选择站点海报或代表海报"), ("size", "a0", "纸张大小只能是 A4 或 A5")],
)
def test_the_batch_form_refuses_bad_choices(client, world, field, value, message):
    client.force_login(world.staff)
    data = {"region": world.street_a.pk, "kind": "stations", "size": "a4", field: value}
    response = client.get("/work/posters/", data)
    assert response.status_code == 400
    assert message in response.text


# --- every poster of a street or district -------------------------------------------------------


def test_the_batch_page_offers_only_the_regions_in_scope(client, world):
    client.force_login(world.street)
    text = client.get("/work/posters/").text
    assert "甲街道" in text and "乙街道" not in text and "武昌区" not in text
    client.force_login(world.staff)
    text = client.get("/work/posters/").text
    assert "武昌区" in text and "乙街道" in text and "丙街道" not in text
    assert 'for="id_region"' in text


@needs_pdf
def test_a_street_downloads_one_poster_a_page(client, world):
    client.force_login(world.street)
    pdf = read(
        client.get(
            "/work/posters/", {"region": world.street_a.pk, "kind": "stations", "size": "a5"}
        )
    )
    stations = [world.station_a, world.studio_a]
    assert len(pdf.pages) == len(stations)
    codes = {code for n in range(len(pdf.pages)) for code in pdf.qr_codes(n)}
    assert codes == {qr.station_target(s.public_code) for s in stations}
    assert all(pdf.size(n) == A5 for n in range(len(pdf.pages)))


@needs_pdf
def test_deputy_posters_of_a_street(client, world):
    client.force_login(world.street)
    pdf = read(
        client.get(
            "/work/posters/", {"region": world.street_a.pk, "kind": "deputies", "size": "a4"}
        )
    )
    # The serving deputies sitting at the street's stations: 张甲 (赵离 left in 2023).
    assert len(pdf.pages) == 1
    assert "张甲" in pdf.text(0)
    assert pdf.qr_codes(0) == [qr.deputy_target(world.dep_a.public_code)]


@needs_pdf
def test_a_large_batch_is_built_in_the_background(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(views_posters, "INLINE_MAX_POSTERS", 1)
    client.force_login(world.staff)
    params = {"region": world.district.pk, "kind": "stations", "size": "a4"}
    page = client.get("/work/posters/", params)
    assert page.status_code == 200
    assert "在后台生成" in page.text and "共 3 张海报" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/work/posters/", params)
    job = Job.objects.get(kind="public.posters")
    assert response.status_code == 302 and response["Location"] == f"/work/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    assert job.requested_by == world.staff and job.done == 3
    download = client.get(f"/work/jobs/{job.pk}/download/")
    pdf = read(download)
    stations = [world.station_a, world.studio_a, world.station_b]
    assert len(pdf.pages) == 3
    codes = {code for n in range(3) for code in pdf.qr_codes(n)}
    assert codes == {qr.station_target(s.public_code) for s in stations}
    assert all(files for n in range(3) for _name, files in pdf.fonts(n))


# --- a machine without pango ---------------------------------------------------------------------


def test_without_weasyprint_the_pages_say_so_in_chinese(client, world, monkeypatch):
    monkeypatch.setattr(
        views_posters, "pdf_unavailable", lambda: "OSError: cannot load library 'pango-1.0-0'"
    )
    client.force_login(world.staff)
    for url in (station_url(world.station_a), deputy_url(world.dep_a)):
        response = client.get(url)
        assert response.status_code == 503
        assert "缺少生成 PDF 所需的系统组件" in response.text
        assert "libpango-1.0-0" in response.text
    response = client.get("/work/posters/", {"region": world.street_a.pk, "kind": "stations"})
    assert response.status_code == 503


# --- where the posters are offered ---------------------------------------------------------------


def test_the_station_page_offers_its_posters_to_those_who_print_them(client, world):
    detail = f"/work/stations/{world.station_a.pk}/"
    client.force_login(world.street)
    text = client.get(detail).text
    assert station_url(world.station_a).replace("&", "&amp;") in text
    assert f"/work/posters/deputy/{world.dep_a.pk}/?size=a5" in text
    client.force_login(world.liaison)
    text = client.get(detail).text
    assert station_url(world.station_a) in text
    assert "/work/posters/deputy/" not in text
    client.force_login(world.deputy)
    assert "/work/posters/station/" not in client.get(detail).text


def test_the_deputy_home_offers_their_own_poster(client, world):
    client.force_login(world.deputy)
    assert deputy_url(world.dep_a, "a5") in client.get("/accounts/home/").text


def test_the_station_list_links_the_batch_page(client, world):
    client.force_login(world.staff)
    assert "/work/posters/" in client.get("/work/stations/").text
    client.force_login(world.liaison)
    assert "/work/posters/" not in client.get("/work/stations/").text


@needs_pdf
def test_a_poster_is_printed_in_chinese_whatever_the_page_language(client, world):
    client.force_login(world.staff)
    client.cookies["django_language"] = "en"
    pdf = read(client.get(station_url(world.station_a)))
    assert "微信或手机相机扫码，向人大代表反映意见建议" in pdf.text()
    assert "今日值班" in pdf.text()
    translation.activate(settings.LANGUAGE_CODE)  # the English request left it active here


def test_loading_weasyprint_leaves_pillows_truncated_image_check_on():
    """WeasyPrint's import turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process;
    the photo upload check (opinions) relies on it staying off."""
    from PIL import ImageFile

    from zhitong.public import pdf

    pdf._weasyprint.cache_clear()
    pdf.pdf_unavailable()
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
