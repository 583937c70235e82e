"""Every state change of an opinion after intake: one function per transition (办理流程).

Each function takes keyword arguments and the acting user `by`, locks the opinion row,
checks permission (zhitong.opinions.rules) and the transition table (lifecycle.py),
validates, changes the rows, writes one event on the opinion, and queues notifications
to run after the commit. Bad input raises OpinionError with a Chinese message and changes
nothing; a user who may not act gets PermissionDenied.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhitong.core.events import event_record
from zhitong.core.text import strip_invisible
from zhitong.deputies.models import Deputy
from zhitong.handling import deadlines
from zhitong.handling import services as handling
from zhitong.handling.models import Assignment, Extension, Rating, Reply, Rule
from zhitong.handling.registry import HandlingError
from zhitong.handling.services import sync_open_dates
from zhitong.insights import services as insights
from zhitong.opinions import lifecycle
from zhitong.opinions.models import (
    AUTO_CLOSE_DEFAULT,
    AUTO_CLOSE_MAX,
    OPEN_STATUSES,
    Attachment,
    DeclineReason,
    DistrictSettings,
    Opinion,
    Status,
)
from zhitong.opinions.phones import is_mobile
from zhitong.opinions.verbs import OpinionVerb
from zhitong.units.models import Category, HandlingUnit, deadline_days_for, route_for
from zhitong.workdays.selectors import working_calendar

logger = logging.getLogger(__name__)

TEXT_LIMIT = 10000
NOTE_LIMIT = 2000
TITLE_LIMIT = 200
MAX_REPLY_FILES = 5


class OpinionError(HandlingError):
    """A refused action: a stable `code` for programs and a Chinese message for people."""


# --- notifications (zhitong.notifications, below this app) -----------------------------


def notifications_api():
    """The notifications service module (tests put a recorder in its place)."""
    from zhitong.notifications import services as api

    return api


def _deliver(function: str, **kwargs) -> None:
    api = notifications_api()
    if callable(kwargs.get("body")):
        kwargs["body"] = kwargs["body"](api)
    recipients = kwargs.get("recipients")
    if callable(recipients):
        kwargs["recipients"] = recipients(api)
        if not kwargs["recipients"]:
            return
    getattr(api, function)(**kwargs)


def _after_commit(function: str, **kwargs) -> None:
    # robust: a failing sender is logged, never turns a committed action into an error page.
    transaction.on_commit(lambda: _deliver(function, **kwargs), robust=True)


def _work_url(opinion: Opinion) -> str:
    try:
        return reverse("opinions:detail", args=[opinion.pk])
    except NoReverseMatch:
        return ""


def _public_url(opinion: Opinion) -> str:
    try:
        return reverse("opinions_public:detail", args=[opinion.tracking_code])
    except NoReverseMatch:
        return ""


def _users(queryset_or_list) -> list:
    return [user for user in queryset_or_list if user.is_active]


def _unit_recipients(units: Iterable[HandlingUnit]):
    units = list(units)

    def resolve(api):
        found = {}
        for unit in units:
            for user in _users(api.recipients_for_unit(unit)):
                found[user.pk] = user
        return list(found.values())

    return resolve


def _staff_recipients(opinion: Opinion):
    region = opinion.street if opinion.street_id else opinion.district

    def resolve(api):
        return _users(api.recipients_for_region(region))

    return resolve


def _reviewer_recipients(opinion: Opinion):
    """Who reviews a reply: the deputy it was addressed to, the station's liaisons, staff."""
    region = opinion.street if opinion.street_id else opinion.district
    deputy = opinion.deputy
    station = opinion.station

    def resolve(api):
        found = {user.pk: user for user in _users(api.recipients_for_region(region))}
        if deputy is not None and deputy.user is not None:
            found[deputy.user.pk] = deputy.user
        if station is not None:
            for user in station.liaisons.filter(is_active=True):
                found[user.pk] = user
        return list(found.values())

    return resolve


def _notify(*, recipients, verb: str, text: str, opinion: Opinion, task: bool = False) -> None:
    _after_commit(
        "notify",
        recipients=recipients,
        verb=verb,
        text=text,
        url=_work_url(opinion),
        subject=opinion,
        task=task,
    )


def triaged(opinion: Opinion, *, by) -> None:
    """Someone triaged the opinion (accepted, declined, answered on the spot, merged): the
    at-once notices of it as a new opinion leave everyone's to-do lists (opinions.news)."""
    from zhitong.opinions.news import TRIAGE_TASK

    handling.tasks_done(opinion, verb=TRIAGE_TASK, by=by)


def _tell_submitter(opinion: Opinion, body, subject: str = "") -> None:
    """A message to a submitter without an account: by SMS if they gave a mobile number,
    else by e-mail; a landline gets no text message (staff tell them by phone)."""
    if opinion.submitter_phone and is_mobile(opinion.submitter_phone):
        channel, to = "sms", opinion.submitter_phone
    elif opinion.submitter_email:
        channel, to = "email", opinion.submitter_email
    else:
        return
    _after_commit(
        "message_send",
        channel=channel,
        to=to,
        body=body,
        subject=subject or _("您反映的意见办理进展"),
        related=opinion,
    )


# --- shared steps ----------------------------------------------------------------------


def _lock(opinion_or_pk, *related: str) -> Opinion:
    """The opinion row, locked until the transaction ends (two clerks cannot both act);
    read with its district and the `related` rows the caller needs (not locked)."""
    pk = getattr(opinion_or_pk, "pk", opinion_or_pk)
    try:
        return (
            Opinion.objects.select_for_update(of=("self",))
            .select_related("district", *related)
            .get(pk=pk)
        )
    except Opinion.DoesNotExist:
        raise OpinionError("not_found", _("找不到该意见。")) from None


def _require(user, perm: str, obj) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("请先登录。"))
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("你无权办理这件意见。"))


def _require_state(action: str, opinion: Opinion) -> None:
    if not lifecycle.allowed(action, opinion.status):
        raise OpinionError(
            "invalid_transition",
            _("该意见当前状态为“%(status)s”，不能进行此操作。")
            % {"status": opinion.get_status_display()},
        )


def _text(value, *, field: str, limit: int, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise OpinionError("invalid", _("%(field)s格式不正确。") % {"field": field})
    if required and not text:
        raise OpinionError("required", _("请填写%(field)s。") % {"field": field})
    if len(text) > limit:
        raise OpinionError(
            "too_long", _("%(field)s不能超过%(limit)s个字。") % {"field": field, "limit": limit}
        )
    return text


def _record(
    *,
    opinion: Opinion,
    by,
    verb: str,
    from_state: str,
    note: str = "",
    data=None,
    model: dict | None = None,
) -> None:
    """The act's event. `model`: the act is the router's (auto-routing), not `by`'s, who
    turned auto-routing on: the event names the router's version and keeps `model`."""
    data = data or {}
    if model is not None:
        data = {**data, "model": model}
    event_record(
        actor=None if model is not None else by,
        actor_name=model["name"] if model is not None else "",
        subject=opinion,
        verb=verb,
        from_state=from_state,
        to_state=opinion.status,
        note=note,
        data=data,
        district_code=opinion.district.code,
    )


def _unit_data(unit: HandlingUnit | None) -> dict | None:
    return {"id": unit.pk, "name": unit.name} if unit is not None else None


def _category_data(category: Category | None) -> dict | None:
    return {"id": category.pk, "name": str(category)} if category is not None else None


def _check_category(category) -> Category | None:
    if category is None:
        return None
    if not isinstance(category, Category):
        raise OpinionError("invalid_category", _("请选择有效的类别。"))
    if not category.is_active:
        raise OpinionError("invalid_category", _("该类别已停用，请选择其他类别。"))
    return category


def _check_working_days(value, *, upper: int = deadlines.MAX_WORKING_DAYS) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise OpinionError("invalid_days", _("办理期限必须是整数个工作日。"))
    if not deadlines.MIN_WORKING_DAYS <= value <= upper:
        raise OpinionError(
            "invalid_days",
            _("工作日数必须在%(min)s至%(max)s之间。")
            % {"min": deadlines.MIN_WORKING_DAYS, "max": upper},
        )
    return value


def _close_duplicates(main: Opinion, *, by) -> None:
    """The merged duplicates follow their main opinion into its final status."""
    now = timezone.now()
    for duplicate in Opinion.objects.select_for_update().filter(
        merged_into=main, status=Status.MERGED
    ):
        duplicate.status = main.status
        duplicate.closed_at = now
        duplicate.save(update_fields=["status", "closed_at", "updated_at"])
        _record(
            opinion=duplicate,
            by=by,
            verb=OpinionVerb.CLOSE_WITH_MAIN,
            from_state=Status.MERGED,
            data={"main": {"id": main.pk, "tracking_code": main.tracking_code}},
        )
        _tell_submitter(
            duplicate,
            _("您反映的意见（查询码 %(code)s）已与同类意见合并办理，现已办结。")
            % {"code": duplicate.tracking_code},
        )


# --- triage (受理) ---------------------------------------------------------------------


def _learn(opinion: Opinion, by, category: Category | None = None) -> None:
    """Staff decided the opinion's category (accepting it with one, or setting one, which
    a referral does first where it was missing): a training row for the router (a
    confirmation or a correction of what it proposed)."""
    category = category or opinion.category
    if category is None:
        return
    insights.example_record(
        process="opinions",
        object_id=opinion.pk,
        title=opinion.subject,
        text=opinion.content,
        label=category.code,
        by=by,
    )


@transaction.atomic
def opinion_accept(
    *, opinion: Opinion, by, category=None, note: str = "", model: dict | None = None
) -> Opinion:
    """Accept (受理) a received opinion, optionally confirming its category. `model`: the
    router accepts it (auto-routing), not `by`."""
    opinion = _lock(opinion)
    _require(by, "opinions.triage_opinion", opinion)
    _require_state("accept", opinion)
    category = _check_category(category)
    note = _text(note, field=_("备注"), limit=NOTE_LIMIT, required=False)
    from_state = opinion.status
    data = {}
    if category is not None and category.pk != opinion.category_id:
        data["category"] = {
            "from": _category_data(opinion.category),
            "to": _category_data(category),
        }
        opinion.category = category
    opinion.status = lifecycle.target_of("accept", from_state)
    opinion.accepted_at = timezone.now()
    opinion.save(update_fields=["status", "category", "accepted_at", "updated_at"])
    _record(
        opinion=opinion,
        by=by,
        verb=OpinionVerb.ACCEPT,
        from_state=from_state,
        note=note,
        data=data,
        model=model,
    )
    if model is None:
        _learn(opinion, by, category)
    triaged(opinion, by=by)
    return opinion


@transaction.atomic
def opinion_decline(*, opinion: Opinion, by, reason, note: str = "") -> Opinion:
    """Decline (不予受理) with a reason: out of scope, a duplicate, or abusive."""
    opinion = _lock(opinion)
    _require(by, "opinions.triage_opinion", opinion)
    _require_state("decline", opinion)
    if reason not in DeclineReason.values:
        raise OpinionError("invalid_reason", _("请选择不予受理的原因。"))
    reason = DeclineReason(reason)
    note = _text(note, field=_("说明"), limit=NOTE_LIMIT, required=False)
    if opinion.duplicates.exists():
        # Its duplicates follow it; declining the main one would leave them nowhere.
        raise OpinionError("has_duplicates", _("已有其他意见合并到这件意见，不能不予受理。"))
    from_state = opinion.status
    opinion.status = lifecycle.target_of("decline", from_state)
    opinion.decline_reason = reason
    opinion.decline_note = note
    opinion.save(update_fields=["status", "decline_reason", "decline_note", "updated_at"])
    _record(
        opinion=opinion,
        by=by,
        verb=OpinionVerb.DECLINE,
        from_state=from_state,
        note=note,
        data={"reason": reason.value, "reason_label": str(reason.label)},
    )
    triaged(opinion, by=by)
    body = _("您反映的意见（查询码 %(code)s）不予受理，原因：%(reason)s。") % {
        "code": opinion.tracking_code,
        "reason": reason.label,
    }
    if note:
        body += note
    _tell_submitter(opinion, body)
    return opinion


def opinion_answer_on_spot(*, opinion: Opinion, by, text: str) -> Reply:
    """The deputy or station answers at once (现场答复); the reply then goes to review."""
    return handling.case_reply_on_spot(case=case_of(opinion), by=by, text=text)


@transaction.atomic
def opinion_update_category(*, opinion: Opinion, by, category) -> Opinion:
    """Confirm or correct the category (分类); it sets the suggested unit and deadline."""
    opinion = _lock(opinion)
    _require(by, "opinions.triage_opinion", opinion)
    _require_state("update_category", opinion)
    category = _check_category(category)
    if category is None:
        raise OpinionError("required", _("请选择类别。"))
    if category.pk == opinion.category_id:
        raise OpinionError("unchanged", _("类别没有变化。"))
    data = {"from": _category_data(opinion.category), "to": _category_data(category)}
    opinion.category = category
    opinion.save(update_fields=["category", "updated_at"])
    _record(
        opinion=opinion,
        by=by,
        verb=OpinionVerb.UPDATE_CATEGORY,
        from_state=opinion.status,
        data=data,
    )
    _learn(opinion, by, category)
    return opinion


# --- referral (转办) --------------------------------------------------------------------


def suggested_unit_for(opinion: Opinion) -> HandlingUnit | None:
    """The routing table's unit for the opinion's category where the matter is (分级分类)."""
    if opinion.category is None:
        return None
    region = opinion.place or opinion.street or opinion.district
    return route_for(opinion.category, region)


def _check_unit(unit, opinion: Opinion, *, label: str) -> HandlingUnit:
    if not isinstance(unit, HandlingUnit):
        raise OpinionError("invalid_unit", _("请选择%(label)s。") % {"label": label})
    if not unit.is_active:
        raise OpinionError("inactive_unit", _("%(unit)s已停用，不能转办。") % {"unit": unit.name})
    unit_path, district_path = unit.region.path, opinion.district.path
    # The district's own units and its streets' offices, or a city/province body above it.
    if not (unit_path.startswith(district_path) or district_path.startswith(unit_path)):
        raise OpinionError(
            "unit_out_of_region",
            _("%(unit)s不属于本区，不能转办。") % {"unit": unit.name},
        )
    return unit


@transaction.atomic
def opinion_refer(
    *,
    opinion: Opinion,
    by,
    unit,
    co_units=(),
    working_days=None,
    note: str = "",
    category=None,
    model: dict | None = None,
) -> Assignment:
    """Refer (转办) an accepted opinion to a lead unit (主办) and any co-units (协办).

    The opinion must have a category (the statistics, the routing and the deadline read
    it): `category`, when given, is set first (its own event). The deadline is
    `working_days` (default: the category's) working days after the local date of
    referral; the routing table's suggestion is kept beside the choice.
    """
    if category is not None:
        current = Opinion.objects.filter(pk=opinion.pk).values_list("category_id", flat=True)
        if current.first() != getattr(category, "pk", category):
            opinion_update_category(opinion=opinion, by=by, category=category)
    # With what the deadline, the suggestion and the assignment read: the category (and
    # its parent's deadline), where the matter is, and the case.
    opinion = _lock(opinion, "category__parent", "place", "street", "case")
    _require(by, "opinions.refer_opinion", opinion)
    _require_state("refer", opinion)
    if opinion.category_id is None:
        raise OpinionError(
            "category_required",
            _("请先确定意见的类别再转办：统计和按类别交办都需要类别。"),
        )
    unit = _check_unit(unit, opinion, label=_("主办单位"))
    co_list: list[HandlingUnit] = []
    for co in co_units or ():
        co = _check_unit(co, opinion, label=_("协办单位"))
        if co.pk == unit.pk:
            raise OpinionError("co_is_lead", _("协办单位不能与主办单位相同。"))
        if co.pk in {c.pk for c in co_list}:
            raise OpinionError("co_repeated", _("协办单位不能重复。"))
        co_list.append(co)
    if working_days is None:
        working_days = deadline_days_for(opinion.category)
    working_days = _check_working_days(working_days)
    note = _text(note, field=_("转办说明"), limit=NOTE_LIMIT, required=False)

    now = timezone.now()
    calendar = working_calendar()
    deadline = deadlines.compute(deadlines.local_date(now), working_days, calendar)
    suggested = suggested_unit_for(opinion)
    case = case_of(opinion)
    referrals = [
        handling.assign(
            case=case,
            unit=target,
            role=role,
            rule=Rule.WORKING_DAYS,
            period=working_days,
            by=by,
            at=now,
            suggested_unit=suggested if role == Assignment.Role.LEAD else None,
            deadline=deadline,
            calendar=calendar,
        )
        for role, target in [(Assignment.Role.LEAD, unit)]
        + [(Assignment.Role.CO, c) for c in co_list]
    ]
    lead = referrals[0]

    from_state = opinion.status
    opinion.status = lifecycle.target_of("refer", from_state)
    sync_open_dates(opinion, also=["status", "updated_at"])
    _record(
        opinion=opinion,
        by=by,
        verb=OpinionVerb.REFER,
        from_state=from_state,
        note=note,
        data={
            "referral": lead.pk,
            "unit": _unit_data(unit),
            "co_units": [_unit_data(c) for c in co_list],
            "suggested_unit": _unit_data(suggested),
            "changed_from_suggestion": suggested is not None and suggested.pk != unit.pk,
            "working_days": working_days,
            "due_date": deadline.due.isoformat(),
            "deadline": deadline.as_data(),
        },
        model=model,
    )
    _notify(
        recipients=_unit_recipients([unit, *co_list]),
        verb="opinion_referred",
        text=_("收到转办意见：%(subject)s，办理期限%(due)s。")
        % {"subject": opinion.subject, "due": deadline.due.isoformat()},
        opinion=opinion,
    )
    return lead


@transaction.atomic
def opinion_bulk_refer(*, opinions, by, unit, working_days=None) -> list[Assignment]:
    """Refer many opinions to one unit (批量转办): all of them, or none when one fails."""
    opinions = list(opinions)
    if not opinions:
        raise OpinionError("required", _("请至少选择一件意见。"))
    referrals = []
    for opinion in sorted(opinions, key=lambda o: o.pk):
        try:
            referrals.append(
                opinion_refer(opinion=opinion, by=by, unit=unit, working_days=working_days)
            )
        except OpinionError as error:
            raise OpinionError(
                error.code or "invalid",
                _("意见 %(code)s：%(message)s")
                % {"code": opinion.tracking_code, "message": error.messages[0]},
            ) from error
    return referrals


BULK_CHASE, BULK_SET_DEADLINE, BULK_REASSIGN = "chase", "set_deadline", "reassign"


@transaction.atomic
def referrals_bulk_supervise(*, opinions, by, act: str, note: str = "", due=None, unit=None) -> int:
    """Chase (催办), set a new deadline for, or reassign the running lead referral of many
    opinions at once (批量督办, from the overdue list): all of them, or none when one fails."""
    opinions = sorted(opinions, key=lambda o: o.pk)
    if not opinions:
        raise OpinionError("required", _("请至少选择一件意见。"))
    if act not in (BULK_CHASE, BULK_SET_DEADLINE, BULK_REASSIGN):
        raise OpinionError("invalid_act", _("请选择催办、调整期限或改派。"))
    for opinion in opinions:
        _require(by, "opinions.refer_opinion", opinion)
        lead = (
            opinion.referrals.filter(
                role=Assignment.Role.LEAD, state__in=[s.value for s in deadlines.OPEN_STATES]
            )
            .order_by("-assigned_at")
            .first()
        )
        try:
            if lead is None:
                raise OpinionError("no_referral", _("没有正在办理的转办，无需督办。"))
            if act == BULK_CHASE:
                handling.assignment_chase(assignment=lead, by=by, note=note)
            elif act == BULK_SET_DEADLINE:
                handling.assignment_set_deadline(assignment=lead, by=by, due=due, reason=note)
            else:
                handling.assignment_reassign(assignment=lead, by=by, unit=unit, reason=note)
        except OpinionError as error:
            raise OpinionError(
                error.code or "invalid",
                _("意见 %(code)s：%(message)s")
                % {"code": opinion.tracking_code, "message": error.messages[0]},
            ) from error
    return len(opinions)


def case_of(opinion: Opinion):
    """The opinion's handling case, opened at its first referral (inside the caller's
    transaction): the anchor its referrals, and the unit inbox, point at."""
    if opinion.case_id is None:
        opinion.case = handling.case_open(
            process="opinions",
            district=opinion.district,
            reference=opinion.tracking_code,
            title=opinion.subject,
            at=opinion.received_at,
        )
        opinion.save(update_fields=["case"])
    return opinion.case


def referral_accept(*, referral: Assignment, by) -> Assignment:
    """The unit signs for the referral (签收); for the lead unit the opinion is being handled."""
    return handling.assignment_accept(assignment=referral, by=by)


def referral_return(*, referral: Assignment, by, reason: str) -> Assignment:
    """The unit returns it as not its business (退回), with a reason; back to triage (the
    co-units' running referrals end with the lead's)."""
    return handling.assignment_return(assignment=referral, by=by, reason=reason)


# --- replies (答复) ---------------------------------------------------------------------


# Documents a unit may attach besides photos, recognised by their first bytes, never
# by the name alone: PDF, Office (OLE and OOXML) and OFD (China's e-document, a zip).
_DOCUMENT_TYPES = {
    ".pdf": ((b"%PDF-",), "application/pdf"),
    ".doc": ((b"\xd0\xcf\x11\xe0",), "application/msword"),
    ".xls": ((b"\xd0\xcf\x11\xe0",), "application/vnd.ms-excel"),
    ".docx": (
        (b"PK\x03\x04",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".xlsx": (
        (b"PK\x03\x04",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ".ofd": ((b"PK\x03\x04",), "application/ofd"),
}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def _clean_file(upload) -> tuple[bytes, str, str, str]:
    """(data, content type, extension, display name) of an acceptable reply file.

    Photos go through the intake checks (zhitong.opinions.uploads: type by content,
    metadata stripped); documents are accepted by their first bytes only.
    """
    from zhitong.opinions import uploads

    if isinstance(upload, uploads.CleanPhoto):
        return upload.data, upload.content_type, upload.extension, upload.original_name
    name = os.path.basename(str(getattr(upload, "name", "") or "").replace("\\", "/"))
    name = strip_invisible(name).strip()[:200]
    extension = os.path.splitext(name)[1].lower()
    if extension in _DOCUMENT_TYPES:
        magics, content_type = _DOCUMENT_TYPES[extension]
        if (getattr(upload, "size", 0) or 0) > MAX_DOCUMENT_BYTES:
            raise OpinionError(
                "invalid_file",
                _("“%(name)s”超过%(mb)sMB。") % {"name": name, "mb": MAX_DOCUMENT_BYTES // 2**20},
            )
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read()
        if len(data) > MAX_DOCUMENT_BYTES or not data.startswith(magics):
            raise OpinionError(
                "invalid_file",
                _("“%(name)s”不是有效的%(ext)s文件。") % {"name": name, "ext": extension},
            )
        return data, content_type, extension, name
    try:
        photo = uploads.check_photo(upload)
    except ValidationError as error:
        raise OpinionError(
            "invalid_file",
            _("%(message)s 答复附件只能是照片（JPEG/PNG/WebP）或PDF、Word、Excel、OFD文件。")
            % {"message": error.messages[0]},
        ) from error
    return photo.data, photo.content_type, photo.extension, photo.original_name


def reply_files_checked(files) -> list:
    """The files of a unit's reply, each checked before any is written."""
    if len(files) > MAX_REPLY_FILES:
        raise OpinionError("too_many_files", _("附件最多%(n)s个。") % {"n": MAX_REPLY_FILES})
    return [_clean_file(upload) for upload in files]


def attachment_from_upload(reply: Reply, cleaned, keep) -> Attachment:
    """Store one checked file (from _clean_file) on a reply, under a hash name."""
    data, content_type, extension, name = cleaned
    attachment = Attachment(
        reply=reply,
        original_name=name or _("附件"),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        extension=extension,
    )
    attachment.file.save(f"{attachment.sha256}{extension}", ContentFile(data), save=False)
    keep(attachment.file)
    attachment.save()
    return attachment


def reply_submit(*, referral: Assignment, by, text: str, files=()) -> Reply:
    """The unit replies in writing (书面答复), with attachments; the lead's reply goes to review
    (zhitong.handling; the opinion follows through its adapter, opinions.handling)."""
    return handling.assignment_reply(assignment=referral, by=by, text=text, files=files)


def notify_reply_to_review(opinion: Opinion, referral: Assignment) -> None:
    """One task for all the reviewers: when one sends the reply (reply_send), it leaves the
    others' lists (handling.services.REVIEW_TASK)."""
    _notify(
        recipients=_reviewer_recipients(opinion),
        verb=handling.REVIEW_TASK,
        task=True,
        text=_("%(unit)s已答复，请审核后反馈群众：%(subject)s")
        % {"unit": referral.unit_name, "subject": opinion.subject},
        opinion=opinion,
    )


def reply_send(*, reply: Reply, by, text_sent=None) -> Reply:
    """The deputy or station reviews the reply and sends it to the submitter (反馈)."""
    return handling.reply_review(reply=reply, by=by, text_sent=text_sent)


def tell_reply_sent(opinion: Opinion, text: str) -> None:
    body = _("您反映的意见（查询码 %(code)s）已有答复：%(text)s 请凭查询码评价办理结果。") % {
        "code": opinion.tracking_code,
        "text": text,
    }
    url = _public_url(opinion)

    def with_link(api):
        # Outside the site a link must be absolute; the notifications module knows the host.
        link = getattr(api, "absolute_url", lambda u: u)(url) if url else ""
        return f"{body} {link}".strip()

    _tell_submitter(opinion, with_link)


# --- rating (满意度评价) ----------------------------------------------------------------


def rating_submit(*, opinion: Opinion, score, comment: str = "") -> Rating:
    """The submitter rates the reply sent, without an account (the public page checks the
    tracking code and the rating key that only the submitter received).

    Satisfied or basically satisfied closes it (办结). The first unsatisfied rating sends
    it back to the lead unit with the comment as the reason and a new deadline from
    today; the second closes it as not satisfied (opinions.handling).
    """
    return handling.reply_rate(case=case_of(opinion), by=None, score=score, comment=comment)


def rating_record(
    *, opinion: Opinion, by, score, comment: str = "", method, taken_at=None
) -> Rating:
    """A handler records the rating the citizen gave by phone or in person (回访).

    It is the handler's own act: the event names them, the rating keeps who took it, how
    and when (`taken_at`, default now), and the same rules as an online rating follow
    (closes, or returns once).
    """
    if method not in (Rating.Method.PHONE, Rating.Method.IN_PERSON):
        _require(by, "opinions.triage_opinion", opinion)
        raise OpinionError("invalid_method", _("请选择电话回访或当面回访。"))
    return handling.reply_rate(
        case=case_of(opinion),
        by=by,
        score=score,
        comment=comment,
        method=method,
        taken_at=taken_at,
    )


def rated(opinion: Opinion, lead: Assignment | None, score: str, comment: str, rating) -> None:
    """After a rating: the duplicates follow a closed opinion; the lead unit hears of it."""
    if opinion.status in lifecycle.FINAL_CLOSED:
        _close_duplicates(opinion, by=rating.taken_by)
    if lead is None:
        return
    if opinion.status == Status.HANDLING:
        text = _("群众对答复不满意，退回重新办理：%(subject)s。原因：%(comment)s") % {
            "subject": opinion.subject,
            "comment": comment,
        }
    else:
        text = _("群众评价“%(score)s”：%(subject)s") % {
            "score": Rating.Score(score).label,
            "subject": opinion.subject,
        }
    _notify(
        recipients=_unit_recipients([lead.unit]),
        verb="opinion_rated",
        text=text,
        opinion=opinion,
    )


# --- extensions (延期) ------------------------------------------------------------------


def extension_request(*, referral: Assignment, by, working_days, reason: str) -> Extension:
    """The lead unit asks for more working days; the opinion's status does not change."""
    return handling.extension_request(
        assignment=referral, by=by, period=working_days, reason=reason
    )


def referral_chase(*, referral: Assignment, by, note: str = ""):
    """Staff chase the unit of a running referral (催办): recorded, counted, the unit told."""
    return handling.assignment_chase(assignment=referral, by=by, note=note)


def referral_reassign(*, referral: Assignment, by, unit, reason: str) -> Assignment:
    """Staff give a running referral to another unit (改派) with a fresh deadline."""
    return handling.assignment_reassign(assignment=referral, by=by, unit=unit, reason=reason)


def referral_set_deadline(*, referral: Assignment, by, due, reason: str) -> Assignment:
    """Staff set a running referral's due date (调整期限), with a reason."""
    return handling.assignment_set_deadline(assignment=referral, by=by, due=due, reason=reason)


def extension_decide(*, extension: Extension, by, approve: bool, note: str = "") -> Extension:
    """Staff approve (the due date moves by the working days asked) or refuse an extension."""
    return handling.extension_decide(extension=extension, by=by, approve=approve, note=note)


# --- merge and suggestions --------------------------------------------------------------


@transaction.atomic
def opinion_merge(*, opinion: Opinion, into: Opinion, by, note: str = "") -> Opinion:
    """Mark `opinion` a duplicate of `into` (合并): it follows the main one from now on."""
    if getattr(opinion, "pk", None) == getattr(into, "pk", None):
        raise OpinionError("merge_self", _("不能把意见合并到它自己。"))
    # Lock both in id order, so two clerks merging crosswise cannot deadlock.
    first, second = sorted([opinion.pk, into.pk])
    locked = {first: _lock(first), second: _lock(second)}
    opinion, into = locked[opinion.pk], locked[into.pk]
    _require(by, "opinions.refer_opinion", opinion)
    _require(by, "opinions.refer_opinion", into)
    _require_state("merge", opinion)
    if into.status in (Status.MERGED, Status.DECLINED) or into.merged_into_id is not None:
        raise OpinionError("invalid_main", _("目标意见已合并或不予受理，请选择主意见。"))
    if into.status in lifecycle.FINAL_CLOSED:
        raise OpinionError("main_closed", _("目标意见已办结，请改用“不予受理（重复反映）”。"))
    if into.district_id != opinion.district_id:
        raise OpinionError("other_district", _("只能合并同一区的意见。"))
    if opinion.duplicates.exists():
        raise OpinionError("has_duplicates", _("已有其他意见合并到这件意见，请把它作为主意见。"))
    note = _text(note, field=_("合并说明"), limit=NOTE_LIMIT, required=False)
    withdrawn = handling.withdraw_open(opinion.case_id) if opinion.case_id else []
    from_state = opinion.status
    opinion.status = lifecycle.target_of("merge", from_state)
    opinion.merged_into = into
    sync_open_dates(opinion, also=["status", "merged_into", "updated_at"])
    _record(
        opinion=opinion,
        by=by,
        verb=OpinionVerb.MERGE,
        from_state=from_state,
        note=note,
        data={
            "into": {"id": into.pk, "tracking_code": into.tracking_code, "subject": into.subject},
            "withdrawn": withdrawn,
        },
    )
    triaged(opinion, by=by)
    _tell_submitter(
        opinion,
        _(
            "您反映的意见（查询码 %(code)s）与其他群众反映的同一事项合并办理，"
            "可继续凭原查询码查看进展。"
        )
        % {"code": opinion.tracking_code},
    )
    return opinion


@transaction.atomic
def opinion_follow(*, opinion: Opinion, main_id: int) -> Opinion:
    """The submitter chose, on the form, to follow an open opinion about the same matter
    (跟进已有意见) instead of raising a new one: their new opinion is merged into it as
    their own act, and they follow its progress by their own tracking code. Refused (the
    opinion stays as it came in, for staff to triage) when the main one can no longer take
    it: closed, merged, declined or of another district since the form showed it."""
    if opinion.pk == main_id:
        raise OpinionError("merge_self", _("不能把意见合并到它自己。"))
    first, second = sorted([opinion.pk, main_id])
    try:
        locked = {first: _lock(first), second: _lock(second)}
    except OpinionError:
        raise OpinionError("invalid_main", _("要跟进的意见已不存在。")) from None
    opinion, main = locked[opinion.pk], locked[main_id]
    _require_state("merge", opinion)
    if opinion.status != Status.RECEIVED or opinion.merged_into_id is not None:
        raise OpinionError("invalid_transition", _("这件意见已在办理，不能再改为跟进。"))
    if (
        main.district_id != opinion.district_id
        or main.merged_into_id is not None
        or main.status not in OPEN_STATUSES
    ):
        raise OpinionError("invalid_main", _("要跟进的意见已办结或已合并，您的意见将单独办理。"))
    from_state = opinion.status
    opinion.status = lifecycle.target_of("merge", from_state)
    opinion.merged_into = main
    sync_open_dates(opinion, also=["status", "merged_into", "updated_at"])
    event_record(
        actor=None,
        actor_name=_("反映人"),
        subject=opinion,
        verb=OpinionVerb.FOLLOW,
        from_state=from_state,
        to_state=opinion.status,
        data={
            "into": {"id": main.pk, "tracking_code": main.tracking_code, "subject": main.subject}
        },
        district_code=opinion.district.code,
    )
    triaged(opinion, by=None)
    return opinion


def opinions_for_raising(*, opinions, by) -> tuple[list[Opinion], Deputy]:
    """Lock and check the opinions a deputy raises into a suggestion (代表建议), inside the
    caller's transaction: each one the deputy's to raise and in a state that allows it, all
    of one district. Returns them locked, with the deputy. The suggestion is made by
    zhitong.suggestions (suggestion_raise_from_opinions), which sits above opinions."""
    opinions = list(opinions)
    if not opinions:
        raise OpinionError("required", _("请至少选择一件意见。"))
    deputy = getattr(by, "deputy", None) if getattr(by, "is_authenticated", False) else None
    locked = [_lock(pk) for pk in sorted({o.pk for o in opinions})]
    for opinion in locked:
        _require(by, "opinions.raise_suggestion", opinion)
    if deputy is None:
        raise PermissionDenied(_("只有人大代表可以提出建议。"))
    for opinion in locked:
        _require_state("raise_suggestion", opinion)
    if len({o.district_id for o in locked}) > 1:
        raise OpinionError("other_district", _("只能把同一区的意见合并提出建议。"))
    return locked, deputy


def opinions_raised(*, opinions: list[Opinion], by, suggestion_id: int, title: str) -> None:
    """Record on each opinion that it was raised into a suggestion (its course goes on)."""
    for opinion in opinions:
        _record(
            opinion=opinion,
            by=by,
            verb=OpinionVerb.RAISE_SUGGESTION,
            from_state=opinion.status,
            data={"suggestion": suggestion_id, "title": title},
        )


def checked_text(value, *, field, limit: int, required: bool = True) -> str:
    """Text from a form, trimmed and checked, or an OpinionError naming `field`."""
    return _text(value, field=field, limit=limit, required=required)


# --- deadlines over time: zhitong.handling (deadlines_record_passings, the calendar hook)


# --- the district's settings (意见办理设置) ---------------------------------------------


@transaction.atomic
def district_settings_update(*, district, by, auto_close_working_days) -> DistrictSettings:
    """Staff set the working days after which their district's unrated opinions close by
    themselves (默认满意; 0: never). Recorded as an event on the settings, with the change."""
    _require(by, "opinions.change_settings", district)
    if (
        isinstance(auto_close_working_days, bool)
        or not isinstance(auto_close_working_days, int)
        or not 0 <= auto_close_working_days <= AUTO_CLOSE_MAX
    ):
        raise OpinionError(
            "invalid_days", _("请填写 0 到 %(max)d 之间的整数。") % {"max": AUTO_CLOSE_MAX}
        )
    row, _created = DistrictSettings.objects.select_for_update().get_or_create(district=district)
    before = row.auto_close_working_days if not _created else AUTO_CLOSE_DEFAULT
    row.auto_close_working_days = auto_close_working_days
    row.updated_by = by
    row.save()
    if before != auto_close_working_days:
        event_record(
            actor=by,
            subject=row,
            verb=OpinionVerb.SETTINGS_CHANGE,
            data={"auto_close_working_days": {"from": before, "to": auto_close_working_days}},
            district_code=district.code,
        )
    return row
