"""The guarded spreadsheet reader refuses hostile uploads quickly, in little memory, with
a message for the uploader; good files still read (zhitong.core.spreadsheets)."""

import io
import random
import threading
import time
import tracemalloc
import zipfile
from dataclasses import replace

import pytest

from zhitong.core import spreadsheets
from zhitong.core.spreadsheets import DEFAULT_LIMITS, SpreadsheetRejected, first_sheet_rows
from zhitong.testing import hostile_xlsx as hostile

# The CPU time a refusal may take. The probe's 154 KB file took 35 s before the guard.
# Refused by the reader's checks well before its CPU backstop (DEFAULT_LIMITS.cpu_seconds,
# 5 s) would stop it. The bound was 2 s; on the 2-core AMD EPYC machines of 2026-12-06 the
# same code takes 2.1-2.8 s of CPU for the worst files (measured at this commit and at the
# commit before issue 12), so a fixed 2 s measured the machine, not the reader.
CPU_BOUND = 4.0
TOO_COMPLEX = "文件过于复杂"
TOO_LARGE = "文件解压后过大"

HOSTILE = {
    # name: (builder, words of the message)
    "shared strings of 150 MB in 380 KB": (hostile.shared_strings_bomb, TOO_LARGE),
    "a member of 40 MB of zeros in 45 KB": (hostile.deflate_bomb, TOO_LARGE),
    "a million styled empty cells, sized A1:XFD1048576": (hostile.styled_empty_cells, "内容过多"),
    "790,000 elements openpyxl keeps": (hostile.unknown_elements, "内容过多"),
    "one row of 790,000 cells": (hostile.one_giant_row, "有一行、一个单元格或一段内容过大"),
    "one shared string of 200,000 runs": (
        hostile.one_giant_string,
        "有一行、一个单元格或一段内容过大",
    ),
    "40 rows out to column XFD": (hostile.far_right_cells, "超过 500000 个单元格"),
    "a header, a row and a cell in row 1048576": (hostile.far_away_row, "超过 50000 行"),
    "a million short shared strings": (
        lambda: hostile.many_small_strings(1_000_000),
        "内容过多",
    ),
    "100,000 cell formats": (hostile.style_explosion, "内容过多"),
    "20,000 members": (hostile.many_members, "包含的部件过多"),
    "a document type declaration": (hostile.with_doctype, "XML 文档类型定义"),
    "a sharedStrings header saying 1 MB for 150 MB": (
        lambda: hostile.lying_size(
            hostile.shared_strings_bomb(), "xl/sharedStrings.xml", hostile.MiB
        ),
        "已损坏",
    ),
    "the same, with the CRC of the first MB": (
        lambda: hostile.lying_size(
            hostile.shared_strings_bomb(),
            "xl/sharedStrings.xml",
            hostile.MiB,
            crc_of_prefix=True,
        ),
        "已损坏",
    ),
}


def read_all(data, limits=None):
    return list(first_sheet_rows(data, limits=limits))


def refusal(data, limits=None) -> tuple[str, float]:
    """The message a file is refused with, and the CPU seconds the refusal took."""
    start = time.process_time()
    with pytest.raises(SpreadsheetRejected) as caught:
        read_all(data, limits)
    return caught.value.message, time.process_time() - start


def test_a_good_file_reads_its_rows():
    data = hostile.plain_workbook(["姓名", "性别"], ["张红", None], [], ["李明", "男"])
    # A row reads up to its last cell; openpyxl writes no row 3, which reads as ().
    assert read_all(data) == [("姓名", "性别"), ("张红",), (), ("李明", "男")]


def test_a_good_file_of_5000_rows_reads_well_within_the_limits():
    rows = [["姓名", "工作单位", "手机号码"]] + [
        [f"张{i}", f"武昌区某单位{i}号" * 5, f"138{i:08d}"] for i in range(5000)
    ]
    data = hostile.plain_workbook(*rows)
    start = time.process_time()
    assert len(read_all(data)) == 5001
    assert time.process_time() - start < DEFAULT_LIMITS.cpu_seconds / 4


@pytest.mark.parametrize("label", list(HOSTILE))
def test_a_hostile_file_is_refused_quickly_with_a_message(label):
    build, words = HOSTILE[label]
    data = build()
    assert len(data) < 4 * hostile.MiB  # small on the wire, all of them
    message, cpu = refusal(data)
    assert words in message
    assert cpu < CPU_BOUND, f"{label}: {cpu:.2f} s of CPU"


# Those that get past the zip's directory (the others are refused before unpacking anything).
@pytest.mark.parametrize(
    "label",
    [
        "790,000 elements openpyxl keeps",
        "one row of 790,000 cells",
        "a million short shared strings",
        "100,000 cell formats",
        "a header, a row and a cell in row 1048576",
        "a sharedStrings header saying 1 MB for 150 MB",
    ],
)
def test_a_hostile_file_is_refused_in_little_memory(label):
    data = HOSTILE[label][0]()
    tracemalloc.start()
    try:
        with pytest.raises(SpreadsheetRejected):
            read_all(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * hostile.MiB, f"{label}: {peak / hostile.MiB:.0f} MB"


def test_a_lying_size_never_unpacks_past_what_it_declares():
    """zipfile's read() of a whole member unpacks all its compressed data whatever the header
    says (300 MB here); the guard reads in chunks and stops at the declared size."""
    data = hostile.lying_size(
        hostile.shared_strings_bomb(), "xl/sharedStrings.xml", hostile.MiB, crc_of_prefix=True
    )
    given = []
    archive = spreadsheets._MeteredZipFile(io.BytesIO(data), spreadsheets._Meter(DEFAULT_LIMITS))
    member = archive.open("xl/sharedStrings.xml")
    with pytest.raises(SpreadsheetRejected, match="已损坏"):  # the XML is cut short
        while chunk := member.read(16 * 1024):
            given.append(len(chunk))
    assert sum(given) == hostile.MiB


def test_a_member_giving_more_than_it_declares_is_refused():
    class Endless:
        def read(self, size):
            return b"<" * size

        def close(self):
            pass

    member = spreadsheets._MeteredMember(Endless(), 100_000, spreadsheets._Meter(DEFAULT_LIMITS))
    with pytest.raises(SpreadsheetRejected, match=TOO_LARGE):
        member.read()


def test_the_time_budget_stops_a_file_that_passes_every_other_limit():
    rows = [["姓名", "工作单位"]] + [[f"张{i}", f"单位{i}"] for i in range(5000)]
    data = hostile.plain_workbook(*rows)
    message, cpu = refusal(data, replace(DEFAULT_LIMITS, cpu_seconds=0.05))
    assert "无法在限定时间内读完" in message
    assert cpu < 0.5
    message, _cpu = refusal(data, replace(DEFAULT_LIMITS, wall_seconds=0))
    assert "无法在限定时间内读完" in message


def test_the_cpu_budget_counts_only_the_reading_thread():
    """Other requests served by threads of the same process do not eat into an upload's
    budget: it is the reading thread's CPU time, not the process's."""
    budget = spreadsheets._Budget(replace(DEFAULT_LIMITS, cpu_seconds=0.2))
    start = time.process_time()

    def other_request():
        end = time.thread_time() + 0.5
        while time.thread_time() < end:
            pass

    other = threading.Thread(target=other_request)
    other.start()
    other.join()
    assert time.process_time() - start >= 0.5
    budget.check()  # not refused: this thread only waited


def test_parts_parsed_whole_have_their_own_limit_on_tags():
    """styles.xml is parsed in one piece at ~10 us a tag: 100,000 formats are refused by the
    limit on such parts even where the total would allow them."""
    limits = replace(DEFAULT_LIMITS, max_tags=10_000_000)
    message, cpu = refusal(hostile.style_explosion(), limits)
    assert "内容过多" in message
    assert cpu < CPU_BOUND


def test_the_compression_ratio_is_bounded_even_under_the_size_limits():
    data = hostile.deflate_bomb(megabytes=20)
    message, _cpu = refusal(data)
    assert TOO_LARGE in message
    read_all(data, replace(DEFAULT_LIMITS, max_ratio=10_000))  # only the ratio refused it


def test_the_total_unpacked_size_is_bounded():
    data = hostile.plain_workbook(["姓名"], ["张红"])
    total = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    message, _cpu = refusal(data, replace(DEFAULT_LIMITS, max_unpacked_bytes=total - 1))
    assert TOO_LARGE in message


def _rezip(data: bytes, **writestr) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, source.read(name), **writestr)
    return out.getvalue()


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_other_compression_methods_are_refused(method):
    data = _rezip(hostile.plain_workbook(["姓名"]), compress_type=method)
    message, _cpu = refusal(data)
    assert "不支持的压缩或加密方式" in message


def test_members_of_the_same_name_are_refused():
    data = hostile.plain_workbook(["姓名"])
    out = io.BytesIO(data)
    with pytest.warns(UserWarning), zipfile.ZipFile(out, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", b"<sst/>")
        archive.writestr("xl/sharedStrings.xml", b"<sst/>")
    message, _cpu = refusal(out.getvalue())
    assert "部件重名" in message


def test_a_zip_without_content_types_is_refused():
    source = zipfile.ZipFile(io.BytesIO(hostile.plain_workbook(["姓名"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            if name != "[Content_Types].xml":
                target.writestr(name, source.read(name))
    message, _cpu = refusal(out.getvalue())
    assert "已损坏" in message


def test_a_huge_declared_dimension_reads_only_the_rows_there_are():
    data = hostile.plain_workbook(["姓名"], ["张红"])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(b'<dimension ref="A1:A2"', b'<dimension ref="A1:XFD1048576"')
    rows = read_all(hostile.rebuild(data, {"xl/worksheets/sheet1.xml": sheet}))
    assert rows == [("姓名",), ("张红",)]


def test_a_damaged_file_is_refused_with_a_message_never_an_error():
    """Bytes changed or cut anywhere: a message for the uploader, or the rows, nothing else."""
    good = hostile.plain_workbook(["姓名", "性别"], ["张红", "女"])
    rng = random.Random(2260)
    for _ in range(300):
        data = bytearray(good)
        for _ in range(rng.randrange(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            data = data[: rng.randrange(len(data))]
        try:
            read_all(bytes(data))
        except SpreadsheetRejected as rejected:
            assert rejected.message


def test_the_collector_is_paused_only_while_a_file_is_read():
    import gc

    from zhitong.core.spreadsheets import _collector_paused

    assert gc.isenabled()
    with _collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), _collector_paused():
        raise RuntimeError("a broken part")
    assert gc.isenabled()
