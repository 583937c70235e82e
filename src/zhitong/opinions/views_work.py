"""Work pages for opinions: the queue, the case page and its actions, the ledger export, figures.

Views stay thin: the gatekeeper (selectors.access_opinion) fetches the case or answers
404, one service performs each action, and a refused action (OpinionError) re-renders
the case page with the message and status 400, having changed nothing.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhitong.accounts.models import Role
from zhitong.core import masking, vocabulary
from zhitong.core.audit import access_record
from zhitong.core.jobs import job_start
from zhitong.core.models import AccessRecord
from zhitong.handling.models import Assignment, Extension, Rating, Reply
from zhitong.insights import topics as grouping
from zhitong.opinions import (
    charts,
    export,
    forms_work,
    lifecycle,
    reply_quality,
    routing,
    search,
    selectors,
    services,
    stats,
    topics,
)
from zhitong.opinions import duplicates as same_matter
from zhitong.opinions import jobs as opinion_jobs
from zhitong.opinions.models import OPEN_STATUSES, Attachment, DistrictSettings, Opinion, Status
from zhitong.opinions.services import OpinionError
from zhitong.regions.models import Region, RegionLevel
from zhitong.units.models import Category
from zhitong.workdays.deadlines import Deadline
from zhitong.workdays.selectors import working_calendar

PAGE_SIZE = 25

# Roles that work on opinions; citizens follow theirs by tracking code instead.
WORK_ROLES = {
    Role.ADMIN,
    Role.STAFF,
    Role.LEADER,
    Role.STREET,
    Role.DEPUTY,
    Role.LIAISON,
    Role.UNIT,
}
# Roles that refer (转办) and so see the bulk referral controls.
REFERRING_ROLES = {Role.ADMIN, Role.STAFF, Role.LEADER, Role.STREET}

DEADLINE_STATE_LABELS = {
    "on_time": gettext_lazy("期限内"),
    "due_soon": gettext_lazy("临期"),
    "overdue": gettext_lazy("超期"),
    "very_overdue": gettext_lazy("严重超期"),
}
DEADLINE_STATE_CLASSES = {
    "on_time": "text-bg-light border",
    "due_soon": "text-bg-warning",
    "overdue": "text-bg-danger",
    "very_overdue": "text-bg-dark",
}


def _may_work(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or user.role in WORK_ROLES)
    )


def _require_worker(user) -> None:
    if not _may_work(user):
        raise PermissionDenied(_("您的账号不能办理意见建议。"))


def _may_record(user) -> bool:
    """Whether to offer the intake pages (record, batch entry) from the queue."""
    from zhitong.opinions import intake

    return bool(intake.may_record_at_all(user))


def _may_refer_in_bulk(user) -> bool:
    return bool(user.is_superuser or (user.role in REFERRING_ROLES and user.region_id))


def deadline_state(referral: Assignment, today: datetime.date, calendar) -> str:
    """selectors.deadline_state on a calendar snapshot taken once per page.

    The selector reads the calendar per call unless given one (a version query each
    time); a list of 25 rows must not cost 25 queries.
    """
    return selectors.deadline_state(referral, today, calendar=calendar)


def cursor_query_for(opinion: Opinion, sort: str = search.SORT_NEWEST) -> str:
    """The query string of the queue page that starts right after `opinion` (for links and
    the benchmark's deep page)."""
    return "after=" + search.cursor_for(opinion, sort).encode()


# --- the queue --------------------------------------------------------------------------


@dataclass
class QueueRow:
    opinion: Opinion
    submitter_name: str
    submitter_phone: str
    lead: Assignment | None
    co_units: list[str]
    deadline_state: str
    # The router's proposed category, while staff have still to decide one.
    proposal: routing.Shown | None = None

    @property
    def deadline_label(self) -> str:
        return str(DEADLINE_STATE_LABELS[self.deadline_state])

    @property
    def deadline_class(self) -> str:
        return DEADLINE_STATE_CLASSES[self.deadline_state]


def _active_referrals() -> Prefetch:
    return Prefetch(
        "referrals",
        queryset=Assignment.objects.exclude(state__in=search.INACTIVE_STATES).order_by(
            "role", "-assigned_at", "-id"
        ),
        to_attr="active_referrals",
    )


def _queue_rows(opinions: list[Opinion]) -> list[QueueRow]:
    prefetch_related_objects(
        opinions,
        Prefetch("category", queryset=Category.objects.select_related("parent")),
        "station",
        "deputy",
        "street",
        _active_referrals(),
    )
    today = timezone.localdate()
    calendar = working_calendar() if opinions else None
    proposals = routing.proposals_for(opinions)
    rows = []
    for opinion in opinions:
        leads = [r for r in opinion.active_referrals if r.role == Assignment.Role.LEAD]
        lead = leads[0] if leads else None
        rows.append(
            QueueRow(
                opinion=opinion,
                submitter_name=masking.mask_name(opinion.submitter_name),
                submitter_phone=masking.mask_phone(opinion.submitter_phone),
                lead=lead,
                co_units=[
                    r.unit_name for r in opinion.active_referrals if r.role == Assignment.Role.CO
                ],
                deadline_state=deadline_state(lead, today, calendar) if lead else "on_time",
                proposal=proposals.get(opinion.pk),
            )
        )
    return rows


def _query_without_cursor(params: QueryDict) -> QueryDict:
    query = params.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    return query


def _checked_ids(bulk_form) -> set[int]:
    """The opinions ticked before a refused bulk referral, so the page keeps them ticked."""
    if bulk_form is None or not bulk_form.is_bound:
        return set()
    ids = set()
    for value in bulk_form.data.getlist("opinions"):
        if str(value).isdigit():
            ids.add(int(value))
    return ids


def _render_queue(
    request: HttpRequest,
    params: QueryDict,
    *,
    bulk_form=None,
    supervise_form=None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    form = forms_work.QueueFilterForm(params or None, user=user)
    flt = form.queue_filter()
    # Related rows come in separate small queries (see _queue_rows): joining five tables
    # costs PostgreSQL more to plan than the keyset page costs to read.
    scoped = search.with_planner_hint(
        selectors.opinions_visible_to(user).select_related(None), user
    )
    opinions = search.apply_filters(scoped, flt)
    page = search.keyset_page(
        opinions,
        sort=flt.order,
        after=params.get("after", ""),
        before=params.get("before", ""),
        size=PAGE_SIZE,
    )
    base_query = _query_without_cursor(params)
    # The statistics' figures link with ?total=1: the list then says how many it holds, to
    # be read against the figure (one COUNT, only then: the queue itself is keyset-paged).
    total = opinions.count() if params.get("total") == "1" else None
    may_bulk = _may_refer_in_bulk(user)
    # Overdue opinions are supervised in bulk (批量督办) from the deadline filter.
    may_supervise = may_bulk and (bool(flt.deadline) or supervise_form is not None)
    # The units, read once for both bulk forms' selects.
    options = forms_work.unit_options(user) if may_bulk else []
    if may_bulk and bulk_form is None:
        bulk_form = forms_work.BulkReferForm(
            user=user, opinions=selectors.opinions_visible_to(user), options=options
        )
    if may_supervise and supervise_form is None:
        supervise_form = forms_work.BulkSuperviseForm(
            user=user, opinions=selectors.opinions_visible_to(user), options=options
        )
    context = {
        "may_record": _may_record(user),
        "form": form,
        "page": page,
        "rows": _queue_rows(page.rows),
        "filtered": flt.is_filtered,
        "total": total,
        "lead_unit": flt.lead_unit,
        "filter_errors": bool(form.is_bound and form.errors),
        "base_query": base_query.urlencode(),
        "may_bulk": may_bulk,
        "bulk_form": bulk_form if may_bulk else None,
        "referable": {Status.ACCEPTED.value},
        "checked_ids": _checked_ids(bulk_form) if may_bulk else set(),
        "supervise_form": supervise_form if may_supervise else None,
        "supervisable": {Status.REFERRED.value, Status.HANDLING.value},
        "supervise_checked": _checked_ids(supervise_form) if may_supervise else set(),
        "export_query": base_query.urlencode(),
        # The link only; the page checks the district (opinions.change_settings).
        "may_settings": user.is_superuser or getattr(user, "role", "") in (Role.ADMIN, Role.STAFF),
        # The link only (by role, without asking the permission backends); the page checks
        # insights.view_router.
        "may_router": user.is_superuser
        or getattr(user, "role", "") in (Role.ADMIN, Role.STAFF, Role.LEADER),
    }
    return render(request, "opinions/work/queue.html", context, status=status)


@login_required
@require_GET
def queue_view(request: HttpRequest) -> HttpResponse:
    """The opinions the user works on, filtered, searched, sorted, a page at a time."""
    _require_worker(request.user)
    # The list shows submitters' names and phones: its reads are recorded like a case's.
    access_record(
        request,
        action=AccessRecord.Action.LIST,
        detail=_("意见队列：%(filter)s") % {"filter": request.GET.urlencode() or _("全部")},
    )
    return _render_queue(request, request.GET)


def _bulk_action(request: HttpRequest, *, form_class, form_key: str, denied: str, run):
    """A bulk act on the checked opinions of the queue: all of them, or none and why. `run`
    takes the cleaned data and returns the message of success; a refusal comes back on the
    queue with the form (`form_key`: bulk_form or supervise_form) as it was posted."""
    user = request.user
    _require_worker(user)
    if not _may_refer_in_bulk(user):
        raise PermissionDenied(denied)
    back = QueryDict(request.POST.get("query", ""), mutable=True)
    form = form_class(request.POST, user=user, opinions=selectors.opinions_visible_to(user))
    if not form.is_valid():
        return _render_queue(request, back, status=400, **{form_key: form})
    try:
        message = run(form.cleaned_data)
    except OpinionError as error:
        form.add_error(None, str(error))
        return _render_queue(request, back, status=400, **{form_key: form})
    messages.success(request, message)
    url = reverse("opinions:queue")
    query = _query_without_cursor(back).urlencode()
    return redirect(f"{url}?{query}" if query else url)


@login_required
@require_POST
def bulk_refer_view(request: HttpRequest) -> HttpResponse:
    """Refer the checked opinions to one unit: all of them, or none and the reason why."""

    def run(data) -> str:
        referrals = services.opinion_bulk_refer(
            opinions=list(data["opinions"]),
            by=request.user,
            unit=data["unit"],
            working_days=data["working_days"],
        )
        return _("已将 %(count)s 件意见转办至%(unit)s。") % {
            "count": len(referrals),
            "unit": data["unit"].name,
        }

    return _bulk_action(
        request,
        form_class=forms_work.BulkReferForm,
        form_key="bulk_form",
        denied=_("您无权转办意见。"),
        run=run,
    )


BULK_SUPERVISED = {
    "chase": gettext_lazy("已催办 %(count)s 件意见的承办单位。"),
    "set_deadline": gettext_lazy("已调整 %(count)s 件意见的办理期限。"),
    "reassign": gettext_lazy("已将 %(count)s 件意见改派至%(unit)s。"),
}


@login_required
@require_POST
def bulk_supervise_view(request: HttpRequest) -> HttpResponse:
    """Chase, set a new deadline for, or reassign the checked overdue opinions' lead
    referrals (批量督办): all of them, or none and the reason why."""

    def run(data) -> str:
        count = services.referrals_bulk_supervise(
            opinions=list(data["opinions"]),
            by=request.user,
            act=data["act"],
            note=data["note"],
            due=data["due"],
            unit=data["unit"],
        )
        unit = data["unit"].name if data["unit"] else ""
        return str(BULK_SUPERVISED[data["act"]]) % {"count": count, "unit": unit}

    return _bulk_action(
        request,
        form_class=forms_work.BulkSuperviseForm,
        form_key="supervise_form",
        denied=_("您无权督办意见。"),
        run=run,
    )


# --- the case page ----------------------------------------------------------------------


@dataclass
class ReferralView:
    referral: Assignment
    deadline: Deadline | None
    state: str
    extensions: list[Extension]
    may_accept: bool
    may_return: bool
    may_reply: bool
    may_request_extension: bool
    # Staff's acts on a running referral: chase (催办), reassign (改派), a new deadline.
    may_manage: bool = False

    @property
    def deadline_label(self) -> str:
        return str(DEADLINE_STATE_LABELS[self.state])

    @property
    def deadline_class(self) -> str:
        return DEADLINE_STATE_CLASSES[self.state]

    @property
    def is_running(self) -> bool:
        return self.referral.state in search.RUNNING_STATES

    @property
    def allowed_working_days(self) -> int:
        """The working days allowed in all (extensions included): also how late a reply
        may run before it is very overdue (严重超期)."""
        return self.deadline.working_days if self.deadline else self.referral.period


@dataclass
class TimelineRow:
    entry: selectors.TimelineEntry
    # The main opinion of a merge is named only to those who may open it.
    show_merge_target: bool = True

    @property
    def verb_label(self) -> str:
        return vocabulary.label(self.entry.verb)

    @property
    def detail(self) -> str:
        """What the step was about, from the event's data (unit, due date, decision ...)."""
        if self.entry.verb in ("merge", "follow") and not self.show_merge_target:
            return ""
        known = vocabulary.verb(self.entry.verb)
        if known is None or known.describe is None:
            return ""
        return known.describe(self.entry.data or {})

    @property
    def from_label(self) -> str:
        return _status_label(self.entry.from_state)

    @property
    def to_label(self) -> str:
        return _status_label(self.entry.to_state)


def _rating_label(value: str) -> str:
    try:
        return str(Rating.Score(value).label)
    except ValueError:
        return value


def _status_label(value: str) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return value


def _referral_views(
    user, opinion: Opinion, today, calendar, *, may_refer: bool = False
) -> list[ReferralView]:
    # Newest referral round first; within a round the lead unit before its co-units.
    referrals = sorted(
        selectors.opinion_referrals(opinion),
        key=lambda r: (-r.assigned_at.timestamp(), r.role != Assignment.Role.LEAD, r.pk),
    )
    prefetch_related_objects(
        referrals,
        Prefetch(
            "extensions",
            queryset=Extension.objects.select_related("requested_by", "decided_by").order_by(
                "requested_at", "id"
            ),
        ),
    )
    views = []
    for referral in referrals:
        referral.opinion = opinion
        handles = user.has_perm("opinions.handle_referral", referral)
        views.append(
            ReferralView(
                referral=referral,
                deadline=Deadline.from_data(referral.deadline) if referral.deadline else None,
                state=deadline_state(referral, today, calendar),
                extensions=list(referral.extensions.all()),
                may_accept=handles and lifecycle.can_accept_referral(referral),
                may_return=handles and lifecycle.can_return_referral(referral),
                may_reply=handles and lifecycle.can_submit_reply(referral),
                may_request_extension=handles
                and lifecycle.can_request_extension(referral)
                and not any(e.state == Extension.State.PENDING for e in referral.extensions.all()),
                may_manage=may_refer and lifecycle.can_manage_referral(referral),
            )
        )
    return views


def _reply_to_send(replies: list[Reply]) -> Reply | None:
    """The latest reply not yet sent that the reviewer may send (not a co-unit's part)."""
    unsent = [
        r
        for r in replies
        if r.sent_at is None and not (r.assignment_id and r.assignment.role == Assignment.Role.CO)
    ]
    return max(unsent, key=lambda r: (r.created_at, r.pk)) if unsent else None


def _reply_to_rate(replies: list[Reply]) -> Reply | None:
    """The reply a rating taken by phone rates: the latest one that reached the citizen."""
    sent = [r for r in replies if r.sent_at is not None]
    return max(sent, key=lambda r: (r.sent_at, r.pk)) if sent else None


def _case_context(request: HttpRequest, opinion: Opinion, bound: dict) -> dict:
    user = request.user
    today = timezone.localdate()
    calendar = working_calendar()
    may_triage = user.has_perm("opinions.triage_opinion", opinion)
    may_refer = user.has_perm("opinions.refer_opinion", opinion)
    may_raise = user.has_perm("opinions.raise_suggestion", opinion)

    referral_views = _referral_views(user, opinion, today, calendar, may_refer=may_refer)
    replies = list(selectors.opinion_replies(opinion))
    # The reply-quality aid, for those who review replies (not the units that wrote them).
    if may_triage or may_refer:
        reply_quality.attach(opinion, replies)
    photos = list(opinion.attachments.filter(reply__isnull=True).order_by("created_at", "id"))
    # Merges may join opinions of different scopes: only those this user may open are named.
    visible = selectors.opinions_visible_to(user)
    merged = list(
        opinion.duplicates.annotate(may_open=Exists(visible.filter(pk=OuterRef("pk"))))
        .order_by("received_at", "id")
        .only("pk", "tracking_code", "subject", "status")
    )
    duplicates = [dup for dup in merged if dup.may_open]
    hidden_duplicates = len(merged) - len(duplicates)
    merged_into = (
        visible.filter(pk=opinion.merged_into_id)
        .select_related(None)
        .only("pk", "tracking_code", "subject")
        .first()
        if opinion.merged_into_id
        else None
    )
    suggestions = list(opinion.suggestions.select_related("lead_deputy").order_by("created_at"))
    timeline = [
        TimelineRow(e, show_merge_target=merged_into is not None)
        for e in selectors.opinion_timeline(
            opinion, for_submitter=False, for_unit=not (may_triage or may_refer)
        )
    ]
    to_send = _reply_to_send(replies) if may_triage and lifecycle.can_send_reply(opinion) else None
    # Only those who decide extensions get their forms (a unit once saw the form to
    # approve its own request, and got a 403 for posting it).
    pending_extensions = [
        (view.referral, extension)
        for view in referral_views
        for extension in view.extensions
        if may_refer and extension.state == Extension.State.PENDING and view.is_running
    ]
    suggested = (
        services.suggested_unit_for(opinion) if may_refer and lifecycle.can_refer(opinion) else None
    )

    def form(key, factory):
        return bound.get(key) or factory()

    actions = {
        "accept": may_triage and lifecycle.can_accept(opinion),
        "decline": may_triage and lifecycle.can_decline(opinion),
        "answer_on_spot": may_triage and lifecycle.can_answer_on_spot(opinion),
        "category": may_triage and lifecycle.can_update_category(opinion),
        "refer": may_refer and lifecycle.can_refer(opinion),
        "merge": may_refer and lifecycle.can_merge(opinion),
        "raise_suggestion": may_raise and lifecycle.can_raise_suggestion(opinion),
        "send": to_send is not None,
        "record_rating": may_triage and lifecycle.can_rate(opinion),
        "extension_decide": may_refer and bool(pending_extensions),
    }
    # The router's proposal while the category is undecided: shown, and pre-chosen in the
    # forms that set the category (staff confirm it, or correct it).
    proposal = (
        routing.proposals_for([opinion]).get(opinion.pk)
        if (actions["accept"] or actions["category"] or actions["refer"])
        and routing.untriaged(opinion)
        else None
    )
    proposed = proposal.category_id if proposal else None
    # Open opinions like this one (insights' fingerprints), for those who triage or refer
    # it while it is open: likely duplicates, merged into in one click where it may merge.
    likely = (
        same_matter.for_staff(opinion, visible)
        if (may_triage or may_refer)
        and opinion.status in OPEN_STATUSES
        and opinion.merged_into_id is None
        else []
    )
    forms = {}
    if actions["accept"]:
        forms["accept"] = form(
            "accept", lambda: forms_work.AcceptForm(initial={"category": proposed})
        )
    if actions["decline"]:
        forms["decline"] = form("decline", forms_work.DeclineForm)
    if actions["answer_on_spot"]:
        forms["answer_on_spot"] = form("answer_on_spot", forms_work.AnswerOnSpotForm)
    if actions["category"]:
        forms["category"] = form(
            "category",
            lambda: forms_work.CategoryForm(initial={"category": opinion.category_id or proposed}),
        )
    if actions["refer"]:
        forms["refer"] = form(
            "refer",
            lambda: forms_work.ReferForm(
                user=user,
                suggested=suggested,
                needs_category=opinion.category_id is None,
                initial={"category": proposed} if opinion.category_id is None else None,
            ),
        )
    if actions["merge"]:
        forms["merge"] = form("merge", forms_work.MergeForm)
    if actions["raise_suggestion"]:
        forms["raise_suggestion"] = form(
            "raise_suggestion",
            lambda: forms_work.RaiseSuggestionForm(initial={"title": opinion.subject}),
        )
    if to_send is not None:
        forms["send"] = form(
            "send", lambda: forms_work.SendForm(initial={"text_sent": to_send.text})
        )
    if actions["record_rating"]:
        forms["record_rating"] = form("record_rating", forms_work.RecordRatingForm)
    options = (
        forms_work.unit_options(user) if any(view.may_manage for view in referral_views) else []
    )
    for view in referral_views:
        rid = view.referral.pk
        if view.may_return:
            view.return_form = bound.get(f"return-{rid}") or forms_work.ReferralReturnForm(
                prefix=f"r{rid}"
            )
        if view.may_reply:
            view.reply_form = bound.get(f"reply-{rid}") or forms_work.ReplyForm(prefix=f"r{rid}")
        if view.may_request_extension:
            view.extension_form = bound.get(f"extension-{rid}") or forms_work.ExtensionRequestForm(
                prefix=f"r{rid}"
            )
        if view.may_manage:
            view.chase_form = bound.get(f"chase-{rid}") or forms_work.ChaseForm(prefix=f"c{rid}")
            view.reassign_form = bound.get(f"reassign-{rid}") or forms_work.ReassignForm(
                prefix=f"m{rid}", user=user, options=options
            )
            view.deadline_form = bound.get(f"deadline-{rid}") or forms_work.SetDeadlineForm(
                prefix=f"d{rid}"
            )
    decide_forms = [
        (
            referral,
            extension,
            bound.get(f"decide-{extension.pk}")
            or forms_work.ExtensionDecideForm(prefix=f"e{extension.pk}"),
        )
        for referral, extension in pending_extensions
    ]
    return {
        "opinion": opinion,
        "referral_views": referral_views,
        "replies": replies,
        "photos": photos,
        "duplicates": duplicates,
        "hidden_duplicates": hidden_duplicates,
        "merged_into": merged_into,
        "suggestions": suggestions,
        "timeline": timeline,
        "actions": actions,
        "forms": forms,
        "to_send": to_send,
        "decide_forms": decide_forms,
        # Staff notes (内部备注) are for those who triage, not for the handling units.
        "show_internal_note": may_triage or may_refer,
        "suggested_unit": suggested,
        "proposal": proposal,
        "likely_duplicates": likely,
        "to_rate": _reply_to_rate(replies) if actions["record_rating"] else None,
        # Every form the user may act with now sits in one place, first on a phone: the
        # opinion's own acts, the review, the rating taken by phone, the unit's acts on its
        # referral and the staff's on a running one.
        "any_action": any(actions.values())
        or any(
            view.may_accept
            or view.may_reply
            or view.may_request_extension
            or view.may_return
            or view.may_manage
            for view in referral_views
        ),
    }


def _render_case(
    request: HttpRequest,
    opinion: Opinion,
    *,
    bound: dict | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _case_context(request, opinion, bound or {})
    context["action_error"] = error
    context["refused_anchor"] = _refused_anchor(bound or {})
    return render(request, "opinions/work/detail.html", context, status=status)


# The forms far down the case page (a referral's supervision, the callback) carry the id of
# their key, so that the error at the top links to the one refused: the page comes back at
# its top, and a keyboard or screen-reader user would otherwise search for it.
ANCHORED_FORMS = ("chase-", "deadline-", "reassign-", "record_rating")


def _refused_anchor(bound: dict) -> str:
    key = next(iter(bound), "")
    return f"form-{key}" if key.startswith(ANCHORED_FORMS) else ""


@login_required
@require_GET
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page: everything about one opinion, and the actions the user may take."""
    opinion = selectors.access_opinion(request.user, pk)
    access_record(
        request,
        action=AccessRecord.Action.VIEW,
        subject=opinion,
        detail=f"{opinion.tracking_code} {opinion.subject}",
        district_code=opinion.district.code if opinion.district_id else "",
    )
    return _render_case(request, opinion)


# --- actions ----------------------------------------------------------------------------


def _done(request: HttpRequest, opinion: Opinion, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("opinions:detail", pk=opinion.pk)


def _refused(
    request: HttpRequest, opinion: Opinion, key: str, form, error: str = ""
) -> HttpResponse:
    """The case page again with why: on the refused form, or (an act without a form, such
    as signing for a referral) at the top of the page only."""
    if error and form is not None:
        form.add_error(None, error)
    message = error or _("提交的内容有误，请检查后重试。")
    # Re-read the opinion: nothing changed, but the page must show it as it is now.
    opinion = selectors.access_opinion(request.user, opinion.pk)
    bound = {key: form} if form is not None else {}
    return _render_case(request, opinion, bound=bound, error=message, status=400)


def _require_perm(user, perm: str, obj) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("您无权办理这件意见。"))


def opinion_action(
    request, pk, *, perm, key, form_class, run, success, form_kwargs=None, then=None
):
    """The shape of every action on the opinion: gatekeeper, permission, form, service.

    Also used by the processes above opinions for their actions on the case page (raising a
    suggestion): a refused form comes back on the case page, a success returns to it, or
    goes to `then(result)`, the address of what the service made (the suggestion's draft)."""
    opinion = selectors.access_opinion(request.user, pk)
    _require_perm(request.user, perm, opinion)
    if callable(form_kwargs):
        form_kwargs = form_kwargs(opinion)
    form = form_class(request.POST, request.FILES, **(form_kwargs or {}))
    if not form.is_valid():
        return _refused(request, opinion, key, form)
    try:
        result = run(opinion, form.cleaned_data)
    except OpinionError as error:
        return _refused(request, opinion, key, form, str(error))
    if then is not None:
        messages.success(request, success)
        return redirect(then(result))
    return _done(request, opinion, success)


def _referral_of(opinion: Opinion, rid: int) -> Assignment:
    from django.http import Http404

    referral = opinion.referrals.select_related("unit").filter(pk=rid).first()
    if referral is None:
        raise Http404
    referral.opinion = opinion
    return referral


def _referral_action(request, pk, rid, *, key, form_class, run, success):
    """An action of the unit on its referral: the referral must belong to the opinion."""
    opinion = selectors.access_opinion(request.user, pk)
    referral = _referral_of(opinion, rid)
    _require_perm(request.user, "opinions.handle_referral", referral)
    form = form_class(request.POST, request.FILES, prefix=f"r{rid}") if form_class else None
    if form is not None and not form.is_valid():
        return _refused(request, opinion, f"{key}-{rid}", form)
    try:
        run(referral, form.cleaned_data if form is not None else {})
    except OpinionError as error:
        return _refused(request, opinion, f"{key}-{rid}", form, str(error))
    return _done(request, opinion, success)


@login_required
@require_POST
def accept_view(request, pk):
    return opinion_action(
        request,
        pk,
        perm="opinions.triage_opinion",
        key="accept",
        form_class=forms_work.AcceptForm,
        run=lambda opinion, d: services.opinion_accept(
            opinion=opinion, by=request.user, category=d["category"], note=d["note"]
        ),
        success=_("已受理。"),
    )


@login_required
@require_POST
def decline_view(request, pk):
    return opinion_action(
        request,
        pk,
        perm="opinions.triage_opinion",
        key="decline",
        form_class=forms_work.DeclineForm,
        run=lambda opinion, d: services.opinion_decline(
            opinion=opinion, by=request.user, reason=d["reason"], note=d["note"]
        ),
        success=_("已决定不予受理，并告知反映人。"),
    )


@login_required
@require_POST
def answer_on_spot_view(request, pk):
    return opinion_action(
        request,
        pk,
        perm="opinions.triage_opinion",
        key="answer_on_spot",
        form_class=forms_work.AnswerOnSpotForm,
        run=lambda opinion, d: services.opinion_answer_on_spot(
            opinion=opinion, by=request.user, text=d["text"]
        ),
        success=_("已记录现场答复，请审核后反馈群众。"),
    )


@login_required
@require_POST
def category_view(request, pk):
    return opinion_action(
        request,
        pk,
        perm="opinions.triage_opinion",
        key="category",
        form_class=forms_work.CategoryForm,
        run=lambda opinion, d: services.opinion_update_category(
            opinion=opinion, by=request.user, category=d["category"]
        ),
        success=_("类别已更新。"),
    )


@login_required
@require_POST
def refer_view(request, pk):
    return opinion_action(
        request,
        pk,
        perm="opinions.refer_opinion",
        key="refer",
        form_class=forms_work.ReferForm,
        form_kwargs=lambda opinion: {
            "user": request.user,
            "needs_category": opinion.category_id is None,
        },
        run=lambda opinion, d: services.opinion_refer(
            opinion=opinion,
            by=request.user,
            unit=d["unit"],
            co_units=list(d["co_units"]),
            working_days=d["working_days"],
            note=d["note"],
            category=d.get("category"),
        ),
        success=_("已转办。"),
    )


@login_required
@require_POST
def merge_view(request, pk):
    return opinion_action(
        request,
        pk,
        perm="opinions.refer_opinion",
        key="merge",
        form_class=forms_work.MergeForm,
        form_kwargs={"visible": selectors.opinions_visible_to(request.user)},
        run=lambda opinion, d: services.opinion_merge(
            opinion=opinion, into=d["into"], by=request.user, note=d["note"]
        ),
        success=_("已合并至主意见，反映人将随主意见获知办理结果。"),
    )


@login_required
@require_POST
def send_view(request, pk, reply_id):
    opinion = selectors.access_opinion(request.user, pk)
    _require_perm(request.user, "opinions.triage_opinion", opinion)
    reply = opinion.replies.select_related("assignment").filter(pk=reply_id).first()
    if reply is None:
        from django.http import Http404

        raise Http404
    form = forms_work.SendForm(request.POST)
    if not form.is_valid():
        return _refused(request, opinion, "send", form)
    try:
        services.reply_send(reply=reply, by=request.user, text_sent=form.cleaned_data["text_sent"])
    except OpinionError as error:
        return _refused(request, opinion, "send", form, str(error))
    return _done(request, opinion, _("答复已反馈给反映人。"))


@login_required
@require_POST
def record_rating_view(request, pk):
    return opinion_action(
        request,
        pk,
        perm="opinions.triage_opinion",
        key="record_rating",
        form_class=forms_work.RecordRatingForm,
        run=lambda opinion, d: services.rating_record(
            opinion=opinion,
            by=request.user,
            score=d["score"],
            comment=d["comment"],
            method=d["method"],
            taken_at=d["taken_at"],
        ),
        success=_("已记录回访评价。"),
    )


@login_required
@require_POST
def referral_accept_view(request, pk, referral_id):
    return _referral_action(
        request,
        pk,
        referral_id,
        key="accept",
        form_class=None,
        run=lambda referral, d: services.referral_accept(referral=referral, by=request.user),
        success=_("已签收。"),
    )


@login_required
@require_POST
def referral_return_view(request, pk, referral_id):
    return _referral_action(
        request,
        pk,
        referral_id,
        key="return",
        form_class=forms_work.ReferralReturnForm,
        run=lambda referral, d: services.referral_return(
            referral=referral, by=request.user, reason=d["reason"]
        ),
        success=_("已退回，将由工作人员重新分办。"),
    )


@login_required
@require_POST
def reply_view(request, pk, referral_id):
    return _referral_action(
        request,
        pk,
        referral_id,
        key="reply",
        form_class=forms_work.ReplyForm,
        run=lambda referral, d: services.reply_submit(
            referral=referral, by=request.user, text=d["text"], files=d["files"]
        ),
        success=_("答复已提交，等待审核后反馈群众。"),
    )


@login_required
@require_POST
def extension_request_view(request, pk, referral_id):
    return _referral_action(
        request,
        pk,
        referral_id,
        key="extension",
        form_class=forms_work.ExtensionRequestForm,
        run=lambda referral, d: services.extension_request(
            referral=referral,
            by=request.user,
            working_days=d["working_days"],
            reason=d["reason"],
        ),
        success=_("延期申请已提交，等待审批。"),
    )


# The form prefixes of staff's acts on referral `rid`: c<rid>, m<rid>, d<rid>.
REFERRAL_FORM_PREFIX = {"chase": "c", "reassign": "m", "deadline": "d"}


def _staff_referral_action(request, pk, rid, *, key, form_class, run, success, **form_kwargs):
    """Staff's act on a running referral (chase, reassign, a new deadline)."""
    opinion = selectors.access_opinion(request.user, pk)
    _require_perm(request.user, "opinions.refer_opinion", opinion)
    referral = _referral_of(opinion, rid)
    form = form_class(request.POST, prefix=f"{REFERRAL_FORM_PREFIX[key]}{rid}", **form_kwargs)
    if not form.is_valid():
        return _refused(request, opinion, f"{key}-{rid}", form)
    try:
        run(referral, form.cleaned_data)
    except OpinionError as error:
        return _refused(request, opinion, f"{key}-{rid}", form, str(error))
    return _done(request, opinion, success)


@login_required
@require_POST
def chase_view(request, pk, referral_id):
    return _staff_referral_action(
        request,
        pk,
        referral_id,
        key="chase",
        form_class=forms_work.ChaseForm,
        run=lambda referral, d: services.referral_chase(
            referral=referral, by=request.user, note=d["note"]
        ),
        success=_("已催办，承办单位会收到通知。"),
    )


@login_required
@require_POST
def reassign_view(request, pk, referral_id):
    return _staff_referral_action(
        request,
        pk,
        referral_id,
        key="reassign",
        form_class=forms_work.ReassignForm,
        run=lambda referral, d: services.referral_reassign(
            referral=referral, by=request.user, unit=d["unit"], reason=d["reason"]
        ),
        success=_("已改派，新的承办单位需重新签收。"),
        user=request.user,
    )


@login_required
@require_POST
def set_deadline_view(request, pk, referral_id):
    return _staff_referral_action(
        request,
        pk,
        referral_id,
        key="deadline",
        form_class=forms_work.SetDeadlineForm,
        run=lambda referral, d: services.referral_set_deadline(
            referral=referral, by=request.user, due=d["due"], reason=d["reason"]
        ),
        success=_("办理期限已调整，承办单位会收到通知。"),
    )


@login_required
@require_POST
def extension_decide_view(request, pk, extension_id):
    opinion = selectors.access_opinion(request.user, pk)
    _require_perm(request.user, "opinions.refer_opinion", opinion)
    extension = (
        Extension.objects.filter(pk=extension_id, assignment__case_id=opinion.case_id)
        .select_related("assignment")
        .first()
    )
    if extension is None:
        from django.http import Http404

        raise Http404
    key = f"decide-{extension.pk}"
    form = forms_work.ExtensionDecideForm(request.POST, prefix=f"e{extension.pk}")
    if not form.is_valid():
        return _refused(request, opinion, key, form)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.extension_decide(
            extension=extension, by=request.user, approve=approve, note=form.cleaned_data["note"]
        )
    except OpinionError as error:
        return _refused(request, opinion, key, form, str(error))
    return _done(
        request, opinion, _("已批准延期，期限已重新计算。") if approve else _("已决定不批准延期。")
    )


# --- export and figures -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def export_view(request: HttpRequest) -> HttpResponse:
    """The ledger of the queue's current filter: ?format=xlsx (default) or csv.

    Up to export.INLINE_MAX_ROWS rows it is built here and sent whole; a larger one is
    offered as a background job (POST), built by the task worker with its progress shown,
    and downloaded from the job's page when complete.
    """
    user = request.user
    _require_worker(user)
    params = request.POST if request.method == "POST" else request.GET
    fmt = "csv" if params.get("format") == "csv" else "xlsx"
    source = QueryDict(params.get("query", "")) if request.method == "POST" else request.GET
    filters = _query_without_cursor(source)
    filters.pop("format", None)
    query = filters.urlencode()
    label = opinion_jobs.ledger_label(fmt, query)
    if request.method == "POST":
        job = job_start(
            kind=opinion_jobs.LEDGER,
            by=user,
            label=label,
            params={"query": query, "format": fmt},
        )
        return redirect("core:job", pk=job.pk)
    opinions = opinion_jobs.ledger_opinions(user, query)
    if opinions[: export.INLINE_MAX_ROWS + 1].count() > export.INLINE_MAX_ROWS:
        return render(
            request,
            "opinions/work/export_large.html",
            {"query": query, "format": fmt, "limit": export.INLINE_MAX_ROWS},
        )
    access_record(request, action=AccessRecord.Action.EXPORT, detail=label)
    # Built whole before it is sent: a ledger arrives complete or as an error, never cut.
    ledger = opinion_jobs.ledger_file(export.ledger_rows(opinions), fmt)
    if fmt == "csv":
        response = HttpResponse(ledger.data, content_type=ledger.content_type)
        response["Content-Disposition"] = content_disposition_header(True, ledger.name)
        return response
    return FileResponse(
        io.BytesIO(ledger.data),
        as_attachment=True,
        filename=ledger.name,
        content_type=ledger.content_type,
    )


@login_required
@require_GET
def stats_view(request: HttpRequest) -> HttpResponse:
    """Figures for a date range (default: this year), for what the user may see."""
    user = request.user
    _require_worker(user)
    start, end = stats.default_period()
    form = forms_work.StatsPeriodForm(request.GET or None, initial={"start": start, "end": end})
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    figures = stats.opinion_figures_cached(user, start=start, end=end)
    months = charts.monthly_trend_cached(user, start=start, end=end)
    links = charts.FigureLinks(start, end)
    breakdowns, units = stats.figure_tables(figures, link=links.cell)
    trend, by_breakdown = charts.page_charts(figures, months, links)
    chart_list = [trend, *by_breakdown.values()]
    return render(
        request,
        "opinions/work/stats.html",
        {
            "form": form,
            "figures": figures,
            "sections": [
                (breakdown, table, by_breakdown.get(breakdown.key))
                for breakdown, table in breakdowns
            ],
            "units": units,
            "trend": trend,
            "month_table": charts.month_table(months, links),
            "total_links": charts.total_links(figures.total, links),
            "chart_data": [chart.data for chart in chart_list],
            "period_invalid": form.is_bound and not form.is_valid(),
        },
    )


@login_required
@require_GET
def topics_view(request: HttpRequest) -> HttpResponse:
    """Hot topics (热点问题): the recent opinions the user may see, grouped by matter, street
    and time, hottest first, each with its heat and opinions."""
    _require_worker(request.user)
    return render(
        request,
        "opinions/work/topics.html",
        {
            "topics": topics.hot_topics(request.user),
            "days": topics.RECENT_DAYS,
            "half_life": grouping.HALF_LIFE_DAYS,
            "window": grouping.WINDOW_DAYS,
        },
    )


# --- attachments ----------------------------------------------------------------------


@login_required
@require_GET
def attachment_view(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    """A photo or document of an opinion or of one of its replies, only to those who may
    open the case: citizens' photos are personal data and are never served as public media."""
    opinion = selectors.access_opinion(request.user, pk)
    attachment = (
        Attachment.objects.filter(pk=attachment_id)
        .filter(Q(opinion=opinion) | Q(reply__opinion=opinion))
        .first()
    )
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    access_record(
        request,
        action=AccessRecord.Action.DOWNLOAD,
        subject=opinion,
        detail=f"{opinion.tracking_code} {attachment.original_name}",
        district_code=opinion.district.code if opinion.district_id else "",
    )
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=not attachment.content_type.startswith("image/"),
        filename=attachment.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the district's settings ----------------------------------------------------------------


def _settable_districts(user) -> list[Region]:
    """The districts whose opinion settings the user may change (usually their own)."""
    districts = Region.objects.filter(level=RegionLevel.DISTRICT).order_by("code")
    return [d for d in districts if user.has_perm("opinions.change_settings", d)]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    """The district's settings for its opinions (意见办理设置), kept by its staff."""
    districts = _settable_districts(request.user)
    if not districts:
        raise PermissionDenied(_("只有区人大常委会的工作人员和管理员可以修改意见办理设置。"))
    code = request.GET.get("district") or request.POST.get("district") or districts[0].code
    district = next((d for d in districts if d.code == code), None)
    if district is None:
        raise PermissionDenied(_("您无权修改该区的意见办理设置。"))
    current = DistrictSettings.objects.filter(district=district).first() or DistrictSettings(
        district=district
    )
    form = forms_work.DistrictSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.district_settings_update(
                district=district,
                by=request.user,
                auto_close_working_days=form.cleaned_data["auto_close_working_days"],
            )
        except OpinionError as error:
            form.add_error("auto_close_working_days", str(error))
        else:
            messages.success(request, _("意见办理设置已保存。"))
            return redirect(f"{reverse('opinions:settings')}?district={district.code}")
    return render(
        request,
        "opinions/work/settings.html",
        {
            "form": form,
            "district": district,
            "districts": districts,
            "current": current,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
