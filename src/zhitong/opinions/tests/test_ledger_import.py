"""Importing an offline ledger of opinions (.xlsx): per-row error report, nothing written on
any error, the structure-import reader reused."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhitong.core.models import Event
from zhitong.imports.tests.xlsx import xlsx
from zhitong.opinions import intake
from zhitong.opinions.ledger_import import LEDGER_LAYOUT
from zhitong.opinions.models import Channel, Opinion
from zhitong.testing import factories as f

from .intake_support import *  # noqa: F403 - the intake fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.urls("zhitong.opinions.tests.intake_urls")]

HEADER = [
    "收集日期",
    "渠道",
    "站点",
    "代表",
    "反映人",
    "联系电话",
    "所在社区",
    "地址",
    "标题",
    "内容",
    "类别",
]
URL = "/work/opinions/import/"


def ledger_row(**values):
    defaults = {
        "收集日期": "2025-03-01",
        "渠道": "联络站接待",
        "站点": "甲一社区代表联络站",
        "代表": "张甲",
        "反映人": "赵六",
        "联系电话": "13900001234",
        "所在社区": "甲一社区",
        "地址": "甲一社区3栋",
        "标题": "楼道堆放杂物",
        "内容": "3栋楼道长期堆放杂物，存在消防隐患。",
        "类别": "",
    }
    defaults.update(values)
    return [defaults[title] for title in HEADER]


def upload(data: bytes, name="台账.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def run(world, data, by=None):
    return intake.opinions_import_ledger(
        by=by or world.staff, file=io.BytesIO(data), file_name="台账.xlsx", district=world.district
    )


def test_a_good_ledger_is_imported_with_one_received_event_per_row(world):
    category = f.CategoryFactory(
        name="物业管理", code="WY1", parent=f.CategoryFactory(name="民生保障", code="MS")
    )
    data = xlsx(
        HEADER,
        ledger_row(),
        ledger_row(
            收集日期=datetime.datetime(2025, 3, 2, 9, 30),
            渠道="半月谈",
            代表="",
            反映人="",
            联系电话="027-88886666",
            所在社区="甲二社区",
            标题="",
            内容="希望增加社区活动室开放时间。\n周末也开放。",
            类别="民生保障/物业管理",
        ),
        ledger_row(站点="", 代表="", 所在社区="乙一社区", 渠道="", 内容="乙一社区的路面破损。"),
    )
    result = run(world, data)
    assert result.succeeded, result.errors
    assert result.row_count == 3
    first, second, third = sorted(result.created, key=lambda o: o.pk)
    assert (first.station, first.deputy, first.place, first.street) == (
        world.station_a,
        world.dep_a,
        world.community_a,
        world.street_a,
    )
    assert first.channel == Channel.STATION_VISIT
    assert timezone.localdate(first.received_at) == datetime.date(2025, 3, 1)
    assert second.channel == Channel.EVENT
    assert second.subject == "希望增加社区活动室开放时间。"  # no title: the content's start
    assert second.category == category
    assert second.submitter_phone == "027-88886666"
    assert timezone.localdate(second.received_at) == datetime.date(2025, 3, 2)
    assert (third.station, third.street, third.channel) == (None, world.street_b, Channel.IMPORT)
    assert all(
        o.district == world.district and o.recorded_by == world.staff for o in result.created
    )
    assert all(o.search_text for o in result.created)
    events = Event.objects.filter(verb="received")
    assert events.count() == 3
    assert {e.data["row"] for e in events} == {2, 3, 4}
    assert all(e.actor == world.staff and e.to_state == "received" for e in events)


def test_every_bad_row_is_reported_and_nothing_is_written(world):
    data = xlsx(
        HEADER,
        ledger_row(),
        ledger_row(收集日期="三月一日"),
        ledger_row(内容=""),
        ledger_row(站点="不存在的联络站"),
        ledger_row(联系电话="12345"),
        ledger_row(渠道="飞鸽传书"),
        ledger_row(内容="长" * 5001),
        ledger_row(类别="没有的类别"),
        ledger_row(代表="不存在的代表"),
        ledger_row(收集日期=(timezone.localdate() + datetime.timedelta(days=3)).isoformat()),
        ledger_row(站点="", 所在社区=""),
    )
    result = run(world, data)
    assert not result.succeeded
    by_row = {(e["row"], e["column"]): e["message"] for e in result.errors}
    assert "无法识别的日期" in by_row[(3, "收集日期")]
    assert by_row[(4, "内容")] == "不能为空。"
    assert "找不到站点“不存在的联络站”" in by_row[(5, "站点")]
    assert "电话号码格式不对" in by_row[(6, "联系电话")]
    assert "无法识别“飞鸽传书”" in by_row[(7, "渠道")]
    assert "不能超过 5000 个字" in by_row[(8, "内容")]
    assert "找不到类别“没有的类别”" in by_row[(9, "类别")]
    assert "找不到代表“不存在的代表”" in by_row[(10, "代表")]
    assert "不能晚于今天" in by_row[(11, "收集日期")]
    assert "站点与所在社区至少填一项" in by_row[(12, "所在社区")]
    assert not Opinion.objects.exists()
    assert not Event.objects.exists()


def test_a_deputy_not_at_the_named_station_is_refused_and_nothing_is_written(world):
    """李乙 sits at 乙一社区代表联络站, not 甲一; the good row is not written either."""
    result = run(world, xlsx(HEADER, ledger_row(), ledger_row(代表="李乙")))
    assert not result.succeeded
    assert result.errors == [
        {
            "row": 3,
            "column": "代表",
            "value": "李乙",
            "message": "代表“李乙”在 2025-03-01 未编入站点“甲一社区代表联络站”，请核对代表或站点。",
        }
    ]
    assert not Opinion.objects.exists()
    assert not Event.objects.exists()


def test_the_assignment_on_the_rows_date_counts(world):
    """周丁 sat at 甲一 until 2025-02-28 and 吴戊 only from 2025-03-10: a row of 2025-02-20
    may name 周丁, one of 2025-03-01 neither, though 吴戊 sits there today."""
    left = f.DeputyFactory(district=world.district, name="周丁")
    joined = f.DeputyFactory(district=world.district, name="吴戊")
    f.StationAssignmentFactory(
        station=world.station_a,
        deputy=left,
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2025, 2, 28),
    )
    f.StationAssignmentFactory(
        station=world.station_a, deputy=joined, start_date=datetime.date(2025, 3, 10)
    )
    result = run(
        world,
        xlsx(
            HEADER,
            ledger_row(收集日期="2025-02-20", 代表="周丁", 内容="二月的意见。"),
            ledger_row(收集日期="2025-02-28", 代表="周丁", 内容="离站那天的意见。"),
            ledger_row(代表="周丁", 内容="离站以后的意见。"),
            ledger_row(代表="吴戊", 内容="进站以前的意见。"),
        ),
    )
    assert [(e["row"], e["value"]) for e in result.errors] == [(4, "周丁"), (5, "吴戊")]
    assert all("在 2025-03-01 未编入站点" in e["message"] for e in result.errors)
    assert not Opinion.objects.exists()
    result = run(world, xlsx(HEADER, ledger_row(收集日期="2025-02-20", 代表="周丁")))
    assert result.succeeded, result.errors
    assert result.created[0].deputy == left


def test_two_deputies_of_one_name_are_told_apart_by_the_station_on_the_rows_date(world):
    """A second 李乙 sat at 甲一 in the first half of 2025 (not today)."""
    namesake = f.DeputyFactory(district=world.district, name="李乙")
    f.StationAssignmentFactory(
        station=world.station_a,
        deputy=namesake,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2025, 6, 30),
    )
    result = run(world, xlsx(HEADER, ledger_row(代表="李乙")))
    assert result.succeeded, result.errors
    assert result.created[0].deputy == namesake


def test_a_liaisons_own_station_left_blank_still_needs_its_deputy(world):
    result = run(
        world, xlsx(HEADER, ledger_row(站点="", 所在社区="", 代表="李乙")), by=world.liaison
    )
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "代表")]
    assert "未编入站点“甲一社区代表联络站”" in result.errors[0]["message"]
    assert not Opinion.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        (b"PK\x03\x04 this is not really a zip", "文件已损坏"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Excel（.xls）"),
        ("收集日期,内容\n2025-03-01,路灯坏了\n".encode(), "CSV"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "无法识别的文件格式"),
    ],
)
def test_a_malformed_file_is_refused_whole_with_a_clear_message(world, data, message):
    result = run(world, data)
    assert not result.succeeded
    assert result.errors[0]["row"] is None
    assert message in result.errors[0]["message"]
    assert not Opinion.objects.exists()


def test_a_sheet_without_the_required_columns_is_refused(world):
    result = run(world, xlsx(["编号", "备注"], ["1", "x"]))
    assert "表头缺少必填列：“收集日期”、“内容”" in result.errors[0]["message"]
    assert not Opinion.objects.exists()


def test_the_same_ledger_twice_is_refused_the_second_time(world):
    data = xlsx(HEADER, ledger_row())
    assert run(world, data).succeeded
    again = run(world, data)
    assert not again.succeeded
    assert "可能已经导入过" in again.errors[0]["message"]
    assert Opinion.objects.count() == 1


def test_a_row_repeated_in_the_file_is_refused(world):
    result = run(world, xlsx(HEADER, ledger_row(), ledger_row()))
    assert "与第 2 行重复" in result.errors[0]["message"]
    assert not Opinion.objects.exists()


def test_a_liaison_imports_only_for_their_station_and_may_leave_it_blank(world):
    result = run(
        world,
        xlsx(
            HEADER,
            ledger_row(站点="", 所在社区="", 代表=""),
            ledger_row(站点="乙一社区代表联络站", 所在社区="乙一社区", 代表=""),
        ),
        by=world.liaison,
    )
    assert not result.succeeded
    assert result.errors == [
        {
            "row": 3,
            "column": "站点",
            "value": "乙一社区代表联络站",
            "message": "你无权为该站点录入意见。",
        }
    ]
    result = run(world, xlsx(HEADER, ledger_row(站点="", 所在社区="", 代表="")), by=world.liaison)
    assert result.succeeded
    assert result.created[0].station == world.station_a


@pytest.mark.parametrize("role", ["leader", "unit", "citizen", "far_staff", "other_street"])
def test_who_may_not_import_into_the_district(world, role):
    data = xlsx(HEADER, ledger_row())
    if role == "other_street":
        # A street committee may import, but only rows of its own street.
        result = run(world, data, by=world.users[role])
        assert "你无权为该站点录入意见" in result.errors[0]["message"]
    else:
        with pytest.raises(PermissionDenied):
            run(world, data, by=world.users[role])
    assert not Opinion.objects.exists()


def test_import_page_reports_errors_per_row_and_writes_nothing(client, world):
    client.force_login(world.staff)
    page = client.get(URL).content.decode()
    assert "收集日期" in page and "下载台账模板" in page
    response = client.post(
        URL,
        {
            "district": world.district.code,
            "file": upload(xlsx(HEADER, ledger_row(), ledger_row(内容=""))),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "文件有 1 处错误，没有导入任何数据" in page
    assert '<td class="text-nowrap">3</td>' in page
    assert not Opinion.objects.exists()


def test_import_page_imports_a_good_file(client, world):
    client.force_login(world.deputy)
    response = client.post(
        URL, {"district": world.district.code, "file": upload(xlsx(HEADER, ledger_row()))}
    )
    assert response.status_code == 200
    opinion = Opinion.objects.get()
    assert "导入成功" in response.content.decode()
    assert opinion.tracking_code in response.content.decode()
    assert opinion.recorded_by == world.deputy


def test_a_malformed_upload_on_the_page_gets_the_file_message(client, world):
    client.force_login(world.staff)
    response = client.post(
        URL, {"district": world.district.code, "file": upload(b"not a workbook at all")}
    )
    assert response.status_code == 400
    assert "不是 Excel 工作簿" in response.content.decode()
    assert not Opinion.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("leader", 403), ("unit", 403), ("citizen", 403), ("liaison", 200)]
)
def test_import_page_per_role(client, world, role, status):
    client.force_login(world.users[role])
    assert client.get(URL).status_code == status


def test_template_has_the_ledger_columns(client, world):
    client.force_login(world.liaison)
    response = client.get("/work/opinions/import/template.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [c.title for c in LEDGER_LAYOUT.columns]
    assert [c.value for c in sheet[1]] == HEADER


def test_template_filled_in_imports(world):
    """The downloaded template, filled in, is accepted as it is."""
    from zhitong.core.sheets.template import layout_workbook

    workbook = openpyxl.load_workbook(io.BytesIO(layout_workbook(LEDGER_LAYOUT)))
    workbook.worksheets[0].append(ledger_row())
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert run(world, buffer.getvalue()).succeeded


def test_a_large_ledger_is_imported_by_the_task_worker(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    from zhitong.core import spreadsheets
    from zhitong.core.models import Job

    monkeypatch.setattr(spreadsheets, "BACKGROUND_BYTES", 100)
    client.force_login(world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            {"district": world.district.code, "file": upload(xlsx(HEADER, ledger_row()))},
        )
    job = Job.objects.get(requested_by=world.staff)
    assert response.status_code == 302 and response["Location"] == f"/work/jobs/{job.pk}/"
    job.refresh_from_db()
    opinion = Opinion.objects.get()
    assert job.state == Job.State.DONE and not job.source
    assert job.result["created"] == [{"code": opinion.tracking_code, "subject": opinion.subject}]
    # The statistics are refreshed after the import, by a system job of their own.
    assert Job.objects.get(requested_by=None).kind == "dashboards.refresh"


def test_a_large_bad_ledger_reports_its_rows_on_the_jobs_page(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    from zhitong.core import spreadsheets
    from zhitong.core.models import Job

    monkeypatch.setattr(spreadsheets, "BACKGROUND_BYTES", 100)
    client.force_login(world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            URL,
            {
                "district": world.district.code,
                "file": upload(xlsx(HEADER, ledger_row(), ledger_row(内容=""))),
            },
        )
    job = Job.objects.get()
    assert job.state == Job.State.FAILED and not Opinion.objects.exists()
    page = client.get(f"/work/jobs/{job.pk}/").content.decode()
    assert "文件有 1 处错误" in page and "错误清单" in page


def test_the_category_example_in_the_help_is_one_the_import_accepts(client, world):
    """The help names one of the system's own categories (as the demo's taxonomy, where
    物业管理 is under 社会治理): copied into a ledger, the import accepts it."""
    import re

    f.CategoryFactory(
        name="物业管理", code="SZ01", parent=f.CategoryFactory(name="社会治理", code="SZ")
    )
    f.CategoryFactory(
        name="旧类别",
        code="AA01",
        parent=f.CategoryFactory(name="停用", code="AA"),
        is_active=False,
    )
    client.force_login(world.staff)
    page = client.get(URL).content.decode()
    example = re.search(r'<span id="category-example">如“([^”]+)”', page).group(1)
    assert example == "社会治理/物业管理"
    result = run(world, xlsx(HEADER, ledger_row(类别=example)))
    assert result.succeeded, result.errors
    assert Opinion.objects.get().category.name == "物业管理"
    # The template's instructions give the same example.
    response = client.get("/work/opinions/import/template.xlsx")
    notes = openpyxl.load_workbook(io.BytesIO(response.content))["填写说明"]
    examples = {row[0].value: row[3].value for row in notes.iter_rows(min_row=2) if row[0].value}
    assert examples["类别"] == example
