"""Importing structure files (导入): check everything first, then write all rows in one transaction."""

import secrets
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhitong.accounts.models import Role, User
from zhitong.accounts.verbs import AccountVerb
from zhitong.core.events import EventRow, event_record, events_record_bulk
from zhitong.core.sheets.layout import MAX_FILE_BYTES, MAX_STORED_ERRORS
from zhitong.core.sheets.reader import FileRejected, Issue, read_sheet
from zhitong.deputies.models import (
    Deputy,
    DeputyMembership,
    GroupMembership,
    GroupRole,
    MembershipStatus,
)
from zhitong.imports.verbs import ImportVerb, RosterVerb
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations.directory import form_stations_changed
from zhitong.stations.models import Station, StationAssignment
from zhitong.units.models import HandlingUnit

from .layouts import LAYOUTS
from .models import ImportBatch, ImportKind, ImportStatus, PreviewStatus, RosterPreview
from .roster import CHANGED, NEW, apply_changes, district_fingerprint, roster_diff
from .rows import PARSERS, DeputyPlan, Scope, SeatPlan, StationPlan, UnitPlan
from .rules import can_import

# Public codes go on QR codes and are read aloud on the phone: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 7
BULK_SIZE = 500


def new_public_codes(model, prefix: str, count: int) -> list[str]:
    """`count` fresh random codes like "D7K3QX9M" not used by `model`; 31^7 keeps clashes rare."""
    codes: set[str] = set()
    while len(codes) < count:
        wanted = count - len(codes)
        batch = {
            prefix + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            for _ in range(wanted)
        }
        batch -= codes
        taken = set(
            model.objects.filter(public_code__in=batch).values_list("public_code", flat=True)
        )
        codes |= batch - taken
    return list(codes)


def import_structure(
    *, kind: str, file, file_name: str, region: Region, by, progress=None
) -> ImportBatch:
    """Import one .xlsx file of `kind` into the district `region`, acting as `by`.

    Every row is checked before anything is written. A file with any problem is
    rejected whole: its batch is kept with the error report and no deputy,
    station, unit, membership or assignment is written. A good file is written in
    one transaction together with its batch and events.
    """
    if kind not in LAYOUTS:
        raise ValidationError(_("未知的导入类型。"))
    if not can_import(by, region):
        raise PermissionDenied(_("你没有向“%(region)s”导入数据的权限。") % {"region": region.name})
    if region.level != RegionLevel.DISTRICT:
        raise ValidationError(_("导入区划须是一个区。"))

    progress = progress or _no_progress
    # One byte past the limit is enough to know the file is too large.
    data = file.read(MAX_FILE_BYTES + 1)
    file_size = getattr(file, "size", None) or len(data)
    sheet = None
    issues: list[Issue] = []
    progress(0, 3, _("读取文件"))
    try:
        sheet = read_sheet(data, LAYOUTS[kind])
    except FileRejected as rejected:
        issues = [rejected.issue]
    progress(1, 3, _("检查每一行"))

    with transaction.atomic():
        # Imports into one district take turns, so two uploads of the same list cannot
        # both pass the duplicate check.
        Region.objects.select_for_update().filter(pk=region.pk).exists()
        plans: list = []
        if sheet is not None:
            plans, issues = PARSERS[kind](sheet, Scope.load(region))
        batch = ImportBatch.objects.create(
            kind=kind,
            file_name=file_name[:255],
            file_size=file_size,
            uploaded_by=by,
            region=region,
            status=ImportStatus.REJECTED if issues else ImportStatus.SUCCEEDED,
            row_count=len(sheet.rows) if sheet is not None else 0,
        )
        if issues:
            return _reject(batch, issues, by=by)
        progress(2, 3, _("写入"))
        writers: dict[str, Callable[..., dict]] = {
            ImportKind.DEPUTIES: _write_deputies,
            ImportKind.STATIONS: _write_stations,
            ImportKind.UNITS: _write_units,
        }
        writer = writers[kind]
        summary = writer(batch, plans, by=by)
        batch.created_count = len(plans)
        batch.summary = summary
        batch.save(update_fields=["created_count", "summary"])
        event_record(
            actor=by,
            subject=batch,
            verb=ImportVerb.IMPORT_SUCCEEDED,
            to_state=ImportStatus.SUCCEEDED,
            note=_("导入%(noun)s %(count)d 条（文件 %(file)s）")
            % {"noun": batch.record_noun, "count": len(plans), "file": batch.file_name},
            data={"kind": kind, "created": len(plans), **summary},
            district_code=region.district_code,
        )
    return batch


def _no_progress(done, total, step=None) -> None:
    """Progress goes nowhere when the import runs in the request."""


def _reject(batch: ImportBatch, issues: list[Issue], *, by) -> ImportBatch:
    ordered = sorted(issues, key=lambda i: (i.row is not None, i.row or 0))
    batch.errors = [issue.as_dict() for issue in ordered[:MAX_STORED_ERRORS]]
    batch.error_count = len(issues)
    batch.save(update_fields=["errors", "error_count"])
    event_record(
        actor=by,
        subject=batch,
        verb=ImportVerb.IMPORT_REJECTED,
        to_state=ImportStatus.REJECTED,
        note=_("文件 %(file)s 有 %(count)d 处错误，未导入任何数据")
        % {"file": batch.file_name, "count": len(issues)},
        data={"kind": batch.kind, "errors": len(issues)},
        district_code=batch.region.district_code,
    )
    return batch


def _record_created(objects, batch: ImportBatch, rows: list[int], *, by) -> None:
    """One "imported" event per created record, so each record's timeline starts with its import.

    Written in bulk (core.events.events_record_bulk): one INSERT per event made a
    5,000-row file take seconds longer.
    """
    if not objects:
        return
    note = _("由导入批次 #%(batch)d 创建") % {"batch": batch.pk}
    events_record_bulk(
        (
            EventRow(
                subject=obj,
                actor=by,
                verb=ImportVerb.IMPORTED,
                note=note,
                data={"import_batch": batch.pk, "row": row},
                district_code=batch.region.district_code,
            )
            for obj, row in zip(objects, rows, strict=True)
        ),
        batch_size=BULK_SIZE,
    )


def _write_deputies(batch: ImportBatch, plans: list[DeputyPlan], *, by) -> dict:
    today = timezone.localdate()
    codes = new_public_codes(Deputy, "D", len(plans))
    deputies = Deputy.objects.bulk_create(
        [
            Deputy(
                name=plan.name,
                gender=plan.gender,
                ethnicity=plan.ethnicity or "汉族",
                birth_year=plan.birth_year,
                party=plan.party,
                occupation=plan.occupation,
                mobile=plan.mobile,
                id_number_tail=plan.id_tail,
                district=batch.region,
                public_code=code,
            )
            for plan, code in zip(plans, codes, strict=True)
        ],
        batch_size=BULK_SIZE,
    )
    memberships = [
        DeputyMembership(
            deputy=deputy,
            term=seat.term,
            level=seat.level,
            constituency=seat.constituency,
            # The seat is held from the start of the term; the file does not say otherwise.
            start_date=seat.term.start_date,
            end_date=seat.term.end_date,
            status=MembershipStatus.SERVING,
        )
        for deputy, plan in zip(deputies, plans, strict=True)
        for seat in plan.seats
    ]
    DeputyMembership.objects.bulk_create(memberships, batch_size=BULK_SIZE)
    # The file says where a deputy is now, not since when: dated from the import.
    assignments = [
        StationAssignment(station=plan.station, deputy=deputy, start_date=today)
        for deputy, plan in zip(deputies, plans, strict=True)
        if plan.station is not None
    ]
    StationAssignment.objects.bulk_create(assignments, batch_size=BULK_SIZE)
    group_memberships = [
        GroupMembership(group=group, deputy=deputy, role=GroupRole.MEMBER, start_date=today)
        for deputy, plan in zip(deputies, plans, strict=True)
        for group in plan.groups
    ]
    GroupMembership.objects.bulk_create(group_memberships, batch_size=BULK_SIZE)
    _record_created(deputies, batch, [p.row for p in plans], by=by)
    return {
        "memberships": len(memberships),
        "station_assignments": len(assignments),
        "group_memberships": len(group_memberships),
    }


def _write_stations(batch: ImportBatch, plans: list[StationPlan], *, by) -> dict:
    codes = new_public_codes(Station, "S", len(plans))
    # bulk_create sends no save signals: the opinion form's kept stations are told here,
    # once the new stations are visible to other processes.
    transaction.on_commit(form_stations_changed)
    stations = Station.objects.bulk_create(
        [
            # bulk_create skips Station.save(), so the street is set here as save() would.
            Station(
                name=plan.name,
                kind=plan.kind,
                region=plan.region,
                street=plan.street,
                address=plan.address,
                opening_hours=plan.opening_hours,
                public_phone=plan.phone,
                public_code=code,
            )
            for plan, code in zip(plans, codes, strict=True)
        ],
        batch_size=BULK_SIZE,
    )
    Link = Station.linked_communities.through
    links = [
        Link(station_id=station.pk, region_id=community.pk)
        for station, plan in zip(stations, plans, strict=True)
        for community in plan.linked
    ]
    Link.objects.bulk_create(links, batch_size=BULK_SIZE)
    _record_created(stations, batch, [p.row for p in plans], by=by)
    summary = {"linked_communities": len(links)}
    liaisons = _liaison_accounts(batch, stations, plans, by=by)
    if liaisons:
        summary["liaison_accounts"] = liaisons
    return summary


def _liaison_accounts(batch: ImportBatch, stations, plans: list[StationPlan], *, by) -> int:
    """The liaison (联络员) named on a station's row gets an account with the station: no
    password yet, so that the first sign-in is by invitation (imports.people, 全进网)."""
    named = [(s, p) for s, p in zip(stations, plans, strict=True) if p.liaison]
    if not named:
        return 0
    wanted = [f"liaison-{station.public_code.lower()}" for station, _plan in named]
    taken = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    users = []
    for (_station, plan), username in zip(named, wanted, strict=True):
        if username in taken:  # made by hand before: never two accounts of one name
            username = f"{username}-{secrets.token_hex(2)}"
        user = User(
            username=username,
            role=Role.LIAISON,
            display_name=plan.liaison,
            phone=plan.liaison_mobile,
        )
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users, batch_size=BULK_SIZE)
    Keeps = Station.liaisons.through
    Keeps.objects.bulk_create(
        [Keeps(station_id=s.pk, user_id=u.pk) for (s, _p), u in zip(named, users, strict=True)],
        batch_size=BULK_SIZE,
    )
    events_record_bulk(
        (
            EventRow(
                subject=user,
                actor=by,
                verb=AccountVerb.ACCOUNT_CREATED,
                to_state=Role.LIAISON,
                note=_("按站点名册开通联络员账号 %(username)s") % {"username": user.username},
                data={"import_batch": batch.pk, "row": plan.row, "station": station.pk},
                district_code=batch.region.district_code,
            )
            for (station, plan), user in zip(named, users, strict=True)
        ),
        batch_size=BULK_SIZE,
    )
    return len(users)


def _write_units(batch: ImportBatch, plans: list[UnitPlan], *, by) -> dict:
    units = HandlingUnit.objects.bulk_create(
        [
            HandlingUnit(
                name=plan.name,
                short_name=plan.short_name,
                kind=plan.kind,
                region=plan.region,
                contact_person=plan.contact_person,
                contact_phone=plan.contact_phone,
            )
            for plan in plans
        ],
        batch_size=BULK_SIZE,
    )
    _record_created(units, batch, [p.row for p in plans], by=by)
    return {}


# --- updating the deputy roster (更新代表名册) ------------------------------------------


class RosterPreviewRefused(Exception):
    """The preview cannot be applied (any more); the message says why, in Chinese."""


def _check_district(by, region: Region) -> None:
    if not can_import(by, region):
        raise PermissionDenied(_("你没有向“%(region)s”导入数据的权限。") % {"region": region.name})
    if region.level != RegionLevel.DISTRICT:
        raise ValidationError(_("导入区划须是一个区。"))


def roster_preview_create(*, file, file_name: str, region: Region, by) -> RosterPreview:
    """Read an uploaded deputy roster and store what applying it would change.

    Nothing of the roster is written: the preview keeps each row's result (new,
    changed with each field's old and new value, unchanged) or the file's errors, the
    serving deputies it leaves out, and a fingerprint of the district's deputies.
    Bounded as the first import is (file size, rows, cells, time: core.sheets).
    """
    _check_district(by, region)
    data = file.read(MAX_FILE_BYTES + 1)
    file_size = getattr(file, "size", None) or len(data)
    sheet = None
    issues: list[Issue] = []
    try:
        sheet = read_sheet(data, LAYOUTS[ImportKind.DEPUTIES])
    except FileRejected as rejected:
        issues = [rejected.issue]
    rows: list[dict] = []
    missing: list[dict] = []
    fingerprint = ""
    if sheet is not None:
        diff = roster_diff(sheet, region)
        issues, rows, missing, fingerprint = diff.issues, diff.rows, diff.missing, diff.fingerprint
    ordered = sorted(issues, key=lambda i: (i.row is not None, i.row or 0))
    with transaction.atomic():
        preview = RosterPreview.objects.create(
            file_name=file_name[:255],
            file_size=file_size,
            uploaded_by=by,
            region=region,
            status=PreviewStatus.REJECTED if issues else PreviewStatus.PENDING,
            row_count=len(sheet.rows) if sheet is not None else 0,
            new_count=sum(1 for r in rows if r["action"] == NEW),
            changed_count=sum(1 for r in rows if r["action"] == CHANGED),
            unchanged_count=sum(1 for r in rows if r["action"] not in (NEW, CHANGED)),
            error_count=len(issues),
            # A file with errors is not applied: its rows are not kept, only the report.
            rows=[] if issues else rows,
            errors=[issue.as_dict() for issue in ordered[:MAX_STORED_ERRORS]],
            missing=missing,
            fingerprint=fingerprint,
        )
        event_record(
            actor=by,
            subject=preview,
            verb=RosterVerb.ROSTER_PREVIEWED,
            to_state=preview.status,
            note=_(
                "文件 %(file)s：新增 %(new)d、有变化 %(changed)d、无变化 %(same)d、错误 %(errors)d"
            )
            % {
                "file": preview.file_name,
                "new": preview.new_count,
                "changed": preview.changed_count,
                "same": preview.unchanged_count,
                "errors": preview.error_count,
            },
            district_code=region.district_code,
        )
    return preview


def roster_preview_cancel(*, preview: RosterPreview, by) -> RosterPreview:
    """Drop a pending preview; nothing of it is written."""
    _check_district(by, preview.region)
    with transaction.atomic():
        preview = RosterPreview.objects.select_for_update().get(pk=preview.pk)
        if not preview.pending:
            raise RosterPreviewRefused(
                _("这份预览已是“%(status)s”状态，不能取消。")
                % {"status": preview.get_status_display()}
            )
        _end_preview(preview, PreviewStatus.CANCELLED, by=by)
    return preview


def _end_preview(preview: RosterPreview, status: str, *, by, note: str = "") -> None:
    """A pending preview that will not be applied: cancelled, or stale (its event says why)."""
    preview.status = status
    preview.decided_at = timezone.now()
    preview.save(update_fields=["status", "decided_at"])
    event_record(
        actor=by,
        subject=preview,
        verb=RosterVerb.ROSTER_CANCELLED,
        from_state=PreviewStatus.PENDING,
        to_state=status,
        note=note,
        district_code=preview.region.district_code,
    )


def roster_preview_apply(*, preview: RosterPreview, by) -> ImportBatch:
    """Write exactly what `preview` showed: its new deputies and its changed rows.

    Refused (RosterPreviewRefused) when the preview is not pending, or when the
    district's deputies are no longer as the preview read them; the preview is then
    marked stale and the roster must be uploaded again for a fresh preview.
    """
    region = preview.region
    _check_district(by, region)
    with transaction.atomic():
        # Imports into one district take turns (as import_structure's).
        Region.objects.select_for_update().filter(pk=region.pk).exists()
        preview = RosterPreview.objects.select_for_update().get(pk=preview.pk)
        if not preview.pending:
            raise RosterPreviewRefused(
                _("这份预览已是“%(status)s”状态，不能再更新。")
                % {"status": preview.get_status_display()}
            )
        if district_fingerprint(region) != preview.fingerprint:
            _end_preview(
                preview, PreviewStatus.STALE, by=by, note=_("预览之后代表数据有变动，未更新")
            )
            stale = True
        else:
            stale = False
            batch = _apply_preview(preview, by=by)
    if stale:
        raise RosterPreviewRefused(
            _(
                "预览之后，本区的代表数据已有变动（有人修改或导入了代表），这份预览已作废。"
                "请重新上传名册，查看新的预览后再确认。"
            )
        )
    return batch


def _apply_preview(preview: RosterPreview, *, by) -> ImportBatch:
    """Write the stored rows (the caller holds the locks and has checked the fingerprint)."""
    region = preview.region
    new_rows = [r for r in preview.rows if r["action"] == NEW]
    changed_rows = [r for r in preview.rows if r["action"] == CHANGED]
    batch = ImportBatch.objects.create(
        kind=ImportKind.DEPUTIES,
        file_name=preview.file_name,
        file_size=preview.file_size,
        uploaded_by=by,
        region=region,
        status=ImportStatus.SUCCEEDED,
        row_count=preview.row_count,
        created_count=len(new_rows),
    )
    summary = _write_deputies(batch, _plans_from_rows(new_rows), by=by) if new_rows else {}
    _update_deputies(batch, changed_rows, by=by)
    summary = {**summary, "updated": len(changed_rows), "roster_preview": preview.pk}
    batch.summary = summary
    batch.save(update_fields=["summary"])
    preview.status = PreviewStatus.APPLIED
    preview.batch = batch
    preview.decided_at = timezone.now()
    preview.save(update_fields=["status", "batch", "decided_at"])
    event_record(
        actor=by,
        subject=preview,
        verb=RosterVerb.ROSTER_APPLIED,
        from_state=PreviewStatus.PENDING,
        to_state=PreviewStatus.APPLIED,
        data={"batch": batch.pk, "created": len(new_rows), "updated": len(changed_rows)},
        district_code=region.district_code,
    )
    event_record(
        actor=by,
        subject=batch,
        verb=ImportVerb.IMPORT_SUCCEEDED,
        to_state=ImportStatus.SUCCEEDED,
        note=_("按名册新增代表 %(new)d 名，更新 %(changed)d 名（文件 %(file)s）")
        % {"new": len(new_rows), "changed": len(changed_rows), "file": batch.file_name},
        data={"kind": batch.kind, "created": len(new_rows), **summary},
        district_code=region.district_code,
    )
    return batch


def _plans_from_rows(rows: list[dict]) -> list[DeputyPlan]:
    """The stored rows of new deputies as plans for _write_deputies."""
    from zhitong.deputies.models import DeputyGroup, Term

    terms = Term.objects.in_bulk({s[0] for r in rows for s in r["data"]["seats"]})
    stations = Station.objects.in_bulk({r["data"]["station"] for r in rows if r["data"]["station"]})
    groups = DeputyGroup.objects.in_bulk({g for r in rows for g in r["data"]["groups"] or ()})
    plans = []
    for row in rows:
        data = row["data"]
        plans.append(
            DeputyPlan(
                row=data["row"],
                name=data["name"],
                gender=data["gender"],
                ethnicity=data["ethnicity"],
                birth_year=data["birth_year"],
                party=data["party"],
                occupation=data["occupation"],
                mobile=data["mobile"],
                id_tail=data["id_tail"],
                seats=[
                    SeatPlan(term=terms[t], level=level, constituency=c)
                    for t, level, c in data["seats"]
                ],
                street=None,
                station=stations.get(data["station"]) if data["station"] else None,
                groups=[groups[g] for g in data["groups"] or ()],
            )
        )
    return plans


def _update_deputies(batch: ImportBatch, rows: list[dict], *, by) -> None:
    """Apply each changed row as previewed, with one event per deputy listing its changes."""
    if not rows:
        return
    today = timezone.localdate()
    deputies = Deputy.objects.in_bulk([r["deputy"] for r in rows])
    for row in rows:
        deputy = deputies[row["deputy"]]
        changed = {c["field"] for c in row["changes"]}
        apply_changes(deputy, row["data"], changed, today=today)
        event_record(
            actor=by,
            subject=deputy,
            verb=RosterVerb.ROSTER_UPDATED,
            note=_("由导入批次 #%(batch)d 按名册更新") % {"batch": batch.pk},
            data={"import_batch": batch.pk, "row": row["row"], "changes": row["changes"]},
            district_code=batch.region.district_code,
        )
