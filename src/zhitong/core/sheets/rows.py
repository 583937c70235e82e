"""Reading the cells of one row of an uploaded spreadsheet, each bad cell recorded as an
issue of the per-row report."""

import re

from django.utils import translation
from django.utils.translation import gettext as _

from .layout import Layout
from .reader import Issue, Row, Sheet, cell_text, encoding_problem, layout_column

PHONE = re.compile(r"[0-9+\-()（） ,，、/转]{5,30}")


def choice_map(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Chinese label -> value, plus shorthand office files use."""
    with translation.override("zh-hans"):
        mapping = {str(label): value for value, label in choices.choices}
    return mapping | (extra or {})


class RowReader:
    """Reads the cells of one row, recording an issue for each bad one."""

    def __init__(self, row: Row, sheet: Sheet, layout: Layout, issues: list[Issue]):
        self.row, self.sheet, self.layout, self.issues = row, sheet, layout, issues
        self.failed = False

    def title(self, key: str) -> str:
        return self.sheet.titles.get(key) or layout_column(self.layout, key).title

    def present(self, key: str) -> bool:
        return key in self.sheet.titles

    def raw(self, key: str):
        return self.row.values.get(key)

    def error(self, key: str, value: str, message: str) -> None:
        self.failed = True
        self.issues.append(
            Issue(
                row=self.row.number,
                column=self.title(key),
                value=value[:100],
                message=message,
            )
        )

    def text(self, key: str, *, required: bool = False, max_length: int | None = None):
        """The cell as text ('' when the column is absent), or None when it is bad."""
        if not self.present(key):
            return ""
        raw = self.raw(key)
        value = cell_text(raw)
        if isinstance(raw, str):
            problem = encoding_problem(raw)
            if problem:
                self.error(key, value, problem)
                return None
        if required and not value:
            self.error(key, "", _("不能为空。"))
            return None
        if max_length and len(value) > max_length:
            self.error(
                key,
                value,
                _("不能超过 %(limit)d 个字（现有 %(count)d 个字）。")
                % {"limit": max_length, "count": len(value)},
            )
            return None
        return value

    def choice(self, key: str, mapping: dict[str, str], allowed: list[str]):
        value = self.text(key, required=True)
        if value is None:
            return None
        if value not in mapping:
            self.error(
                key,
                value,
                _("无法识别“%(value)s”，只能填：%(allowed)s。")
                % {"value": value, "allowed": "、".join(allowed)},
            )
            return None
        return mapping[value]

    def phone(self, key: str):
        value = self.text(key, max_length=30)
        if value and not PHONE.fullmatch(value):
            self.error(key, value, _("电话号码格式不对，只能含数字、“-”、括号和空格。"))
            return None
        return value
