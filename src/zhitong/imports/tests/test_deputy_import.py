"""Importing the deputies' roster (代表名册): what gets written, and every way a roster is refused."""

import io
import re

import pytest

from zhitong.core.models import Event
from zhitong.core.sheets.layout import MAX_DATA_ROWS
from zhitong.deputies.models import Deputy, DeputyLevel, GroupMembership, MembershipStatus
from zhitong.imports.models import ImportBatch, ImportKind, ImportStatus
from zhitong.imports.services import CODE_ALPHABET, import_structure
from zhitong.stations.models import StationAssignment
from zhitong.testing import factories as f

from .xlsx import DEPUTY_HEADER, deputy_row, replace_in_xlsx, xlsx

pytestmark = pytest.mark.django_db


def run(data, *, place, by, name="代表名册.xlsx"):
    return import_structure(
        kind=ImportKind.DEPUTIES,
        file=io.BytesIO(data),
        file_name=name,
        region=place["district"],
        by=by,
    )


def rejected(batch):
    assert batch.status == ImportStatus.REJECTED
    assert batch.created_count == 0
    return batch.errors


def test_good_roster_writes_deputies_seats_assignments_and_events(place, staff, counts):
    data = xlsx(
        DEPUTY_HEADER + ["代表小组"],
        deputy_row() + ["城建环保专业代表小组"],
        deputy_row(
            name="李明",
            gender="男",
            birth="1968.05",
            levels="市人大代表、区人大代表",
            terms="16、17",
            constituency="武昌区；第3选区",
            station="",
            mobile="",
        )
        + [""],
    )
    before = counts()
    batch = run(data, place=place, by=staff)

    assert batch.status == ImportStatus.SUCCEEDED, batch.errors
    assert (batch.row_count, batch.created_count, batch.error_count) == (2, 2, 0)
    assert batch.summary == {"memberships": 3, "station_assignments": 1, "group_memberships": 1}
    after = counts()
    assert after["Deputy"] == before["Deputy"] + 2
    assert after["DeputyMembership"] == before["DeputyMembership"] + 3

    zhang = Deputy.objects.get(name="张红")
    assert (zhang.gender, zhang.birth_year, zhang.district) == ("F", 1975, place["district"])
    assert zhang.mobile == "13800000000"
    assert re.fullmatch(f"D[{CODE_ALPHABET}]{{7}}", zhang.public_code)
    seat = zhang.memberships.get()
    assert (seat.term, seat.level, seat.constituency) == (
        place["district_term"],
        "district",
        "第5选区",
    )
    assert seat.status == MembershipStatus.SERVING
    assert seat.start_date == place["district_term"].start_date
    assert StationAssignment.objects.get(deputy=zhang).station == place["station"]
    assert GroupMembership.objects.get(deputy=zhang).group == place["group"]

    li = Deputy.objects.get(name="李明")
    seats = {m.level: m for m in li.memberships.all()}
    assert seats[DeputyLevel.CITY].term == place["city_term"]
    assert seats[DeputyLevel.CITY].constituency == "武昌区"
    assert seats[DeputyLevel.DISTRICT].constituency == "第3选区"
    assert not li.station_assignments.exists()

    assert Event.objects.for_object(batch).get().verb == "import_succeeded"
    event = Event.objects.for_object(zhang).get()
    assert (event.verb, event.actor, event.district_code) == ("imported", staff, "420106")
    assert event.data == {"import_batch": batch.pk, "row": 2}


def test_public_codes_are_unique(place, staff):
    rows = [deputy_row(name=f"代表{i}", station="") for i in range(30)]
    batch = run(xlsx(DEPUTY_HEADER, *rows), place=place, by=staff)
    assert batch.succeeded
    codes = list(Deputy.objects.values_list("public_code", flat=True))
    assert len(codes) == len(set(codes)) == 30


def test_optional_columns_may_be_left_out_and_header_may_sit_below_a_title(place, staff):
    data = xlsx(
        ["武昌区第十七届人大代表名册"],
        [],
        ["姓名", "性别", "出生年月", "代表层级", "届次", "选区"],
        ["王芳", "女", "1980年3月", "区", "第十七届", "第8选区"],
    )
    batch = run(data, place=place, by=staff)
    assert batch.succeeded, batch.errors
    wang = Deputy.objects.get(name="王芳")
    assert (wang.birth_year, wang.ethnicity) == (1980, "汉族")
    assert wang.memberships.get().term == place["district_term"]


def test_numbers_and_dates_in_cells_are_read_as_office_files_store_them(place, staff):
    import datetime

    row = deputy_row(birth=datetime.datetime(1975, 3, 1), terms=17, station="", id_tail=123)
    row[11] = 13800000000  # a phone number typed into a number cell
    batch = run(xlsx(DEPUTY_HEADER, row), place=place, by=staff)
    assert batch.succeeded, batch.errors
    deputy = Deputy.objects.get()
    assert (deputy.birth_year, deputy.mobile, deputy.id_number_tail) == (
        1975,
        "13800000000",
        "0123",
    )


def test_missing_columns_reject_the_file_naming_them(place, staff, counts):
    before = counts()
    data = xlsx(["姓名", "民族", "届次"], ["张红", "汉族", "17"])
    errors = rejected(run(data, place=place, by=staff))
    assert len(errors) == 1
    assert errors[0]["row"] == 1
    message = errors[0]["message"]
    for title in ("性别", "出生年份或出生年月", "代表层级", "选区/选举单位"):
        assert f"“{title}”" in message
    assert "“届次”" not in message
    assert counts() == before


def test_a_header_with_no_known_title_is_refused(place, staff, counts):
    before = counts()
    errors = rejected(run(xlsx(["name", "sex"], ["Zhang", "F"]), place=place, by=staff))
    assert "表头缺少必填列" in errors[0]["message"]
    assert counts() == before


def test_a_column_given_twice_is_refused(place, staff):
    data = xlsx(DEPUTY_HEADER + ["姓名"], deputy_row() + ["张红"])
    errors = rejected(run(data, place=place, by=staff))
    assert "“姓名”列出现了两次" in errors[0]["message"]


def test_unknown_street_and_station_are_row_errors(place, staff, counts, far_district):
    before = counts()
    data = xlsx(
        DEPUTY_HEADER,
        deputy_row(name="甲", street="不存在街道"),
        # A street of another district is outside the import's scope.
        deputy_row(name="乙", street="大智街道"),
        deputy_row(name="丙", station="不存在的联络站"),
    )
    errors = rejected(run(data, place=place, by=staff))
    assert [(e["row"], e["column"]) for e in errors] == [
        (2, "所在街道"),
        (3, "所在街道"),
        (4, "进站站点"),
    ]
    assert errors[0]["message"] == "在“武昌区”范围内找不到街道“不存在街道”。"
    assert errors[1]["value"] == "大智街道"
    assert "找不到站点“不存在的联络站”" in errors[2]["message"]
    assert counts() == before


def test_streets_match_by_code_or_short_name(place, staff):
    data = xlsx(
        DEPUTY_HEADER,
        deputy_row(name="甲", street="420106001000"),
        deputy_row(name="乙", street="中南路"),
    )
    batch = run(data, place=place, by=staff)
    assert batch.succeeded, batch.errors
    assert StationAssignment.objects.count() == 2


def test_same_person_twice_in_the_file_is_refused(place, staff, counts):
    before = counts()
    data = xlsx(
        DEPUTY_HEADER,
        deputy_row(),
        deputy_row(name="李明"),
        deputy_row(birth="1975.06"),
    )
    errors = rejected(run(data, place=place, by=staff))
    assert [(e["row"], e["column"]) for e in errors] == [(4, "姓名")]
    assert "与第 2 行重复" in errors[0]["message"]
    assert counts() == before


def test_same_name_and_year_with_different_id_tails_are_two_people(place, staff):
    data = xlsx(
        DEPUTY_HEADER,
        deputy_row(id_tail="1234", station=""),
        deputy_row(id_tail="5678", station=""),
    )
    batch = run(data, place=place, by=staff)
    assert batch.succeeded, batch.errors
    assert Deputy.objects.filter(name="张红").count() == 2


def test_deputy_already_in_the_district_is_refused(place, staff, counts):
    existing = f.DeputyFactory(
        district=place["district"], name="张红", birth_year=1975, public_code="DABCDEFG"
    )
    before = counts()
    errors = rejected(run(xlsx(DEPUTY_HEADER, deputy_row()), place=place, by=staff))
    assert errors[0]["row"] == 2
    assert f"系统中已有这位代表（编码 {existing.public_code}" in errors[0]["message"]
    assert counts() == before


def test_deputy_of_another_district_with_the_same_name_is_no_duplicate(place, staff, far_district):
    f.DeputyFactory(district=far_district, name="张红", birth_year=1975)
    batch = run(xlsx(DEPUTY_HEADER, deputy_row()), place=place, by=staff)
    assert batch.succeeded, batch.errors


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("性别", "未知", "无法识别“未知”，只能填：男、女。"),
        ("代表层级", "村人大代表", "代表层级“村人大代表”无法识别"),
        ("出生年份", "七五年", "无法识别的出生年份"),
        ("出生年份", "1850", "出生年份 1850 不合理"),
        ("出生年份", "2020", "出生年份 2020 不合理"),
        ("届次", "十七届半", "届次“十七届半”无法识别"),
        ("届次", "9", "系统中没有区人大代表第9届的届次记录"),
        ("手机号码", "12345", "手机号码应为 11 位数字"),
        ("身份证后四位", "12X4", "身份证后四位应为 4 位"),
        ("姓名", "", "不能为空。"),
        ("选区/选举单位", "", "不能为空。"),
    ],
)
def test_invalid_values_are_reported_per_cell(place, staff, counts, column, value, message):
    row = deputy_row()
    row[DEPUTY_HEADER.index(column)] = value
    before = counts()
    errors = rejected(run(xlsx(DEPUTY_HEADER, deputy_row(name="李明"), row), place=place, by=staff))
    assert len(errors) == 1
    error = errors[0]
    assert (error["row"], error["column"], error["value"]) == (3, column, value)
    assert message in error["message"]
    assert counts() == before


def test_levels_and_terms_must_pair_up(place, staff):
    row = deputy_row(levels="市人大代表、区人大代表", terms="17")
    errors = rejected(run(xlsx(DEPUTY_HEADER, row), place=place, by=staff))
    assert errors[0]["column"] == "届次"
    assert "填写了 2 个代表层级，届次却有 1 个" in errors[0]["message"]


def test_every_bad_row_is_reported_not_only_the_first(place, staff):
    data = xlsx(
        DEPUTY_HEADER,
        deputy_row(name="甲", gender="?"),
        deputy_row(name="乙"),
        deputy_row(name="丙", birth="abc", levels="?"),
    )
    errors = rejected(run(data, place=place, by=staff))
    assert [(e["row"], e["column"]) for e in errors] == [
        (2, "性别"),
        (4, "出生年份"),
        (4, "代表层级"),
    ]
    assert ImportBatch.objects.get().error_count == 3


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("张\ufffd", "乱码替换字符"),
        ("张三".encode().decode("cp1252"), "原文可能是“张三”"),  # UTF-8 read as Windows-1252
        ("张三".encode().decode("gbk"), "原文可能是“张三”"),  # UTF-8 read as GBK
        ("锟斤拷", "锟斤拷"),
        ("张\x7f红", "控制字符"),
        ("张\x85红", "控制字符"),
    ],
)
def test_damaged_text_is_reported(place, staff, counts, name, why):
    before = counts()
    errors = rejected(run(xlsx(DEPUTY_HEADER, deputy_row(name=name)), place=place, by=staff))
    assert (errors[0]["row"], errors[0]["column"]) == (2, "姓名")
    assert why in errors[0]["message"]
    assert counts() == before


def test_control_character_escaped_by_excel_is_reported(place, staff, counts):
    data = replace_in_xlsx(
        xlsx(DEPUTY_HEADER, deputy_row(occupation="PLACEHOLDER")), "PLACEHOLDER", "校长_x0001_"
    )
    before = counts()
    errors = rejected(run(data, place=place, by=staff))
    assert errors[0]["column"] == "工作单位及职务"
    assert "控制字符" in errors[0]["message"]
    assert counts() == before


def test_ordinary_chinese_text_is_not_taken_for_damage(place, staff):
    rows = [
        deputy_row(name=name, station="", occupation=job)
        for name, job in [
            ("欧阳娜娜", "湖北省武汉市武昌区中南路街道办事处主任"),
            ("司马懿", "武汉大学教授、博士生导师"),
            ("喆", "个体工商户"),
            ("李Anna", "外资企业 HR 经理"),
        ]
    ]
    batch = run(xlsx(DEPUTY_HEADER, *rows), place=place, by=staff)
    assert batch.succeeded, batch.errors


def test_header_only_and_empty_sheet_are_refused(place, staff, counts):
    before = counts()
    errors = rejected(run(xlsx(DEPUTY_HEADER), place=place, by=staff))
    assert errors[0]["message"] == "表格只有表头，没有数据行。"
    errors = rejected(run(xlsx(), place=place, by=staff))
    assert "第一个工作表是空的" in errors[0]["message"]
    assert counts() == before


def test_blank_rows_are_skipped_and_row_numbers_match_excel(place, staff):
    data = xlsx(DEPUTY_HEADER, [], deputy_row(gender="?"), [None] * 5)
    errors = rejected(run(data, place=place, by=staff))
    assert errors[0]["row"] == 3


def test_too_many_rows_are_refused(place, staff, counts):
    rows = [deputy_row(name=f"代表{i}", station="") for i in range(MAX_DATA_ROWS + 1)]
    before = counts()
    errors = rejected(run(xlsx(DEPUTY_HEADER, *rows), place=place, by=staff))
    assert errors == [
        {
            "row": None,
            "column": "",
            "value": "",
            "message": f"数据行超过 {MAX_DATA_ROWS} 行的上限，请分成几个文件导入。",
        }
    ]
    assert counts() == before


def test_only_the_first_sheet_is_read(place, staff):
    batch = run(xlsx(DEPUTY_HEADER, deputy_row(), extra_sheets=["填写说明"]), place=place, by=staff)
    assert batch.succeeded, batch.errors


def test_rejected_file_keeps_its_batch_and_an_event(place, staff):
    batch = run(xlsx(DEPUTY_HEADER, deputy_row(gender="?")), place=place, by=staff)
    assert ImportBatch.objects.get() == batch
    event = Event.objects.for_object(batch).get()
    assert (event.verb, event.to_state) == ("import_rejected", "rejected")
