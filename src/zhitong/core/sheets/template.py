"""Blank template workbooks (导入模板) for any layout, with a sheet of filling instructions."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .layout import MAX_DATA_ROWS, Layout, chinese_labels

REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
OPTIONAL_FILL = PatternFill("solid", fgColor="EDEDED")


def _dropdown_values(layout: Layout, key: str) -> list[str] | None:
    column = next(c for c in layout.columns if c.key == key)
    if key == "gender":
        return ["男", "女"]
    if column.choices is not None and column.dropdown:
        return chinese_labels(column.choices)
    return None


def layout_workbook(layout: Layout, examples: dict[str, str] | None = None) -> bytes:
    """The .xlsx template for any layout (also used by the opinion ledger import).
    `examples`: examples by column key that depend on the data (a category that exists),
    in place of the layout's own."""
    examples = examples or {}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = layout.sheet_title
    sheet.append([column.title for column in layout.columns])
    for index, column in enumerate(layout.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column.title) * 2 + 4)
        # Text format keeps phone numbers and ID tails like 0123 as typed.
        if column.key in {"mobile", "id_tail", "phone", "contact_phone"}:
            for row in range(2, 202):
                sheet.cell(row=row, column=index).number_format = "@"
        values = _dropdown_values(layout, column.key)
        if values:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(values) + '"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="填写有误",
                error="请从下拉列表中选择。",
            )
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{MAX_DATA_ROWS + 1}")
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "说明", "示例"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in layout.columns:
        notes.append(
            [
                column.title,
                "必填" if column.required else "选填",
                column.describe(),
                examples.get(column.key, column.example),
            ]
        )
    notes.append([])
    notes.append(
        [
            "注意",
            "",
            f"只读取第一个工作表；第一行为表头，每行一条记录，最多 {MAX_DATA_ROWS} 行，"
            "文件不超过 10 MB。任何一行有错，整个文件都不会导入，请按错误报告改正后重新上传。",
        ]
    )
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 80
    notes.column_dimensions["D"].width = 24

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
