"""Column layouts of the import files (导入模板): titles, aliases, required columns, help texts."""

from zhitong.core.sheets.layout import Column, Layout
from zhitong.deputies.models import DeputyLevel
from zhitong.stations.models import StationKind
from zhitong.units.models import UnitKind

from .models import ImportKind

DEPUTY_LAYOUT = Layout(
    kind=ImportKind.DEPUTIES,
    sheet_title="代表名册",
    columns=(
        Column("name", "姓名", required=True, help="必填，最多50字。", example="张红"),
        Column("gender", "性别", required=True, help="必填：男 或 女。", example="女"),
        Column("ethnicity", "民族", help="选填，空白按“汉族”。", example="汉族"),
        Column(
            "birth_year",
            "出生年份",
            required=True,
            group="birth",
            aliases=("出生年",),
            help="与“出生年月”二选一必填，如 1975、1975.03、1975年3月。",
            example="1975",
        ),
        Column(
            "birth_month",
            "出生年月",
            required=True,
            group="birth",
            aliases=("出生日期",),
            help="与“出生年份”二选一必填，只取年份。",
            example="1975.03",
        ),
        Column("party", "政治面貌", help="选填，最多30字。", example="中共党员"),
        Column(
            "occupation",
            "工作单位及职务",
            aliases=("工作单位和职务", "单位及职务", "工作单位"),
            help="选填，最多200字。",
            example="武昌区某小学校长",
        ),
        Column(
            "levels",
            "代表层级",
            required=True,
            aliases=("层级",),
            choices=DeputyLevel,
            # Several levels may share one cell: free text, no drop-down.
            dropdown=False,
            help="必填：{choices}；同时是几级代表的，用“、”分开，如“市人大代表、区人大代表”。",
            example="区人大代表",
        ),
        Column(
            "terms",
            "届次",
            required=True,
            help="必填：如 17 或 第十七届；多个层级时按同样顺序用“、”分开，如“16、17”。届次须已在管理后台登记。",
            example="17",
        ),
        Column(
            "constituency",
            "选区/选举单位",
            required=True,
            aliases=("选区", "选举单位", "选区或选举单位"),
            help="必填；多个层级各不相同时用“；”分开，按层级顺序。",
            example="第5选区",
        ),
        Column(
            "street",
            "所在街道",
            aliases=("街道",),
            help="选填：街道名称或12位区划代码，须在导入区划内。",
            example="中南路街道",
        ),
        Column(
            "station",
            "进站站点",
            aliases=("所在联络站", "进站联络站"),
            help="选填：站点全称，须已在系统中（填了所在街道时在该街道内查找）。",
            example="中南路社区代表联络站",
        ),
        Column(
            "groups",
            "代表小组",
            aliases=("所在代表小组",),
            help="选填：小组名称，多个用“、”分开，须已在系统中。",
            example="城建环保专业代表小组",
        ),
        Column(
            "mobile",
            "手机号码",
            aliases=("手机号", "手机"),
            help="选填：11位手机号，不公开。",
            example="13800000000",
        ),
        Column(
            "id_tail",
            "身份证后四位",
            aliases=("身份证号后四位",),
            help="选填：4位，最后一位可以是X；用于区分同名同年的代表，不公开。",
            example="123X",
        ),
        # The stable key of a re-import (更新代表名册): the public code never changes or
        # is reused (it is on the deputy's QR code), so a row carrying it finds its deputy
        # even after a change of name. Without it a row is matched by name and birth year,
        # with the ID tail to tell namesakes apart, as the first import checks duplicates.
        Column(
            "code",
            "代表编码",
            aliases=("编码", "公开编码"),
            help="只在“更新代表名册”时填写：系统中的代表编码（如 D7K3QX9M），用来对应已有代表；"
            "不填则按姓名、出生年份（和身份证后四位）对应。首次导入不填。",
            example="",
        ),
    ),
)

STATION_LAYOUT = Layout(
    kind=ImportKind.STATIONS,
    sheet_title="联络站点",
    columns=(
        Column(
            "name",
            "站点名称",
            required=True,
            aliases=("名称", "站点"),
            help="必填，最多100字；同一街道内不能重名。",
            example="中南路社区代表联络站",
        ),
        Column(
            "kind",
            "类型",
            required=True,
            aliases=("站点类型",),
            choices=StationKind,
            help="必填：{choices}。",
            example="社区代表联络站",
        ),
        Column(
            "street",
            "所在街道",
            required=True,
            aliases=("街道",),
            help="必填：街道名称或12位区划代码，须在导入区划内。",
            example="中南路街道",
        ),
        Column(
            "community",
            "所在社区",
            aliases=("社区",),
            help="社区代表联络站必填，其他类型不填：社区名称或代码，须在所在街道内。",
            example="中南路社区",
        ),
        Column(
            "linked",
            "联系社区",
            help="选填，只用于社区中心代表联络站：联系的社区，多个用“、”分开。",
            example="",
        ),
        Column(
            "address",
            "地址",
            required=True,
            aliases=("站点地址",),
            help="必填。",
            example="中南路1号",
        ),
        Column(
            "opening_hours",
            "开放时间",
            help="选填。",
            example="工作日 9:00-17:00",
        ),
        Column(
            "phone",
            "联系电话",
            aliases=("站点电话", "电话"),
            help="选填：站点对外电话。",
            example="027-88880000",
        ),
        # The station's liaison (联络员) gets an account with the station, so that
        # "开通账号、发送登录邀请" reaches them as it reaches the deputies (全进网).
        Column(
            "liaison",
            "联络员",
            aliases=("联络员姓名",),
            help="选填：站点联络员的姓名；填写后为其开通联络员账号，可在“开通账号、发送登录邀请”中邀请登录。",
            example="王芳",
        ),
        Column(
            "liaison_mobile",
            "联络员手机",
            aliases=("联络员电话",),
            help="填写联络员时必填：11位手机号，用于发送登录邀请短信。",
            example="13900001111",
        ),
    ),
)

UNIT_LAYOUT = Layout(
    kind=ImportKind.UNITS,
    sheet_title="承办单位",
    columns=(
        Column(
            "name",
            "单位名称",
            required=True,
            aliases=("名称", "单位"),
            help="必填，最多100字；同一区划内不能重名。",
            example="武昌区教育局",
        ),
        Column("short_name", "简称", help="选填，最多30字。", example="区教育局"),
        Column(
            "kind",
            "单位类型",
            required=True,
            aliases=("类型",),
            choices=UnitKind,
            help="必填：{choices}。",
            example="区政府部门",
        ),
        Column(
            "region",
            "所属区划",
            aliases=("区划",),
            help="选填：区或街道的名称或代码，空白为导入区划；街道办事处须填所属街道。",
            example="武昌区",
        ),
        Column("contact_person", "联系人", help="选填。", example="李明"),
        Column(
            "contact_phone", "联系电话", aliases=("电话",), help="选填。", example="027-88881234"
        ),
    ),
)

# By import kind (the ImportKind values).
LAYOUTS: dict[str, Layout] = {
    ImportKind.DEPUTIES: DEPUTY_LAYOUT,
    ImportKind.STATIONS: STATION_LAYOUT,
    ImportKind.UNITS: UNIT_LAYOUT,
}
