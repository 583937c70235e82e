"""The booklet (建议汇编): built as a background job with its progress, stored, served only
to staff of its district; the PDF re-opens and holds the numbers and titles in order, with
its fonts embedded."""

import io

import pypdf
import pytest
from django.urls import reverse

from zhitong.core.models import Job
from zhitong.core.pdf import pdf_unavailable
from zhitong.suggestions.booklet import booklet_entries
from zhitong.suggestions.tests.staff_support import assigned, registered, reviewed, staff_world
from zhitong.testing import factories as f

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        bool(pdf_unavailable()), reason=f"WeasyPrint cannot run here: {pdf_unavailable()}"
    ),
]


@pytest.fixture
def w(db):
    w = staff_world()
    other = f.CategoryFactory(name="城市建设", code="CS01", sort_order=0)
    w.category.sort_order = 1
    w.category.save(update_fields=["sort_order"])
    f.CategoryRouteFactory(category=other, region=w.district, unit=w.roads)
    w.other_category = other
    return w


def build_booklet(client, w, capture):
    client.force_login(w.staff)
    with capture(execute=True):
        response = client.post(
            reverse("suggestions:booklet"), {"district": w.district.code, "session": w.session.pk}
        )
    assert response.status_code == 302
    return Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_the_booklet_is_built_in_the_background_and_holds_the_suggestions_in_order(
    client, w, django_capture_on_commit_callbacks
):
    first = registered(w, "关于加装电梯的建议")  # 物业管理, 第1号
    second = assigned(w, "关于修缮背街小巷的建议", category=w.other_category)  # 城市建设, 第2号
    third = registered(w, "关于增设社区食堂的建议")  # 物业管理, 第3号
    reviewed(w, "尚未立案的建议")
    job = build_booklet(client, w, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and (job.done, job.total) == (3, 3)
    text = client.get(reverse("suggestions:booklet_job", args=[job.pk])).content.decode()
    assert "已完成" in text and reverse("suggestions:booklet_download", args=[job.pk]) in text
    listing = client.get(reverse("suggestions:booklet")).content.decode()
    assert job.label in listing
    download = client.get(reverse("suggestions:booklet_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    pages = [page.extract_text() for page in reader.pages]
    whole = "\n".join(pages)
    assert "武昌区" in pages[0] and "第十六届人民代表大会第四次会议" in pages[0]
    assert "尚未立案的建议" not in whole
    # By category (城市建设 before 物业管理), then number: in the contents and in the body.
    order = [second, first, third]
    titles = [s.title for s in order]
    contents = whole[: whole.index(second.reference)]
    positions = [contents.index(title) for title in titles]
    assert positions == sorted(positions)
    body = whole[whole.index(second.reference) :]
    positions = [body.index(title) for title in titles]
    assert positions == sorted(positions)
    for s in order:
        assert s.reference in whole
    assert "张甲" in whole and "武昌区住房和城市更新局" in whole and "武昌区城市管理执法局" in whole
    assert "老旧小区居民上下楼困难" in whole
    # Every font is embedded (a font file in each descriptor).
    fonts = []
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            fonts.append(any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")))
    assert fonts and all(fonts)


def test_the_contents_give_each_suggestions_page(w):
    registered(w, "甲")
    registered(w, "乙")
    entries = booklet_entries(w.session)
    from zhitong.suggestions.booklet import booklet_pdf

    data = booklet_pdf(district="武昌区", session="第四次会议", entries=entries)
    assert [e.page for e in entries] == [1, 2]
    reader = pypdf.PdfReader(io.BytesIO(data))
    # The cover and the contents first, unnumbered; then one page a suggestion, numbered.
    assert len(reader.pages) == 2 + 2
    assert reader.pages[2].extract_text().strip().endswith("1")
    assert reader.pages[3].extract_text().strip().endswith("2")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("far_staff", 404),
        ("gov", 403),
        ("other_unit", 403),
        ("leader", 403),
        ("street", 403),
        ("deputy", 403),
        ("citizen", 403),
    ],
)
def test_only_the_districts_staff_reach_the_booklet(
    client, w, who, status, django_capture_on_commit_callbacks
):
    registered(w)
    job = build_booklet(client, w, django_capture_on_commit_callbacks)
    client.force_login(w.users[who])
    assert client.get(reverse("suggestions:booklet_job", args=[job.pk])).status_code == status
    assert client.get(reverse("suggestions:booklet_download", args=[job.pk])).status_code == status
    before = Job.objects.count()
    response = client.post(
        reverse("suggestions:booklet"), {"district": w.district.code, "session": w.session.pk}
    )
    assert response.status_code in (403, 404)
    assert Job.objects.count() == before
    if who == "far_staff":
        assert job.label not in client.get(reverse("suggestions:booklet")).content.decode()


def test_a_session_of_another_district_is_refused(client, w):
    far_term = f.TermFactory(region=w.far_district, number=16)
    from zhitong.suggestions.models import CongressSession

    far = CongressSession.objects.create(
        term=far_term,
        district=w.far_district,
        number=1,
        opens_on=w.session.opens_on,
        closes_on=w.session.closes_on,
    )
    client.force_login(w.staff)
    response = client.post(
        reverse("suggestions:booklet"), {"district": w.district.code, "session": far.pk}
    )
    assert response.status_code == 400 and "请选择本区的会议" in response.content.decode()
    assert not Job.objects.exists()


def test_a_failed_booklet_says_so_and_serves_nothing(
    client, w, django_capture_on_commit_callbacks, monkeypatch
):
    from zhitong.suggestions import booklet

    def broken(**kwargs):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(booklet, "booklet_pdf", broken)
    registered(w)
    job = build_booklet(client, w, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    text = client.get(reverse("suggestions:booklet_job", args=[job.pk])).content.decode()
    assert "生成失败" in text
    assert client.get(reverse("suggestions:booklet_download", args=[job.pk])).status_code == 404


def test_a_running_booklet_shows_its_progress(client, w):
    registered(w)
    job = Job.objects.create(
        kind="suggestions.booklet",
        label="建议汇编：第16届4次会议",
        requested_by=w.staff,
        params={"district": w.district.pk, "session": w.session.pk},
        state=Job.State.RUNNING,
        done=25,
        total=300,
    )
    client.force_login(w.staff)
    text = client.get(reverse("suggestions:booklet_job", args=[job.pk])).content.decode()
    assert "正在生成：25 / 300" in text and 'http-equiv="refresh"' in text
    assert client.get(reverse("suggestions:booklet_download", args=[job.pk])).status_code == 404
