"""The import pages: who may open them, uploading through the form, history and results."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhitong.accounts.models import Role
from zhitong.deputies.models import Deputy
from zhitong.imports.models import ImportBatch, ImportKind, ImportStatus
from zhitong.imports.services import import_structure
from zhitong.testing import factories as f

from .xlsx import DEPUTY_HEADER, deputy_row, xlsx

pytestmark = pytest.mark.django_db

LIST_URL = reverse("imports:list")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def account(role, district, **extra):
    if role == Role.UNIT:
        extra.setdefault("unit", f.HandlingUnitFactory(region=district))
    elif role in (Role.ADMIN, Role.STAFF, Role.LEADER, Role.STREET):
        extra.setdefault("region", district)
    return f.UserFactory(role=role, **extra)


def upload(client, place, data, *, kind=ImportKind.DEPUTIES, name="代表名册.xlsx", region=None):
    return client.post(
        LIST_URL,
        {
            "kind": kind,
            "region": (region or place["district"]).pk,
            "file": SimpleUploadedFile(name, data, content_type=XLSX_TYPE),
        },
    )


@pytest.mark.parametrize("role", [Role.ADMIN, Role.STAFF])
def test_admin_and_staff_may_open_the_import_page(client, place, role):
    client.force_login(account(role, place["district"]))
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert "上传文件" in response.text
    assert "还没有导入记录" in response.text


@pytest.mark.parametrize(
    "role",
    [Role.LEADER, Role.STREET, Role.LIAISON, Role.DEPUTY, Role.UNIT, Role.CITIZEN, Role.ENTERPRISE],
)
def test_other_roles_are_refused(client, place, role):
    user = account(role, place["district"])
    client.force_login(user)
    batch = import_structure(
        kind=ImportKind.DEPUTIES,
        file=io.BytesIO(b""),
        file_name="x.xlsx",
        region=place["district"],
        by=account(Role.STAFF, place["district"]),
    )
    assert client.get(LIST_URL).status_code == 403
    assert upload(client, place, xlsx(DEPUTY_HEADER, deputy_row())).status_code == 403
    assert client.get(reverse("imports:detail", args=[batch.pk])).status_code == 403
    assert client.get(reverse("imports:template", args=["deputies"])).status_code == 403
    assert not Deputy.objects.exists()


def test_anonymous_is_sent_to_login(client, place):
    for url in (LIST_URL, reverse("imports:template", args=["units"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    response = upload(client, place, xlsx(DEPUTY_HEADER, deputy_row()))
    assert response.status_code == 302
    assert not ImportBatch.objects.exists()


def test_a_deactivated_staff_account_is_refused(client, place):
    user = account(Role.STAFF, place["district"], is_active=False)
    client.force_login(user)
    assert client.get(LIST_URL).status_code in (302, 403)


def test_good_upload_through_the_page_writes_and_shows_counts(client, place, staff):
    client.force_login(staff)
    response = upload(client, place, xlsx(DEPUTY_HEADER, deputy_row(), deputy_row(name="李明")))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("imports:detail", args=[batch.pk])
    assert batch.status == ImportStatus.SUCCEEDED
    assert Deputy.objects.count() == 2
    page = client.get(response.url)
    assert "导入成功：新增人大代表 2 条。" in page.text
    assert "进站安排：2 条" in page.text


def test_bad_upload_through_the_page_shows_the_error_table_and_writes_nothing(
    client, place, staff, counts
):
    client.force_login(staff)
    before = counts()
    data = xlsx(DEPUTY_HEADER, deputy_row(), deputy_row(name="李明", gender="未知"))
    response = upload(client, place, data, name="错误名册.xlsx")
    assert counts() == before
    page = client.get(response.url)
    assert page.status_code == 200
    assert "文件有 1 处错误，没有导入任何数据" in page.text
    assert '<td class="text-nowrap">3</td>' in page.text
    assert "无法识别“未知”，只能填：男、女。" in page.text


def test_a_renamed_csv_uploaded_through_the_page_is_explained(client, place, staff, counts):
    client.force_login(staff)
    before = counts()
    response = upload(client, place, "姓名,性别\n张红,女\n".encode("gbk"), name="名册.csv")
    page = client.get(response.url)
    assert "GBK/GB18030 编码" in page.text
    assert "整个文件" in page.text
    assert counts() == before


def test_upload_without_a_file_shows_the_form_again(client, place, staff):
    client.force_login(staff)
    response = client.post(LIST_URL, {"kind": "deputies", "region": place["district"].pk})
    assert response.status_code == 400
    assert "这个字段是必填项。" in response.text
    assert not ImportBatch.objects.exists()


def test_staff_cannot_import_into_another_district(client, place, staff, far_district, counts):
    from django.core.exceptions import PermissionDenied

    before = counts()
    with pytest.raises(PermissionDenied):
        import_structure(
            kind=ImportKind.UNITS,
            file=io.BytesIO(xlsx(["单位名称", "单位类型"], ["江岸区教育局", "区政府部门"])),
            file_name="units.xlsx",
            region=far_district,
            by=staff,
        )
    client.force_login(staff)
    response = upload(client, place, xlsx(DEPUTY_HEADER, deputy_row()), region=far_district)
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.text
    assert "江岸区" not in response.text.split("<select")[2].split("</select>")[0]
    assert counts() == before
    assert not ImportBatch.objects.exists()


def test_history_lists_only_batches_in_the_users_scope(client, place, staff, far_district):
    far_staff = account(Role.STAFF, far_district, username="far-staff")
    mine = import_structure(
        kind=ImportKind.DEPUTIES,
        file=io.BytesIO(b"junk"),
        file_name="本区名册.xlsx",
        region=place["district"],
        by=staff,
    )
    theirs = import_structure(
        kind=ImportKind.DEPUTIES,
        file=io.BytesIO(b"junk"),
        file_name="江岸名册.xlsx",
        region=far_district,
        by=far_staff,
    )
    client.force_login(staff)
    page = client.get(LIST_URL).text
    assert "本区名册.xlsx" in page
    assert "江岸名册.xlsx" not in page
    assert client.get(reverse("imports:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("imports:detail", args=[theirs.pk])).status_code == 404


def test_history_is_paginated_with_a_fixed_number_of_queries(
    client, place, staff, django_assert_max_num_queries
):
    def add_batches(n):
        for i in range(n):
            ImportBatch.objects.create(
                kind=ImportKind.UNITS,
                file_name=f"file{i}.xlsx",
                uploaded_by=f.UserFactory(role=Role.STAFF, region=place["district"]),
                region=place["district"],
                status=ImportStatus.REJECTED,
            )

    client.force_login(staff)
    add_batches(3)
    with django_assert_max_num_queries(12):
        assert client.get(LIST_URL).status_code == 200
    add_batches(30)
    with django_assert_max_num_queries(12):
        response = client.get(LIST_URL)
    assert response.text.count("file") >= 20
    assert "第 1 / 2 页" in response.text
    assert "第 2 / 2 页" in client.get(LIST_URL + "?page=2").text


@pytest.mark.parametrize("kind", ["deputies", "stations", "units"])
def test_template_download_is_a_workbook_the_importer_accepts(client, place, staff, kind):
    client.force_login(staff)
    response = client.get(reverse("imports:template", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[1] == "填写说明"
    # The blank template is refused only for having no data rows: its header is right.
    batch = import_structure(
        kind=kind,
        file=io.BytesIO(response.content),
        file_name="模板.xlsx",
        region=place["district"],
        by=staff,
    )
    assert batch.errors[0]["message"] == "表格只有表头，没有数据行。"


def test_filled_in_deputy_template_imports(client, place, staff):
    client.force_login(staff)
    content = client.get(reverse("imports:template", args=["deputies"])).content
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    values = dict(zip(DEPUTY_HEADER, deputy_row(), strict=True))
    values["出生年月"] = "1975.03"
    for column, title in enumerate(header, start=1):
        sheet.cell(row=2, column=column, value=values.get(title, ""))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, place, buffer.getvalue())
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.SUCCEEDED, batch.errors
    assert response.status_code == 302


def test_unknown_template_kind_is_404(client, staff):
    client.force_login(staff)
    assert client.get(reverse("imports:template", args=["opinions"])).status_code == 404


def test_a_large_file_is_imported_by_the_task_worker_with_its_progress(
    client, place, staff, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from zhitong.core import spreadsheets
    from zhitong.core.models import Job

    monkeypatch.setattr(spreadsheets, "BACKGROUND_BYTES", 100)  # every test file is "large"
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, place, xlsx(DEPUTY_HEADER, deputy_row(), deputy_row(name="李明")))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/work/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.state == Job.State.DONE and (job.done, job.total) == (3, 3)
    assert not job.source and not default_storage.exists("jobs/sources/import.xlsx")
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.SUCCEEDED and Deputy.objects.count() == 2
    page = client.get(f"/work/jobs/{job.pk}/").content.decode()
    assert "导入成功：新增" in page and reverse("imports:detail", args=[batch.pk]) in page


def test_a_large_bad_file_fails_its_job_with_the_batch_report_and_writes_nothing(
    client, place, staff, monkeypatch, django_capture_on_commit_callbacks
):
    from zhitong.core import spreadsheets
    from zhitong.core.models import Job

    monkeypatch.setattr(spreadsheets, "BACKGROUND_BYTES", 100)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, place, xlsx(DEPUTY_HEADER, deputy_row(name="")))
    job = Job.objects.get()
    assert job.state == Job.State.FAILED and "没有导入任何数据" in job.error
    assert not Deputy.objects.exists()
    page = client.get(f"/work/jobs/{job.pk}/").content.decode()
    assert reverse("imports:detail", args=[ImportBatch.objects.get().pk]) in page
