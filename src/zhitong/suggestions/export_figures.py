"""The per-unit figures (三评价) as an .xlsx workbook: the page's table, one row per unit."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from zhitong.suggestions.stats import RESULT_CLASSES, UnitFigures, UnitTable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def headers() -> list[str]:
    return [
        _("承办单位"),
        _("主办件数"),
        _("已答复"),
        _("按期答复"),
        _("按期答复率（%）"),
        _("超期未答复"),
        *[_("%(cls)s类") % {"cls": c} for c in RESULT_CLASSES],
        _("已评价"),
        _("结果满意"),
        _("结果满意率（%）"),
        _("态度满意率（%）"),
        _("承诺事项"),
        _("已到期"),
        _("按期落实"),
        _("承诺按期落实率（%）"),
        _("评审问题待整改"),
    ]


def _rate(value) -> float | str:
    return "" if value is None else float(value)


def row_values(row: UnitFigures) -> list:
    return [
        row.name,
        row.assigned,
        row.replied,
        row.on_time,
        _rate(row.on_time_rate),
        row.overdue,
        *[count for count, _share in row.class_cells()],
        row.rated,
        row.satisfied,
        _rate(row.satisfaction_rate),
        _rate(row.attitude_rate),
        row.commitments,
        row.commitments_due,
        row.commitments_on_time,
        _rate(row.commitment_rate),
        row.problems_open,
    ]


def _cell(sheet, value):
    """A unit's name is text: one that starts like a formula stays text."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def write_xlsx(table: UnitTable, rows: Iterable[UnitFigures], target) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("承办单位办理情况"))
    sheet.column_dimensions["A"].width = 30
    sheet.freeze_panes = "B3"
    period = _("交办日期：%(start)s 至 %(end)s") % {
        "start": table.start.isoformat(),
        "end": table.end.isoformat(),
    }
    if table.session is not None:
        period += "  " + str(table.session)
    sheet.append([period])
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="B02A37")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header = []
    for title in headers():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cell.fill = fill
        cell.alignment = centre
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row_values(row)])
    workbook.save(target)


def file_name() -> str:
    return f"{_('承办单位办理情况')}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
