"""Reading an uploaded file into header and rows: header matching, damaged text.

The file itself is opened, and its cost bounded, by zhitong.core.spreadsheets.
"""

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from django.utils.translation import gettext as _

from zhitong.core import spreadsheets
from zhitong.core.spreadsheets import Limits
from zhitong.core.text import strip_invisible

from .layout import HEADER_SEARCH_ROWS, MAX_DATA_ROWS, MAX_FILE_BYTES, Layout

# Excel writes characters that XML cannot hold as _xHHHH_; openpyxl leaves them as they are.
ESCAPED_CONTROL = re.compile(r"_x00[01][0-9a-fA-F]_")
# What well-known encoding accidents leave behind in Chinese text.
MOJIBAKE_MARKERS = ("锟斤拷", "烫烫烫", "屯屯屯")
WHITESPACE = re.compile(r"\s+")


@dataclass
class Issue:
    """One problem found in a file: `row` is the sheet's row number, None for the whole file."""

    message: str
    row: int | None = None
    column: str = ""
    value: str = ""

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class FileRejected(Exception):
    """The file as a whole cannot be imported; no row was looked at."""

    def __init__(self, message: str, **kwargs):
        super().__init__(message)
        self.issue = Issue(message=message, **kwargs)


@dataclass
class Row:
    """One data row: its number in the sheet and its raw cell values by column key."""

    number: int
    values: dict


@dataclass
class Sheet:
    header_row: int
    # column key -> title as written in the file (for messages)
    titles: dict[str, str]
    rows: list[Row] = field(default_factory=list)


def normalize_title(value) -> str:
    """A header cell as a comparable title: no spaces, no required-markers."""
    text = "" if value is None else strip_invisible(str(value))
    text = WHITESPACE.sub("", text).replace("\u3000", "")
    for mark in ("*", "＊", "（必填）", "(必填)", "（选填）", "(选填)"):
        text = text.replace(mark, "")
    return text.replace("（", "(").replace("）", ")").replace("／", "/")


def cell_text(value) -> str:
    """A cell as trimmed text with runs of whitespace made one space; numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    # Bidi overrides and zero-width characters are dropped, as from every form field.
    return WHITESPACE.sub(" ", strip_invisible(str(value)).replace("\u3000", " ")).strip()


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


def _outside_gb2312(text: str) -> bool:
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return True
    return False


def encoding_problem(text: str) -> str | None:
    """Why `text` looks damaged by an encoding accident, or None if it looks sound."""
    if "\ufffd" in text:
        return _("含有乱码替换字符“\ufffd”，文件在转换编码时已损坏，请从原始文件重新整理。")
    if ESCAPED_CONTROL.search(text) or any(
        unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text
    ):
        return _("含有不可见的控制字符，请删除后重新输入该单元格。")
    if any(unicodedata.category(ch) == "Co" for ch in text):
        return _("含有无法识别的字符（私用区字符），请重新输入该单元格。")
    if any(marker in text for marker in MOJIBAKE_MARKERS):
        return _("含有乱码（如“锟斤拷”），文件在转换编码时已损坏。")
    # UTF-8 bytes read as Western (cp1252/latin-1) text: "å¼ ä¸‰" for "张三".
    if any("\u00c0" <= ch <= "\u00ff" for ch in text):
        for codec in ("cp1252", "latin-1"):
            try:
                repaired = text.encode(codec).decode("utf-8")
            except UnicodeError:
                continue
            if _has_cjk(repaired):
                return _("疑似乱码（原文可能是“%(text)s”），文件编码有误。") % {"text": repaired}
    # UTF-8 bytes read as GBK: "寮犱笁" for "张三". Real Chinese text is almost always
    # inside GB2312 and rarely valid UTF-8 when encoded as GBK; both must hold here.
    if _has_cjk(text) and _outside_gb2312(text):
        try:
            repaired = text.encode("gbk").decode("utf-8")
        except UnicodeError:
            repaired = ""
        if repaired and repaired != text and _has_cjk(repaired):
            return _("疑似乱码（原文可能是“%(text)s”），文件编码有误。") % {"text": repaired}
    return None


def read_sheet(data: bytes, layout: Layout, *, limits: Limits | None = None) -> Sheet:
    """Read the first worksheet of an .xlsx file against `layout`, or raise FileRejected.

    The file is opened by zhitong.core.spreadsheets, which bounds what it may cost (size,
    unpacked size, elements, rows, cells, time); `limits` default to its DEFAULT_LIMITS
    with this app's file size limit.
    """
    limits = replace(limits or spreadsheets.DEFAULT_LIMITS, max_file_bytes=MAX_FILE_BYTES)
    rows = spreadsheets.first_sheet_rows(data, limits=limits)
    try:
        return _read_first_sheet(rows, layout)
    except spreadsheets.SpreadsheetRejected as rejected:
        raise FileRejected(rejected.message) from rejected
    finally:
        rows.close()


def _title_index(layout: Layout) -> dict[str, str]:
    index = {}
    for column in layout.columns:
        for title in (column.title, *column.aliases):
            index[normalize_title(title)] = column.key
    return index


def _is_blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _read_first_sheet(rows, layout: Layout) -> Sheet:
    title_index = _title_index(layout)

    # The header is the row among the first few non-blank ones that names the most columns.
    candidates = []
    for number, values in enumerate(rows, start=1):
        if _is_blank(values):
            continue
        matched = {i: title_index.get(normalize_title(v)) for i, v in enumerate(values)}
        candidates.append((number, values, {i: k for i, k in matched.items() if k}))
        if len(candidates) >= HEADER_SEARCH_ROWS:
            break
    if not candidates:
        raise FileRejected(_("第一个工作表是空的：没有表头，也没有数据。"))
    header_number, header_values, matched = max(candidates, key=lambda c: (len(c[2]), -c[0]))

    titles: dict[str, str] = {}
    positions: dict[str, int] = {}
    for index, key in matched.items():
        title = cell_text(header_values[index])
        if key in positions:
            raise FileRejected(
                _("表头中“%(title)s”列出现了两次，请只保留一列。")
                % {"title": layout_column(layout, key).title},
                row=header_number,
                column=title,
            )
        positions[key] = index
        titles[key] = title
    missing = _missing_titles(layout, positions)
    if missing:
        raise FileRejected(
            _("表头缺少必填列：%(missing)s。请使用本页提供的模板，表头文字须与模板一致。")
            % {"missing": "、".join(f"“{t}”" for t in missing)},
            row=header_number if matched else None,
        )

    sheet = Sheet(header_row=header_number, titles=titles)
    # Rows between the header candidates that were read ahead and the header itself are data.
    for number, values in _rows_after(header_number, candidates, rows):
        if _is_blank(values):
            continue
        if len(sheet.rows) >= MAX_DATA_ROWS:
            raise FileRejected(
                _("数据行超过 %(limit)d 行的上限，请分成几个文件导入。") % {"limit": MAX_DATA_ROWS}
            )
        sheet.rows.append(
            Row(
                number=number,
                values={
                    key: (values[index] if index < len(values) else None)
                    for key, index in positions.items()
                },
            )
        )
    if not sheet.rows:
        raise FileRejected(_("表格只有表头，没有数据行。"), row=header_number)
    return sheet


def _rows_after(header_number, candidates, rest):
    """Data rows: candidates read ahead below the header, then the rest of the sheet.

    Numbering goes on from the last row read ahead, blank rows included, so numbers
    match what the user sees in Excel.
    """
    last = header_number
    for number, values, _matched in candidates:
        if number > header_number:
            yield number, values
        last = number
    for number, values in enumerate(rest, start=last + 1):
        yield number, values


def layout_column(layout: Layout, key: str):
    return next(c for c in layout.columns if c.key == key)


def _missing_titles(layout: Layout, positions: dict[str, int]) -> list[str]:
    missing, seen_groups = [], set()
    for column in layout.columns:
        if not column.required or column.key in positions:
            continue
        if column.group:
            if column.group in seen_groups:
                continue
            seen_groups.add(column.group)
            group = [c for c in layout.columns if c.group == column.group]
            if any(c.key in positions for c in group):
                continue
            missing.append("或".join(c.title for c in group))
        else:
            missing.append(column.title)
    return missing
