"""Deputies' suggestions (代表建议): every state change, one function each, keyword-only,
the actor as `by`, inside a transaction, writing one event on the suggestion's timeline.

提 drafting and co-signing; 阅看 the street's and the district's review; 交 registration
with its number and the assignment at the meeting (交办会); 办 the contact before
replying and the reply with its commitments (through zhitong.handling, whose services the
units' acts run in: `zhitong.suggestions.handling` is the adapter); 评 the deputy's
back-to-back rating, re-handling; the commitment ledger from answered to carried out.
Bad input raises SuggestionError (a stable code, a Chinese message) and changes nothing.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhitong.core.events import event_record
from zhitong.core.files import removed_on_error
from zhitong.core.text import strip_invisible
from zhitong.deputies.models import Deputy, GroupKind
from zhitong.handling import deadlines
from zhitong.handling import services as handling
from zhitong.handling.models import Assignment, Reply, Rule
from zhitong.handling.registry import HandlingError
from zhitong.insights import services as insights
from zhitong.opinions import intake
from zhitong.opinions import services as opinion_services
from zhitong.regions.models import Region
from zhitong.suggestions import lifecycle
from zhitong.suggestions.models import (
    CONTENT_LIMIT,
    NOTE_LIMIT,
    TITLE_LIMIT,
    Commitment,
    CongressSession,
    Contact,
    CoSigner,
    DistrictSettings,
    File,
    Kind,
    Review,
    Status,
    Suggestion,
    Version,
)
from zhitong.suggestions.verbs import SuggestionVerb
from zhitong.units.models import Category, HandlingUnit, route_for
from zhitong.workdays.selectors import working_calendar

PROCESS = "suggestions"
# At most this many co-signers on one suggestion, and this many commitments on one reply.
COSIGNER_LIMIT = 30
COMMITMENT_LIMIT = 20
FILE_LIMIT = 10 * 1024 * 1024
FILES_PER_UPLOAD = 5
# What a draft's attachments and a reply's letter may be.
FILE_TYPES = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
}


class SuggestionError(HandlingError):
    """A refused action: a stable `code` for programs and a Chinese message for people."""


def notifications_api():
    """The notifications service module (tests put a recorder in its place)."""
    from zhitong.notifications import services as api

    return api


# --- small checks ------------------------------------------------------------------------


def _require(user, perm: str, suggestion=None) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("请先登录。"))
    if not user.has_perm(perm, suggestion):
        raise PermissionDenied(_("你无权办理这件建议。"))


def _text(value, *, field: str, limit: int, required: bool = True) -> str:
    text = strip_invisible(str(value or "")).strip()
    if required and not text:
        raise SuggestionError("required", _("请填写%(field)s。") % {"field": field})
    if len(text) > limit:
        raise SuggestionError(
            "too_long", _("%(field)s不能超过%(limit)s个字。") % {"field": field, "limit": limit}
        )
    return text


def _check_state(suggestion: Suggestion, action: str) -> None:
    if not lifecycle.allowed(action, suggestion.status):
        raise SuggestionError(
            "invalid_transition",
            _("该建议当前状态为“%(status)s”，不能进行此操作。")
            % {"status": suggestion.get_status_display()},
        )


def _locked(suggestion: Suggestion | int) -> Suggestion:
    pk = suggestion.pk if isinstance(suggestion, Suggestion) else suggestion
    return (
        Suggestion.objects.select_for_update(of=("self",))
        .select_related("district", "street", "lead_deputy", "session__term", "category")
        .get(pk=pk)
    )


def _record(
    suggestion: Suggestion,
    *,
    by,
    verb: str,
    from_state: str | None = None,
    note: str = "",
    data: dict | None = None,
) -> None:
    event_record(
        actor=by,
        subject=suggestion,
        verb=verb,
        from_state=suggestion.status if from_state is None else from_state,
        to_state=suggestion.status,
        note=note,
        data=data or {},
        district_code=suggestion.district.code,
    )


def _own_deputy(user) -> Deputy:
    if getattr(user, "pk", None) is None:
        raise PermissionDenied(_("请先登录。"))
    deputy = Deputy.objects.filter(user_id=user.pk).first()
    if deputy is None:
        raise PermissionDenied(_("只有人大代表可以提出建议。"))
    return deputy


def settings_for(district_id: int) -> DistrictSettings:
    """The district's rules for suggestions (the defaults when its staff set none)."""
    found = DistrictSettings.objects.filter(district_id=district_id).first()
    return found or DistrictSettings(district_id=district_id)


def notify_after_commit(*, recipients, verb: str, text: str, url: str, subject, task=False):
    """Notify once the act commits (`recipients`: users, or a function of the notifications
    API giving them, resolved then)."""

    def send():
        api = notifications_api()
        users = recipients(api) if callable(recipients) else recipients
        users = [user for user in users if user is not None and user.is_active]
        if users:
            api.notify(recipients=users, verb=verb, text=text, url=url, subject=subject, task=task)

    transaction.on_commit(send, robust=True)


def _notify(suggestion: Suggestion, *, recipients, verb: str, text: str, task: bool = False):
    """Notify about `suggestion`, with its page's address, after the commit."""
    from zhitong.suggestions.handling import suggestion_url

    notify_after_commit(
        recipients=recipients,
        verb=verb,
        text=text,
        url=suggestion_url(suggestion),
        subject=suggestion,
        task=task,
    )


def deputy_users(suggestion: Suggestion, *, cosigners: bool = True) -> list:
    """The lead deputy's account and, with `cosigners`, those of the deputies who joined:
    a jointly signed suggestion is answered to each signing deputy."""
    users = [suggestion.lead_deputy.user] if suggestion.lead_deputy.user_id else []
    if cosigners:
        users += [
            c.deputy.user
            for c in suggestion.cosigners.filter(state=CoSigner.State.ACCEPTED)
            .select_related("deputy__user")
            .order_by("pk")
            if c.deputy.user_id
        ]
    return users


def staff_of(suggestion: Suggestion):
    """The district's committee staff (a function of the notifications API)."""
    return lambda api: [
        user for user in api.recipients_for_region(suggestion.district) if user.role in ("staff",)
    ]


def _street_committee(suggestion: Suggestion):
    return lambda api: [
        user for user in api.recipients_for_region(suggestion.street) if user.role == "street"
    ]


# --- 一事一议: one matter per suggestion ----------------------------------------------------

# A numbered demand at the start of a line: 一、 （一） 1. 1、 (1) ①.
_NUMBERED = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+\s*[、.．)）]|[①-⑩])"
)


def several_matters(content: str) -> list[str]:
    """The numbered demands of a draft when it seems to hold several matters (一事一议):
    two or more numbered lines. A hint for the deputy and the reviewer, never a refusal."""
    items = [line.strip() for line in (content or "").splitlines() if _NUMBERED.match(line)]
    return items if len(items) >= 2 else []


# --- 提: drafting and co-signing ----------------------------------------------------------


def current_session(district: Region, today: datetime.date | None = None):
    """The session a suggestion raised today belongs to: the latest that opened by today."""
    today = today or timezone.localdate()
    return (
        CongressSession.objects.filter(district=district, opens_on__lte=today)
        .select_related("term")
        .order_by("-opens_on", "-id")
        .first()
    )


def street_of(deputy: Deputy) -> Region | None:
    """The street of the deputy's street group (街道代表小组), today."""
    today = timezone.localdate()
    membership = (
        deputy.group_memberships.filter(group__kind=GroupKind.STREET, start_date__lte=today)
        .exclude(end_date__lt=today)
        .select_related("group__region")
        .order_by("-start_date", "-pk")
        .first()
    )
    return membership.group.region if membership else None


def _check_session(session, district) -> CongressSession | None:
    if session is not None and session.district_id != district.pk:
        raise SuggestionError("invalid_session", _("请选择本区的人代会会议。"))
    return session


def _check_street(street, district) -> Region | None:
    if street is not None and (
        street.level != "street" or not street.path.startswith(district.path)
    ):
        raise SuggestionError("invalid_street", _("请选择本区的街道。"))
    return street


def _check_category(category) -> Category | None:
    if category is not None and not category.is_active:
        raise SuggestionError("invalid_category", _("该类别已停用。"))
    return category


@transaction.atomic
def suggestion_draft(
    *,
    by,
    title: str,
    content: str = "",
    category: Category | None = None,
    street: Region | None = None,
    session: CongressSession | None = None,
    during_session: bool | None = None,
) -> Suggestion:
    """A deputy starts a suggestion as its lead deputy (领衔). The street and the session
    default to the deputy's street group and the session in course."""
    deputy = _own_deputy(by)
    district = deputy.district
    title = _text(title, field=_("建议标题"), limit=TITLE_LIMIT)
    content = _text(content, field=_("建议内容"), limit=CONTENT_LIMIT, required=False)
    session = _check_session(session, district) or current_session(district)
    if during_session is None:
        today = timezone.localdate()
        during_session = bool(session and session.opens_on <= today <= session.closes_on)
    suggestion = Suggestion.objects.create(
        title=title,
        content=content,
        category=_check_category(category),
        lead_deputy=deputy,
        district=district,
        street=_check_street(street, district) if street else street_of(deputy),
        session=session,
        during_session=during_session,
        created_by=by,
    )
    _record(suggestion, by=by, verb=SuggestionVerb.DRAFTED, from_state="")
    return suggestion


@transaction.atomic
def suggestion_edit(
    *,
    suggestion: Suggestion,
    by,
    title: str,
    content: str,
    category: Category | None = None,
    street: Region | None = None,
    session: CongressSession | None = None,
    during_session: bool = True,
) -> Suggestion:
    """The lead deputy revises the draft (also after it came back for revision)."""
    suggestion = _locked(suggestion)
    _require(by, "suggestions.edit_suggestion", suggestion)
    _check_state(suggestion, "edit")
    suggestion.title = _text(title, field=_("建议标题"), limit=TITLE_LIMIT)
    suggestion.content = _text(content, field=_("建议内容"), limit=CONTENT_LIMIT, required=False)
    suggestion.category = _check_category(category)
    suggestion.street = _check_street(street, suggestion.district)
    suggestion.session = _check_session(session, suggestion.district)
    suggestion.during_session = bool(during_session)
    suggestion.save()
    _record(suggestion, by=by, verb=SuggestionVerb.EDITED)
    return suggestion


@transaction.atomic
def cosigners_invite(*, suggestion: Suggestion, by, deputies: Iterable[Deputy]) -> list[CoSigner]:
    """The lead deputy invites deputies of the district to co-sign (联名); each accepts or
    declines. Inviting one already invited (or the lead deputy) is refused."""
    suggestion = _locked(suggestion)
    _require(by, "suggestions.edit_suggestion", suggestion)
    _check_state(suggestion, "invite")
    deputies = list(dict.fromkeys(deputies))
    if not deputies:
        raise SuggestionError("required", _("请选择要邀请联名的代表。"))
    existing = set(suggestion.cosigners.values_list("deputy_id", flat=True))
    for deputy in deputies:
        if deputy.pk == suggestion.lead_deputy_id:
            raise SuggestionError("own_suggestion", _("领衔代表不能再联名自己的建议。"))
        if deputy.pk in existing:
            raise SuggestionError(
                "already_invited", _("已经邀请过%(name)s代表联名。") % {"name": deputy.name}
            )
        if deputy.district_id != suggestion.district_id:
            raise SuggestionError(
                "other_district", _("%(name)s代表不是本区代表。") % {"name": deputy.name}
            )
    if len(existing) + len(deputies) > COSIGNER_LIMIT:
        raise SuggestionError("too_many", _("联名代表不能超过%(n)s位。") % {"n": COSIGNER_LIMIT})
    now = timezone.now()
    made = CoSigner.objects.bulk_create(
        [CoSigner(suggestion=suggestion, deputy=d, invited_at=now) for d in deputies]
    )
    _record(
        suggestion,
        by=by,
        verb=SuggestionVerb.COSIGNER_INVITE,
        data={"deputies": [{"id": d.pk, "name": d.name} for d in deputies]},
    )
    _notify(
        suggestion,
        recipients=[d.user for d in deputies if d.user_id],
        verb="cosign_invited",
        text=_("%(lead)s代表邀请您联名建议：%(title)s")
        % {"lead": suggestion.lead_deputy.name, "title": suggestion.title},
        task=True,
    )
    return made


@transaction.atomic
def cosigner_respond(*, suggestion: Suggestion, by, accept: bool) -> CoSigner:
    """An invited deputy accepts or declines to co-sign; answering twice is refused."""
    suggestion = _locked(suggestion)
    cosigner = (
        CoSigner.objects.select_for_update()
        .select_related("deputy")
        .filter(suggestion=suggestion, deputy__user_id=getattr(by, "pk", 0) or 0)
        .first()
    )
    if cosigner is None:
        raise PermissionDenied(_("你没有被邀请联名这件建议。"))
    if cosigner.state != CoSigner.State.INVITED:
        raise SuggestionError(
            "already_answered",
            _("你已经答复过联名邀请（%(state)s）。") % {"state": cosigner.get_state_display()},
        )
    _check_state(suggestion, "cosign")
    cosigner.state = CoSigner.State.ACCEPTED if accept else CoSigner.State.DECLINED
    cosigner.responded_at = timezone.now()
    cosigner.save(update_fields=["state", "responded_at"])
    _record(
        suggestion,
        by=by,
        verb=SuggestionVerb.COSIGNER_ACCEPT if accept else SuggestionVerb.COSIGNER_DECLINE,
        data={"deputy": {"id": cosigner.deputy_id, "name": cosigner.deputy.name}},
    )
    handling.tasks_done(suggestion, verb="cosign_invited", by=by)
    return cosigner


@transaction.atomic
def suggestion_submit(*, suggestion: Suggestion, by) -> Suggestion:
    """The lead deputy submits the draft (or the revised one) for review: to the street's
    working committee when it names a street, else to the district. Each submission keeps
    its text as a version."""
    suggestion = _locked(suggestion)
    _require(by, "suggestions.edit_suggestion", suggestion)
    _check_state(suggestion, "submit")
    _text(suggestion.title, field=_("建议标题"), limit=TITLE_LIMIT)
    _text(suggestion.content, field=_("建议内容"), limit=CONTENT_LIMIT)
    from_state = suggestion.status
    if from_state == Status.RETURNED:
        suggestion.version += 1
    now = timezone.now()
    Version.objects.create(
        suggestion=suggestion,
        number=suggestion.version,
        title=suggestion.title,
        content=suggestion.content,
        category_name=suggestion.category.name if suggestion.category else "",
        submitted_at=now,
        submitted_by=by,
    )
    suggestion.status = Status.STREET_REVIEW if suggestion.street_id else Status.DISTRICT_REVIEW
    suggestion.submitted_at = now
    suggestion.save(update_fields=["status", "version", "submitted_at", "updated_at"])
    _record(
        suggestion,
        by=by,
        verb=SuggestionVerb.SUBMITTED,
        from_state=from_state,
        data={
            "version": suggestion.version,
            "several_matters": len(several_matters(suggestion.content)),
        },
    )
    reviewers = (
        _street_committee(suggestion)
        if suggestion.status == Status.STREET_REVIEW
        else staff_of(suggestion)
    )
    _notify(
        suggestion,
        recipients=reviewers,
        verb="suggestion_to_review",
        text=_("%(lead)s代表提交了建议，请阅看：%(title)s")
        % {"lead": suggestion.lead_deputy.name, "title": suggestion.title},
        task=True,
    )
    return suggestion


@transaction.atomic
def suggestion_withdraw(*, suggestion: Suggestion, by, reason: str = "") -> Suggestion:
    """The lead deputy withdraws it before it is filed."""
    suggestion = _locked(suggestion)
    _require(by, "suggestions.edit_suggestion", suggestion)
    _check_state(suggestion, "withdraw")
    reason = _text(reason, field=_("撤回理由"), limit=NOTE_LIMIT, required=False)
    from_state = suggestion.status
    suggestion.status = Status.WITHDRAWN
    suggestion.save(update_fields=["status", "updated_at"])
    _record(suggestion, by=by, verb=SuggestionVerb.WITHDRAWN, from_state=from_state, note=reason)
    handling.tasks_done(suggestion, verb="suggestion_to_review", by=by)
    return suggestion


# --- 阅看: review before filing -------------------------------------------------------------


CHECK_KEYS = tuple(key for key, _label in Review.CHECKS)


@transaction.atomic
def suggestion_review(
    *,
    suggestion: Suggestion,
    by,
    outcome: str,
    checks: dict | None = None,
    comment: str = "",
    criticism: bool | None = None,
) -> Review:
    """The street committee, then the district, review a submitted suggestion (阅看) with
    the checklist: pass it on, return it for revision with comments (the deputy revises
    and submits again), or send it to the opinions' handling instead. The reviewer may
    also mark it a criticism or comment (批评和意见) rather than a suggestion."""
    suggestion = _locked(suggestion)
    if suggestion.status == Status.STREET_REVIEW:
        level, perm, action = Review.Level.STREET, "suggestions.review_street", "street_review"
    else:
        level, perm, action = (
            Review.Level.DISTRICT,
            "suggestions.review_district",
            "district_review",
        )
    _require(by, perm, suggestion)
    _check_state(suggestion, action)
    if outcome not in Review.Outcome.values:
        raise SuggestionError("invalid_outcome", _("请选择阅看结果。"))
    checks = {key: bool((checks or {}).get(key)) for key in CHECK_KEYS}
    comment = _text(comment, field=_("阅看意见"), limit=NOTE_LIMIT, required=False)
    if outcome == Review.Outcome.RETURN and not comment:
        raise SuggestionError("comment_required", _("退回修改时请写明阅看意见。"))
    if outcome == Review.Outcome.PASS and not all(checks.values()):
        raise SuggestionError(
            "checks_failed", _("审查要点未全部符合，不能通过；请退回修改或转为意见办理。")
        )
    from_state = suggestion.status
    review = Review.objects.create(
        suggestion=suggestion,
        level=level,
        version=suggestion.version,
        outcome=outcome,
        checks=checks,
        comment=comment,
        reviewer=by,
        reviewed_at=timezone.now(),
    )
    fields = ["status", "updated_at"]
    if criticism is not None:
        suggestion.kind = Kind.CRITICISM if criticism else Kind.SUGGESTION
        fields.append("kind")
    data = {
        "level": level,
        "level_label": str(review.get_level_display()),
        "outcome": outcome,
        "outcome_label": str(review.get_outcome_display()),
        "version": suggestion.version,
        "checks": checks,
        "kind": suggestion.kind,
    }
    if outcome == Review.Outcome.PASS:
        suggestion.status = (
            Status.DISTRICT_REVIEW if level == Review.Level.STREET else Status.REVIEWED
        )
    elif outcome == Review.Outcome.RETURN:
        suggestion.status = Status.RETURNED
    else:
        opinion = intake.opinion_from_suggestion(
            district=suggestion.district,
            place=suggestion.street,
            deputy=suggestion.lead_deputy,
            subject=suggestion.title[:100],
            content=suggestion.content,
            category=suggestion.category,
            by=by,
            note=comment,
        )
        suggestion.converted_opinion = opinion
        suggestion.status = Status.CONVERTED
        suggestion.closed_at = timezone.now()
        fields += ["converted_opinion", "closed_at"]
        data["opinion"] = {"id": opinion.pk, "tracking_code": opinion.tracking_code}
    suggestion.save(update_fields=fields)
    _record(
        suggestion,
        by=by,
        verb=SuggestionVerb.REVIEWED,
        from_state=from_state,
        note=comment,
        data=data,
    )
    handling.tasks_done(suggestion, verb="suggestion_to_review", by=by)
    if suggestion.status == Status.DISTRICT_REVIEW:
        _notify(
            suggestion,
            recipients=staff_of(suggestion),
            verb="suggestion_to_review",
            text=_("街道已阅看通过，请区人大阅看：%(title)s") % {"title": suggestion.title},
            task=True,
        )
    elif suggestion.status == Status.RETURNED:
        _notify(
            suggestion,
            recipients=deputy_users(suggestion, cosigners=False),
            verb="suggestion_returned",
            text=_("您的建议被退回修改：%(title)s。阅看意见：%(comment)s")
            % {"title": suggestion.title, "comment": comment},
        )
    elif suggestion.status == Status.CONVERTED:
        _notify(
            suggestion,
            recipients=deputy_users(suggestion, cosigners=False),
            verb="suggestion_converted",
            text=_("您的建议已转为群众意见办理：%(title)s") % {"title": suggestion.title},
        )
    return review


# --- 交: registration and assignment ------------------------------------------------------


def proposed_units(suggestion: Suggestion) -> HandlingUnit | None:
    """The lead unit the category routing proposes for it (分类交办), or None."""
    if suggestion.category is None:
        return None
    return route_for(suggestion.category, suggestion.street or suggestion.district)


def _check_units(suggestion: Suggestion, lead, co_units) -> list[HandlingUnit]:
    if lead is None:
        raise SuggestionError("lead_required", _("请选择主办单位。"))
    co_units = [unit for unit in dict.fromkeys(co_units or ()) if unit.pk != lead.pk]
    for unit in [lead, *co_units]:
        handling.check_unit(_process(), unit, suggestion.district)
    return co_units


def _process():
    from zhitong.handling.registry import process_for

    return process_for(PROCESS)


@transaction.atomic
def suggestion_register(
    *,
    suggestion: Suggestion,
    by,
    category: Category | None,
    lead: HandlingUnit | None,
    co_units: Iterable[HandlingUnit] = (),
    session: CongressSession | None = None,
    is_key: bool = False,
    key_leader=None,
) -> Suggestion:
    """Staff register a reviewed suggestion (立案): the next number of its session's series
    (大会期间 or 闭会期间), the category, the proposed lead unit and co-units (from the
    category routing unless chosen), key (重点) or not. Invitations not answered lapse."""
    suggestion = _locked(suggestion)
    _require(by, "suggestions.manage_suggestion", suggestion)
    _check_state(suggestion, "register")
    session = _check_session(session, suggestion.district) or suggestion.session
    if session is None:
        raise SuggestionError("session_required", _("请选择所属人代会会议。"))
    if category is None:
        raise SuggestionError("category_required", _("请选择建议类别。"))
    suggestion.category = _check_category(category)
    co_units = _check_units(suggestion, lead, co_units)
    _check_key(suggestion, is_key, key_leader)
    # The series is numbered under the session's lock: two registrations never share one.
    CongressSession.objects.select_for_update().get(pk=session.pk)
    last = Suggestion.objects.filter(
        session=session, during_session=suggestion.during_session
    ).aggregate(last=Max("number"))["last"]
    now = timezone.now()
    suggestion.session = session
    suggestion.number = (last or 0) + 1
    suggestion.proposed_lead = lead
    suggestion.is_key = bool(is_key)
    suggestion.key_leader = key_leader if is_key else None
    suggestion.status = Status.REGISTERED
    suggestion.registered_at = now
    if suggestion.case_id is None:
        suggestion.case = handling.case_open(
            process=PROCESS,
            district=suggestion.district,
            reference=suggestion.reference,
            title=suggestion.title,
            at=now,
        )
    suggestion.save()
    suggestion.proposed_co_units.set(co_units)
    # Staff decided its category: a training row for the router (a confirmation or a
    # correction of what it proposed at registration).
    insights.example_record(
        process=PROCESS,
        object_id=suggestion.pk,
        title=suggestion.title,
        text=suggestion.content,
        label=category.code,
        by=by,
    )
    CoSigner.objects.filter(suggestion=suggestion, state=CoSigner.State.INVITED).update(
        state=CoSigner.State.LAPSED
    )
    _record(
        suggestion,
        by=by,
        verb=SuggestionVerb.REGISTERED,
        from_state=Status.REVIEWED,
        data={
            "reference": suggestion.reference,
            "number": suggestion.number,
            "session": session.pk,
            "category": category.name,
            "lead": handling.unit_data(lead),
            "co_units": [handling.unit_data(unit) for unit in co_units],
            "is_key": suggestion.is_key,
        },
    )
    return suggestion


def _check_key(suggestion: Suggestion, is_key: bool, key_leader) -> None:
    if not is_key:
        return
    from zhitong.core.scoping import region_in_scope

    if key_leader is None:
        raise SuggestionError("leader_required", _("重点督办建议须确定领衔督办的主任会议成员。"))
    if key_leader.role != "leader" or not region_in_scope(key_leader, suggestion.district):
        raise SuggestionError("invalid_leader", _("领衔督办人须是本区主任会议成员。"))


@transaction.atomic
def suggestion_propose(
    *,
    suggestion: Suggestion,
    by,
    lead: HandlingUnit | None,
    co_units: Iterable[HandlingUnit] = (),
) -> Suggestion:
    """Staff change the proposed units before the assignment meeting."""
    suggestion = _locked(suggestion)
    _require(by, "suggestions.manage_suggestion", suggestion)
    _check_state(suggestion, "assign")  # only while it waits for the assignment meeting
    co_units = _check_units(suggestion, lead, co_units)
    suggestion.proposed_lead = lead
    suggestion.save(update_fields=["proposed_lead", "updated_at"])
    suggestion.proposed_co_units.set(co_units)
    _record(
        suggestion,
        by=by,
        verb=SuggestionVerb.REGISTERED,
        data={
            "reference": suggestion.reference,
            "lead": handling.unit_data(lead),
            "co_units": [handling.unit_data(unit) for unit in co_units],
        },
    )
    return suggestion


@transaction.atomic
def suggestion_mark_key(*, suggestion: Suggestion, by, is_key: bool, key_leader=None) -> Suggestion:
    """Staff make it a key suggestion (重点督办) led by a member of the directors' meeting, or
    not."""
    suggestion = _locked(suggestion)
    _require(by, "suggestions.manage_suggestion", suggestion)
    _check_state(suggestion, "mark_key")
    _check_key(suggestion, is_key, key_leader)
    suggestion.is_key = bool(is_key)
    suggestion.key_leader = key_leader if is_key else None
    suggestion.save(update_fields=["is_key", "key_leader", "updated_at"])
    _record(
        suggestion,
        by=by,
        verb=SuggestionVerb.KEY_MARK,
        data={
            "is_key": suggestion.is_key,
            "leader": {
                "id": key_leader.pk,
                "name": key_leader.get_full_name() or key_leader.username,
            }
            if suggestion.is_key
            else None,
        },
    )
    if suggestion.is_key:
        _notify(
            suggestion,
            recipients=[key_leader],
            verb="suggestion_key",
            text=_("请您领衔督办重点建议：%(title)s") % {"title": suggestion.title},
        )
    return suggestion


def _assign_one(suggestion: Suggestion, *, by, now, lead, co_units, rules: DistrictSettings):
    assert suggestion.case is not None  # opened at registration
    start = deadlines.local_date(now)
    calendar = working_calendar()
    lead_asg = handling.assign(
        case=suggestion.case,
        unit=lead,
        role=Assignment.Role.LEAD,
        rule=Rule.MONTHS,
        period=rules.reply_months,
        by=by,
        at=now,
        calendar=calendar,
    )
    co_deadline = deadlines.compute_rule(Rule.MONTHS, start, rules.co_unit_months, calendar)
    cos = [
        handling.assign(
            case=suggestion.case,
            unit=unit,
            role=Assignment.Role.CO,
            rule=Rule.MONTHS,
            period=rules.co_unit_months,
            by=by,
            at=now,
            deadline=co_deadline,
            calendar=calendar,
        )
        for unit in co_units
    ]
    return lead_asg, cos


@transaction.atomic
def suggestions_assign(
    *, suggestions: Iterable[Suggestion], by, note: str = ""
) -> list[Suggestion]:
    """The government office (or staff) confirm the proposed units at the assignment
    meeting (交办会), for a batch at once, all or none: each gets its lead assignment with
    the reply deadline (3 months) and its co-units theirs (1 month), from today."""
    ids = sorted({s.pk if isinstance(s, Suggestion) else int(s) for s in suggestions})
    if not ids:
        raise SuggestionError("required", _("请选择要交办的建议。"))
    note = _text(note, field=_("交办说明"), limit=NOTE_LIMIT, required=False)
    now = timezone.now()
    done = []
    for pk in ids:
        suggestion = _locked(pk)
        _require(by, "suggestions.confirm_assignment", suggestion)
        _check_state(suggestion, "assign")
        lead = suggestion.proposed_lead
        co_units = list(suggestion.proposed_co_units.order_by("pk"))
        _check_units(suggestion, lead, co_units)
        rules = settings_for(suggestion.district_id)
        lead_asg, cos = _assign_one(
            suggestion, by=by, now=now, lead=lead, co_units=co_units, rules=rules
        )
        suggestion.status = Status.ASSIGNED
        suggestion.assigned_at = now
        handling.sync_open_dates(suggestion, also=["status", "assigned_at", "updated_at"])
        _record(
            suggestion,
            by=by,
            verb=SuggestionVerb.ASSIGNED,
            from_state=Status.REGISTERED,
            note=note,
            data={
                "lead": handling.unit_data(lead),
                "assignment": lead_asg.pk,
                "due_date": handling.iso(lead_asg.due_date),
                "deadline": lead_asg.deadline,
                "co_units": [handling.unit_data(a.unit) for a in cos],
                "co_due_date": handling.iso(cos[0].due_date) if cos else None,
            },
        )
        _tell_assigned(suggestion, [lead_asg, *cos])
        done.append(suggestion)
    return done


def _tell_assigned(suggestion: Suggestion, assignments: list[Assignment]) -> None:
    for assignment in assignments:
        role = _("主办") if assignment.role == Assignment.Role.LEAD else _("协办")
        _notify(
            suggestion,
            recipients=lambda api, unit=assignment.unit: list(api.recipients_for_unit(unit)),
            verb="suggestion_assigned",
            text=_("交办代表建议（%(role)s，%(due)s前%(what)s）：%(reference)s %(title)s")
            % {
                "role": role,
                "due": handling.iso(assignment.due_date),
                "what": _("答复") if assignment.role == Assignment.Role.LEAD else _("提出协办意见"),
                "reference": suggestion.reference,
                "title": suggestion.title,
            },
        )


@transaction.atomic
def suggestion_reassign_returned(
    *, suggestion: Suggestion, by, unit: HandlingUnit, assignment: Assignment | None = None
) -> Assignment:
    """Staff give a suggestion a unit refused (退回, not its business) to another unit, with
    a fresh period from today; the count of reassignments is kept. When the lead unit
    refused, the co-units' assignments had ended with it: the new lead and the proposed
    co-units are assigned together. `assignment`: the refused one (the lead's latest by
    default)."""
    suggestion = _locked(suggestion)
    _require(by, "suggestions.manage_suggestion", suggestion)
    if suggestion.case_id is None:
        raise SuggestionError("nothing_returned", _("没有被退回待改派的交办。"))
    refused = assignment or (
        Assignment.objects.filter(
            case_id=suggestion.case_id,
            role=Assignment.Role.LEAD,
            state=Assignment.State.RETURNED,
        )
        .order_by("-returned_at", "-pk")
        .first()
    )
    if (
        refused is None
        or refused.case_id != suggestion.case_id
        or refused.state != Assignment.State.RETURNED
        or Assignment.objects.filter(
            case_id=suggestion.case_id, role=refused.role, assigned_at__gt=refused.assigned_at
        ).exists()
    ):
        raise SuggestionError("nothing_returned", _("没有被退回待改派的交办。"))
    lead_role = refused.role == Assignment.Role.LEAD
    if lead_role and suggestion.status != Status.REGISTERED:
        _check_state(suggestion, "assign")
    if not lead_role:
        _check_state(suggestion, "reassign_returned")
    handling.check_unit(_process(), unit, suggestion.district)
    if (
        unit.pk == refused.unit_id
        or Assignment.objects.filter(
            case_id=suggestion.case_id, unit=unit, state__in=deadlines.OPEN_STATES
        ).exists()
    ):
        raise SuggestionError("same_unit", _("请选择另一个承办单位。"))
    rules = settings_for(suggestion.district_id)
    now = timezone.now()
    from_state = suggestion.status
    if lead_role:
        co_units = [u for u in suggestion.proposed_co_units.order_by("pk") if u.pk != unit.pk]
        new, cos = _assign_one(
            suggestion, by=by, now=now, lead=unit, co_units=co_units, rules=rules
        )
        suggestion.proposed_lead = unit
        suggestion.status = Status.ASSIGNED
        suggestion.assigned_at = now
    else:
        assert suggestion.case is not None
        new = handling.assign(
            case=suggestion.case,
            unit=unit,
            role=Assignment.Role.CO,
            rule=Rule.MONTHS,
            period=rules.co_unit_months,
            by=by,
            at=now,
        )
        cos = []
    suggestion.reassign_count += 1
    handling.sync_open_dates(
        suggestion,
        also=["reassign_count", "status", "proposed_lead", "assigned_at", "updated_at"],
    )
    _record(
        suggestion,
        by=by,
        verb=SuggestionVerb.REASSIGNED,
        from_state=from_state,
        data={
            "returned": refused.pk,
            "from_unit": handling.unit_data(refused.unit),
            "lead" if lead_role else "co_unit": handling.unit_data(unit),
            "assignment": new.pk,
            "due_date": handling.iso(new.due_date),
            "co_units": [handling.unit_data(a.unit) for a in cos],
        },
    )
    handling.tasks_done(suggestion, verb="suggestion_refused", by=by)
    _tell_assigned(suggestion, [new, *cos])
    return new


# --- 办: contact, co-units' views, the reply and its commitments --------------------------


def _running_assignment(suggestion: Suggestion, assignment: Assignment) -> Assignment:
    assignment = Assignment.objects.select_for_update().select_related("unit").get(pk=assignment.pk)
    if assignment.case_id != suggestion.case_id:
        raise SuggestionError("not_found", _("找不到该交办。"))
    return assignment


@transaction.atomic
def contact_record(
    *,
    suggestion: Suggestion,
    assignment: Assignment,
    by,
    contacted_at: datetime.datetime,
    method: str,
    note: str,
) -> Contact:
    """The unit records its contact with the deputy before replying (办前沟通): when, how,
    what was said. The lead unit cannot reply before it has recorded one."""
    suggestion = _locked(suggestion)
    assignment = _running_assignment(suggestion, assignment)
    if not by.has_perm("handling.handle_assignment", assignment):
        raise PermissionDenied(_("你无权办理这件建议。"))
    _check_state(suggestion, "contact")
    if assignment.state not in deadlines.OPEN_STATES:
        raise SuggestionError(
            "invalid_transition",
            _("该交办当前为“%(state)s”，不能记录沟通。")
            % {"state": assignment.get_state_display()},
        )
    if method not in Contact.Method.values:
        raise SuggestionError("invalid_method", _("请选择沟通方式。"))
    note = _text(note, field=_("沟通情况"), limit=NOTE_LIMIT)
    now = timezone.now()
    if not isinstance(contacted_at, datetime.datetime) or timezone.is_naive(contacted_at):
        raise SuggestionError("invalid_time", _("请填写有效的沟通时间。"))
    if contacted_at > now:
        raise SuggestionError("future_time", _("沟通时间不能晚于现在。"))
    # The page gives the time to the minute: a contact in the assignment's own minute is
    # not before it.
    if contacted_at < assignment.assigned_at.replace(second=0, microsecond=0):
        raise SuggestionError("early_time", _("沟通时间不能早于交办时间。"))
    contact = Contact.objects.create(
        suggestion=suggestion,
        assignment=assignment,
        contacted_at=contacted_at,
        method=method,
        note=note,
        recorded_by=by,
        recorded_at=now,
    )
    _record(
        suggestion,
        by=by,
        verb=SuggestionVerb.CONTACT,
        note=note,
        data={
            "assignment": assignment.pk,
            "unit": handling.unit_data(assignment.unit),
            "method": method,
            "contacted_at": timezone.localtime(contacted_at).isoformat(timespec="minutes"),
        },
    )
    return contact


@dataclass(frozen=True)
class CommitmentInput:
    text: str
    due_date: datetime.date


def checked_commitments(
    items: Iterable, *, today: datetime.date | None = None
) -> list[CommitmentInput]:
    """Dated commitments of a reply, each with its text and a due date not in the past."""
    today = today or timezone.localdate()
    checked = []
    for item in items:
        text = _text(getattr(item, "text", ""), field=_("承诺事项"), limit=NOTE_LIMIT)
        due = getattr(item, "due_date", None)
        if not isinstance(due, datetime.date):
            raise SuggestionError("invalid_date", _("请填写每项承诺的完成时间。"))
        if due < today:
            raise SuggestionError("past_date", _("承诺完成时间不能早于今天。"))
        checked.append(CommitmentInput(text=text, due_date=due))
    if len(checked) > COMMITMENT_LIMIT:
        raise SuggestionError(
            "too_many", _("一次答复的承诺事项不能超过%(n)s项。") % {"n": COMMITMENT_LIMIT}
        )
    return checked


def suggestion_reply(
    *,
    assignment: Assignment,
    by,
    text: str,
    result_class: str = "",
    files=(),
    commitments: Iterable = (),
) -> Reply:
    """The lead unit replies in writing (书面答复): text, the signed letter (PDF), the result
    class (A/B/C/D) and its dated commitments, each entering the ledger; a co-unit sends
    its views to the lead unit (协办意见) the same way, without class or commitments. Runs
    in zhitong.handling's reply service."""
    checked = checked_commitments(commitments)
    return handling.assignment_reply(
        assignment=assignment,
        by=by,
        text=text,
        result_class=result_class,
        files=files,
        details={"commitments": checked},
    )


def suggestion_rate(
    *, suggestion: Suggestion, by, result: str, attitude: str, comment: str = ""
) -> object:
    """The lead deputy rates the latest reply back-to-back (背靠背): the result and the unit's
    attitude, each 满意 / 基本满意 / 不满意, with a comment (required when not satisfied).
    Not satisfied with the result: handled again within a month; then rated again."""
    if suggestion.case_id is None:
        raise SuggestionError("nothing_to_rate", _("没有待评价的答复。"))
    return handling.reply_rate(
        case=suggestion.case,
        by=by,
        score=result,
        comment=comment,
        aspects={"attitude": attitude},
    )


# --- the commitment ledger (答复承诺解决事项台账) ---------------------------------------------


def _locked_commitment(commitment: Commitment | int) -> tuple[Suggestion, Commitment]:
    pk = commitment.pk if isinstance(commitment, Commitment) else commitment
    suggestion_id = Commitment.objects.values_list("suggestion_id", flat=True).get(pk=pk)
    suggestion = _locked(suggestion_id)
    return suggestion, Commitment.objects.select_for_update().select_related("unit").get(pk=pk)


def _commitment_data(commitment: Commitment, **more) -> dict:
    return {
        "commitment": commitment.pk,
        "position": commitment.position,
        "text": commitment.text,
        "due_date": commitment.due_date.isoformat(),
        "unit": handling.unit_data(commitment.unit),
        **more,
    }


def commitment_report(*, commitment: Commitment, by, report: str, files=()) -> Commitment:
    """The unit reports a commitment carried out, with its evidence (files)."""
    with removed_on_error() as keep, transaction.atomic():
        suggestion, commitment = _locked_commitment(commitment)
        if getattr(by, "unit_id", None) != commitment.unit_id or by.role != "unit":
            raise PermissionDenied(_("只有作出承诺的承办单位可以报告落实情况。"))
        _check_state(suggestion, "commitment_report")
        if commitment.state == Commitment.State.VERIFIED:
            raise SuggestionError("already_verified", _("该承诺事项已核实办结。"))
        report = _text(report, field=_("落实情况"), limit=NOTE_LIMIT)
        checked = files_checked(files)
        commitment.state = Commitment.State.REPORTED
        commitment.report = report
        commitment.reported_at = timezone.now()
        commitment.reported_by = by
        commitment.save(update_fields=["state", "report", "reported_at", "reported_by"])
        stored = [
            file_store(
                suggestion,
                one,
                by=by,
                purpose=File.Purpose.EVIDENCE,
                keep=keep,
                commitment=commitment,
            ).pk
            for one in checked
        ]
        _record(
            suggestion,
            by=by,
            verb=SuggestionVerb.COMMITMENT_REPORT,
            note=report,
            data=_commitment_data(commitment, files=stored),
        )
        _notify(
            suggestion,
            recipients=staff_of(suggestion),
            verb="commitment_reported",
            text=_("%(unit)s报告承诺事项已落实，请核实：%(text)s")
            % {"unit": commitment.unit.name, "text": commitment.text[:40]},
            task=True,
        )
        return commitment


@transaction.atomic
def commitment_verify(*, commitment: Commitment, by, confirmed: bool, note: str = "") -> Commitment:
    """Staff verify a reported commitment (核实): carried out, or back to the unit with a
    note. When every commitment of a suggestion the deputy accepted is verified, it closes."""
    suggestion, commitment = _locked_commitment(commitment)
    _require(by, "suggestions.manage_suggestion", suggestion)
    _check_state(suggestion, "commitment_verify")
    if commitment.state != Commitment.State.REPORTED:
        raise SuggestionError("not_reported", _("该承诺事项尚未报告落实情况。"))
    note = _text(note, field=_("核实意见"), limit=NOTE_LIMIT, required=not confirmed)
    now = timezone.now()
    commitment.state = Commitment.State.VERIFIED if confirmed else Commitment.State.OPEN
    commitment.verify_note = note
    commitment.verified_at = now if confirmed else None
    commitment.verified_by = by if confirmed else None
    commitment.save(update_fields=["state", "verify_note", "verified_at", "verified_by"])
    from_state = suggestion.status
    closes = (
        confirmed
        and suggestion.status == Status.CARRYING_OUT
        and not suggestion.commitments.exclude(state=Commitment.State.VERIFIED).exists()
    )
    if closes:
        suggestion.status = Status.CLOSED
        suggestion.closed_at = now
        suggestion.save(update_fields=["status", "closed_at", "updated_at"])
    _record(
        suggestion,
        by=by,
        verb=SuggestionVerb.COMMITMENT_VERIFY,
        from_state=from_state,
        note=note,
        data=_commitment_data(commitment, confirmed=confirmed, closed=closes),
    )
    handling.tasks_done(suggestion, verb="commitment_reported", by=by)
    if not confirmed:
        _notify(
            suggestion,
            recipients=lambda api: list(api.recipients_for_unit(commitment.unit)),
            verb="commitment_returned",
            text=_("承诺事项落实情况未通过核实：%(text)s。意见：%(note)s")
            % {"text": commitment.text[:40], "note": note},
        )
    elif closes:
        _notify(
            suggestion,
            recipients=deputy_users(suggestion),
            verb="suggestion_closed",
            text=_("您的建议答复承诺的事项已全部落实，建议办结：%(title)s")
            % {"title": suggestion.title},
        )
    return commitment


def commitments_record_passings(*, today: datetime.date | None = None) -> int:
    """Record once, on each suggestion's timeline, each commitment whose date has passed
    without being carried out (the daily check); how many."""
    today = today or timezone.localdate()
    due = Commitment.objects.filter(state=Commitment.State.OPEN, due_date__lt=today).exclude(
        passing_recorded_for=F("due_date")
    )
    count = 0
    for pk in list(due.order_by("pk").values_list("pk", flat=True)[:5000]):
        with transaction.atomic():
            suggestion, commitment = _locked_commitment(pk)
            if (
                commitment.state != Commitment.State.OPEN
                or commitment.due_date >= today
                or commitment.passing_recorded_for == commitment.due_date
            ):
                continue
            commitment.passing_recorded_for = commitment.due_date
            commitment.save(update_fields=["passing_recorded_for"])
            _record(
                suggestion,
                by=None,
                verb=SuggestionVerb.COMMITMENT_OVERDUE,
                data=_commitment_data(commitment),
            )
            _notify(
                suggestion,
                recipients=lambda api, unit=commitment.unit: list(api.recipients_for_unit(unit)),
                verb="commitment_overdue",
                text=_("答复承诺事项已超过承诺时间（%(due)s）仍未落实：%(text)s")
                % {"due": commitment.due_date.isoformat(), "text": commitment.text[:40]},
            )
            count += 1
    return count


# --- files ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedFile:
    name: str
    extension: str
    content_type: str
    content: bytes


def files_checked(files) -> list[CheckedFile]:
    """Uploaded files checked before anything is written: at most five, each at most 10
    MB, a PDF or a photo by its first bytes (not by the name it came with)."""
    files = [f for f in (files or ()) if f]
    if len(files) > FILES_PER_UPLOAD:
        raise SuggestionError(
            "too_many_files", _("一次最多上传%(n)s个文件。") % {"n": FILES_PER_UPLOAD}
        )
    checked = []
    for upload in files:
        size = getattr(upload, "size", None) or 0
        if size > FILE_LIMIT:
            raise SuggestionError("file_too_large", _("单个文件不能超过10MB。"))
        name = str(getattr(upload, "name", "") or "file")[-200:]
        extension = File.extension_of(name)
        kind = FILE_TYPES.get(extension)
        upload.seek(0)
        content = upload.read(FILE_LIMIT + 1)
        if len(content) > FILE_LIMIT:
            raise SuggestionError("file_too_large", _("单个文件不能超过10MB。"))
        if kind is None or not content.startswith(kind[1]):
            raise SuggestionError(
                "file_type", _("只能上传PDF、JPG或PNG文件：%(name)s") % {"name": name}
            )
        checked.append(
            CheckedFile(name=name, extension=extension, content_type=kind[0], content=content)
        )
    return checked


def file_store(
    suggestion, checked: CheckedFile, *, by, purpose: str, keep, reply=None, commitment=None
) -> File:
    digest = File.digest(checked.content)
    row = File(
        suggestion=suggestion,
        purpose=purpose,
        reply=reply,
        commitment=commitment,
        original_name=checked.name,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=digest,
        extension=checked.extension,
        uploaded_by=by,
    )
    row.file.save("upload", ContentFile(checked.content), save=False)
    keep(row.file)
    row.save()
    return row


def draft_files_add(*, suggestion: Suggestion, by, files) -> list[File]:
    """The lead deputy attaches files to the draft."""
    with removed_on_error() as keep, transaction.atomic():
        suggestion = _locked(suggestion)
        _require(by, "suggestions.edit_suggestion", suggestion)
        _check_state(suggestion, "edit")
        checked = files_checked(files)
        if not checked:
            raise SuggestionError("required", _("请选择要上传的文件。"))
        stored = [
            file_store(suggestion, one, by=by, purpose=File.Purpose.DRAFT, keep=keep)
            for one in checked
        ]
        _record(
            suggestion,
            by=by,
            verb=SuggestionVerb.EDITED,
            data={"files": [{"id": f.pk, "name": f.original_name} for f in stored]},
        )
        return stored


# --- raised from opinions ------------------------------------------------------------------


@transaction.atomic
def suggestion_raise_from_opinions(*, opinions, by, title: str, content: str = "") -> Suggestion:
    """A deputy raises one or more opinions into a suggestion draft (由意见提出建议草稿).

    The link is kept both ways: the draft names its opinions, and each opinion's timeline
    records that it was raised; the draft's own timeline starts with where it came from.
    """
    locked, deputy = opinion_services.opinions_for_raising(opinions=opinions, by=by)
    title = _text(title, field=_("建议标题"), limit=TITLE_LIMIT)
    content = _text(content, field=_("建议内容"), limit=CONTENT_LIMIT, required=False)
    district = locked[0].district
    session = current_session(district)
    today = timezone.localdate()
    suggestion = Suggestion.objects.create(
        title=title,
        content=content,
        category=locked[0].category,
        lead_deputy=deputy,
        district=district,
        street=street_of(deputy),
        session=session,
        during_session=bool(session and session.opens_on <= today <= session.closes_on),
        created_by=by,
    )
    suggestion.source_opinions.set(locked)
    _record(
        suggestion,
        by=by,
        verb=SuggestionVerb.RAISED_FROM_OPINIONS,
        from_state="",
        data={"opinions": [{"id": o.pk, "tracking_code": o.tracking_code} for o in locked]},
    )
    opinion_services.opinions_raised(
        opinions=locked, by=by, suggestion_id=suggestion.pk, title=title
    )
    return suggestion
