"""Reading a year's schedule from CSV (date,kind,name), as staff type it from the notice."""

import csv
import datetime
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhitong.workdays.models import CalendarDay

# What staff may write in the kind column: the code, the label, or the short marks
# (休 / 班) printed on Chinese wall calendars.
KIND_ALIASES = {
    "holiday": CalendarDay.Kind.HOLIDAY,
    "法定节假日（休息）": CalendarDay.Kind.HOLIDAY,
    "法定节假日": CalendarDay.Kind.HOLIDAY,
    "休息": CalendarDay.Kind.HOLIDAY,
    "休": CalendarDay.Kind.HOLIDAY,
    "makeup_workday": CalendarDay.Kind.MAKEUP_WORKDAY,
    "调休上班": CalendarDay.Kind.MAKEUP_WORKDAY,
    "上班": CalendarDay.Kind.MAKEUP_WORKDAY,
    "班": CalendarDay.Kind.MAKEUP_WORKDAY,
}
HEADER_FIRST_CELLS = {"date", "日期"}


def _parse_date(text: str) -> datetime.date | None:
    text = text.strip()
    for separator in ("-", "/", "."):
        parts = text.split(separator)
        if len(parts) == 3 and all(part.strip().isdigit() for part in parts):
            try:
                return datetime.date(*(int(part) for part in parts))
            except ValueError:
                return None
    return None


def parse_calendar_csv(content: str) -> list[tuple[datetime.date, str, str]]:
    """Rows of (date, kind, name); raises one ValidationError naming every bad line.

    A header line (date,kind,name or 日期,类型,名称), blank lines and lines starting with
    # are skipped. Dates are written 2027-01-01 or 2027/1/1. Kinds are checked again, with
    the year, by the publish service; unknown ones are passed on for it to report.
    """
    rows = []
    errors = []
    reader = csv.reader(io.StringIO(content.lstrip("\ufeff")))
    for line_number, cells in enumerate(reader, start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if line_number == 1 and cells[0].lower() in HEADER_FIRST_CELLS:
            continue
        if len(cells) != 3:
            errors.append(
                _("第%(line)s行应有3列（日期,类型,名称），实有%(count)s列。")
                % {"line": line_number, "count": len(cells)}
            )
            continue
        date_text, kind_text, name = cells
        day = _parse_date(date_text)
        if day is None:
            errors.append(
                _("第%(line)s行的日期“%(value)s”无法识别，请写成2027-01-01。")
                % {"line": line_number, "value": date_text}
            )
            continue
        rows.append((day, KIND_ALIASES.get(kind_text, kind_text), name))
    if errors:
        raise ValidationError(errors)
    return rows
