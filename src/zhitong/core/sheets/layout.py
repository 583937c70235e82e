"""Column layouts of uploaded spreadsheets (导入模板): titles, aliases, required columns,
help texts, and the limits every import keeps."""

from dataclasses import dataclass, field

from django.utils import translation

# Limits documented in docs/imports.md.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_DATA_ROWS = 5000
# A header may sit below a title line or two ("武昌区人大代表名册").
HEADER_SEARCH_ROWS = 5
# Stored errors per batch; the count of all errors is kept beside them.
MAX_STORED_ERRORS = 1000


@dataclass(frozen=True)
class Column:
    """One column of a layout: its title as written in the header, and what it holds."""

    key: str
    title: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""
    example: str = ""
    # Columns in one group stand for each other: one of them is enough (出生年份 / 出生年月).
    group: str = ""
    # The TextChoices whose Chinese labels are the allowed values; "{choices}" in help lists them.
    choices: type | None = None
    # Whether the template offers the choices as a drop-down (not where a cell may hold
    # several of them).
    dropdown: bool = True

    def describe(self) -> str:
        if self.choices is None:
            return self.help
        return self.help.replace("{choices}", "、".join(chinese_labels(self.choices)))


@dataclass(frozen=True)
class Layout:
    kind: str
    sheet_title: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def required_titles(self) -> list[str]:
        """Titles that must be in the header; a group is named by its titles joined with 或."""
        titles, seen_groups = [], set()
        for column in self.columns:
            if not column.required:
                continue
            if column.group:
                if column.group in seen_groups:
                    continue
                seen_groups.add(column.group)
                titles.append("或".join(c.title for c in self.columns if c.group == column.group))
            else:
                titles.append(column.title)
        return titles


def chinese_labels(choices) -> list[str]:
    """The Chinese labels of a TextChoices, whatever the active language (files are in Chinese)."""
    with translation.override("zh-hans"):
        return [str(label) for label in choices.labels]
