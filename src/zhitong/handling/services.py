"""Handing work to units (交办 · 承办), for every process.

Two kinds of function:
- steps (`case_open`, `assign`, `withdraw_open`, `sync_open_dates`, ...) that run inside a
  process's own transition: they open no transaction, check no permission and write no
  event; the process does, once, on its case;
- services (accept, return, reply, reply on the spot, review and send, extension, chase,
  reassign, new deadline, rating, the deadline passings and the calendar hook) that lock
  the case through its process's adapter (`handling.registry`), ask the adapter whether
  the user may act and what the act does to the case's own state, change the handling
  rows and write exactly one event on the case's timeline, in one transaction.

Bad input raises the process's own error class (a ValidationError with a code and a
Chinese message) and changes nothing; a user who may not act gets PermissionDenied.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhitong.core.files import removed_on_error
from zhitong.handling import deadlines
from zhitong.handling.models import (
    GIVEN_SCORES,
    Assignment,
    Case,
    Chase,
    Extension,
    Rating,
    Reply,
    Rule,
)
from zhitong.handling.registry import Act, HandlingError, Process, process_for, processes
from zhitong.units.models import HandlingUnit
from zhitong.workdays.selectors import working_calendar

logger = logging.getLogger(__name__)

NOTE_LIMIT = 2000
TEXT_LIMIT = 10000
PASSING_BATCH = 500


# --- steps inside a process's transition -------------------------------------------------


def case_open(*, process: str, district, reference: str, title: str, at=None) -> Case:
    """The anchor for a new case of `process` (the process stores it on its case row)."""
    return Case.objects.create(
        process=process,
        district=district,
        reference=reference[:40],
        title=title[:200],
        created_at=at or timezone.now(),
    )


def assign(
    *,
    case: Case,
    unit: HandlingUnit,
    role: str,
    rule: str,
    period: int,
    by,
    at: datetime.datetime,
    suggested_unit: HandlingUnit | None = None,
    deadline: deadlines.AnyDeadline | None = None,
    calendar=None,
) -> Assignment:
    """Hand `case` to `unit` with a deadline of `period` (working days or months) from the
    local date of `at` (or the `deadline` given, shared by a lead and its co-units)."""
    calendar = calendar or working_calendar()
    if deadline is None:
        deadline = deadlines.compute_rule(rule, deadlines.local_date(at), period, calendar)
    assignment = Assignment(
        case=case,
        district_id=case.district_id,
        unit=unit,
        unit_name=unit.name,
        role=role,
        suggested_unit=suggested_unit,
        assigned_by=by,
        assigned_at=at,
        rule=rule,
        period=period,
    )
    deadlines.apply(assignment, deadline, calendar)
    assignment.save()
    return assignment


def withdraw_open(case_id: int, *, role: str | None = None) -> list[int]:
    """Withdraw the case's running assignments (of `role`, else all); their ids."""
    running = Assignment.objects.select_for_update().filter(
        case_id=case_id, state__in=deadlines.OPEN_STATES
    )
    if role is not None:
        running = running.filter(role=role)
    ids = list(running.order_by("pk").values_list("pk", flat=True))
    Assignment.objects.filter(pk__in=ids).update(state=Assignment.State.WITHDRAWN)
    return ids


def sync_open_dates(obj, *, also: Iterable[str] = ()) -> None:
    """Refresh a case row's copies (`open_due_date`, `open_very_overdue_from`) of its
    running lead assignment's dates; call after any change to a lead's state or deadline,
    inside the same transaction.

    `obj` is the case row as locked in this transaction (its copies are the stored ones):
    they are written only when they change. `also`: fields the caller changed on `obj` and
    has not saved yet (its new state), written in the same UPDATE."""
    dates = deadlines.running_lead_dates(obj.case_id)
    fields = list(also)
    if (obj.open_due_date, obj.open_very_overdue_from) != (dates["due"], dates["very_overdue"]):
        obj.open_due_date = dates["due"]
        obj.open_very_overdue_from = dates["very_overdue"]
        fields += ["open_due_date", "open_very_overdue_from"]
    if fields:
        obj.save(update_fields=fields)


def restart(
    assignment: Assignment, *, start: datetime.date, calendar=None, period: int | None = None
) -> None:
    """Running again after a rework, with a fresh period from `start` (saved): the
    assignment's own length, or `period` in its rule's unit (suggestions: 1 month to
    handle again)."""
    calendar = calendar or working_calendar()
    if period is not None:
        assignment.period = period
    deadline = deadlines.restarted(assignment, start, calendar)
    assignment.state = Assignment.State.ACCEPTED
    assignment.passing_recorded_for = None
    deadlines.apply(assignment, deadline, calendar)
    assignment.save(
        update_fields=["state", "passing_recorded_for", "period", *deadlines.DEADLINE_FIELDS]
    )


def unit_data(unit: HandlingUnit | None) -> dict | None:
    return {"id": unit.pk, "name": unit.name} if unit is not None else None


def iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day is not None else None


# --- checks -----------------------------------------------------------------------------


def _text(process: Process, value, *, field: str, limit: int, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise process.error("invalid", _("%(field)s格式不正确。") % {"field": field})
    if required and not text:
        raise process.error("required", _("请填写%(field)s。") % {"field": field})
    if len(text) > limit:
        raise process.error(
            "too_long", _("%(field)s不能超过%(limit)s个字。") % {"field": field, "limit": limit}
        )
    return text


def check_period(
    process: Process, rule: str, value, *, extension: bool = False, limit: int | None = None
) -> int:
    """A whole number of working days or months within the bounds of the rule (and within
    `limit`, the process's own bound, where it sets one)."""
    months = rule == Rule.MONTHS
    if months:
        low = deadlines.MIN_MONTHS
        high = deadlines.MAX_EXTENSION_MONTHS if extension else deadlines.MAX_MONTHS
    else:
        low = deadlines.MIN_WORKING_DAYS
        high = deadlines.MAX_EXTENSION_DAYS if extension else deadlines.MAX_WORKING_DAYS
    if limit is not None:
        if limit < low:
            raise process.error("invalid_days", _("已达到最长延期，不能再申请延期。"))
        high = min(high, limit)
    if isinstance(value, bool) or not isinstance(value, int):
        raise process.error(
            "invalid_days",
            _("办理期限必须是整数个月。") if months else _("办理期限必须是整数个工作日。"),
        )
    if not low <= value <= high:
        message = (
            _("月数必须在%(min)s至%(max)s之间。")
            if months
            else _("工作日数必须在%(min)s至%(max)s之间。")
        )
        raise process.error("invalid_days", message % {"min": low, "max": high})
    return value


def check_unit(process: Process, unit, district) -> HandlingUnit:
    """An active unit of the case's district, of one of its streets, or above it."""
    if not isinstance(unit, HandlingUnit):
        raise process.error("invalid_unit", _("请选择承办单位。"))
    if not unit.is_active:
        raise process.error("inactive_unit", _("%(unit)s已停用，不能交办。") % {"unit": unit.name})
    unit_path, district_path = unit.region.path, district.path
    if not (unit_path.startswith(district_path) or district_path.startswith(unit_path)):
        raise process.error(
            "unit_out_of_region", _("%(unit)s不属于本区，不能交办。") % {"unit": unit.name}
        )
    return unit


def _require_user(user) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("请先登录。"))


def _locked(assignment) -> tuple[Process, Any, Assignment]:
    """The assignment's process, its case row locked (first, as every service locks),
    then the assignment itself locked."""
    pk = getattr(assignment, "pk", assignment)
    # The case in one query (not its id, then the row).
    case = Case.objects.filter(assignments__pk=pk).first()
    if case is None:
        raise HandlingError("not_found", _("找不到该交办记录。"))
    process = process_for(case.process)
    obj = process.lock(case)
    locked = Assignment.objects.select_for_update(of=("self",)).select_related("unit").get(pk=pk)
    locked.case = case  # already read: old.case below needs no query
    return process, obj, locked


def _allow(process: Process, user, act: Act, obj, assignment: Assignment | None) -> None:
    if user is None and act == Act.RATE and process.anonymous_rating:
        return  # the process's own page checked who rates
    _require_user(user)
    if not process.may(user, act, obj, assignment):
        raise PermissionDenied(_("你无权办理这件事项。"))


def _record(
    process: Process,
    obj,
    *,
    by,
    act: Act,
    from_state: str | None = None,
    note: str = "",
    data=None,
) -> None:
    """The act's event on the case's timeline; `from_state` defaults to the case's state."""
    if from_state is None:
        from_state = process.state_of(obj)
    process.record(
        obj, by=by, verb=process.verb(act), from_state=from_state, note=note, data=data or {}
    )


def _about(process: Process, assignment: Assignment, **more) -> dict:
    """An event's data about one assignment: which, to which unit, and `more`."""
    return {process.assignment_key: assignment.pk, "unit": unit_data(assignment.unit), **more}


def notifications_api():
    """The notifications module (a function, so tests can watch what is sent)."""
    from zhitong.notifications import services as api

    return api


# Tasks (待办): work told to several people at once, done for all when one does it
# (notifications.services.tasks_done). A process that reviews replies tells its reviewers
# of a reply to review as a REVIEW_TASK (its `after` of Act.REPLY); staff hear of an
# extension request as an EXTENSION_TASK. The act that does the work closes the task.
REVIEW_TASK = "reply_submitted"
EXTENSION_TASK = "extension_requested"


def _notify(process: Process, obj, *, recipients, verb: str, text: str, task: bool = False) -> None:
    """Notify after the commit; `recipients` is a list of users, or a function of the
    notifications API giving one (resolved then). `task`: one task for them all."""
    url = process.url(obj)

    def send():
        api = notifications_api()
        users = recipients(api) if callable(recipients) else recipients
        users = [user for user in users if user.is_active]
        if users:
            api.notify(recipients=users, verb=verb, text=text, url=url, subject=obj, task=task)

    transaction.on_commit(send, robust=True)


def tasks_done(obj, *, verb: str, by) -> None:
    """The task of `verb` about the case `obj` is done by `by`: it leaves every holder's
    to-do list once the act commits (after the notifications the act's transaction queued
    before it, so a task told and done in one transaction ends done)."""

    def close():
        notifications_api().tasks_done(subject=obj, verb=verb, by=by)

    transaction.on_commit(close, robust=True)


def _unit_users(units: Iterable[HandlingUnit]):
    units = list(units)

    def resolve(api) -> list:
        found: dict[int, Any] = {}
        for unit in units:
            for user in api.recipients_for_unit(unit):
                found[user.pk] = user
        return list(found.values())

    return resolve


def _is_overdue(assignment: Assignment, today: datetime.date) -> bool:
    return (
        assignment.state in deadlines.OPEN_STATES
        and assignment.due_date is not None
        and assignment.due_date < today
    )


# --- the unit's acts ---------------------------------------------------------------------


@transaction.atomic
def assignment_accept(*, assignment: Assignment, by) -> Assignment:
    """The unit signs for it (签收)."""
    process, obj, assignment = _locked(assignment)
    _allow(process, by, Act.ACCEPT, obj, assignment)
    if assignment.state != Assignment.State.PENDING or not process.can(Act.ACCEPT, obj, assignment):
        raise process.error(
            "invalid_transition",
            _("该交办当前为“%(state)s”，不能签收。") % {"state": assignment.get_state_display()},
        )
    from_state = process.state_of(obj)
    assignment.state = Assignment.State.ACCEPTED
    assignment.accepted_at = timezone.now()
    assignment.save(update_fields=["state", "accepted_at"])
    process.moved(obj, Act.ACCEPT, assignment)
    _record(
        process,
        obj,
        by=by,
        act=Act.ACCEPT,
        from_state=from_state,
        data=_about(process, assignment, role=assignment.role),
    )
    return assignment


@transaction.atomic
def assignment_return(*, assignment: Assignment, by, reason: str) -> Assignment:
    """The unit returns it as not its business (退回), with a reason; back to staff.

    When the lead returns it, the co-units' running assignments end too: staff assign it
    afresh, lead and co-units together."""
    process, obj, assignment = _locked(assignment)
    _allow(process, by, Act.RETURN, obj, assignment)
    if assignment.state not in deadlines.OPEN_STATES:
        raise process.error(
            "invalid_transition",
            _("该交办当前为“%(state)s”，不能退回。") % {"state": assignment.get_state_display()},
        )
    if not process.can(Act.RETURN, obj, assignment):
        raise process.refusal(Act.RETURN, obj)
    reason = _text(process, reason, field=_("退回理由"), limit=NOTE_LIMIT)
    from_state = process.state_of(obj)
    assignment.state = Assignment.State.RETURNED
    assignment.return_reason = reason
    assignment.returned_at = timezone.now()
    assignment.save(update_fields=["state", "return_reason", "returned_at"])
    withdrawn: list[int] = []
    if assignment.role == Assignment.Role.LEAD:
        withdrawn = withdraw_open(assignment.case_id, role=Assignment.Role.CO)
    process.moved(obj, Act.RETURN, assignment)
    _record(
        process,
        obj,
        by=by,
        act=Act.RETURN,
        from_state=from_state,
        note=reason,
        data=_about(
            process,
            assignment,
            role=assignment.role,
            withdrawn=withdrawn,
        ),
    )
    _notify(
        process,
        obj,
        recipients=process.staff_recipients(obj),
        verb="assignment_returned",
        text=_("%(unit)s退回了交办事项：%(title)s。理由：%(reason)s")
        % {"unit": assignment.unit_name, "title": process.title_of(obj), "reason": reason},
    )
    return assignment


def assignment_reply(
    *,
    assignment: Assignment,
    by,
    text: str,
    result_class: str = "",
    files=(),
    details: dict | None = None,
) -> Reply:
    """The unit replies in writing (书面答复), with the process's result class if it has one,
    and files if its replies carry them. Every file is checked before any is written; a
    reply refused for any reason leaves no file behind. `details`: what the process's own
    part of the reply needs (suggestions: the commitments), passed to its `moved`, which
    may refuse them."""
    with removed_on_error() as keep, transaction.atomic():
        return _assignment_reply(
            assignment=assignment,
            by=by,
            text=text,
            result_class=result_class,
            files=files,
            keep=keep,
            details=details or {},
        )


def _assignment_reply(*, assignment, by, text, result_class, files, keep, details) -> Reply:
    process, obj, assignment = _locked(assignment)
    _allow(process, by, Act.REPLY, obj, assignment)
    if assignment.state != Assignment.State.ACCEPTED:
        raise process.error(
            "invalid_transition",
            _("该交办当前为“%(state)s”，不能答复。") % {"state": assignment.get_state_display()},
        )
    if not process.can(Act.REPLY, obj, assignment):
        raise process.refusal(Act.REPLY, obj)
    text = _text(process, text, field=_("答复内容"), limit=TEXT_LIMIT)
    # The result class is the lead unit's answer; a co-unit's reply (its views for the
    # lead unit) has none.
    classes = process.result_classes if assignment.role == Assignment.Role.LEAD else ()
    if classes and result_class not in classes:
        raise process.error("invalid_class", _("请选择答复类别。"))
    if not classes and result_class:
        raise process.error(
            "invalid_class",
            _("协办单位的意见不分答复类别。")
            if process.result_classes
            else _("这类事项的答复不分类别。"),
        )
    checked = process.reply_files(list(files or ()))
    now = timezone.now()
    from_state = process.state_of(obj)
    reply = Reply.objects.create(
        case=assignment.case,
        assignment=assignment,
        unit_name=assignment.unit_name,
        text=text,
        result_class=result_class,
        author=by,
        created_at=now,
    )
    attachments = process.reply_attach(reply, checked, keep)
    assignment.state = Assignment.State.REPLIED
    assignment.replied_at = now
    assignment.save(update_fields=["state", "replied_at"])
    extra = process.moved(obj, Act.REPLY, assignment, reply=reply, keep=keep, **details)
    data: dict[str, Any] = _about(process, assignment, reply=reply.pk, role=assignment.role)
    if classes:
        data["result_class"] = result_class
    if process.reply_attachments:
        data["attachments"] = attachments
    _record(
        process, obj, by=by, act=Act.REPLY, from_state=from_state, data={**data, **(extra or {})}
    )
    process.after(Act.REPLY, obj, assignment, reply=reply)
    return reply


def _locked_case(case: Case) -> tuple[Process, Any]:
    process = process_for(case.process)
    return process, process.lock(case)


@transaction.atomic
def case_reply_on_spot(*, case: Case, by, text: str) -> Reply:
    """Whoever took the matter answers it at once (现场答复), without an assignment; the
    reply bears their name. A process that reviews replies reviews this one too."""
    process, obj = _locked_case(case)
    _allow(process, by, Act.REPLY_ON_SPOT, obj, None)
    if not process.can(Act.REPLY_ON_SPOT, obj, None):
        raise process.refusal(Act.REPLY_ON_SPOT, obj)
    text = _text(process, text, field=_("答复内容"), limit=TEXT_LIMIT)
    from_state = process.state_of(obj)
    reply = Reply.objects.create(
        case=case,
        assignment=None,
        unit_name=by.get_full_name(),
        text=text,
        on_the_spot=True,
        author=by,
        created_at=timezone.now(),
    )
    extra = process.moved(obj, Act.REPLY_ON_SPOT, None, reply=reply)
    _record(
        process,
        obj,
        by=by,
        act=Act.REPLY_ON_SPOT,
        from_state=from_state,
        data={"reply": reply.pk, **(extra or {})},
    )
    process.after(Act.REPLY_ON_SPOT, obj, None, reply=reply)
    return reply


def _reply_pk(reply: Reply | int) -> int:
    return reply.pk if isinstance(reply, Reply) else int(reply)


def _reply_case(reply: Reply | int) -> Case:
    case = Case.objects.filter(replies__pk=_reply_pk(reply)).first()
    if case is None:
        raise HandlingError("not_found", _("找不到该答复。"))
    return case


@transaction.atomic
def reply_review(*, reply: Reply | int, by, text_sent: str | None = None) -> Reply:
    """The reviewer sends the reply to the one who asked (审核后反馈), as written or edited
    (`text_sent`; both are kept). Only the latest reply not yet sent may go, and never a
    co-unit's part, which the lead's reply gathers."""
    pk = _reply_pk(reply)
    process, obj = _locked_case(_reply_case(pk))
    _allow(process, by, Act.REVIEW, obj, None)
    if not process.reviews_replies or not process.can(Act.REVIEW, obj, None):
        raise process.refusal(Act.REVIEW, obj)
    reply = Reply.objects.select_for_update(of=("self",)).select_related("assignment").get(pk=pk)
    if reply.sent_at is not None:
        raise process.error("already_sent", _("该答复已经反馈过了。"))
    assignment = reply.assignment
    if assignment is not None and assignment.role != Assignment.Role.LEAD:
        raise process.error("not_lead_reply", _("协办单位的答复由主办单位汇总，不能直接反馈群众。"))
    latest = (
        Reply.objects.filter(case_id=reply.case_id, sent_at__isnull=True)
        .exclude(assignment__role=Assignment.Role.CO)
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is None or latest.pk != reply.pk:
        raise process.error("stale_reply", _("这不是最新的答复，请刷新页面。"))
    text = reply.text if text_sent is None else text_sent
    text = _text(process, text, field=_("反馈内容"), limit=TEXT_LIMIT)
    from_state = process.state_of(obj)
    reply.reviewed_by = by
    reply.sent_at = timezone.now()
    reply.text_sent = text
    reply.save(update_fields=["reviewed_by", "sent_at", "text_sent"])
    extra = process.moved(obj, Act.REVIEW, assignment, reply=reply)
    _record(
        process,
        obj,
        by=by,
        act=Act.REVIEW,
        from_state=from_state,
        data={"reply": reply.pk, "edited": text != reply.text, **(extra or {})},
    )
    tasks_done(obj, verb=REVIEW_TASK, by=by)
    process.after(Act.REVIEW, obj, assignment, reply=reply)
    return reply


@transaction.atomic
def extension_request(*, assignment: Assignment, by, period, reason: str) -> Extension:
    """The lead unit asks for more time, in the assignment's rule unit."""
    process, obj, assignment = _locked(assignment)
    _allow(process, by, Act.EXTENSION_REQUEST, obj, assignment)
    if (
        assignment.role != Assignment.Role.LEAD
        or assignment.state != Assignment.State.ACCEPTED
        or not process.can(Act.EXTENSION_REQUEST, obj, assignment)
    ):
        raise process.error("invalid_transition", _("只有已签收、正在办理的主办单位可以申请延期。"))
    if assignment.extensions.filter(state=Extension.State.PENDING).exists():
        raise process.error("pending_exists", _("已有待审批的延期申请。"))
    period = check_period(
        process,
        assignment.rule,
        period,
        extension=True,
        limit=process.extension_limit(obj, assignment),
    )
    reason = _text(process, reason, field=_("延期理由"), limit=NOTE_LIMIT)
    extension = Extension.objects.create(
        assignment=assignment, period=period, reason=reason, requested_by=by
    )
    _record(
        process,
        obj,
        by=by,
        act=Act.EXTENSION_REQUEST,
        note=reason,
        data={
            "extension": extension.pk,
            process.assignment_key: assignment.pk,
            process.period_key(assignment.rule): period,
        },
    )
    _notify(
        process,
        obj,
        recipients=process.staff_recipients(obj),
        verb=EXTENSION_TASK,
        task=True,
        text=_("%(unit)s申请延期%(period)s：%(title)s")
        % {
            "unit": assignment.unit_name,
            "period": period_label(assignment.rule, period),
            "title": process.title_of(obj),
        },
    )
    return extension


def period_label(rule: str, period: int) -> str:
    if rule == Rule.MONTHS:
        return _("%(n)s个月") % {"n": period}
    return _("%(n)s个工作日") % {"n": period}


@transaction.atomic
def extension_decide(*, extension: Extension, by, approve: bool, note: str = "") -> Extension:
    """Staff approve (the due date moves by the time asked, from the same start) or refuse."""
    pk = extension.pk if isinstance(extension, Extension) else extension
    try:
        assignment_id = Extension.objects.values_list("assignment_id", flat=True).get(pk=pk)
    except Extension.DoesNotExist:
        raise HandlingError("not_found", _("找不到该延期申请。")) from None
    process, obj, assignment = _locked(assignment_id)
    _allow(process, by, Act.EXTENSION_DECIDE, obj, assignment)
    extension = Extension.objects.select_for_update().get(pk=pk)
    if extension.state != Extension.State.PENDING:
        raise process.error("already_decided", _("该延期申请已经审批过了。"))
    if assignment.state not in deadlines.OPEN_STATES:
        raise process.error("referral_closed", _("该交办已答复或结束，无需延期。"))
    note = _text(process, note, field=_("审批意见"), limit=NOTE_LIMIT, required=False)
    extension.state = Extension.State.APPROVED if approve else Extension.State.REFUSED
    extension.decided_by = by
    extension.decided_at = timezone.now()
    extension.decision_note = note
    extension.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    data: dict[str, object] = {
        "extension": extension.pk,
        process.assignment_key: assignment.pk,
        "approved": bool(approve),
        process.period_key(assignment.rule): extension.period,
        "from_due": iso(assignment.due_date),
    }
    if approve:
        calendar = working_calendar()
        deadline = deadlines.extended(assignment, extension.period, calendar)
        deadlines.apply(assignment, deadline, calendar)
        assignment.save(update_fields=deadlines.DEADLINE_FIELDS)
        sync_open_dates(obj)
        data["to_due"] = deadline.due.isoformat()
        data["deadline"] = deadline.as_data()
    else:
        data["to_due"] = data["from_due"]
    _record(
        process,
        obj,
        by=by,
        act=Act.EXTENSION_DECIDE,
        note=note,
        data=data,
    )
    tasks_done(obj, verb=EXTENSION_TASK, by=by)
    _notify(
        process,
        obj,
        recipients=_unit_users([assignment.unit]),
        verb="extension_decided",
        text=(
            _("延期申请已批准，新的办理期限为%(due)s：%(title)s")
            if approve
            else _("延期申请未批准，办理期限仍为%(due)s：%(title)s")
        )
        % {"due": data["to_due"], "title": process.title_of(obj)},
    )
    for user in process.extension_watchers(obj):
        # Suggestions: the deputy is told of an extension (a process names who else hears).
        _notify(
            process,
            obj,
            recipients=[user],
            verb="extension_decided",
            text=_("%(unit)s的延期申请%(result)s：%(title)s")
            % {
                "unit": assignment.unit_name,
                "result": _("已批准") if approve else _("未批准"),
                "title": process.title_of(obj),
            },
        )
    return extension


# --- staff's acts on a running assignment -------------------------------------------------


@transaction.atomic
def assignment_chase(*, assignment: Assignment, by, note: str = "") -> Chase:
    """Chase the unit (催办): recorded, counted on the assignment, and the unit notified."""
    process, obj, assignment = _locked(assignment)
    _allow(process, by, Act.CHASE, obj, assignment)
    if not process.can(Act.CHASE, obj, assignment):
        raise process.refusal(Act.CHASE, obj)
    if assignment.state not in deadlines.OPEN_STATES:
        raise process.error(
            "invalid_transition",
            _("该交办当前为“%(state)s”，无需催办。") % {"state": assignment.get_state_display()},
        )
    note = _text(process, note, field=_("催办说明"), limit=NOTE_LIMIT, required=False)
    now = timezone.now()
    overdue = _is_overdue(assignment, timezone.localdate(now))
    chase = Chase.objects.create(
        assignment=assignment, chased_by=by, chased_at=now, note=note, was_overdue=overdue
    )
    Assignment.objects.filter(pk=assignment.pk).update(chase_count=F("chase_count") + 1)
    assignment.chase_count += 1
    _record(
        process,
        obj,
        by=by,
        act=Act.CHASE,
        note=note,
        data=_about(
            process,
            assignment,
            chase=chase.pk,
            due_date=iso(assignment.due_date),
            overdue=overdue,
            count=assignment.chase_count,
        ),
    )
    text = _("催办（第%(n)s次）：%(title)s，办理期限%(due)s。") % {
        "n": assignment.chase_count,
        "title": process.title_of(obj),
        "due": iso(assignment.due_date) or "—",
    }
    if note:
        text = f"{text}{note}"
    _notify(process, obj, recipients=_unit_users([assignment.unit]), verb="chased", text=text)
    return chase


@transaction.atomic
def assignment_reassign(*, assignment: Assignment, by, unit, reason: str) -> Assignment:
    """Give a running assignment to another unit (改派), with a reason: the old one is
    withdrawn, the new one starts pending with a fresh deadline of the same rule and
    period; the case's own state does not change."""
    process, obj, old = _locked(assignment)
    _allow(process, by, Act.REASSIGN, obj, old)
    if not process.can(Act.REASSIGN, obj, old):
        raise process.refusal(Act.REASSIGN, obj)
    if old.state not in deadlines.OPEN_STATES:
        raise process.error(
            "invalid_transition",
            _("该交办当前为“%(state)s”，不能改派。") % {"state": old.get_state_display()},
        )
    unit = check_unit(process, unit, old.case.district)
    if unit.pk == old.unit_id:
        raise process.error("same_unit", _("请选择另一个承办单位。"))
    if Assignment.objects.filter(
        case_id=old.case_id, unit=unit, state__in=deadlines.OPEN_STATES
    ).exists():
        raise process.error("unit_already", _("%(unit)s已在办理这件事项。") % {"unit": unit.name})
    reason = _text(process, reason, field=_("改派理由"), limit=NOTE_LIMIT)
    now = timezone.now()
    old.state = Assignment.State.WITHDRAWN
    old.save(update_fields=["state"])
    new = assign(
        case=old.case,
        unit=unit,
        role=old.role,
        rule=old.rule,
        period=old.period,
        by=by,
        at=now,
    )
    if old.role == Assignment.Role.LEAD:
        process.moved(obj, Act.REASSIGN, new)
        sync_open_dates(obj)
    _record(
        process,
        obj,
        by=by,
        act=Act.REASSIGN,
        note=reason,
        data={
            "from": {process.assignment_key: old.pk, "unit": unit_data(old.unit)},
            process.assignment_key: new.pk,
            "unit": unit_data(unit),
            "role": new.role,
            "due_date": iso(new.due_date),
            "deadline": new.deadline,
        },
    )
    _notify(
        process,
        obj,
        recipients=_unit_users([unit]),
        verb="assigned",
        text=_("收到改派事项：%(title)s，办理期限%(due)s。")
        % {"title": process.title_of(obj), "due": iso(new.due_date)},
    )
    _notify(
        process,
        obj,
        recipients=_unit_users([old.unit]),
        verb="assignment_withdrawn",
        text=_("事项已改派%(unit)s办理：%(title)s")
        % {"unit": unit.name, "title": process.title_of(obj)},
    )
    return new


@transaction.atomic
def assignment_set_deadline(
    *, assignment: Assignment, by, due: datetime.date, reason: str
) -> Assignment:
    """Staff set a new due date (调整期限) with a reason; it must be a working day after
    today. The explanation on the case page says who set it and why."""
    process, obj, assignment = _locked(assignment)
    _allow(process, by, Act.SET_DEADLINE, obj, assignment)
    if not process.can(Act.SET_DEADLINE, obj, assignment):
        raise process.refusal(Act.SET_DEADLINE, obj)
    if assignment.state not in deadlines.OPEN_STATES:
        raise process.error(
            "invalid_transition",
            _("该交办当前为“%(state)s”，不能调整期限。")
            % {"state": assignment.get_state_display()},
        )
    if not isinstance(due, datetime.date) or isinstance(due, datetime.datetime):
        raise process.error("invalid_date", _("请填写有效的日期。"))
    today = timezone.localdate()
    calendar = working_calendar()
    if due <= today:
        raise process.error("past_date", _("新的期限必须晚于今天。"))
    if due > deadlines.add_months(today, deadlines.MAX_MONTHS):
        raise process.error("far_date", _("新的期限不能超过两年。"))
    if not calendar.is_working_day(due):
        raise process.error("not_working_day", _("新的期限必须是工作日。"))
    reason = _text(process, reason, field=_("调整理由"), limit=NOTE_LIMIT)
    start = deadlines.start_of(assignment)
    if assignment.rule == Rule.MONTHS:
        months = max(1, (due.year - start.year) * 12 + due.month - start.month)
        deadline: deadlines.AnyDeadline = deadlines.MonthsDeadline(
            start=start,
            months=months,
            nominal_due=due,
            due=due,
            provisional_years=() if calendar.is_published(due.year) else (due.year,),
        )
    else:
        deadline = calendar.add_working_days(start, calendar.working_days_between(start, due))
    from_due = iso(assignment.due_date)
    deadlines.apply(assignment, deadline, calendar)
    assignment.deadline = {
        **assignment.deadline,
        "set_by": by.get_full_name() or by.get_username(),
        "reason": reason,
    }
    assignment.passing_recorded_for = None
    assignment.save(update_fields=[*deadlines.DEADLINE_FIELDS, "passing_recorded_for"])
    sync_open_dates(obj)
    _record(
        process,
        obj,
        by=by,
        act=Act.SET_DEADLINE,
        note=reason,
        data=_about(
            process,
            assignment,
            from_due=from_due,
            to_due=due.isoformat(),
            deadline=assignment.deadline,
        ),
    )
    _notify(
        process,
        obj,
        recipients=_unit_users([assignment.unit]),
        verb="deadline_set",
        text=_("办理期限调整为%(due)s：%(title)s。理由：%(reason)s")
        % {"due": due.isoformat(), "title": process.title_of(obj), "reason": reason},
    )
    return assignment


# --- rating ------------------------------------------------------------------------------


@transaction.atomic
def reply_rate(
    *,
    reply: Reply | int | None = None,
    case: Case | None = None,
    by,
    score: str,
    comment: str = "",
    method: str = Rating.Method.ONLINE,
    taken_at: datetime.datetime | None = None,
    aspects: dict | None = None,
) -> Rating:
    """Rate a reply: by the rater themself online, or taken by phone or in person (回访:
    `by` is who took it). Given the `case` instead of the reply, the one who asked rates
    what reached them last (the latest reply sent, where replies are reviewed) not yet
    rated. A back-to-back process never shows the rater to the unit. `taken_at`: when a
    callback took place (default now), after the reply reached them, never in the future."""
    if (reply is None) == (case is None):
        raise TypeError("reply_rate takes a reply or a case")
    if case is None:
        assert reply is not None
        case = _reply_case(reply)
    process, obj = _locked_case(case)
    act = Act.RATE if method == Rating.Method.ONLINE else Act.RATE_RECORD
    if reply is not None:
        reply = (
            Reply.objects.select_for_update(of=("self",))
            .select_related("assignment")
            .get(pk=_reply_pk(reply))
        )
        _allow(process, by, act, obj, reply.assignment)
        if Rating.objects.filter(reply=reply).exists():
            raise process.error("already_rated", _("该答复已经评价过了。"))
        if not process.can(act, obj, reply.assignment):
            raise process.refusal(act, obj)
        if process.reviews_replies and reply.sent_at is None:
            raise process.error("not_sent", _("该答复尚未反馈，不能评价。"))
    else:
        _allow(process, by, act, obj, None)
        if not process.can(act, obj, None):
            raise process.refusal(act, obj)
    if score not in GIVEN_SCORES:
        raise process.error("invalid_score", _("请选择满意、基本满意或不满意。"))
    if method not in Rating.Method.values or method == Rating.Method.AUTO:
        raise process.error("invalid_method", _("请选择评价方式。"))
    aspects = aspects or {}
    if set(aspects) != set(process.rating_aspects) or any(
        value not in GIVEN_SCORES for value in aspects.values()
    ):
        raise process.error(
            "invalid_aspects",
            _("请对每一项（%(aspects)s）选择满意、基本满意或不满意。")
            % {"aspects": "、".join(str(label) for label in process.rating_aspects.values())},
        )
    comment = _text(process, comment, field=_("评价意见"), limit=NOTE_LIMIT, required=False)
    if reply is None:
        # A co-unit's reply is its views for the lead unit, not an answer to rate.
        waiting = Reply.objects.filter(case=case, rating__isnull=True).exclude(
            assignment__role=Assignment.Role.CO
        )
        if process.reviews_replies:
            waiting = waiting.filter(sent_at__isnull=False).order_by("-sent_at", "-id")
        else:
            waiting = waiting.order_by("-created_at", "-id")
        # The case row is locked: no second rating can be racing this one.
        reply = waiting.select_related("assignment").first()
        if reply is None:
            raise process.error("nothing_to_rate", _("没有待评价的答复。"))
    if score == Rating.Score.UNSATISFIED and not comment:
        raise process.error("reason_required", str(process.unsatisfied_hint))
    online = method == Rating.Method.ONLINE
    now = timezone.now()
    if taken_at is None or online:
        taken_at = now
    elif not isinstance(taken_at, datetime.datetime) or timezone.is_naive(taken_at):
        raise process.error("invalid_time", _("请填写有效的回访时间。"))
    elif taken_at > now:
        raise process.error("future_time", _("回访时间不能晚于现在。"))
    elif taken_at < _reply_reached(reply):
        raise process.error("early_time", _("回访时间不能早于答复反馈的时间。"))
    assignment = reply.assignment
    rating = Rating.objects.create(
        case_id=reply.case_id,
        reply=reply,
        score=score,
        comment=comment,
        method=method,
        rater=by if online else None,
        taken_by=None if online else by,
        back_to_back=process.back_to_back,
        aspects={key: str(value) for key, value in aspects.items()},
        created_at=taken_at,
    )
    from_state = process.state_of(obj)
    extra = process.moved(obj, act, assignment, score=score, comment=comment, rating=rating)
    data: dict[str, Any] = {
        "reply": reply.pk,
        "rating": rating.pk,
        "score": score,
        "method": method,
    }
    if rating.aspects:
        data["aspects"] = rating.aspects
    if not online:
        data["taken_at"] = timezone.localtime(taken_at).isoformat(timespec="minutes")
    if assignment is not None:
        data[process.assignment_key] = assignment.pk
    data = {**process.event_data(act, data), **(extra or {})}
    _record(process, obj, by=by, act=act, from_state=from_state, note=comment, data=data)
    process.after(act, obj, assignment, score=score, comment=comment, rating=rating)
    return rating


def notify_rated(process: Process, obj, assignment: Assignment, rating: Rating) -> None:
    """Tell the unit its reply was rated (the score, never who rated)."""
    _notify(
        process,
        obj,
        recipients=_unit_users([assignment.unit]),
        verb="rated",
        text=_("答复已评价“%(score)s”：%(title)s")
        % {"score": Rating.Score(rating.score).label, "title": process.title_of(obj)},
    )


# --- closing what nobody rated (默认满意) ---------------------------------------------------


def last_day_to_close(today: datetime.date, days: int, calendar) -> datetime.date:
    """The latest day a reply may have reached the one who asked for it to be `days`
    working days old on `today` (working_days_between(that day, today) == days)."""
    day, counted = today, 0
    while counted < days:
        if calendar.is_working_day(day):
            counted += 1
        day -= datetime.timedelta(days=1)
    return day


def _reply_reached(reply: Reply) -> datetime.datetime:
    """When a reply reached the one who asked: sent, or written where nobody reviews."""
    return reply.sent_at or reply.created_at


def _waiting_reply(process: Process, case_id: int) -> Reply | None:
    """The reply the one who asked is to rate: the latest one that reached them, unrated."""
    waiting = Reply.objects.filter(case_id=case_id, rating__isnull=True).exclude(
        assignment__role=Assignment.Role.CO
    )
    if process.reviews_replies:
        return waiting.filter(sent_at__isnull=False).order_by("-sent_at", "-id").first()
    return waiting.order_by("-created_at", "-id").first()


def replies_close_unrated(*, today: datetime.date | None = None) -> int:
    """Close, as 默认满意, each case whose reply reached the one who asked at least the
    process's working days ago (Process.auto_close_days) and that nobody rated. The system's
    act, recorded on the case's timeline; each case is its own transaction, so a run stopped
    half-way keeps what it closed and a second run closes nothing twice. Returns how many."""
    today = today or timezone.localdate()
    calendar = working_calendar()
    closed = 0
    for process in processes().values():
        for case_id in list(process.awaiting_rating(today, calendar)):
            if _close_unrated(process, case_id, today, calendar):
                closed += 1
    return closed


def _close_unrated(process: Process, case_id: int, today: datetime.date, calendar) -> bool:
    with transaction.atomic():
        case = Case.objects.filter(pk=case_id).first()
        if case is None:
            return False
        obj = process.lock(case)
        days = process.auto_close_days(obj)
        if not days or not process.can(Act.RATE_DEFAULT, obj, None):
            return False
        reply = _waiting_reply(process, case_id)
        if reply is None:
            return False
        reached = deadlines.local_date(_reply_reached(reply))
        if calendar.working_days_between(reached, today) < days:
            return False
        rating = Rating.objects.create(
            case_id=case_id,
            reply=reply,
            score=Rating.Score.DEFAULT,
            method=Rating.Method.AUTO,
            back_to_back=process.back_to_back,
            created_at=timezone.now(),
        )
        assignment = reply.assignment
        from_state = process.state_of(obj)
        extra = process.moved(obj, Act.RATE_DEFAULT, assignment, score=rating.score, rating=rating)
        data: dict[str, Any] = {
            "reply": reply.pk,
            "rating": rating.pk,
            "score": rating.score,
            "working_days": days,
            "reached_on": reached.isoformat(),
        }
        if assignment is not None:
            data[process.assignment_key] = assignment.pk
        _record(
            process,
            obj,
            by=None,
            act=Act.RATE_DEFAULT,
            from_state=from_state,
            data={**data, **(extra or {})},
        )
        process.after(
            Act.RATE_DEFAULT, obj, assignment, score=rating.score, comment="", rating=rating
        )
    return True


# --- deadlines over time -----------------------------------------------------------------


def deadlines_record_passings(*, today: datetime.date | None = None) -> int:
    """Record once, as an event on its case, each open assignment's due date passing, and
    tell the unit and staff. Each assignment is its own transaction, so a run stopped
    half-way keeps what it recorded and a second run records nothing twice."""
    today = today or timezone.localdate()
    recorded = 0
    pks = list(deadlines.passings_due(today).values_list("pk", flat=True))
    for start in range(0, len(pks), PASSING_BATCH):
        batch = deadlines.passings_due(today).filter(pk__in=pks[start : start + PASSING_BATCH])
        for assignment in batch:
            if _record_passing(assignment, today):
                recorded += 1
    return recorded


def processes_daily(*, today: datetime.date | None = None) -> int:
    """Each registered process's own daily check (Process.daily); how many it recorded."""
    today = today or timezone.localdate()
    return sum(process.daily(today) for process in processes().values())


def _record_passing(assignment: Assignment, today: datetime.date) -> bool:
    with transaction.atomic():
        process = process_for(assignment.case.process)
        obj = process.lock(assignment.case)
        # Claim the passing: of two runs at once, only one updates the row.
        claimed = (
            Assignment.objects.filter(
                pk=assignment.pk, state__in=deadlines.OPEN_STATES, due_date__lt=today
            )
            .filter(Q(passing_recorded_for__isnull=True) | ~Q(passing_recorded_for=F("due_date")))
            .update(passing_recorded_for=F("due_date"))
        )
        if not claimed:
            return False
        assignment.refresh_from_db(fields=["due_date", "passing_recorded_for"])
        _record(
            process,
            obj,
            by=None,
            act=Act.DEADLINE_PASSED,
            data=_about(
                process,
                assignment,
                role=assignment.role,
                due_date=iso(assignment.due_date),
            ),
        )
        text = process.passing_text(obj, assignment)
        _notify(
            process,
            obj,
            recipients=_unit_users([assignment.unit]),
            verb="deadline_passed",
            text=text,
        )
        _notify(
            process,
            obj,
            recipients=process.staff_recipients(obj),
            verb="deadline_passed",
            text=_("%(unit)s办理超期：%(text)s") % {"unit": assignment.unit_name, "text": text},
        )
    return True


@transaction.atomic
def assignments_recompute_deadlines(*, year: int, by) -> int:
    """Redo open deadlines after `year`'s calendar changed; an event per case whose
    deadline moved. An assignment whose due date stays but whose very-overdue date moves
    is updated too, without an event. Returns how many deadlines moved."""
    calendar = working_calendar()
    changed = 0
    by_case: dict[int, list[tuple[Assignment, dict, deadlines.AnyDeadline | None]]] = {}
    for assignment in deadlines.to_recompute(year):
        old = deadlines.stored(assignment)
        new = None
        if (old is None or deadlines.year_touches(old, year)) and not (
            old is not None and assignment.deadline.get("set_by")
        ):
            new = deadlines.recomputed(assignment, calendar)
            if new is not None and old is not None and new.as_data() == old.as_data():
                new = None
        before = {
            "due_date": iso(assignment.due_date),
            "provisional": assignment.deadline_provisional,
        }
        if new is not None:
            deadlines.apply(assignment, new, calendar)
        elif deadlines.very_overdue_touches(assignment, year):
            very_overdue = deadlines.recomputed_very_overdue_from(assignment, calendar)
            if very_overdue == assignment.very_overdue_from:
                continue
            assignment.very_overdue_from = very_overdue
        else:
            continue
        by_case.setdefault(assignment.case_id, []).append((assignment, before, new))
    for case_id in sorted(by_case):
        case = Case.objects.get(pk=case_id)
        process = process_for(case.process)
        obj = process.lock(case)
        changes = []
        for assignment, before, new in by_case[case_id]:
            assignment.save(update_fields=deadlines.DEADLINE_FIELDS)
            if new is None:
                continue
            changed += 1
            changes.append(
                {
                    process.assignment_key: assignment.pk,
                    "unit": assignment.unit_name,
                    "from_due": before["due_date"],
                    "to_due": new.due.isoformat(),
                    "was_provisional": before["provisional"],
                    "provisional": new.provisional,
                    "deadline": new.as_data(),
                    "very_overdue_from": iso(assignment.very_overdue_from),
                }
            )
        sync_open_dates(obj)
        if changes:
            _record(
                process,
                obj,
                by=by,
                act=Act.DEADLINE_RECOMPUTED,
                note=_("%(year)s年工作日历更新，重新计算办理期限。") % {"year": year},
                data={"year": year, "changes": changes},
            )
    return changed


def calendar_changed(*, year: int, by) -> None:
    """The hook registered once with the working-day calendar (module level: hooks must
    not be closures, which a weak registry could drop)."""
    assignments_recompute_deadlines(year=year, by=by)
