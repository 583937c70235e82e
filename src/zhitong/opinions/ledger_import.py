"""Importing an .xlsx ledger of opinions collected offline (线下意见台账导入).

The file is read and each row checked with the structure-import machinery
(zhitong.imports: read_sheet, RowReader, Scope, Issue), so the ledger gets the same
per-row error report; nothing is written unless every row is good.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from zhitong.core.events import EventRow, events_record_bulk
from zhitong.core.sheets.layout import (
    MAX_FILE_BYTES,
    MAX_STORED_ERRORS,
    Column,
    Layout,
    chinese_labels,
)
from zhitong.core.sheets.reader import (
    FileRejected,
    Issue,
    Sheet,
    cell_text,
    encoding_problem,
    read_sheet,
)
from zhitong.core.sheets.rows import RowReader, choice_map
from zhitong.core.text import strip_invisible
from zhitong.deputies.models import Deputy
from zhitong.opinions import intake
from zhitong.opinions.models import Channel, Opinion, Status, attach_cases
from zhitong.opinions.tracking import unused_codes
from zhitong.opinions.verbs import OpinionVerb
from zhitong.regions.lookups import Scope
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations.models import Station, StationAssignment
from zhitong.units.models import Category

BULK_SIZE = 500
EARLIEST = datetime.date(2000, 1, 1)
DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s.*)?")
CATEGORY_SEPARATORS = re.compile(r"\s*[›>/／\-—－]\s*")

LEDGER_LAYOUT = Layout(
    kind="opinion_ledger",
    sheet_title="意见建议台账",
    columns=(
        Column(
            "date",
            "收集日期",
            required=True,
            aliases=("日期", "收集时间", "反映日期", "反映时间", "接待日期"),
            help="必填：如 2025-03-01、2025/3/1 或 2025年3月1日；不能晚于今天。",
            example="2025-03-01",
        ),
        Column(
            "channel",
            "渠道",
            aliases=("收集渠道", "来源"),
            choices=Channel,
            help="选填：{choices}；空白按“线下台账导入”。",
            example="联络站接待",
        ),
        Column(
            "station",
            "站点",
            aliases=("联络站", "站点名称", "收集站点"),
            help="站点与所在社区至少填一项：站点全称，须已在系统中。",
            example="中南路社区代表联络站",
        ),
        Column(
            "deputy",
            "代表",
            aliases=("接待代表", "代表姓名"),
            help="选填：接待或收集的代表姓名，须已在系统中，且在收集日期编入该行的站点。",
            example="张红",
        ),
        Column(
            "name",
            "反映人",
            aliases=("反映人姓名", "群众姓名", "姓名"),
            help="选填，最多50字。",
            example="李明",
        ),
        Column(
            "phone",
            "联系电话",
            aliases=("电话", "手机", "手机号", "手机号码"),
            help="选填：11位手机号码或带区号的固定电话；填了手机号的，可凭查询码查询办理结果。",
            example="13912345678",
        ),
        Column(
            "community",
            "所在社区",
            aliases=("社区",),
            help="站点与所在社区至少填一项：社区（或街道）名称或区划代码。",
            example="中南路社区",
        ),
        Column(
            "address",
            "地址",
            aliases=("详细地址", "地点", "详细地点"),
            help="选填，最多200字。",
            example="中南路1号",
        ),
        Column(
            "subject",
            "标题",
            aliases=("事项", "主题", "标题/事项"),
            help="选填，最多100字；空白取内容开头。",
            example="小区路灯不亮",
        ),
        Column(
            "content",
            "内容",
            required=True,
            aliases=("意见建议内容", "反映内容", "意见内容", "问题描述", "具体内容"),
            help="必填，最多5000字。",
            example="小区里的路灯坏了一个月，晚上出行不便。",
        ),
        Column(
            "category",
            "类别",
            aliases=("分类", "问题类别", "类型"),
            # The example is one of the system's own categories (category_example): a
            # fixed one may not exist in a district's taxonomy, and the import refuses it.
            help="选填：二级类别名称，或“一级类别/二级类别”。",
        ),
    ),
)

CHANNELS = choice_map(
    Channel,
    {
        "接待": Channel.STATION_VISIT,
        "来访": Channel.STATION_VISIT,
        "站点接待": Channel.STATION_VISIT,
        "联络站": Channel.STATION_VISIT,
        "意见箱": Channel.BOX,
        "代表听你说": Channel.BOX,
        "活动": Channel.EVENT,
        "半月谈": Channel.EVENT,
        "代表半月谈": Channel.EVENT,
        "夜话": Channel.EVENT,
        "代表夜话": Channel.EVENT,
        "直播间": Channel.EVENT,
        "扫码": Channel.QR_STATION,
        "网上": Channel.ONLINE,
        "线上": Channel.ONLINE,
        "台账": Channel.IMPORT,
        "线下": Channel.IMPORT,
    },
)


@dataclass
class ImportResult:
    """What became of one ledger file: the opinions created, or the problems found."""

    file_name: str
    district: Region
    row_count: int = 0
    issues: list[Issue] = field(default_factory=list)
    created: list[Opinion] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return not self.issues

    @property
    def error_count(self) -> int:
        return len(self.issues)

    @property
    def errors(self) -> list[dict]:
        """The report as the foundation imports store it: row, column, value, message."""
        ordered = sorted(self.issues, key=lambda i: (i.row is not None, i.row or 0))
        return [issue.as_dict() for issue in ordered[:MAX_STORED_ERRORS]]


@dataclass
class RowPlan:
    row: int
    cleaned: dict
    placement: intake.Placement
    channel: str
    day: datetime.date


def category_example() -> str:
    """An example for the category column that the import accepts: the first active
    second-level category (by code) as “一级类别/二级类别”; "" when there is none."""
    category = (
        Category.objects.filter(is_active=True, parent__isnull=False, parent__is_active=True)
        .select_related("parent")
        .order_by("code", "id")
        .first()
    )
    return f"{category.parent.name}/{category.name}" if category is not None else ""


def can_import_ledger(user, district: Region) -> bool:
    """Staff in scope of the district (or of a street in it), or a deputy/liaison with a
    station there; which rows they may write is checked row by row."""
    if not intake.may_record_at_all(user):
        return False
    if intake.recording_places(user).filter(path__startswith=district.path).exists():
        return True
    return intake.recording_stations(user).filter(street__parent=district).exists()


# --- reading the cells ---------------------------------------------------------------------


def parse_day(raw) -> datetime.date | None:
    """A collection date from a cell: a date, an Excel serial number, or text like 2025年3月1日."""
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        # A date cell without a date format reaches us as Excel's day number.
        if 30000 <= raw <= 80000:
            value = from_excel(raw)
            return value.date() if isinstance(value, datetime.datetime) else value
        return None
    match = DATE_TEXT.fullmatch(cell_text(raw))
    if not match:
        return None
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


class _Lookups:
    """Everything a row refers to in the district, loaded once for the whole file."""

    def __init__(self, district: Region, by):
        self.district = district
        self.scope = Scope.load(district)
        self.stations: dict[str, list[Station]] = defaultdict(list)
        district_stations = Station.objects.filter(street__parent=district).select_related(
            "street", "street__parent"
        )
        for station in district_stations:
            self.stations[station.name].append(station)
        self.allowed_stations = set(
            intake.recording_stations(by)
            .filter(street__parent=district)
            .values_list("pk", flat=True)
        )
        self.allowed_places = set(
            intake.recording_places(by)
            .filter(path__startswith=district.path)
            .values_list("pk", flat=True)
        )
        mine = [s for s in district_stations if s.pk in self.allowed_stations]
        # A liaison or deputy with one station need not write it on every row.
        self.default_station = mine[0] if len(mine) == 1 and not self.allowed_places else None
        # Every assignment at a station of the district, past ones too: a row is checked
        # against the assignments of its own date.
        assignments = StationAssignment.objects.filter(station__street__parent=district)
        self.assignments: dict[int, list[tuple]] = defaultdict(list)
        for deputy_id, station_id, start, end in assignments.values_list(
            "deputy_id", "station_id", "start_date", "end_date"
        ):
            self.assignments[deputy_id].append((station_id, start, end))
        self.deputies: dict[str, list[Deputy]] = defaultdict(list)
        for deputy in Deputy.objects.filter(district=district) | Deputy.objects.filter(
            pk__in=list(self.assignments)
        ):
            self.deputies[deputy.name].append(deputy)
        self.categories = list(
            Category.objects.filter(is_active=True).select_related("parent").order_by("code")
        )

    def deputy_at(self, deputy: Deputy, station: Station, day: datetime.date) -> bool:
        """Whether `deputy` was assigned to `station` on `day` (as AssignmentQuerySet.current)."""
        return any(
            station_id == station.pk and start <= day and (end is None or end >= day)
            for station_id, start, end in self.assignments[deputy.pk]
        )

    def category(self, text: str) -> tuple[Category | None, str | None]:
        parts = [p for p in CATEGORY_SEPARATORS.split(text) if p]
        if len(parts) == 2:
            found = [
                c
                for c in self.categories
                if c.parent_id and c.parent.name == parts[0] and c.name == parts[1]
            ]
        else:
            found = [c for c in self.categories if c.name == text]
            if len(found) > 1:
                # "物业管理" as a top-level subject and as a child: the child is meant.
                children = [c for c in found if c.parent_id]
                found = children if len(children) == 1 else found
        if len(found) == 1:
            return found[0], None
        if not found:
            return None, _("找不到类别“%(text)s”，请填写系统中已有的类别。") % {"text": text}
        return None, _("有多个名为“%(text)s”的类别，请写成“一级类别/二级类别”。") % {"text": text}


def _multiline(r: RowReader, key: str, *, required: bool, max_length: int):
    """A long text cell with its line breaks kept (RowReader.text joins lines into one)."""
    if not r.present(key):
        return ""
    raw = r.raw(key)
    if raw is None:
        value = ""
    elif isinstance(raw, str):
        value = strip_invisible(raw).replace("\r\n", "\n").replace("\r", "\n")
        value = value.replace("\u3000", " ").strip()
        value = "\n".join(line.strip() for line in value.split("\n"))
    else:
        value = cell_text(raw)
    if isinstance(raw, str) and value:
        problem = encoding_problem(raw.replace("\n", " ").replace("\r", " "))
        if problem:
            r.error(key, cell_text(raw), problem)
            return None
    if required and not value:
        r.error(key, "", _("不能为空。"))
        return None
    if len(value) > max_length:
        r.error(
            key,
            cell_text(raw),
            _("不能超过 %(limit)d 个字（现有 %(count)d 个字）。")
            % {"limit": max_length, "count": len(value)},
        )
        return None
    return value


def _read_row(r: RowReader, lookups: _Lookups, today: datetime.date):
    """The row's values, or None (with issues recorded on `r`) if any cell is bad."""
    day = None
    date_text = r.text("date", required=True)
    if date_text:
        day = parse_day(r.raw("date"))
        if day is None:
            r.error("date", date_text, _("无法识别的日期，请填写如 2025-03-01 或 2025年3月1日。"))
        elif day > today:
            r.error("date", date_text, _("收集日期不能晚于今天。"))
        elif day < EARLIEST:
            r.error("date", date_text, _("收集日期过早，请核对。"))

    channel = Channel.IMPORT
    channel_text = r.text("channel")
    if channel_text:
        channel = CHANNELS.get(channel_text)
        if channel is None:
            r.error(
                "channel",
                channel_text,
                _("无法识别“%(value)s”，只能填：%(allowed)s。")
                % {"value": channel_text, "allowed": "、".join(chinese_labels(Channel))},
            )

    community_text = r.text("community")
    place = None
    if community_text:
        place, message = lookups.scope.find(
            community_text,
            levels={RegionLevel.COMMUNITY, RegionLevel.STREET},
            what=_("社区"),
        )
        if message:
            r.error("community", community_text, message)

    station = None
    station_text = r.text("station", max_length=100)
    if station_text:
        found = lookups.stations.get(station_text, [])
        if len(found) > 1 and place is not None:
            street = intake.street_of_place(place)
            found = [s for s in found if street is not None and s.street_id == street.pk]
        if len(found) == 1:
            station = found[0]
        elif not found:
            r.error(
                "station",
                station_text,
                _("在“%(district)s”找不到站点“%(name)s”，请核对站点全称。")
                % {"district": lookups.district.name, "name": station_text},
            )
        else:
            r.error(
                "station",
                station_text,
                _("“%(district)s”有多个名为“%(name)s”的站点，请同时填写所在社区。")
                % {"district": lookups.district.name, "name": station_text},
            )
    elif station_text == "" and not community_text:
        station = lookups.default_station
        if station is None:
            r.error("community", "", _("站点与所在社区至少填一项，用于确定所属街道。"))

    deputy = None
    deputy_text = r.text("deputy", max_length=50)
    if deputy_text:
        found = lookups.deputies.get(deputy_text, [])
        # The station the opinion goes to (named, or the liaison's own) must be one the
        # deputy was assigned to on the row's date (today's assignments without a date).
        on = day or today
        at_station = found
        if station is not None:
            at_station = [d for d in found if lookups.deputy_at(d, station, on)]
        if found and not at_station:
            r.error("deputy", deputy_text, _not_at_station(deputy_text, station, day))
        elif len(at_station) == 1:
            deputy = at_station[0]
        elif not found:
            r.error(
                "deputy",
                deputy_text,
                _("在“%(district)s”找不到代表“%(name)s”。")
                % {"district": lookups.district.name, "name": deputy_text},
            )
        else:
            r.error(
                "deputy",
                deputy_text,
                _("有多名叫“%(name)s”的代表，请同时填写其所在站点。") % {"name": deputy_text},
            )

    phone_text = r.text("phone", max_length=40)
    phone = ""
    if phone_text:
        phone = intake.normalize_phone(phone_text, mobile_only=False)
        if phone is None:
            r.error(
                "phone",
                phone_text,
                _("电话号码格式不对：请填11位手机号码或带区号的固定电话，如 027-88886666。"),
            )

    category = None
    category_text = r.text("category", max_length=100)
    if category_text:
        category, message = lookups.category(category_text)
        if message:
            r.error("category", category_text, message)

    values = {
        "subject": r.text("subject", max_length=intake.SUBJECT_LIMIT),
        "content": _multiline(r, "content", required=True, max_length=intake.CONTENT_LIMIT),
        "address": r.text("address", max_length=intake.ADDRESS_LIMIT),
        "submitter_name": r.text("name", max_length=intake.NAME_LIMIT),
        "submitter_phone": phone or "",
        "category": category,
        "place": place,
    }
    if r.failed:
        return None
    if station is not None and station.pk not in lookups.allowed_stations:
        r.error("station", station_text or station.name, _("你无权为该站点录入意见。"))
        return None
    if station is None and place is not None and place.pk not in lookups.allowed_places:
        r.error(
            "community",
            community_text,
            _("你无权直接为该社区录入意见，请填写你所在的站点。"),
        )
        return None
    return values, station, deputy, channel, day


def _not_at_station(name: str, station: Station, day: datetime.date | None) -> str:
    if day is None:
        return _("代表“%(name)s”目前未编入站点“%(station)s”，请核对代表或站点。") % {
            "name": name,
            "station": station.name,
        }
    return _("代表“%(name)s”在 %(day)s 未编入站点“%(station)s”，请核对代表或站点。") % {
        "name": name,
        "day": day.isoformat(),
        "station": station.name,
    }


# Keys of clean_opinion_data's errors -> ledger column keys.
_FIELD_COLUMNS = {
    "subject": "subject",
    "content": "content",
    "address": "address",
    "submitter_name": "name",
    "submitter_phone": "phone",
    "place": "community",
    "category": "category",
}


def parse_ledger(sheet: Sheet, lookups: _Lookups) -> tuple[list[RowPlan], list[Issue]]:
    issues: list[Issue] = []
    plans: list[RowPlan] = []
    today = timezone.localdate()
    for row in sheet.rows:
        r = RowReader(row, sheet, LEDGER_LAYOUT, issues)
        read = _read_row(r, lookups, today)
        if read is None:
            continue
        values, station, deputy, channel, day = read
        try:
            cleaned = intake.clean_opinion_data(
                values,
                district=lookups.district,
                place_required=False,
                mobile_only=False,
                subject_required=False,
            )
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                column = _FIELD_COLUMNS.get(key, "content")
                r.error(column, cell_text(r.raw(column)), "；".join(messages))
            continue
        placement = intake._placement(
            station=station, deputy=deputy, place=cleaned["place"], district=lookups.district
        )
        plans.append(
            RowPlan(row=row.number, cleaned=cleaned, placement=placement, channel=channel, day=day)
        )
    issues.extend(_duplicates(plans, sheet, lookups.district))
    return plans, issues


def _duplicates(plans: list[RowPlan], sheet: Sheet, district: Region) -> list[Issue]:
    """The same matter twice in the file, or already in the system (a ledger uploaded again)."""
    issues = []
    title = sheet.titles["content"]
    seen: dict[tuple, int] = {}
    for plan in plans:
        key = (plan.day, plan.cleaned["content"], plan.cleaned["submitter_phone"])
        if key in seen:
            issues.append(
                Issue(
                    row=plan.row,
                    column=title,
                    value=plan.cleaned["content"][:100],
                    message=_("与第 %(row)d 行重复（同一天、同一内容、同一电话）。")
                    % {"row": seen[key]},
                )
            )
        else:
            seen[key] = plan.row
    if not plans:
        return issues
    first = min(p.day for p in plans)
    last = max(p.day for p in plans) + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(last, datetime.time.min))
    wanted = {p.cleaned["content"] for p in plans}
    existing: dict[tuple, str] = {}
    rows = (
        Opinion.objects.filter(district=district, received_at__gte=start, received_at__lt=end)
        .values_list("received_at", "content", "tracking_code")
        .iterator()
    )
    for received_at, content, code in rows:
        if content in wanted:
            existing[(timezone.localdate(received_at), content)] = code
    for plan in plans:
        code = existing.get((plan.day, plan.cleaned["content"]))
        if code:
            issues.append(
                Issue(
                    row=plan.row,
                    column=title,
                    value=plan.cleaned["content"][:100],
                    message=_(
                        "系统中已有同一天、同一内容的意见（查询码 %(code)s），可能已经导入过。"
                    )
                    % {"code": code},
                )
            )
    return issues


# --- writing -------------------------------------------------------------------------------


def _write(plans: list[RowPlan], *, by, file_name: str, district: Region) -> list[Opinion]:
    codes = unused_codes(len(plans))
    new = [
        intake._new_opinion(
            plan.cleaned,
            placement=plan.placement,
            channel=plan.channel,
            by=by,
            received_at=intake.received_at_for_day(plan.day),
            tracking_code=code,
        )
        for plan, code in zip(plans, codes, strict=True)
    ]
    attach_cases(new)
    opinions = Opinion.objects.bulk_create(new, batch_size=BULK_SIZE)
    # The rows event_record would write, in bulk: one INSERT per row would make a
    # 5,000-row ledger take seconds longer.
    events_record_bulk(
        (
            EventRow(
                subject=opinion,
                actor=by,
                verb=OpinionVerb.RECEIVED,
                to_state=Status.RECEIVED,
                data=intake._received_data(opinion, ledger=file_name[:100], row=plan.row),
                district_code=district.code,
            )
            for opinion, plan in zip(opinions, plans, strict=True)
        ),
        batch_size=BULK_SIZE,
    )
    return opinions


def import_ledger(*, by, file, file_name: str, district: Region, progress=None) -> ImportResult:
    if district.level != RegionLevel.DISTRICT:
        raise ValidationError(_("导入区划须是一个区。"))
    if not can_import_ledger(by, district):
        raise PermissionDenied(
            _("你没有向“%(district)s”导入意见的权限。") % {"district": district.name}
        )
    progress = progress or (lambda done, total, step=None: None)
    result = ImportResult(file_name=file_name[:255], district=district)
    # One byte past the limit is enough to know the file is too large.
    data = file.read(MAX_FILE_BYTES + 1)
    progress(0, 3, _("读取文件"))
    try:
        sheet = read_sheet(data, LEDGER_LAYOUT)
    except FileRejected as rejected:
        result.issues = [rejected.issue]
        return result
    result.row_count = len(sheet.rows)
    progress(1, 3, _("检查每一行"))
    with transaction.atomic():
        # Ledger imports into one district take turns, so two uploads of the same file
        # cannot both pass the duplicate check.
        Region.objects.select_for_update().filter(pk=district.pk).exists()
        plans, issues = parse_ledger(sheet, _Lookups(district, by))
        if issues:
            result.issues = issues
            return result
        progress(2, 3, _("写入"))
        result.created = _write(plans, by=by, file_name=result.file_name, district=district)
    return result
