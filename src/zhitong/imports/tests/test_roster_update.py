"""Updating the deputy roster (更新代表名册): the preview, applying exactly it, a second
identical upload changing nothing, bad files, staleness and who may do it."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhitong.accounts.models import Role
from zhitong.core.models import Event
from zhitong.deputies.models import Deputy, DeputyMembership, GroupMembership
from zhitong.imports.models import ImportKind, ImportStatus, PreviewStatus, RosterPreview
from zhitong.imports.services import (
    RosterPreviewRefused,
    import_structure,
    roster_preview_apply,
    roster_preview_cancel,
    roster_preview_create,
)
from zhitong.imports.verbs import RosterVerb
from zhitong.stations.models import StationAssignment
from zhitong.testing import factories as f

from .test_views import XLSX_TYPE, account
from .xlsx import DEPUTY_HEADER, deputy_row, xlsx

pytestmark = pytest.mark.django_db

HEADER = DEPUTY_HEADER + ["代表编码"]


def first_import(place, staff):
    """张红 (with 中南路社区代表联络站) and 李明, as a first import writes them."""
    data = xlsx(DEPUTY_HEADER, deputy_row(), deputy_row(name="李明", gender="男", birth="1968"))
    batch = import_structure(
        kind=ImportKind.DEPUTIES,
        file=io.BytesIO(data),
        file_name="首次.xlsx",
        region=place["district"],
        by=staff,
    )
    assert batch.status == ImportStatus.SUCCEEDED, batch.errors
    return Deputy.objects.get(name="张红"), Deputy.objects.get(name="李明")


def preview_of(data, place, by):
    return roster_preview_create(
        file=io.BytesIO(data), file_name="名册.xlsx", region=place["district"], by=by
    )


def by_row(preview):
    return {row["row"]: row for row in preview.rows}


def changed_fields(row):
    return {c["field"]: (c["old"], c["new"]) for c in row["changes"]}


def test_preview_lists_new_changed_unchanged_and_missing(place, staff):
    zhang, li = first_import(place, staff)
    other_station = f.StationFactory(region=place["other_community"], name="水果湖社区代表联络站")
    data = xlsx(
        HEADER,
        # 张红 by name and birth year: a new mobile, a new station, occupation kept by a blank.
        deputy_row(mobile="13900000009", station="水果湖社区代表联络站", occupation="") + [""],
        # A new deputy.
        deputy_row(name="王五", birth="1980", station="") + [""],
        # 李明 is left out; a third deputy by code, unchanged.
    )
    preview = preview_of(data, place, staff)

    assert preview.status == PreviewStatus.PENDING, preview.errors
    assert (preview.new_count, preview.changed_count, preview.unchanged_count) == (1, 1, 0)
    rows = by_row(preview)
    assert rows[2]["action"] == "changed"
    assert rows[2]["deputy"] == zhang.pk
    assert changed_fields(rows[2]) == {
        "mobile": ("13800000000", "13900000009"),
        "stations": ("中南路社区代表联络站", "水果湖社区代表联络站"),
    }
    assert rows[3]["action"] == "new"
    assert preview.missing == [{"id": li.pk, "code": li.public_code, "name": "李明"}]
    # Nothing is written by a preview.
    zhang.refresh_from_db()
    assert zhang.mobile == "13800000000"
    assert not Deputy.objects.filter(name="王五").exists()
    assert other_station.assignments.count() == 0


def test_apply_writes_exactly_the_preview_and_an_event_per_changed_deputy(place, staff):
    zhang, li = first_import(place, staff)
    f.StationFactory(region=place["other_community"], name="水果湖社区代表联络站")
    data = xlsx(
        HEADER,
        deputy_row(mobile="13900000009", station="水果湖社区代表联络站") + [""],
        # 李明 found by code, with a corrected name and a new seat in the city term.
        deputy_row(
            name="李明明",
            gender="男",
            birth="1968",
            levels="市人大代表、区人大代表",
            terms="16、17",
            constituency="武昌区；第5选区",
        )
        + [li.public_code.lower()],
        deputy_row(name="王五", birth="1980", station="") + [""],
    )
    preview = preview_of(data, place, staff)
    assert preview.changed_count == 2 and preview.new_count == 1, preview.errors
    seats_before = DeputyMembership.objects.count()

    batch = roster_preview_apply(preview=preview, by=staff)

    preview.refresh_from_db()
    assert preview.status == PreviewStatus.APPLIED and preview.batch == batch
    assert batch.created_count == 1 and batch.summary["updated"] == 2
    zhang.refresh_from_db()
    li.refresh_from_db()
    assert zhang.mobile == "13900000009"
    current = StationAssignment.objects.current().filter(deputy=zhang)
    assert [a.station.name for a in current] == ["水果湖社区代表联络站"]
    assert li.name == "李明明"
    assert {m.level for m in li.memberships.all()} == {"city", "district"}
    # One new seat for 李明, one for 王五.
    assert DeputyMembership.objects.count() == seats_before + 2
    assert Deputy.objects.filter(name="王五").exists()
    updated = Event.objects.filter(verb=RosterVerb.ROSTER_UPDATED)
    assert sorted(int(e.object_id) for e in updated) == sorted([zhang.pk, li.pk])
    li_event = updated.get(object_id=str(li.pk))
    assert {c["field"] for c in li_event.data["changes"]} == {"name", "seats"}


def test_a_second_identical_upload_changes_nothing(place, staff):
    zhang, li = first_import(place, staff)
    data = xlsx(
        HEADER,
        deputy_row(mobile="13900000009") + [""],
        deputy_row(name="李明", gender="男", birth="1968") + [li.public_code],
    )
    roster_preview_apply(preview=preview_of(data, place, staff), by=staff)
    events = Event.objects.count()
    updated = Event.objects.filter(verb=RosterVerb.ROSTER_UPDATED).count()

    again = preview_of(data, place, staff)
    assert (again.new_count, again.changed_count, again.unchanged_count) == (0, 0, 2)
    assert again.missing == []
    batch = roster_preview_apply(preview=again, by=staff)
    assert batch.created_count == 0 and batch.summary["updated"] == 0
    # The preview's, the apply's and the batch's own events; none per deputy.
    assert Event.objects.filter(verb=RosterVerb.ROSTER_UPDATED).count() == updated
    assert Event.objects.count() == events + 3


def test_apply_refuses_when_deputies_changed_after_the_preview(place, staff):
    zhang, _li = first_import(place, staff)
    preview = preview_of(xlsx(HEADER, deputy_row(mobile="13900000009") + [""]), place, staff)
    zhang.occupation = "另有人改过"
    zhang.save()

    with pytest.raises(RosterPreviewRefused, match="重新上传"):
        roster_preview_apply(preview=preview, by=staff)
    preview.refresh_from_db()
    assert preview.status == PreviewStatus.STALE
    zhang.refresh_from_db()
    assert zhang.mobile == "13800000000"
    with pytest.raises(RosterPreviewRefused):
        roster_preview_apply(preview=preview, by=staff)


def test_cancel_writes_nothing_and_cannot_be_applied(place, staff):
    zhang, _li = first_import(place, staff)
    preview = preview_of(xlsx(HEADER, deputy_row(mobile="13900000009") + [""]), place, staff)
    roster_preview_cancel(preview=preview, by=staff)
    preview.refresh_from_db()
    assert preview.status == PreviewStatus.CANCELLED
    with pytest.raises(RosterPreviewRefused):
        roster_preview_apply(preview=preview, by=staff)
    zhang.refresh_from_db()
    assert zhang.mobile == "13800000000"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([deputy_row() + ["DZZZZZZZ"]], "没有编码为 DZZZZZZZ 的代表"),
        ([deputy_row() + [""], deputy_row(mobile="13900000001") + [""]], "重复"),
        ([deputy_row(gender="未知") + [""]], "只能填：男、女"),
    ],
)
def test_bad_rows_are_refused_with_a_helpful_message(place, staff, rows, message):
    first_import(place, staff)
    preview = preview_of(xlsx(HEADER, *rows), place, staff)
    assert preview.status == PreviewStatus.REJECTED
    assert preview.rows == []
    assert any(message in e["message"] for e in preview.errors), preview.errors
    with pytest.raises(RosterPreviewRefused):
        roster_preview_apply(preview=preview, by=staff)


def test_namesakes_without_a_code_ask_for_it(place, staff):
    first_import(place, staff)
    f.DeputyFactory(district=place["district"], name="张红", birth_year=1975)
    preview = preview_of(xlsx(HEADER, deputy_row() + [""]), place, staff)
    assert preview.status == PreviewStatus.REJECTED
    assert "代表编码" in preview.errors[0]["message"]


def test_not_a_spreadsheet_is_refused(place, staff):
    preview = preview_of(b"not an xlsx at all", place, staff)
    assert preview.status == PreviewStatus.REJECTED
    assert preview.errors[0]["row"] is None


def test_a_code_in_a_first_import_is_refused(place, staff):
    batch = import_structure(
        kind=ImportKind.DEPUTIES,
        file=io.BytesIO(xlsx(HEADER, deputy_row() + ["D2345678"])),
        file_name="x.xlsx",
        region=place["district"],
        by=staff,
    )
    assert batch.status == ImportStatus.REJECTED
    assert "更新代表名册" in batch.errors[0]["message"]


def test_groups_are_changed_only_where_the_cell_is_filled(place, staff):
    zhang, _li = first_import(place, staff)
    other = f.DeputyGroupFactory(region=place["district"], name="教育专业代表小组")
    GroupMembership.objects.create(group=place["group"], deputy=zhang, start_date="2020-01-01")
    preview = preview_of(xlsx(HEADER + ["代表小组"], deputy_row() + ["", ""]), place, staff)
    assert preview.unchanged_count == 1
    preview = preview_of(
        xlsx(HEADER + ["代表小组"], deputy_row() + ["", "教育专业代表小组"]), place, staff
    )
    assert changed_fields(preview.rows[0]) == {
        "groups": ("城建环保专业代表小组", "教育专业代表小组")
    }
    roster_preview_apply(preview=preview, by=staff)
    current = GroupMembership.objects.filter(deputy=zhang, end_date__isnull=True)
    assert [m.group for m in current] == [other]


# --- pages and permissions ----------------------------------------------------------------


def test_pages_preview_then_apply(client, place, staff):
    zhang, _li = first_import(place, staff)
    client.force_login(staff)
    response = client.post(
        reverse("imports:roster"),
        {
            "region": place["district"].pk,
            "file": SimpleUploadedFile(
                "名册.xlsx", xlsx(HEADER, deputy_row(mobile="13900000009") + [""]), XLSX_TYPE
            ),
        },
    )
    preview = RosterPreview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:roster_preview", args=[preview.pk])
    page = client.get(response["Location"]).content.decode()
    assert "13800000000 → 13900000009" in page
    assert "确认更新" in page
    response = client.post(reverse("imports:roster_apply", args=[preview.pk]))
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.mobile == "13900000009"
    # Applied once only.
    client.post(reverse("imports:roster_apply", args=[preview.pk]))
    assert RosterPreview.objects.get().batch is not None
    assert Event.objects.filter(verb=RosterVerb.ROSTER_UPDATED).count() == 1


def test_the_upload_form_refuses_a_missing_file(client, place, staff):
    client.force_login(staff)
    response = client.post(reverse("imports:roster"), {"region": place["district"].pk})
    assert response.status_code == 400
    assert RosterPreview.objects.count() == 0


@pytest.mark.parametrize(
    "role", [Role.LEADER, Role.STREET, Role.LIAISON, Role.DEPUTY, Role.UNIT, Role.CITIZEN]
)
def test_other_roles_cannot_preview_or_apply(client, place, staff, role):
    first_import(place, staff)
    preview = preview_of(xlsx(HEADER, deputy_row(mobile="13900000009") + [""]), place, staff)
    user = account(role, place["district"])
    client.force_login(user)
    assert client.get(reverse("imports:roster")).status_code == 403
    assert client.get(reverse("imports:roster_preview", args=[preview.pk])).status_code == 403
    assert client.post(reverse("imports:roster_apply", args=[preview.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        roster_preview_apply(preview=preview, by=user)
    preview.refresh_from_db()
    assert preview.status == PreviewStatus.PENDING


def test_staff_of_another_district_do_not_find_the_preview(client, place, staff, far_district):
    first_import(place, staff)
    preview = preview_of(xlsx(HEADER, deputy_row(mobile="13900000009") + [""]), place, staff)
    other = account(Role.STAFF, far_district)
    client.force_login(other)
    assert client.get(reverse("imports:roster_preview", args=[preview.pk])).status_code == 404
    assert client.post(reverse("imports:roster_apply", args=[preview.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        roster_preview_apply(preview=preview, by=other)
