"""Files that are not a usable .xlsx are refused as a whole, with a message saying what they are."""

import io
import os
import zipfile

import pytest

from zhitong.core.sheets.layout import MAX_FILE_BYTES
from zhitong.imports.models import ImportKind, ImportStatus
from zhitong.imports.services import import_structure

from .xlsx import DEPUTY_HEADER, STATION_HEADER, UNIT_HEADER, deputy_row, xlsx

pytestmark = pytest.mark.django_db


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


GBK_CSV = ("姓名,性别,出生年份\n张红,女,1975\n").encode("gbk")
BAD_FILES = {
    "random bytes": (os.urandom(2048).replace(b"PK", b"pk"), "无法识别的文件格式"),
    "xls renamed": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "旧版 Excel（.xls）"),
    "utf-8 csv renamed": ("姓名,性别\n张红,女\n".encode(), "这是文本或 CSV 文件"),
    "gbk csv renamed": (GBK_CSV, "GBK/GB18030 编码"),
    "png renamed": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "这是图片文件"),
    "pdf renamed": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "这是 PDF 文件"),
    "docx renamed": (_zip({"word/document.xml": b"<w/>"}), "这是 Word 文档"),
    "plain zip": (_zip({"readme.txt": b"hello"}), "这是压缩包"),
    "broken zip": (b"PK\x03\x04" + b"\x00" * 100, "文件已损坏"),
    "broken workbook": (
        _zip({"xl/workbook.xml": b"<not-xml", "[Content_Types].xml": b"<x/>"}),
        "无法读取",
    ),
    "empty file": (b"", "文件是空的"),
}


@pytest.mark.parametrize("label", list(BAD_FILES))
@pytest.mark.parametrize("kind", [ImportKind.DEPUTIES, ImportKind.STATIONS, ImportKind.UNITS])
def test_non_xlsx_files_are_refused_with_a_clear_message(place, staff, counts, label, kind):
    data, message = BAD_FILES[label]
    before = counts()
    batch = import_structure(
        kind=kind, file=io.BytesIO(data), file_name="名册.xlsx", region=place["district"], by=staff
    )
    assert batch.status == ImportStatus.REJECTED
    assert len(batch.errors) == 1
    assert batch.errors[0]["row"] is None
    assert message in batch.errors[0]["message"]
    assert counts() == before


def test_too_large_a_file_is_refused_before_it_is_read(place, staff, counts):
    data = xlsx(DEPUTY_HEADER, deputy_row()) + b"\x00" * MAX_FILE_BYTES
    before = counts()
    batch = import_structure(
        kind=ImportKind.DEPUTIES,
        file=io.BytesIO(data),
        file_name="big.xlsx",
        region=place["district"],
        by=staff,
    )
    assert batch.status == ImportStatus.REJECTED
    assert batch.errors[0]["message"] == "文件过大：不能超过 10 MB。请分成几个文件导入。"
    assert counts() == before


@pytest.mark.parametrize(
    ("kind", "header"),
    [(ImportKind.STATIONS, STATION_HEADER), (ImportKind.UNITS, UNIT_HEADER)],
)
def test_a_deputy_roster_uploaded_as_another_kind_is_refused_by_its_header(
    place, staff, kind, header
):
    batch = import_structure(
        kind=kind,
        file=io.BytesIO(xlsx(DEPUTY_HEADER, deputy_row())),
        file_name="代表名册.xlsx",
        region=place["district"],
        by=staff,
    )
    assert batch.status == ImportStatus.REJECTED
    assert "表头缺少必填列" in batch.errors[0]["message"]
