"""Building small .xlsx files (and non-xlsx bytes) for the import tests."""

import io
import zipfile

import openpyxl

DEPUTY_HEADER = [
    "姓名",
    "性别",
    "民族",
    "出生年份",
    "政治面貌",
    "工作单位及职务",
    "代表层级",
    "届次",
    "选区/选举单位",
    "所在街道",
    "进站站点",
    "手机号码",
    "身份证后四位",
]
STATION_HEADER = ["站点名称", "类型", "所在街道", "所在社区", "地址", "开放时间", "联系电话"]
UNIT_HEADER = ["单位名称", "简称", "单位类型", "所属区划", "联系人", "联系电话"]


def xlsx(*rows, sheet_title="Sheet1", extra_sheets=()) -> bytes:
    """An .xlsx whose first sheet holds `rows` (lists of cell values) from A1 down."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(list(row))
    for title in extra_sheets:
        workbook.create_sheet(title).append(["不读取这里"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def replace_in_xlsx(data: bytes, old: str, new: str) -> bytes:
    """Rewrite text inside the parts of an .xlsx, for content openpyxl refuses to write."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, source.read(name).replace(old.encode(), new.encode()))
    return out.getvalue()


def deputy_row(
    name="张红",
    gender="女",
    ethnicity="汉族",
    birth="1975",
    party="中共党员",
    occupation="武昌区某小学校长",
    levels="区人大代表",
    terms="17",
    constituency="第5选区",
    street="中南路街道",
    station="中南路社区代表联络站",
    mobile="13800000000",
    id_tail="",
):
    return [
        name,
        gender,
        ethnicity,
        birth,
        party,
        occupation,
        levels,
        terms,
        constituency,
        street,
        station,
        mobile,
        id_tail,
    ]


def station_row(
    name="水果湖社区代表联络站",
    kind="社区代表联络站",
    street="中南路街道",
    community="水果湖社区",
    address="水果湖路1号",
    hours="工作日 9:00-17:00",
    phone="027-88880000",
):
    return [name, kind, street, community, address, hours, phone]


def unit_row(
    name="武昌区教育局",
    short="区教育局",
    kind="区政府部门",
    region="武昌区",
    person="李明",
    phone="027-88881234",
):
    return [name, short, kind, region, person, phone]
