"""Hostile .xlsx files for the tests of the spreadsheet guard (zhitong.core.spreadsheets).

Each builder returns the bytes of a file an attacker could upload: small on the wire,
costly to parse. They are cached, since some take a second to build.
"""

import functools
import io
import random
import struct
import zipfile
import zlib

import openpyxl
from openpyxl.utils import get_column_letter

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
MiB = 1024 * 1024


def plain_workbook(*rows) -> bytes:
    """A small good workbook whose first sheet holds `rows`."""
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rebuild(data: bytes, parts: dict, *, shared_strings: bool = False) -> bytes:
    """`data` with `parts` replaced or added: name -> bytes, or an iterable of byte chunks
    (written as they come, so a part of hundreds of MB never sits in memory)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name in parts:
                continue
            content = source.read(name)
            if shared_strings and name == "[Content_Types].xml":
                override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/>'
                content = content.replace(b"</Types>", override.encode() + b"</Types>")
            target.writestr(name, content)
        for name, content in parts.items():
            if isinstance(content, bytes):
                target.writestr(name, content)
                continue
            with target.open(name, "w") as member:
                for chunk in content:
                    member.write(chunk)
    return out.getvalue()


def _repeat(unit: bytes, total: int, *, head: bytes = b"", tail: bytes = b""):
    yield head
    block = unit * max(1, MiB // len(unit))
    written = 0
    while written < total:
        yield block
        written += len(block)
    yield tail


@functools.cache
def shared_strings_bomb(megabytes: int = 150) -> bytes:
    """sharedStrings.xml of `megabytes` MB of one-letter strings, deflated to 380 KB at 150 MB
    (under the 200 MB the reader used to allow): the probe's kind of file, which took 48 s
    of CPU to open before the guard."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}">'.encode()
    strings = _repeat(b"<si><t>a</t></si>", megabytes * MiB, head=head, tail=b"</sst>")
    return rebuild(
        plain_workbook(["姓名"], ["张红"]), {"xl/sharedStrings.xml": strings}, shared_strings=True
    )


@functools.cache
def many_small_strings(count: int) -> bytes:
    """sharedStrings.xml of `count` distinct short strings: small, not very compressible,
    within any size bound, yet one Python object and many XML events each."""
    rng = random.Random(count)
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}">'.encode()

    def chunks():
        yield head
        letters = "abcdefghijklmnopqrstuvwxyz0123456789"
        for _ in range(count // 1000):
            yield "".join(
                f"<si><t>{''.join(rng.choices(letters, k=4))}</t></si>" for _ in range(1000)
            ).encode()
        yield b"</sst>"

    return rebuild(
        plain_workbook(["姓名"], ["张红"]), {"xl/sharedStrings.xml": chunks()}, shared_strings=True
    )


def _sheet(rows_xml, dimension="A1:XFD1048576"):
    yield (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">'
        f'<dimension ref="{dimension}"/><sheetData>'
    ).encode()
    yield from rows_xml
    yield b"</sheetData></worksheet>"


@functools.cache
def styled_empty_cells(rows: int = 50_000, columns: int = 20) -> bytes:
    """A first sheet of rows x columns empty cells that carry a style (a million by
    default), its size declared as the whole sheet, A1:XFD1048576."""
    template = (
        '<row r="{r}">'
        + "".join(f'<c r="{get_column_letter(c)}{{r}}" s="1"/>' for c in range(1, columns + 1))
        + "</row>"
    )

    def rows_xml():
        for start in range(1, rows + 1, 1000):
            stop = min(start + 1000, rows + 1)
            yield "".join(template.format(r=r) for r in range(start, stop)).encode()

    return rebuild(plain_workbook(), {"xl/worksheets/sheet1.xml": _sheet(rows_xml())})


@functools.cache
def one_giant_row(cells: int = 790_000) -> bytes:
    """One row of `cells` cells without references (each one column further), with varied
    styles so that the part does not compress too well: openpyxl parses a row whole."""
    rng = random.Random(cells)
    block = "".join(f'<c s="{rng.randrange(1000)}"/>' for _ in range(10_000)).encode()

    def rows_xml():
        yield b'<row r="1">'
        for _ in range(cells // 10_000):
            yield block
        yield b"</row>"

    return rebuild(plain_workbook(), {"xl/worksheets/sheet1.xml": _sheet(rows_xml())})


@functools.cache
def far_right_cells(rows: int = 40) -> bytes:
    """`rows` rows with one cell in the last column (XFD): openpyxl pads each row out to it,
    16,384 cells a row from a few bytes."""
    rows_xml = [f'<row r="{r}"><c r="XFD{r}" s="1"/></row>'.encode() for r in range(1, rows + 1)]
    return rebuild(plain_workbook(), {"xl/worksheets/sheet1.xml": _sheet(rows_xml)})


@functools.cache
def unknown_elements(count: int = 790_000) -> bytes:
    """A first sheet of `count` elements openpyxl does not know: it keeps them all in memory
    until the sheet ends (about 360 bytes each)."""
    rng = random.Random(count)
    block = "".join(f'<x a="{rng.randrange(1000)}"/>' for _ in range(10_000)).encode()
    return rebuild(
        plain_workbook(),
        {"xl/worksheets/sheet1.xml": _sheet([block] * (count // 10_000))},
    )


@functools.cache
def one_giant_string(runs: int = 200_000) -> bytes:
    """One shared string of `runs` formatted runs, which openpyxl builds whole."""
    rng = random.Random(runs)
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}"><si>'.encode()
    texts = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=3)) for _ in range(runs)]
    body = "".join(f"<r><t>{text}</t></r>" for text in texts).encode()
    return rebuild(
        plain_workbook(["姓名"], ["张红"]),
        {"xl/sharedStrings.xml": head + body + b"</si></sst>"},
        shared_strings=True,
    )


@functools.cache
def far_away_row(header=("姓名",), row=("张红",)) -> bytes:
    """A header, one data row, and one cell in the sheet's last row (1048576): a tiny file
    whose rows in between are all read as blank."""
    cells = "".join(
        f'<c r="{get_column_letter(i + 1)}{{r}}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(header)
    )
    data_cells = "".join(
        f'<c r="{get_column_letter(i + 1)}{{r}}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(row)
    )
    rows_xml = [
        f'<row r="1">{cells.format(r=1)}</row>'.encode(),
        f'<row r="2">{data_cells.format(r=2)}</row>'.encode(),
        b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    ]
    return rebuild(plain_workbook(), {"xl/worksheets/sheet1.xml": _sheet(rows_xml)})


@functools.cache
def deflate_bomb(megabytes: int = 40, name: str = "xl/media/image1.png") -> bytes:
    """A workbook carrying one member of `megabytes` MB of zeros (about 1000:1)."""
    return rebuild(
        plain_workbook(["姓名"], ["张红"]), {name: _repeat(b"\x00" * 4096, megabytes * MiB)}
    )


@functools.cache
def style_explosion(count: int = 100_000) -> bytes:
    """styles.xml with `count` varied cell formats (Excel itself stops at 64,000), which
    openpyxl parses whole at about 10 microseconds a tag."""
    rng = random.Random(count)
    data = plain_workbook(["姓名"], ["张红"])
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    start = styles.index("<cellXfs")
    end = styles.index("</cellXfs>") + len("</cellXfs>")
    xfs = "".join(
        f'<xf numFmtId="{rng.randrange(164)}" fontId="0" fillId="0" borderId="0" xfId="0"'
        f' applyAlignment="1"><alignment horizontal="{rng.choice(("left", "center", "right"))}"'
        f' indent="{rng.randrange(15)}" textRotation="{rng.randrange(180)}"/></xf>'
        for _ in range(count)
    )
    styles = styles[:start] + f'<cellXfs count="{count}">{xfs}</cellXfs>' + styles[end:]
    return rebuild(data, {"xl/styles.xml": styles.encode()})


@functools.cache
def many_members(count: int = 20_000) -> bytes:
    """A workbook with `count` extra (empty) members."""
    parts = {f"xl/extra/{i}.xml": b"" for i in range(count)}
    return rebuild(plain_workbook(["姓名"], ["张红"]), parts)


def with_doctype() -> bytes:
    """sharedStrings.xml with a document type declaration and entities (the start of a
    "billion laughs")."""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<sst xmlns="{MAIN_NS}"><si><t>&b;</t></si></sst>'
    ).encode()
    return rebuild(plain_workbook(), {"xl/sharedStrings.xml": xml}, shared_strings=True)


def _central_directory_entries(data: bytes):
    """(offset of the central header, offset of the local header, name) of each member."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    position = archive.start_dir
    for info in archive.infolist():
        assert data[position : position + 4] == b"PK\x01\x02"
        name_length, extra_length, comment_length = struct.unpack(
            "<HHH", data[position + 28 : position + 34]
        )
        yield position, info.header_offset, info.filename
        position += 46 + name_length + extra_length + comment_length


def lying_size(data: bytes, name: str, declared: int, *, crc_of_prefix: bool = False) -> bytes:
    """`data` with the uncompressed size of `name` written as `declared` in both its headers.

    With `crc_of_prefix` the CRC is that of the first `declared` bytes, so zipfile's CRC
    check passes on a member cut at the declared size.
    """
    out = bytearray(data)
    for central, local, member in _central_directory_entries(data):
        if member != name:
            continue
        crc = None
        if crc_of_prefix:
            with zipfile.ZipFile(io.BytesIO(data)).open(name) as stream:
                crc = zlib.crc32(stream.read(declared))
        struct.pack_into("<I", out, central + 24, declared)
        struct.pack_into("<I", out, local + 22, declared)
        if crc is not None:
            struct.pack_into("<I", out, central + 16, crc)
            struct.pack_into("<I", out, local + 14, crc)
    return bytes(out)
