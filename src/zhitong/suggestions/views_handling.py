"""A suggestion's handling (办 · 评) on its page, the commitment ledger, the handling
ledger, their exports and a unit's ratings in aggregate (mounted under
/work/suggestions/, see `urlpatterns` at the end).

Every act: the page's gatekeeper (`access_suggestion`), who may act (403 otherwise), the
form, the service; a refusal comes back on the page, on its form, with the service's
reason and nothing changed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhitong.core.roles import Role
from zhitong.handling import services as handling
from zhitong.handling.models import Assignment, Extension
from zhitong.handling.registry import Act, HandlingError, process_for
from zhitong.suggestions import forms_handling as forms
from zhitong.suggestions import ledgers, services
from zhitong.suggestions.models import Commitment
from zhitong.suggestions.panels import refused_page
from zhitong.suggestions.panels_handling import reassign_units
from zhitong.suggestions.selectors import access_suggestion
from zhitong.suggestions.services import CommitmentInput

PAGE_SIZE = 50


def _refused(request, suggestion, key: str, form, error: str = ""):
    """The page again, the refused form bound with its errors (and why, at the top)."""
    if error and form is not None:
        form.add_error(None, error)
    return refused_page(
        request, suggestion, bound={key: form} if form is not None else {}, error=error
    )


def _done(request, suggestion, message: str, anchor: str = "panel-handling"):
    messages.success(request, message)
    return redirect(reverse("suggestions:detail", args=[suggestion.pk]) + f"#{anchor}")


def _act(
    request,
    suggestion,
    *,
    allowed: bool,
    key: str,
    form_class,
    run,
    success,
    anchor: str = "panel-handling",
    **kwargs,
):
    """The shape of every act: who may act (403), the form (`kwargs` are its own), the
    service."""
    if not allowed:
        raise PermissionDenied(_("你无权办理这件建议。"))
    form = form_class(request.POST, request.FILES, prefix=key, **kwargs) if form_class else None
    if form is not None and not form.is_valid():
        return _refused(request, suggestion, key, form)
    try:
        run(form.cleaned_data if form is not None else {})
    except HandlingError as error:  # SuggestionError too
        return _refused(request, suggestion, key, form, str(error))
    return _done(request, suggestion, success, anchor)


def _assignment_of(suggestion, aid: int) -> Assignment:
    assignment = (
        Assignment.objects.select_related("unit").filter(pk=aid, case_id=suggestion.case_id).first()
        if suggestion.case_id
        else None
    )
    if assignment is None:
        raise Http404
    return assignment


def _may(user, act: Act, suggestion, assignment) -> bool:
    return process_for("suggestions").may(user, act, suggestion, assignment)


# --- the unit's acts on its assignment ------------------------------------------------------


@login_required
@require_POST
def accept_view(request, pk, aid):
    suggestion = access_suggestion(request.user, pk)
    assignment = _assignment_of(suggestion, aid)
    return _act(
        request,
        suggestion,
        allowed=_may(request.user, Act.ACCEPT, suggestion, assignment),
        key=f"accept-{aid}",
        form_class=None,
        run=lambda d: handling.assignment_accept(assignment=assignment, by=request.user),
        success=_("已签收。"),
    )


@login_required
@require_POST
def return_view(request, pk, aid):
    suggestion = access_suggestion(request.user, pk)
    assignment = _assignment_of(suggestion, aid)
    return _act(
        request,
        suggestion,
        allowed=_may(request.user, Act.RETURN, suggestion, assignment),
        key=f"return-{aid}",
        form_class=forms.ReturnForm,
        run=lambda d: handling.assignment_return(
            assignment=assignment, by=request.user, reason=d["reason"]
        ),
        success=_("已退回，等待常委会工作人员改派。"),
    )


@login_required
@require_POST
def contact_view(request, pk, aid):
    suggestion = access_suggestion(request.user, pk)
    assignment = _assignment_of(suggestion, aid)
    return _act(
        request,
        suggestion,
        allowed=request.user.has_perm("handling.handle_assignment", assignment),
        key=f"contact-{aid}",
        form_class=forms.ContactForm,
        run=lambda d: services.contact_record(
            suggestion=suggestion,
            assignment=assignment,
            by=request.user,
            contacted_at=d["contacted_at"],
            method=d["method"],
            note=d["note"],
        ),
        success=_("已记录办前沟通。"),
        anchor="panel-replies",
    )


@login_required
@require_POST
def reply_view(request, pk, aid):
    """The lead unit's reply, or a co-unit's views (by the assignment's role)."""
    suggestion = access_suggestion(request.user, pk)
    assignment = _assignment_of(suggestion, aid)
    lead = assignment.role == Assignment.Role.LEAD

    def run(d):
        services.suggestion_reply(
            assignment=assignment,
            by=request.user,
            text=d["text"],
            result_class=d["result_class"] if lead else "",
            files=d["files"],
            commitments=[CommitmentInput(text, due) for text, due in d["commitments"]]
            if lead
            else (),
        )

    return _act(
        request,
        suggestion,
        allowed=_may(request.user, Act.REPLY, suggestion, assignment),
        key=f"{'reply' if lead else 'views'}-{aid}",
        form_class=forms.ReplyForm if lead else forms.ViewsForm,
        run=run,
        success=_("已提交答复，等待代表评价。") if lead else _("已提交协办意见。"),
        anchor="panel-replies",
    )


@login_required
@require_POST
def extension_view(request, pk, aid):
    suggestion = access_suggestion(request.user, pk)
    assignment = _assignment_of(suggestion, aid)
    return _act(
        request,
        suggestion,
        allowed=_may(request.user, Act.EXTENSION_REQUEST, suggestion, assignment),
        key=f"extension-{aid}",
        form_class=forms.ExtensionForm,
        run=lambda d: handling.extension_request(
            assignment=assignment, by=request.user, period=d["months"], reason=d["reason"]
        ),
        success=_("已申请延期，等待常委会工作人员审批。"),
    )


# --- chase, and staff's acts ------------------------------------------------------------------


@login_required
@require_POST
def chase_view(request, pk, aid):
    suggestion = access_suggestion(request.user, pk)
    assignment = _assignment_of(suggestion, aid)
    return _act(
        request,
        suggestion,
        allowed=_may(request.user, Act.CHASE, suggestion, assignment),
        key=f"chase-{aid}",
        form_class=forms.ChaseForm,
        run=lambda d: handling.assignment_chase(
            assignment=assignment, by=request.user, note=d["note"]
        ),
        success=_("已催办，承办单位会收到通知。"),
    )


@login_required
@require_POST
def deadline_view(request, pk, aid):
    suggestion = access_suggestion(request.user, pk)
    assignment = _assignment_of(suggestion, aid)
    return _act(
        request,
        suggestion,
        allowed=_may(request.user, Act.SET_DEADLINE, suggestion, assignment),
        key=f"deadline-{aid}",
        form_class=forms.DeadlineForm,
        run=lambda d: handling.assignment_set_deadline(
            assignment=assignment, by=request.user, due=d["due"], reason=d["reason"]
        ),
        success=_("已调整答复期限。"),
    )


@login_required
@require_POST
def reassign_view(request, pk, aid):
    suggestion = access_suggestion(request.user, pk)
    assignment = _assignment_of(suggestion, aid)
    return _act(
        request,
        suggestion,
        allowed=_may(request.user, Act.REASSIGN, suggestion, assignment),
        key=f"reassign-{aid}",
        form_class=forms.ReassignForm,
        run=lambda d: handling.assignment_reassign(
            assignment=assignment, by=request.user, unit=d["unit"], reason=d["reason"]
        ),
        success=_("已改派。"),
        unit_choices=reassign_units(suggestion, assignment),
    )


@login_required
@require_POST
def extension_decide_view(request, pk, eid):
    suggestion = access_suggestion(request.user, pk)
    extension = (
        Extension.objects.select_related("assignment")
        .filter(pk=eid, assignment__case_id=suggestion.case_id)
        .first()
        if suggestion.case_id
        else None
    )
    if extension is None:
        raise Http404
    return _act(
        request,
        suggestion,
        allowed=_may(request.user, Act.EXTENSION_DECIDE, suggestion, extension.assignment),
        key=f"decide-{eid}",
        form_class=forms.ExtensionDecideForm,
        run=lambda d: handling.extension_decide(
            extension=extension, by=request.user, approve=d["approve"], note=d["note"]
        ),
        success=_("已审批延期申请，承办单位和代表会收到通知。"),
    )


# --- the deputy's rating -------------------------------------------------------------------


@login_required
@require_POST
def rate_view(request, pk):
    suggestion = access_suggestion(request.user, pk)
    return _act(
        request,
        suggestion,
        allowed=request.user.has_perm("suggestions.rate_suggestion", suggestion),
        key="rate",
        form_class=forms.RateForm,
        run=lambda d: services.suggestion_rate(
            suggestion=suggestion,
            by=request.user,
            result=d["result"],
            attitude=d["attitude"],
            comment=d["comment"],
        ),
        success=_("已评价，谢谢。"),
        anchor="panel-replies",
    )


# --- commitments: the unit reports, staff verify ------------------------------------------------


def _commitment_of(suggestion, cid: int) -> Commitment:
    commitment = suggestion.commitments.select_related("unit").filter(pk=cid).first()
    if commitment is None:
        raise Http404
    return commitment


@login_required
@require_POST
def commitment_report_view(request, pk, cid):
    suggestion = access_suggestion(request.user, pk)
    commitment = _commitment_of(suggestion, cid)
    user = request.user
    return _act(
        request,
        suggestion,
        allowed=getattr(user, "role", None) == Role.UNIT and user.unit_id == commitment.unit_id,
        key=f"report-{cid}",
        form_class=forms.CommitmentReportForm,
        run=lambda d: services.commitment_report(
            commitment=commitment, by=user, report=d["report"], files=d["files"]
        ),
        success=_("已报告落实情况，等待常委会工作人员核实。"),
        anchor="panel-commitments",
    )


@login_required
@require_POST
def commitment_verify_view(request, pk, cid):
    suggestion = access_suggestion(request.user, pk)
    commitment = _commitment_of(suggestion, cid)
    return _act(
        request,
        suggestion,
        allowed=request.user.has_perm("suggestions.manage_suggestion", suggestion),
        key=f"verify-{cid}",
        form_class=forms.CommitmentVerifyForm,
        run=lambda d: services.commitment_verify(
            commitment=commitment, by=request.user, confirmed=d["confirmed"], note=d["note"]
        ),
        success=_("已核实。"),
        anchor="panel-commitments",
    )


# --- files ----------------------------------------------------------------------------------


# --- the ledgers ------------------------------------------------------------------------------


def _export(request, *, title: str, headers, rows, widths):
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    ledger = ledgers.ledger_file(title=title, headers=headers, rows=rows, widths=widths, fmt=fmt)
    response = HttpResponse(ledger.data, content_type=ledger.content_type)
    response["Content-Disposition"] = content_disposition_header(True, ledger.name)
    return response


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()


def _commitment_filter(request, scope):
    form = forms.CommitmentFilterForm(request.GET or None, **ledgers.filter_choices(scope))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, ledgers.commitments_filtered(scope, data)


@login_required
@require_GET
def commitment_ledger_view(request):
    """答复承诺解决事项台账: the district's (staff), the street's (its committee), the
    unit's own (unit accounts), filtered; overdue commitments flagged."""
    scope = ledgers.ledger_scope(request.user)
    form, rows = _commitment_filter(request, scope)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    items = [
        {
            "commitment": commitment,
            "overdue": ledgers.is_overdue(commitment, today),
            "suggestion": commitment.suggestion,
            "to_report": scope.level == "unit" and commitment.state != Commitment.State.VERIFIED,
            "to_verify": scope.level != "unit" and commitment.state == Commitment.State.REPORTED,
        }
        for commitment in page
    ]
    return render(
        request,
        "suggestions/handling/commitment_ledger.html",
        {
            "form": form,
            "page": page,
            "items": items,
            "scope": scope,
            "query": _query_without_page(request),
        },
    )


@login_required
@require_GET
def commitment_export_view(request):
    scope = ledgers.ledger_scope(request.user)
    _form, rows = _commitment_filter(request, scope)
    return _export(
        request,
        title=_("答复承诺解决事项台账"),
        headers=ledgers.commitment_headers(),
        rows=ledgers.commitment_rows(rows),
        widths=ledgers.COMMITMENT_WIDTHS,
    )


def _handling_filter(request, scope):
    form = forms.HandlingLedgerFilterForm(
        request.GET or None,
        statuses=ledgers.handled_statuses(),
        **ledgers.filter_choices(scope),
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, ledgers.suggestions_filtered(request.user, data)


@login_required
@require_GET
def handling_ledger_view(request):
    """建议办理台账: the assigned suggestions this user may see, filtered."""
    scope = ledgers.ledger_scope(request.user)
    form, rows = _handling_filter(request, scope)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(zip(page, ledgers.handling_page_rows(list(page)), strict=False))
    return render(
        request,
        "suggestions/handling/handling_ledger.html",
        {
            "form": form,
            "page": page,
            "items": items,
            "headers": ledgers.handling_headers(),
            "query": _query_without_page(request),
        },
    )


@login_required
@require_GET
def handling_export_view(request):
    scope = ledgers.ledger_scope(request.user)
    _form, rows = _handling_filter(request, scope)
    return _export(
        request,
        title=_("建议办理台账"),
        headers=ledgers.handling_headers(),
        rows=ledgers.handling_rows(rows),
        widths=ledgers.HANDLING_WIDTHS,
    )


@login_required
@require_GET
def unit_ratings_view(request):
    """我单位的评价: how the unit's replies were rated, in numbers only (背靠背)."""
    user = request.user
    if getattr(user, "role", None) != Role.UNIT or not user.unit_id:
        raise PermissionDenied
    counts = ledgers.unit_rating_counts(user.unit_id)
    return render(
        request,
        "suggestions/handling/unit_ratings.html",
        {
            "counts": counts,
            "total": sum(c.result for c in counts),
        },
    )


# Added to zhitong.suggestions.urls (app "suggestions").
urlpatterns = [
    path("<int:pk>/assignments/<int:aid>/accept/", accept_view, name="accept"),
    path("<int:pk>/assignments/<int:aid>/return/", return_view, name="return"),
    path("<int:pk>/assignments/<int:aid>/contact/", contact_view, name="contact"),
    path("<int:pk>/assignments/<int:aid>/reply/", reply_view, name="reply"),
    path("<int:pk>/assignments/<int:aid>/extension/", extension_view, name="extension"),
    path("<int:pk>/assignments/<int:aid>/chase/", chase_view, name="chase"),
    path("<int:pk>/assignments/<int:aid>/deadline/", deadline_view, name="deadline"),
    path("<int:pk>/assignments/<int:aid>/reassign/", reassign_view, name="assignment_reassign"),
    path("<int:pk>/extensions/<int:eid>/decide/", extension_decide_view, name="extension_decide"),
    path("<int:pk>/rate/", rate_view, name="rate"),
    path(
        "<int:pk>/commitments/<int:cid>/report/",
        commitment_report_view,
        name="commitment_report",
    ),
    path(
        "<int:pk>/commitments/<int:cid>/verify/",
        commitment_verify_view,
        name="commitment_verify",
    ),
    path("ledger/commitments/", commitment_ledger_view, name="commitment_ledger"),
    path("ledger/commitments/export/", commitment_export_view, name="commitment_export"),
    path("ledger/handling/", handling_ledger_view, name="handling_ledger"),
    path("ledger/handling/export/", handling_export_view, name="handling_export"),
    path("my-ratings/", unit_ratings_view, name="unit_ratings"),
]
