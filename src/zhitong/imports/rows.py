"""Checking the rows of an import file and turning them into plans of records to create."""

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhitong.core.sheets.layout import chinese_labels
from zhitong.core.sheets.reader import Issue, Sheet, cell_text
from zhitong.core.sheets.rows import RowReader, choice_map
from zhitong.deputies.models import Deputy, DeputyGroup, DeputyLevel, Gender, Term
from zhitong.regions.lookups import Scope
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations.models import Station, StationKind
from zhitong.units.models import HandlingUnit, UnitKind

from .layouts import DEPUTY_LAYOUT, STATION_LAYOUT, UNIT_LAYOUT

LIST_SEPARATORS = re.compile(r"[、，,；;／/\s]+")
CONSTITUENCY_SEPARATORS = re.compile(r"[；;]")
MOBILE = re.compile(r"1[3-9]\d{9}")
ID_TAIL = re.compile(r"\d{3}[\dX]")
YEAR = re.compile(r"(\d{4})(?:\s*[年.\-/／]\s*\d{1,2}.*|年?)")
TERM_NUMBER = re.compile(r"第?([0-9一二三四五六七八九十〇零两]+)届?")
MIN_BIRTH_YEAR = 1900
# Deputies must be 18 (Electoral Law, art. 4).
MIN_DEPUTY_AGE = 18


def split_list(text: str) -> list[str]:
    return [part for part in LIST_SEPARATORS.split(text) if part]


CHINESE_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
CHINESE_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}


def parse_chinese_number(text: str) -> int | None:
    """1-99 written in digits or Chinese numerals (十七, 二十, 十)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        if len(text.split("十")) > 2:
            return None
        tens_value = CHINESE_DIGITS.get(tens, None) if tens else 1
        ones_value = CHINESE_DIGITS.get(ones, None) if ones else 0
        if tens_value is None or ones_value is None:
            return None
        return tens_value * 10 + ones_value
    if len(text) == 1 and text in CHINESE_DIGITS:
        return CHINESE_DIGITS[text]
    return None


# ---------------------------------------------------------------- deputies 代表名册


@dataclass
class SeatPlan:
    term: Term
    level: str
    constituency: str


@dataclass
class DeputyPlan:
    row: int
    name: str
    gender: str
    ethnicity: str
    birth_year: int
    party: str
    occupation: str
    mobile: str
    id_tail: str
    seats: list[SeatPlan]
    street: Region | None
    station: Station | None
    groups: list[DeputyGroup]
    # The deputy code (代表编码) of an update's row; "" when the cell is blank.
    code: str = ""
    # Whether the 代表小组 cell was filled: an update changes groups only where it is.
    groups_stated: bool = False


GENDERS = choice_map(Gender, {"男性": Gender.MALE, "女性": Gender.FEMALE})
LEVEL_WORDS = {
    "全国": DeputyLevel.NATIONAL,
    "省": DeputyLevel.PROVINCIAL,
    "市": DeputyLevel.CITY,
    "区": DeputyLevel.DISTRICT,
    "县": DeputyLevel.DISTRICT,
    "乡镇": DeputyLevel.TOWNSHIP,
    "乡": DeputyLevel.TOWNSHIP,
    "镇": DeputyLevel.TOWNSHIP,
}


def parse_level(text: str) -> str | None:
    core = text
    for suffix in ("人大代表", "人民代表大会代表", "代表", "人大", "级"):
        core = core.removesuffix(suffix)
    core = core.removesuffix("级")
    return LEVEL_WORDS.get(core)


def parse_birth_year(raw) -> int | None:
    if isinstance(raw, datetime | date):
        return raw.year
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        # 1975.03 typed into a number cell is 1975, March.
        return int(raw)
    text = cell_text(raw)
    match = YEAR.fullmatch(text)
    if match:
        return int(match.group(1))
    if re.fullmatch(r"\d{6}|\d{8}", text):  # 197503, 19750321
        return int(text[:4])
    return None


def _same_person(tail_a: str, tail_b: str) -> bool:
    # Same name and birth year is the same person unless both ID tails are known and differ.
    return not tail_a or not tail_b or tail_a == tail_b


def parse_deputies(
    sheet: Sheet, scope: Scope, *, update: bool = False
) -> tuple[list[DeputyPlan], list[Issue]]:
    """The plans of a deputy roster's rows and the problems found.

    A first import (`update` False) refuses a row whose deputy is already in the
    district; an update (imports.roster) matches such rows to their deputies instead,
    so it skips that check and reads the deputy code.
    """
    issues: list[Issue] = []
    layout = DEPUTY_LAYOUT
    district = scope.district
    chain = district.ancestors()
    terms = defaultdict(list)
    term_regions = [r.pk for r in chain] + [r.pk for r in scope.regions if r.level == "street"]
    for term in Term.objects.filter(region_id__in=term_regions).select_related("region"):
        terms[(term.level, term.number)].append(term)
    stations = defaultdict(list)
    for station in Station.objects.in_region(district).only("id", "name", "street_id"):
        stations[station.name].append(station)
    groups = defaultdict(list)
    for group in DeputyGroup.objects.filter(region__path__startswith=district.path):
        groups[group.name].append(group)
    level_labels = chinese_labels(DeputyLevel)
    this_year = timezone.localdate().year

    plans: list[DeputyPlan] = []
    for row in sheet.rows:
        r = RowReader(row, sheet, layout, issues)
        name = r.text("name", required=True, max_length=50)
        gender = r.choice("gender", GENDERS, ["男", "女"])
        ethnicity = r.text("ethnicity", max_length=20)
        party = r.text("party", max_length=30)
        occupation = r.text("occupation", max_length=200)

        birth_key = (
            "birth_year"
            if r.present("birth_year")
            and (cell_text(r.raw("birth_year")) or not r.present("birth_month"))
            else "birth_month"
        )
        birth_text = r.text(birth_key, required=True)
        birth_year = None
        if birth_text:
            birth_year = parse_birth_year(r.raw(birth_key))
            if birth_year is None:
                r.error(
                    birth_key,
                    birth_text,
                    _("无法识别的出生年份，请填四位年份，如 1975 或 1975.03。"),
                )
            elif not MIN_BIRTH_YEAR <= birth_year <= this_year - MIN_DEPUTY_AGE:
                r.error(
                    birth_key,
                    birth_text,
                    _("出生年份 %(year)d 不合理（应在 %(low)d 至 %(high)d 之间）。")
                    % {
                        "year": birth_year,
                        "low": MIN_BIRTH_YEAR,
                        "high": this_year - MIN_DEPUTY_AGE,
                    },
                )
                birth_year = None

        levels = []
        levels_text = r.text("levels", required=True)
        for part in split_list(levels_text or ""):
            level = parse_level(part)
            if level is None:
                r.error(
                    "levels",
                    levels_text,
                    _("代表层级“%(value)s”无法识别，只能填：%(allowed)s。")
                    % {"value": part, "allowed": "、".join(level_labels)},
                )
                levels = []
                break
            if level in levels:
                r.error("levels", levels_text, _("同一层级填写了两次。"))
                levels = []
                break
            levels.append(level)

        numbers = []
        terms_text = r.text("terms", required=True)
        for part in split_list(terms_text or ""):
            match = TERM_NUMBER.fullmatch(part)
            number = parse_chinese_number(match.group(1)) if match else None
            if not number or number > 99:
                r.error(
                    "terms",
                    terms_text,
                    _("届次“%(value)s”无法识别，请填数字，如 17。") % {"value": part},
                )
                numbers = []
                break
            numbers.append(number)
        if levels and numbers and len(numbers) != len(levels):
            r.error(
                "terms",
                terms_text,
                _(
                    "填写了 %(levels)d 个代表层级，届次却有 %(terms)d 个；请按层级顺序用“、”分开填写各自的届次。"
                )
                % {"levels": len(levels), "terms": len(numbers)},
            )
            numbers = []

        constituencies = []
        constituency_text = r.text("constituency", required=True)
        if constituency_text:
            constituencies = [
                c.strip() for c in CONSTITUENCY_SEPARATORS.split(constituency_text) if c.strip()
            ]
            if levels and len(constituencies) == 1:
                constituencies = constituencies * len(levels)
            elif levels and len(constituencies) != len(levels):
                r.error(
                    "constituency",
                    constituency_text,
                    _("选区/选举单位有 %(count)d 个，与代表层级的个数不符；各层级相同时只填一个。")
                    % {"count": len(constituencies)},
                )
                constituencies = []
            elif any(len(c) > 100 for c in constituencies):
                r.error(
                    "constituency", constituency_text, _("每个选区/选举单位不能超过 100 个字。")
                )
                constituencies = []

        street = None
        street_text = r.text("street")
        if street_text:
            street, message = scope.find(street_text, levels={RegionLevel.STREET}, what=_("街道"))
            if message:
                r.error("street", street_text, message)

        seats = []
        if levels and numbers and constituencies:
            for level, number, constituency in zip(levels, numbers, constituencies, strict=True):
                found = [
                    t
                    for t in terms[(level, number)]
                    if level != DeputyLevel.TOWNSHIP or (street and t.region_id == street.pk)
                ]
                if not found:
                    with translation.override("zh-hans"):
                        label = str(DeputyLevel(level).label)
                    r.error(
                        "terms",
                        terms_text,
                        _(
                            "系统中没有%(level)s第%(number)d届的届次记录，请先在管理后台“届次”中登记。"
                        )
                        % {"level": label, "number": number},
                    )
                    seats = []
                    break
                # The nearest congress wins if a level is registered at two regions.
                term = max(found, key=lambda t: len(t.region.path))
                seats.append(SeatPlan(term=term, level=level, constituency=constituency))

        station = None
        station_text = r.text("station", max_length=100)
        if station_text:
            found = [
                s
                for s in stations.get(station_text, [])
                if street is None or s.street_id == street.pk
            ]
            if not found:
                where = street.name if street else district.name
                r.error(
                    "station",
                    station_text,
                    _("在“%(where)s”找不到站点“%(name)s”，请先导入站点，或核对站点全称。")
                    % {"where": where, "name": station_text},
                )
            elif len(found) > 1:
                r.error(
                    "station",
                    station_text,
                    _("有 %(count)d 个同名站点，请同时填写“所在街道”。") % {"count": len(found)},
                )
            else:
                station = found[0]

        group_list = []
        groups_text = r.text("groups")
        for group_name in split_list(groups_text or ""):
            found = groups.get(group_name, [])
            if street is not None and len(found) > 1:
                found = [g for g in found if g.region_id in (street.pk, district.pk)] or found
            if len(found) != 1:
                r.error(
                    "groups",
                    groups_text,
                    (
                        _("在“%(where)s”找不到代表小组“%(name)s”。")
                        if not found
                        else _("“%(where)s”有多个名为“%(name)s”的代表小组，请在管理后台添加。")
                    )
                    % {"where": district.name, "name": group_name},
                )
                group_list = []
                break
            if found[0] not in group_list:
                group_list.append(found[0])

        mobile = r.text("mobile")
        if mobile:
            digits = re.sub(r"[\s\-]", "", mobile).removeprefix("+86")
            if len(digits) == 13 and digits.startswith("86"):
                digits = digits[2:]
            if not MOBILE.fullmatch(digits):
                r.error("mobile", mobile, _("手机号码应为 11 位数字，以 1 开头。"))
            mobile = digits

        id_tail = r.text("id_tail")
        if id_tail:
            raw = r.raw("id_tail")
            if isinstance(raw, int | float) and not isinstance(raw, bool) and 0 <= raw < 1000:
                # A number cell drops leading zeros: 0123 arrives as 123.
                id_tail = f"{int(raw):04d}"
            id_tail = id_tail.upper()
            if not ID_TAIL.fullmatch(id_tail):
                r.error(
                    "id_tail",
                    id_tail,
                    _("身份证后四位应为 4 位，前三位是数字，最后一位是数字或 X。"),
                )

        code = r.text("code", max_length=12).upper()
        if code and not update:
            r.error(
                "code",
                code,
                _("首次导入的代表不填“代表编码”；要更新已有代表，请用“更新代表名册”上传。"),
            )

        if r.failed:
            continue
        plans.append(
            DeputyPlan(
                row=row.number,
                name=name,
                gender=gender,
                ethnicity=ethnicity,
                birth_year=birth_year,
                party=party,
                occupation=occupation,
                mobile=mobile,
                id_tail=id_tail,
                seats=seats,
                street=street,
                station=station,
                groups=group_list,
                code=code,
                groups_stated=bool(groups_text),
            )
        )

    _check_deputy_duplicates(sheet, plans, issues, district, against_database=not update)
    return plans, issues


def _check_deputy_duplicates(sheet, plans, issues, district, *, against_database: bool) -> None:
    """Same name and birth year (and ID tail where both have one) is one person."""
    name_title = sheet.titles["name"]
    seen: dict[tuple[str, int], list[DeputyPlan]] = defaultdict(list)
    for plan in plans:
        earlier = next(
            (
                p
                for p in seen[(plan.name, plan.birth_year)]
                if _same_person(p.id_tail, plan.id_tail)
                and (not p.code or not plan.code or p.code == plan.code)
            ),
            None,
        )
        if earlier is not None:
            issues.append(
                Issue(
                    row=plan.row,
                    column=name_title,
                    value=plan.name,
                    message=_(
                        "与第 %(row)d 行重复：姓名、出生年份相同（身份证后四位未能区分），同一代表只能有一行。"
                    )
                    % {"row": earlier.row},
                )
            )
        seen[(plan.name, plan.birth_year)].append(plan)

    if not against_database:
        return
    existing = defaultdict(list)
    names = {plan.name for plan in plans}
    for deputy in Deputy.objects.filter(district=district, name__in=names).only(
        "name", "birth_year", "id_number_tail", "public_code"
    ):
        existing[deputy.name].append(deputy)
    for plan in plans:
        for deputy in existing.get(plan.name, []):
            same_year = deputy.birth_year is None or deputy.birth_year == plan.birth_year
            if same_year and _same_person(deputy.id_number_tail, plan.id_tail):
                issues.append(
                    Issue(
                        row=plan.row,
                        column=name_title,
                        value=plan.name,
                        message=_(
                            "系统中已有这位代表（编码 %(code)s，姓名、出生年份相同），不能重复导入；"
                            "如是同名的另一人，请填写身份证后四位以示区分。"
                        )
                        % {"code": deputy.public_code},
                    )
                )
                break


# ---------------------------------------------------------------- stations 联络站点


@dataclass
class StationPlan:
    row: int
    name: str
    kind: str
    region: Region
    street: Region
    linked: list[Region]
    address: str
    opening_hours: str
    phone: str
    # The station's liaison (联络员), whose account is made with the station.
    liaison: str = ""
    liaison_mobile: str = ""


STATION_KINDS = choice_map(StationKind)
# "社区联络站" for "社区代表联络站", "街道工作室" for "街道代表工作室": the word 代表 is often left out.
STATION_KINDS |= {label.replace("代表", ""): value for label, value in list(STATION_KINDS.items())}


def parse_stations(sheet: Sheet, scope: Scope) -> tuple[list[StationPlan], list[Issue]]:
    issues: list[Issue] = []
    layout = STATION_LAYOUT
    allowed = chinese_labels(StationKind)
    plans: list[StationPlan] = []
    for row in sheet.rows:
        r = RowReader(row, sheet, layout, issues)
        name = r.text("name", required=True, max_length=100)
        kind = r.choice("kind", STATION_KINDS, allowed)
        street = None
        street_text = r.text("street", required=True)
        if street_text:
            street, message = scope.find(street_text, levels={RegionLevel.STREET}, what=_("街道"))
            if message:
                r.error("street", street_text, message)

        region = street
        community_text = r.text("community")
        if kind == StationKind.COMMUNITY and community_text == "":
            r.error("community", "", _("社区代表联络站须填写所在社区。"))
        elif kind is not None and kind != StationKind.COMMUNITY and community_text:
            r.error(
                "community",
                community_text,
                _(
                    "只有社区代表联络站填写所在社区；其他类型的站点设在街道，社区中心站联系的社区请填在“联系社区”列。"
                ),
            )
        elif community_text and street is not None:
            region, message = scope.find(
                community_text, levels={RegionLevel.COMMUNITY}, within=street, what=_("社区")
            )
            if message:
                r.error("community", community_text, message)

        linked = []
        linked_text = r.text("linked")
        if linked_text and kind is not None and kind != StationKind.CENTRAL:
            r.error("linked", linked_text, _("只有社区中心代表联络站填写联系社区。"))
        elif linked_text and street is not None:
            for part in split_list(linked_text):
                community, message = scope.find(
                    part, levels={RegionLevel.COMMUNITY}, what=_("社区")
                )
                if message:
                    r.error("linked", linked_text, message)
                    break
                linked.append(community)

        address = r.text("address", required=True, max_length=200)
        opening_hours = r.text("opening_hours", max_length=200)
        phone = r.phone("phone")
        liaison = r.text("liaison", max_length=50)
        liaison_mobile = re.sub(r"[\s\-]", "", r.text("liaison_mobile") or "").removeprefix("+86")
        if liaison and not MOBILE.fullmatch(liaison_mobile):
            r.error(
                "liaison_mobile",
                liaison_mobile,
                _("填写联络员时须填写11位手机号，用于发送登录邀请。"),
            )
        elif liaison_mobile and not liaison:
            r.error("liaison", "", _("填写了联络员手机，请同时填写联络员姓名。"))
        if r.failed:
            continue
        plans.append(
            StationPlan(
                row=row.number,
                name=name,
                kind=kind,
                region=region,
                street=street,
                linked=linked,
                address=address,
                opening_hours=opening_hours,
                phone=phone,
                liaison=liaison or "",
                liaison_mobile=liaison_mobile if liaison else "",
            )
        )

    # A station name already used in the same street is refused, not skipped: a second
    # upload of last year's list must not pass silently as if it had added something.
    name_title = sheet.titles["name"]
    _flag_repeated_names(
        plans,
        key=lambda plan: (plan.street.pk, plan.name),
        column=name_title,
        message=_("与第 %(row)d 行重复：同一街道内站点名称不能相同。"),
        issues=issues,
    )
    existing = {
        (s.street_id, s.name): s.public_code
        for s in Station.objects.filter(
            street_id__in={p.street.pk for p in plans}, name__in={p.name for p in plans}
        ).only("street_id", "name", "public_code")
    }
    for plan in plans:
        code = existing.get((plan.street.pk, plan.name))
        if code:
            issues.append(
                Issue(
                    row=plan.row,
                    column=name_title,
                    value=plan.name,
                    message=_("“%(street)s”已有同名站点（编码 %(code)s），不能重复导入。")
                    % {"street": plan.street.name, "code": code},
                )
            )
    return plans, issues


# ---------------------------------------------------------------- units 承办单位


@dataclass
class UnitPlan:
    row: int
    name: str
    short_name: str
    kind: str
    region: Region
    contact_person: str
    contact_phone: str


UNIT_KINDS = choice_map(
    UnitKind,
    {
        "政府部门": UnitKind.DEPARTMENT,
        "区直部门": UnitKind.DEPARTMENT,
        "街道": UnitKind.STREET_OFFICE,
        "人民法院": UnitKind.COURT,
        "人民检察院": UnitKind.PROCURATORATE,
        "监委": UnitKind.SUPERVISORY,
        "监察委": UnitKind.SUPERVISORY,
        "其他": UnitKind.OTHER,
    },
)


def parse_units(sheet: Sheet, scope: Scope) -> tuple[list[UnitPlan], list[Issue]]:
    issues: list[Issue] = []
    layout = UNIT_LAYOUT
    allowed = chinese_labels(UnitKind)
    plans: list[UnitPlan] = []
    for row in sheet.rows:
        r = RowReader(row, sheet, layout, issues)
        name = r.text("name", required=True, max_length=100)
        short_name = r.text("short_name", max_length=30)
        kind = r.choice("kind", UNIT_KINDS, allowed)
        region = scope.district
        region_text = r.text("region")
        if region_text:
            region, message = scope.find(
                region_text,
                levels={RegionLevel.DISTRICT, RegionLevel.STREET},
                what=_("区划"),
            )
            if message:
                r.error("region", region_text, message)
        if kind == UnitKind.STREET_OFFICE and region_text == "":
            r.error("region", "", _("街道办事处须在“所属区划”填写所属街道。"))
        elif kind == UnitKind.STREET_OFFICE and region and region.level != RegionLevel.STREET:
            r.error("region", region_text, _("街道办事处的所属区划须是街道。"))
        contact_person = r.text("contact_person", max_length=50)
        contact_phone = r.phone("contact_phone")
        if r.failed:
            continue
        plans.append(
            UnitPlan(
                row=row.number,
                name=name,
                short_name=short_name,
                kind=kind,
                region=region,
                contact_person=contact_person,
                contact_phone=contact_phone,
            )
        )

    name_title = sheet.titles["name"]
    _flag_repeated_names(
        plans,
        key=lambda plan: (plan.region.pk, plan.name),
        column=name_title,
        message=_("与第 %(row)d 行重复：同一区划内单位名称不能相同。"),
        issues=issues,
    )
    existing = set(
        HandlingUnit.objects.filter(
            region_id__in={p.region.pk for p in plans}, name__in={p.name for p in plans}
        ).values_list("region_id", "name")
    )
    for plan in plans:
        if (plan.region.pk, plan.name) in existing:
            issues.append(
                Issue(
                    row=plan.row,
                    column=name_title,
                    value=plan.name,
                    message=_("“%(region)s”已有同名承办单位，不能重复导入。")
                    % {"region": plan.region.name},
                )
            )
    return plans, issues


# By import kind: (sheet, scope) -> (the plans of the rows, the issues found).
PARSERS: dict[str, Callable[[Sheet, Scope], tuple[list, list[Issue]]]] = {
    DEPUTY_LAYOUT.kind: parse_deputies,
    STATION_LAYOUT.kind: parse_stations,
    UNIT_LAYOUT.kind: parse_units,
}


def _flag_repeated_names(plans, *, key, column: str, message, issues: list[Issue]) -> None:
    """An issue for each row whose name repeats an earlier row's within the same place;
    `message` takes %(row)d, the earlier row."""
    seen: dict = {}
    for plan in plans:
        place_and_name = key(plan)
        if place_and_name in seen:
            issues.append(
                Issue(
                    row=plan.row,
                    column=column,
                    value=plan.name,
                    message=message % {"row": seen[place_and_name]},
                )
            )
        else:
            seen[place_and_name] = plan.row
