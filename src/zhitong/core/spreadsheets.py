"""Opening an uploaded .xlsx without letting it run away: the one way the site reads a
spreadsheet someone uploaded.

An .xlsx is a zip of XML parts. A small upload can unpack to hundreds of megabytes
(a zip bomb), or stay small and still hold millions of XML elements that openpyxl turns
into Python objects one by one: a 380 KB file of shared strings took 48 seconds of a
worker. Before and while openpyxl parses anything, this module bounds:

- the upload: not empty, at most `max_file_bytes`, and an .xlsx zip (anything else is
  named: an old .xls, a CSV, an image, a Word document ...);
- the zip, from its directory: the number of members, each member's and the total
  declared unpacked size, the compression ratio of large members, the compression
  method (stored or deflated), no encryption, no two members of the same name;
- what the parser is given, as it reads: the bytes actually unpacked from a member never
  exceed its declared size (zipfile's own read() of a whole member would unpack all the
  compressed data first, whatever the header says, so members are only ever read in
  chunks here); XML tags (counted as "<") over the whole file, and tighter over the
  parts openpyxl parses in one piece (styles, workbook, relationships); no document type
  declarations (entity expansion);
- the shape of the parts openpyxl streams (worksheets, shared strings), read by expat a
  chunk ahead of openpyxl: elements in one reading of a part, and in one piece that
  openpyxl builds whole (a row, a shared string);
- the first worksheet's rows and cells, blank ones included (openpyxl makes up the
  blank rows of a gap, and pads a row out to its last cell);
- the time: CPU time of the reading thread and wall time, checked at every chunk the
  parser reads and at every row.

Every refusal is a SpreadsheetRejected with a message in Chinese for the uploader.
"""

from __future__ import annotations

import gc
import io
import struct
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from xml.parsers import expat

from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much an uploaded spreadsheet may cost. The defaults leave a good file of 5,000
    rows (the import limit) several times the room it needs; see docs/security.md."""

    max_file_bytes: int = 10 * MiB
    max_members: int = 1000
    # Declared unpacked sizes: each member and all of them together.
    max_unpacked_bytes: int = 30 * MiB
    # A member over `ratio_from_bytes` may unpack to at most this many times its packed size.
    max_ratio: int = 100
    ratio_from_bytes: int = 1 * MiB
    # XML tags (counted as "<", which nothing else in XML may be) the parser may be given:
    # in all, and in the parts openpyxl parses in one piece (~10 us a tag, not ~1.5).
    max_tags: int = 1_500_000
    max_whole_part_tags: int = 150_000
    # Parts openpyxl streams (worksheets, shared strings), as XML elements: in one reading
    # of a part (elements openpyxl does not know it keeps until the end), and in one piece
    # it builds whole (a row, a shared string, a block such as the merged cells).
    max_part_elements: int = 250_000
    max_piece_elements: int = 50_000
    # The first worksheet as read: rows (blank ones and gaps included) and cells.
    max_rows: int = 50_000
    max_cells: int = 500_000
    # Time of the whole reading: CPU time of the thread, and wall time.
    cpu_seconds: float = 5.0
    wall_seconds: float = 15.0


DEFAULT_LIMITS = Limits()

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
END_OF_DIRECTORY = b"PK\x05\x06"
# A read larger than this (or of everything) is a part that is parsed whole.
CHUNK = 64 * 1024
DOCTYPES = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))
OVERLAP = max(len(d) for d in DOCTYPES)


class SpreadsheetRejected(Exception):
    """The upload cannot be read as a spreadsheet; `message` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _save_as() -> str:
    return _("请在 Excel 或 WPS 中打开，“另存为” Excel 工作簿（.xlsx）后再导入。")


def _too_complex(what: str) -> SpreadsheetRejected:
    return SpreadsheetRejected(
        _("文件过于复杂：%(what)s。") % {"what": what}
        + _(
            "请只保留要导入的工作表和数据，删除多余的格式、空行和空列，"
            "另存为新的 .xlsx 文件后再导入；数据很多的，请分成几个文件导入。"
        )
    )


def _broken() -> SpreadsheetRejected:
    return SpreadsheetRejected(_("Excel 文件已损坏或格式不受支持，无法读取。"))


def _too_large_unpacked() -> SpreadsheetRejected:
    return SpreadsheetRejected(_("文件解压后过大，无法导入。"))


class _Budget:
    """The time a reading may take: CPU time of this thread (other requests served by the
    same process do not count against it) and wall time."""

    def __init__(self, limits: Limits):
        self.cpu_deadline = time.thread_time() + limits.cpu_seconds
        self.wall_deadline = time.monotonic() + limits.wall_seconds

    def check(self) -> None:
        if time.thread_time() > self.cpu_deadline or time.monotonic() > self.wall_deadline:
            raise _too_complex(_("无法在限定时间内读完"))


class _Meter:
    """What the parser has been given so far, against the limits."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.budget = _Budget(limits)
        self.tags = 0
        self.whole_part_tags = 0

    def given(self, data: bytes, *, whole: bool) -> None:
        count = data.count(b"<")
        self.tags += count
        if whole:
            self.whole_part_tags += count
        if (
            self.tags > self.limits.max_tags
            or self.whole_part_tags > self.limits.max_whole_part_tags
        ):
            raise _too_complex(_("内容过多，超过了可读取的上限"))


def _refuse_doctype(*_args):
    raise SpreadsheetRejected(
        _("文件中含有不支持的内容（XML 文档类型定义），无法导入。") + _save_as()
    )


class _Structure:
    """The shape of a part openpyxl streams, read by expat (C, no tree) a chunk ahead of it.

    openpyxl's streaming readers build each row, shared string or other block below the
    root whole before handing it on, and keep every element they do not know about until
    the part ends. So: at most `max_piece_elements` inside any element below the root
    (below sheetData for rows), and at most `max_part_elements` in the reading.
    """

    def __init__(self, limits: Limits):
        self.max_piece = limits.max_piece_elements
        self.max_part = limits.max_part_elements
        self.depth = 0
        self.elements = 0
        self.piece = 0
        self.in_sheet_data = False
        parser = expat.ParserCreate()
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.StartDoctypeDeclHandler = _refuse_doctype
        self.parser = parser

    def start(self, name, _attributes):
        depth = self.depth
        self.depth += 1
        self.elements += 1
        if self.elements > self.max_part:
            raise _too_complex(_("内容过多，超过了可读取的上限"))
        if depth == 1:
            # Rows are pieces of their own inside sheetData (by local name: any prefix).
            self.in_sheet_data = name.rpartition(":")[2] == "sheetData"
            self.piece = 0
        elif depth == 2 and self.in_sheet_data:
            self.piece = 0
        elif depth >= 2:
            self.piece += 1
            if self.piece > self.max_piece:
                raise _too_complex(_("有一行、一个单元格或一段内容过大"))

    def end(self, _name):
        self.depth -= 1

    def feed(self, data: bytes) -> None:
        try:
            self.parser.Parse(data, not data)
        except expat.ExpatError as error:
            raise _broken() from error


class _MeteredMember:
    """A member of the zip as the parser reads it: in chunks, each one counted and checked;
    read as a stream, its structure too (_Structure)."""

    def __init__(self, stream, declared: int, meter: _Meter):
        self._stream = stream
        self._left = declared
        self._meter = meter
        self._tail = b""
        self._structure = None

    def readable(self) -> bool:
        return True

    def _chunk(self, size: int) -> bytes:
        self._meter.budget.check()
        data = self._stream.read(min(size, CHUNK))
        self._left -= len(data)
        if self._left < 0:  # more than the header said: zipfile should have stopped it
            raise _too_large_unpacked()
        window = self._tail + data
        if any(doctype in window for doctype in DOCTYPES):
            _refuse_doctype()
        self._tail = window[-OVERLAP:]
        return data

    def read(self, size: int = -1) -> bytes:
        whole = size is None or size < 0 or size > CHUNK
        if not whole:
            data = self._chunk(size)
            self._meter.given(data, whole=False)
            if self._structure is None:
                self._structure = _Structure(self._meter.limits)
            self._structure.feed(data)
            return data
        wanted = None if size is None or size < 0 else size
        parts = []
        while wanted is None or wanted > 0:
            data = self._chunk(CHUNK if wanted is None else wanted)
            if not data:
                break
            parts.append(data)
            self._meter.given(data, whole=True)
            if wanted is not None:
                wanted -= len(data)
        return b"".join(parts)

    def close(self) -> None:
        self._stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _MeteredZipFile(zipfile.ZipFile):
    """The zip openpyxl reads from: every member it opens (or reads whole, which goes
    through open) is a _MeteredMember."""

    def __init__(self, file, meter: _Meter):
        super().__init__(file)
        self._meter = meter

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):
        if mode != "r":
            raise ValueError("read only")
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        return _MeteredMember(super().open(info, "r", pwd), info.file_size, self._meter)


def describe_non_xlsx(data: bytes) -> str:
    """A message saying what the uploaded bytes are, for anything that is not an .xlsx zip."""
    save_as = _save_as()
    if data.startswith(OLE_MAGIC):
        return (
            _("这是旧版 Excel（.xls）文件，或设置了打开密码的文件，不能直接导入。")
            + save_as
            + _("如有打开密码，请先取消密码。")
        )
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff")) or data[:6] in (b"GIF87a", b"GIF89a"):
        return _("这是图片文件，不是 Excel 表格。请上传按模板填写的 .xlsx 文件。")
    if data.startswith(b"%PDF"):
        return _("这是 PDF 文件，不是 Excel 表格。请上传按模板填写的 .xlsx 文件。")
    head = data[:65536]
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A cut in the middle of a multi-byte character at the end of `head` is not an error.
            utf8 = error.start >= len(head) - 3
        else:
            utf8 = True
        if utf8:
            return _("这是文本或 CSV 文件，不是 Excel 工作簿。") + save_as
        try:
            head.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            return _("这是按 GBK/GB18030 编码保存的文本或 CSV 文件，不是 Excel 工作簿。") + save_as
    return _("无法识别的文件格式，不是 Excel 工作簿（.xlsx）。") + save_as


def _declared_members(data: bytes) -> int | None:
    """The member count the zip's end record declares, read before zipfile parses the whole
    directory (a 10 MB upload can hold 200,000 empty members); None if not found."""
    start = data.rfind(END_OF_DIRECTORY, max(0, len(data) - 22 - 65535))
    if start < 0 or len(data) < start + 22:
        return None
    return struct.unpack("<H", data[start + 10 : start + 12])[0]


def _check_file(data: bytes, limits: Limits) -> None:
    if not data:
        raise SpreadsheetRejected(_("文件是空的（0 字节）。"))
    if len(data) > limits.max_file_bytes:
        raise SpreadsheetRejected(
            _("文件过大：不能超过 %(limit)d MB。请分成几个文件导入。")
            % {"limit": limits.max_file_bytes // MiB}
        )
    if not data.startswith(ZIP_MAGIC):
        raise SpreadsheetRejected(describe_non_xlsx(data))
    declared = _declared_members(data)
    if declared is not None and declared > limits.max_members:
        raise _too_many_members()


def _too_many_members() -> SpreadsheetRejected:
    return SpreadsheetRejected(_("文件内部结构异常（包含的部件过多），无法导入。") + _save_as())


def _check_zip(archive: zipfile.ZipFile, limits: Limits) -> None:
    """The zip's directory against the limits, before any member is unpacked."""
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise _too_many_members()
    names = [info.filename for info in members]
    if len(set(names)) != len(names):
        raise SpreadsheetRejected(_("文件内部结构异常（部件重名），无法导入。") + _save_as())
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise SpreadsheetRejected(
                _("这是 Word 文档，不是 Excel 表格。请上传按模板填写的 .xlsx 文件。")
            )
        if "content.xml" in names:
            raise SpreadsheetRejected(
                _("这是 OpenDocument（.ods 等）文件，请另存为 Excel 工作簿（.xlsx）后再导入。")
            )
        raise SpreadsheetRejected(_("这是压缩包，不是 Excel 工作簿（.xlsx）。"))
    if "[Content_Types].xml" not in names:
        raise _broken()
    total = 0
    for info in members:
        if info.flag_bits & 0x1 or info.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            raise SpreadsheetRejected(
                _("文件使用了不支持的压缩或加密方式，无法导入。") + _save_as()
            )
        total += info.file_size
        if info.file_size > limits.max_unpacked_bytes or total > limits.max_unpacked_bytes:
            raise _too_large_unpacked()
        packed = max(info.compress_size, 1)
        if info.file_size > limits.ratio_from_bytes and info.file_size > limits.max_ratio * packed:
            raise _too_large_unpacked()


def passes_the_cheap_checks(data: bytes, *, limits: Limits | None = None) -> bool:
    """Whether `data` passes what can be checked without unpacking anything (size, zip
    directory, declared sizes): the request checks this before handing a large file to the
    task worker, so that a broken or hostile file is refused at once, on the page."""
    limits = limits or DEFAULT_LIMITS
    try:
        _check_file(data, limits)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_zip(archive, limits)
    except (SpreadsheetRejected, zipfile.BadZipFile, ValueError, OSError, EOFError):
        return False
    return True


def first_sheet_rows(data: bytes, *, limits: Limits | None = None) -> Iterator[tuple]:
    """The rows of the first worksheet of the uploaded .xlsx `data`, as tuples of cell values
    up to each row's last cell (blank rows included; a row missing from the file is ()),
    within `limits` (DEFAULT_LIMITS, looked up at call time).

    A generator: the file is checked when the first row is asked for; raises
    SpreadsheetRejected for any file that is not a readable .xlsx within the limits.
    """
    limits = limits or DEFAULT_LIMITS
    meter = _Meter(limits)
    _check_file(data, limits)
    try:
        archive = _MeteredZipFile(io.BytesIO(data), meter)
    except Exception as error:  # BadZipFile mostly; a mangled directory can raise others
        raise SpreadsheetRejected(_("文件已损坏，无法作为 Excel 工作簿打开。")) from error
    with archive:
        _check_zip(archive, limits)
        workbook = _load(archive, data)
        try:
            yield from _rows(workbook, meter)
        finally:
            workbook.close()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while openpyxl builds the shared strings.

    It makes an object per string (up to the limits above), and each full collection walks
    every object the process holds: with the whole site loaded, refusing a file of a
    million short strings took 2.3 s of CPU instead of 1.9 s. Those objects hold no
    cycles; the collector runs again as soon as the table is read.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(archive: _MeteredZipFile, data: bytes):
    """openpyxl's workbook, read-only, reading every part through `archive`."""
    try:
        # load_workbook() without its own ZipFile: the reader is given the metered one.
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        reader.archive.close()
        reader.archive = archive
        reader.valid_files = archive.namelist()
        with _collector_paused():
            reader.read()
        return reader.wb
    except SpreadsheetRejected:
        raise
    except Exception as error:  # openpyxl raises many kinds for broken parts
        rejected = _find_rejected(error)
        if rejected is not None:
            raise rejected from error
        raise _broken() from error


def _find_rejected(error: BaseException) -> SpreadsheetRejected | None:
    """A refusal raised inside openpyxl, which wraps some errors in its own."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, SpreadsheetRejected):
            return error
        error = error.__cause__ or error.__context__
        seen += 1
    return None


def _rows(workbook, meter: _Meter) -> Iterator[tuple]:
    limits = meter.limits
    worksheets = workbook.worksheets
    if not worksheets:
        raise SpreadsheetRejected(_("工作簿中没有工作表。"))
    worksheet = worksheets[0]
    # Some programs write a wrong sheet size (or a huge one): read the rows that are there.
    worksheet.reset_dimensions()
    rows = worksheet.iter_rows(values_only=True)
    row_count = cell_count = 0
    while True:
        meter.budget.check()
        try:
            values = next(rows)
        except StopIteration:
            return
        except SpreadsheetRejected:
            raise
        except Exception as error:  # a part that only breaks when its rows are read
            rejected = _find_rejected(error)
            if rejected is not None:
                raise rejected from error
            raise _broken() from error
        row_count += 1
        cell_count += len(values)
        if row_count > limits.max_rows:
            raise _too_complex(
                _("第一个工作表超过 %(limit)d 行（含空行）") % {"limit": limits.max_rows}
            )
        if cell_count > limits.max_cells:
            raise _too_complex(
                _("第一个工作表超过 %(limit)d 个单元格（含空白单元格）")
                % {"limit": limits.max_cells}
            )
        yield tuple(values)


# An uploaded spreadsheet larger than this is imported by the task worker (a background
# job with its progress), not in the request; a smaller one is read within the request.
BACKGROUND_BYTES = 100 * 1024


def for_the_worker(upload) -> bool:
    """Whether an uploaded spreadsheet goes to the task worker: larger than BACKGROUND_BYTES
    and passing the cheap checks (otherwise the request refuses it at once, with its
    message)."""
    if (getattr(upload, "size", 0) or 0) <= BACKGROUND_BYTES:
        return False
    upload.seek(0)
    data = upload.read(DEFAULT_LIMITS.max_file_bytes + 1)
    upload.seek(0)
    return passes_the_cheap_checks(data)
