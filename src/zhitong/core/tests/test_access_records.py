"""Reads of personal data leave a trace: who opened a case, downloaded a photo, exported the
ledger or listed the queue, and when; readable by auditors and administrators only."""

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from zhitong.accounts.rules import AUDIT_GROUP
from zhitong.core.models import AccessRecord, AppendOnlyError
from zhitong.opinions.tests.lifecycle_world import build, new_opinion

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build()


def test_opening_a_case_exporting_and_listing_are_recorded(world, client):
    opinion = new_opinion(world, subject="楼道灯坏了")
    client.force_login(world.staff)
    assert client.get(f"/work/opinions/{opinion.pk}/").status_code == 200
    assert client.get("/work/opinions/export/?format=csv").status_code == 200
    assert client.get("/work/opinions/?q=楼道").status_code == 200
    records = list(AccessRecord.objects.order_by("id"))
    assert [r.action for r in records] == ["view", "export", "list"]
    view = records[0]
    assert view.actor == world.staff and view.actor_name == "王工作"
    assert view.object_id == str(opinion.pk) and opinion.tracking_code in view.detail
    assert "CSV" in records[1].detail
    assert records[0].address  # the client address


def test_a_case_that_is_not_found_leaves_no_record(world, client):
    opinion = new_opinion(world)
    client.force_login(world.other_unit)
    assert client.get(f"/work/opinions/{opinion.pk}/").status_code == 404
    assert not AccessRecord.objects.exists()


def test_records_cannot_be_changed_or_deleted(world, client):
    opinion = new_opinion(world)
    client.force_login(world.staff)
    client.get(f"/work/opinions/{opinion.pk}/")
    record = AccessRecord.objects.get()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        record.detail = "改过"
        record.save()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AccessRecord.objects.all().delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AccessRecord.objects.update(detail="x")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("staff", 403),
        ("leader", 403),
        ("street", 403),
        ("deputy", 403),
        ("liaison", 403),
        ("unit", 403),
        ("citizen", 403),
    ],
)
def test_only_auditors_and_administrators_read_the_records(world, client, role, status):
    client.force_login(world.users[role])
    assert client.get("/work/audit/").status_code == status


def test_an_auditor_reads_and_filters_the_records(world, client):
    opinion = new_opinion(world, subject="电梯停运")
    client.force_login(world.staff)
    client.get(f"/work/opinions/{opinion.pk}/")
    client.get("/work/opinions/export/")
    auditor = world.leader
    auditor.groups.add(Group.objects.get_or_create(name=AUDIT_GROUP)[0])
    client.force_login(auditor)
    page = client.get("/work/audit/").content.decode()
    assert "王工作" in page and opinion.tracking_code in page and "导出台账" in page
    only_exports = client.get("/work/audit/?action=export").content.decode()
    assert opinion.tracking_code not in only_exports and "导出台账" in only_exports
    by_code = client.get(f"/work/audit/?text={opinion.tracking_code}").content.decode()
    assert "电梯停运" in by_code
    assert client.get("/work/audit/?start=2026-02-01&end=2026-01-01").status_code == 400
    assert client.get("/work/audit/?action=nonsense").status_code == 400


def test_the_audit_page_is_keyset_paged_with_a_fixed_query_count(
    world, client, django_assert_max_num_queries
):
    opinion = new_opinion(world)
    client.force_login(world.staff)
    for _ in range(60):
        client.get(f"/work/opinions/{opinion.pk}/")
    client.force_login(world.admin)
    with django_assert_max_num_queries(8):
        first = client.get("/work/audit/")
    text = first.content.decode()
    assert "更早的记录" in text
    cursor = first.context["next_cursor"]
    second = client.get(f"/work/audit/?before={cursor}")
    assert len(second.context["rows"]) == 10
    assert "更早的记录" not in second.content.decode()


def test_downloading_a_file_of_a_case_is_recorded(world, client):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from zhitong.opinions import services

    opinion = new_opinion(world)
    services.opinion_accept(opinion=opinion, by=world.staff)
    referral = services.opinion_refer(
        opinion=opinion, by=world.staff, unit=world.housing, working_days=10
    )
    services.referral_accept(referral=referral, by=world.unit)
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "PNG")
    photo = SimpleUploadedFile("现场照片.png", buffer.getvalue(), content_type="image/png")
    reply = services.reply_submit(referral=referral, by=world.unit, text="已处理。", files=[photo])
    attachment = reply.attachments.get()
    client.force_login(world.staff)
    assert (
        client.get(f"/work/opinions/{opinion.pk}/attachments/{attachment.pk}/").status_code == 200
    )
    record = AccessRecord.objects.get(action="download")
    assert record.actor == world.staff and "现场照片.png" in record.detail
