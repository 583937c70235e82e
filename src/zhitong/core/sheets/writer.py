"""Writing ledgers (台账) as .xlsx or UTF-8 CSV: one sheet, the header styled and frozen.

Every ledger of the project (the opinions', the suggestions' two) writes through here, so
what people typed never runs as a formula in a spreadsheet (CSV injection): a cell that
starts like a formula stays text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A cell a spreadsheet would run as a formula when it starts so.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value):
        return value


def csv_chunks(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The ledger as CSV text: a UTF-8 byte order mark first, so Excel reads the Chinese."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(list(headers))
    for row in rows:
        yield writer.writerow([csv_safe(str(value)) for value in row])


def xlsx_cells(sheet, row: Sequence) -> list:
    """Cells of a row; text that openpyxl would store as a formula ("=...") stays text."""
    cells = []
    for value in row:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def write_xlsx(
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    target,
    widths: Sequence[int] = (),
) -> None:
    """Write a one-sheet ledger workbook to `target` (a path or binary file), in
    openpyxl's write-only mode: the header styled and frozen, the columns sized."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="B02A37")
    centre = Alignment(horizontal="center", vertical="center")
    header = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cell.fill = fill
        cell.alignment = centre
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(xlsx_cells(sheet, row))
    workbook.save(target)
