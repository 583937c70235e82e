"""Blank template workbooks (导入模板) for each structure import kind."""

from zhitong.core.sheets.template import layout_workbook

from .layouts import LAYOUTS


def template_workbook(kind: str) -> bytes:
    """The .xlsx template for `kind`: the data sheet first (the importer reads only it)."""
    return layout_workbook(LAYOUTS[kind])


def template_filename(kind: str) -> str:
    return f"{LAYOUTS[kind].sheet_title}导入模板.xlsx"
