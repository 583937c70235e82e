"""Hostile spreadsheets uploaded for a structure import (service, page and command): each is
refused whole within a bounded CPU time, with a message in the file's error report, and
nothing is written. The guard itself is tested in zhitong/core/tests/test_spreadsheets.py."""

import io
import time
from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from zhitong.core import spreadsheets
from zhitong.imports.models import ImportBatch, ImportKind, ImportStatus
from zhitong.imports.services import import_structure
from zhitong.testing import hostile_xlsx as hostile

from .xlsx import DEPUTY_HEADER, deputy_row

pytestmark = pytest.mark.django_db

# Refused by the reader's checks well before its CPU backstop (DEFAULT_LIMITS.cpu_seconds,
# 5 s) would stop it. The bound was 2 s; on the 2-core AMD EPYC machines of 2026-12-06 the
# same code takes 2.1-2.8 s of CPU for the worst files (measured at this commit and at the
# commit before issue 12), so a fixed 2 s measured the machine, not the reader.
CPU_BOUND = 4.0
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HOSTILE = {
    "shared strings bomb": (hostile.shared_strings_bomb, "文件解压后过大"),
    "zip bomb member": (hostile.deflate_bomb, "文件解压后过大"),
    "a million styled empty cells": (hostile.styled_empty_cells, "文件过于复杂"),
    "a good roster with a cell in row 1048576": (
        lambda: hostile.far_away_row(tuple(DEPUTY_HEADER), tuple(deputy_row())),
        "文件过于复杂：第一个工作表超过 50000 行",
    ),
    "a lying size": (
        lambda: hostile.lying_size(
            hostile.shared_strings_bomb(), "xl/sharedStrings.xml", hostile.MiB
        ),
        "已损坏",
    ),
    "a document type declaration": (hostile.with_doctype, "XML 文档类型定义"),
}


def timed(call):
    start = time.process_time()
    result = call()
    return result, time.process_time() - start


@pytest.mark.parametrize("label", list(HOSTILE))
def test_the_service_refuses_a_hostile_file_quickly(place, staff, counts, label):
    build, words = HOSTILE[label]
    data = build()
    before = counts()
    batch, cpu = timed(
        lambda: import_structure(
            kind=ImportKind.DEPUTIES,
            file=io.BytesIO(data),
            file_name="名册.xlsx",
            region=place["district"],
            by=staff,
        )
    )
    assert cpu < CPU_BOUND, f"{label}: {cpu:.2f} s"
    assert batch.status == ImportStatus.REJECTED
    assert len(batch.errors) == 1
    assert batch.errors[0]["row"] is None
    assert words in batch.errors[0]["message"]
    assert counts() == before


def test_the_page_refuses_the_shared_strings_bomb_quickly(client, place, staff, counts):
    client.force_login(staff)
    data = hostile.shared_strings_bomb()
    before = counts()
    response, cpu = timed(
        lambda: client.post(
            reverse("imports:list"),
            {
                "kind": ImportKind.DEPUTIES,
                "region": place["district"].pk,
                "file": SimpleUploadedFile("名册.xlsx", data, content_type=XLSX_TYPE),
            },
            follow=True,
        )
    )
    assert cpu < CPU_BOUND
    assert "文件解压后过大" in response.text
    assert ImportBatch.objects.get().status == ImportStatus.REJECTED
    assert counts() == before


def test_the_command_refuses_the_styled_cells_quickly(place, staff, counts, tmp_path, capsys):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(hostile.styled_empty_cells())
    before = counts()
    start = time.process_time()
    with pytest.raises(CommandError, match="没有导入任何数据"):
        call_command("import_structure", "deputies", str(path), "--as", staff.username)
    assert time.process_time() - start < CPU_BOUND
    assert "文件过于复杂" in capsys.readouterr().err
    assert counts() == before


def test_the_time_budget_applies_to_imports(place, staff, counts, monkeypatch):
    monkeypatch.setattr(
        spreadsheets, "DEFAULT_LIMITS", replace(spreadsheets.DEFAULT_LIMITS, cpu_seconds=0.01)
    )
    rows = [deputy_row(name=f"张{i}", mobile="") for i in range(3000)]
    data = hostile.plain_workbook(DEPUTY_HEADER, *rows)
    before = counts()
    batch = import_structure(
        kind=ImportKind.DEPUTIES,
        file=io.BytesIO(data),
        file_name="名册.xlsx",
        region=place["district"],
        by=staff,
    )
    assert batch.status == ImportStatus.REJECTED
    assert "文件过于复杂：无法在限定时间内读完" in batch.errors[0]["message"]
    assert counts() == before
