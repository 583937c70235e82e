"""The ledger export (台账导出): the queue's filter as .xlsx and as UTF-8 CSV with a BOM."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhitong.handling.models import Rating
from zhitong.opinions import export
from zhitong.opinions.models import Channel, Status
from zhitong.opinions.tests.lifecycle_world import build, new_opinion
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db
EXPORT = "/work/opinions/export/"
HEADERS = [
    "编号",
    "时间",
    "渠道",
    "街道",
    "站点",
    "代表",
    "类别",
    "内容摘要",
    "承办单位",
    "期限",
    "状态",
    "答复",
    "满意度",
]


@pytest.fixture
def w(db):
    return build()


@pytest.fixture
def ledger(w):
    """A closed opinion with a lead and a co-unit, a reply and a rating; and one just received."""
    closed = new_opinion(
        w,
        tracking_code="LEDGER0001",
        subject="路灯不亮",
        content="赵六反映：小区路灯坏了，电话13900001234，请尽快修。",
        channel=Channel.QR_DEPUTY,
        status=Status.CLOSED,
        received_at=timezone.make_aware(datetime.datetime(2025, 5, 6, 9, 30)),
    )
    lead = f.ReferralFactory(
        opinion=closed,
        unit=w.housing,
        assigned_by=w.staff,
        state="replied",
        due_date=datetime.date(2025, 5, 27),
        deadline_provisional=True,
    )
    f.ReferralFactory(opinion=closed, unit=w.roads, assigned_by=w.staff, role="co", state="replied")
    reply = f.ReplyFactory(assignment=lead, opinion=closed, author=w.unit, text="已更换灯泡。")
    reply.text_sent = "您好，路灯已修好。"
    reply.save()
    Rating.objects.create(opinion=closed, reply=reply, score=Rating.Score.BASICALLY)
    fresh = new_opinion(
        w,
        tracking_code="LEDGER0002",
        street=w.street_b,
        station=None,
        deputy=None,
        category=None,
        received_at=timezone.make_aware(datetime.datetime(2025, 5, 7, 14, 0)),
    )
    return closed, fresh


EXPECTED_CLOSED = [
    "LEDGER0001",
    "2025-05-06 09:30",
    "代表二维码",
    "甲街道",
    "甲一社区代表联络站",
    "张甲",
    "物业管理",
    "路灯不亮：赵*反映：小区路灯坏了，电话139****1234，请尽快修。",
    "武昌区住房和城市更新局；协办：武昌区城市管理执法局",
    "2025-05-27（暂定）",
    "已办结",
    "您好，路灯已修好。",
    "基本满意",
]


def test_xlsx_ledger_has_the_office_columns_and_rows(client, w, ledger):
    client.force_login(w.staff)
    response = client.get(EXPORT, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert sheet.title == "意见建议台账"
    rows = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    assert rows[1][0] == "LEDGER0002"  # newest first, as the queue
    # The street is kept apart from the station: an opinion without a station still has one.
    assert rows[1][3] == w.street_b.name
    assert rows[1][4:7] == ["", "", ""]
    assert rows[1][10] == "待受理"
    assert rows[2] == EXPECTED_CLOSED
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["H"].width >= 40


def test_csv_ledger_opens_in_excel_and_in_the_csv_module(client, w, ledger):
    client.force_login(w.staff)
    response = client.get(EXPORT, {"format": "csv", "sort": "oldest"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert rows[1] == EXPECTED_CLOSED
    assert rows[2][0] == "LEDGER0002"
    assert len(rows) == 3


def test_the_export_follows_the_filter_and_the_scope(client, w, ledger):
    client.force_login(w.staff)
    body = client.get(EXPORT, {"format": "csv", "status": "closed"}).content
    codes = [row[0] for row in csv.reader(io.StringIO(body.decode("utf-8-sig")))][1:]
    assert codes == ["LEDGER0001"]
    client.force_login(w.street)  # 甲街道 only
    body = client.get(EXPORT, {"format": "csv"}).content
    codes = [row[0] for row in csv.reader(io.StringIO(body.decode("utf-8-sig")))][1:]
    assert codes == ["LEDGER0001"]


def test_nothing_personal_leaks_into_the_ledger(client, w, ledger):
    client.force_login(w.staff)
    body = client.get(EXPORT, {"format": "csv"}).content.decode("utf-8-sig")
    assert "13900001234" not in body
    assert "赵六" not in body


def test_citizens_cannot_export(client, w, ledger):
    client.force_login(w.citizen)
    assert client.get(EXPORT, {"format": "csv"}).status_code == 403


def test_large_exports_are_read_in_chunks(w, django_assert_max_num_queries, monkeypatch):
    from zhitong.opinions.models import Opinion

    for i in range(12):
        new_opinion(w, tracking_code=f"CHUNK{i:05d}")
    monkeypatch.setattr(export, "CHUNK_SIZE", 5)
    # Per chunk: the opinions, their referrals, their replies (and ratings): bounded by chunks.
    with django_assert_max_num_queries(3 * 4 + 2):
        rows = list(export.ledger_rows(Opinion.objects.order_by("tracking_code")))
    assert [r[0] for r in rows] == [f"CHUNK{i:05d}" for i in range(12)]


def test_export_link_keeps_the_current_filter(client, w, ledger):
    client.force_login(w.staff)
    html = client.get(reverse("opinions:queue"), {"status": "closed"}).content.decode()
    assert f"{EXPORT}?status=closed&amp;format=xlsx" in html


def test_formulas_written_by_citizens_stay_text(client, w):
    new_opinion(w, tracking_code="FORMULA001", subject='=HYPERLINK("http://x","点我")', content="")
    client.force_login(w.staff)
    body = client.get(EXPORT, {"format": "csv"}).content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[1][7].startswith("'=HYPERLINK")
    response = client.get(EXPORT, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = sheet.cell(row=2, column=8)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x","点我")'
