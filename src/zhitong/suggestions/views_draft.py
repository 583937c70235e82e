"""Pages of drafting and review (提 · 阅看): the deputy's new draft and its edit page, the
acts on the suggestion's page (files, co-signers, the invited deputy's answer, submit,
withdraw, the review), a draft file's download, and the reviewers' queue.

Views stay thin: the gatekeeper (selectors.access_suggestion) fetches the suggestion or
answers 404, one service performs each act, and a refused act (SuggestionError) shows the
suggestion's page again with the message on its form and status 400, having changed
nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhitong.core.audit import access_record
from zhitong.core.models import AccessRecord
from zhitong.core.roles import Role
from zhitong.deputies.models import Deputy
from zhitong.handling.registry import HandlingError
from zhitong.suggestions import forms_draft, lifecycle, services
from zhitong.suggestions.panels import refused_page
from zhitong.suggestions.selectors import access_suggestion
from zhitong.suggestions.selectors_draft import (
    DEPUTY_SECTIONS,
    deputy_section,
    review_queue,
    review_status_for,
)

QUEUE_PAGE_SIZE = 25


# --- the suggestion's page with a refused form ----------------------------------------------


def suggestion_action(request, pk, *, perm, key, form_class, run, success, form_kwargs=None):
    """The shape of an act on the suggestion's page: gatekeeper, permission, form, service.
    `perm` None leaves the question to the service (it raises PermissionDenied)."""
    suggestion = access_suggestion(request.user, pk)
    if perm and not request.user.has_perm(perm, suggestion):
        raise PermissionDenied(_("你无权办理这件建议。"))
    kwargs = form_kwargs(suggestion) if callable(form_kwargs) else (form_kwargs or {})
    form = form_class(request.POST, request.FILES, **kwargs)
    error = ""
    if form.is_valid():
        try:
            run(suggestion, form.cleaned_data, form)
        except HandlingError as refused:
            error = str(refused)
            form.add_error(None, error)
        else:
            messages.success(request, success)
            return redirect("suggestions:detail", pk=suggestion.pk)
    return refused_page(request, suggestion, bound={key: form}, error=error)


# --- the deputy's draft ---------------------------------------------------------------------


def _own_deputy(user) -> Deputy:
    deputy = Deputy.objects.select_related("district").filter(user_id=user.pk).first()
    if deputy is None:
        raise PermissionDenied(_("只有人大代表可以提出建议。"))
    return deputy


@login_required
@require_http_methods(["GET", "POST"])
def draft_new_view(request: HttpRequest) -> HttpResponse:
    """A new suggestion, the deputy its lead deputy (领衔)."""
    deputy = _own_deputy(request.user)
    district = deputy.district
    if request.method == "POST":
        form = forms_draft.DraftForm(request.POST, district=district, new=True)
        if form.is_valid():
            try:
                suggestion = services.suggestion_draft(by=request.user, **form.service_kwargs())
            except HandlingError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("建议草稿已保存。"))
                return redirect("suggestions:detail", pk=suggestion.pk)
        status = 400
    else:
        session = services.current_session(district)
        today = timezone.localdate()
        during = bool(session and session.opens_on <= today <= session.closes_on)
        street = services.street_of(deputy)
        form = forms_draft.DraftForm(
            district=district,
            new=True,
            initial={
                "session": session.pk if session else None,
                "street": street.pk if street else None,
                "period": forms_draft.DURING if during else forms_draft.RECESS,
            },
        )
        status = 200
    return render(
        request, "suggestions/draft_form.html", {"form": form, "suggestion": None}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft revised by its lead deputy: a draft, or one returned for revision."""
    suggestion = access_suggestion(request.user, pk)
    if not request.user.has_perm("suggestions.edit_suggestion", suggestion):
        raise PermissionDenied(_("只有领衔代表可以修改建议。"))
    if not lifecycle.allowed("edit", suggestion.status):
        raise PermissionDenied(_("只有草稿和退回修改的建议可以修改。"))
    if request.method == "POST":
        form = forms_draft.DraftForm(request.POST, district=suggestion.district)
        if form.is_valid():
            try:
                services.suggestion_edit(
                    suggestion=suggestion, by=request.user, **form.service_kwargs()
                )
            except HandlingError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("建议已修改。"))
                return redirect("suggestions:detail", pk=suggestion.pk)
        status = 400
    else:
        form = forms_draft.DraftForm(
            district=suggestion.district, initial=forms_draft.DraftForm.initial_for(suggestion)
        )
        status = 200
    return render(
        request,
        "suggestions/draft_form.html",
        {"form": form, "suggestion": suggestion},
        status=status,
    )


@login_required
@require_POST
def files_add_view(request, pk):
    return suggestion_action(
        request,
        pk,
        perm="suggestions.edit_suggestion",
        key="files",
        form_class=forms_draft.FilesForm,
        run=lambda s, d, f: services.draft_files_add(
            suggestion=s, by=request.user, files=d["files"]
        ),
        success=_("附件已上传。"),
    )


@login_required
@require_GET
def file_view(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    """A file of the suggestion, only to those who may open its page, with its own name."""
    suggestion = access_suggestion(request.user, pk)
    stored = suggestion.files.filter(pk=file_id).first()
    if stored is None:
        raise Http404
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    access_record(
        request,
        action=AccessRecord.Action.DOWNLOAD,
        subject=suggestion,
        detail=f"{suggestion.reference or suggestion.pk} {stored.original_name}",
        district_code=suggestion.district.code,
    )
    response = FileResponse(handle, content_type=stored.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=not stored.content_type.startswith("image/"),
        filename=stored.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def invite_view(request, pk):
    return suggestion_action(
        request,
        pk,
        perm="suggestions.edit_suggestion",
        key="invite",
        form_class=forms_draft.InviteForm,
        form_kwargs=lambda s: {"suggestion": s},
        run=lambda s, d, f: services.cosigners_invite(
            suggestion=s, by=request.user, deputies=d["deputies"]
        ),
        success=_("已发出联名邀请。"),
    )


@login_required
@require_POST
def respond_view(request, pk):
    return suggestion_action(
        request,
        pk,
        perm=None,  # the service: only an invited deputy
        key="respond",
        form_class=forms_draft.RespondForm,
        run=lambda s, d, f: services.cosigner_respond(
            suggestion=s, by=request.user, accept=d["answer"] == forms_draft.ACCEPT
        ),
        success=_("已答复联名邀请。"),
    )


@login_required
@require_POST
def submit_view(request, pk):
    return suggestion_action(
        request,
        pk,
        perm="suggestions.edit_suggestion",
        key="submit",
        form_class=forms_draft.SubmitForm,
        run=lambda s, d, f: services.suggestion_submit(suggestion=s, by=request.user),
        success=_("建议已提交，等待阅看。"),
    )


@login_required
@require_POST
def withdraw_view(request, pk):
    return suggestion_action(
        request,
        pk,
        perm="suggestions.edit_suggestion",
        key="withdraw",
        form_class=forms_draft.WithdrawForm,
        run=lambda s, d, f: services.suggestion_withdraw(
            suggestion=s, by=request.user, reason=d["reason"]
        ),
        success=_("建议已撤回。"),
    )


# --- the review (阅看) ----------------------------------------------------------------------


@login_required
@require_POST
def review_view(request, pk):
    return suggestion_action(
        request,
        pk,
        perm=None,  # the service: the street's review or the district's, by its state
        key="review",
        form_class=forms_draft.ReviewForm,
        run=lambda s, d, f: services.suggestion_review(
            suggestion=s, by=request.user, **f.service_kwargs()
        ),
        success=_("阅看结果已保存。"),
    )


@login_required
@require_GET
def review_queue_view(request: HttpRequest) -> HttpResponse:
    """The suggestions awaiting the user's review: the street committee's of its own
    street, the district staff's of their districts; the longest waiting first."""
    status = review_status_for(request.user)
    if status is None:
        raise PermissionDenied(_("只有街道人大工委和区人大常委会工作人员阅看建议。"))
    page = Paginator(review_queue(request.user), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(s, len(services.several_matters(s.content))) for s in page.object_list]
    return render(
        request,
        "suggestions/review_queue.html",
        {"page": page, "rows": rows, "street_level": status == "street_review"},
    )


def list_sections(request: HttpRequest, suggestions):
    """The deputy's sections of the list (?show=: 我领衔的, 我联名的, 待我确认的联名邀请,
    被退回修改的, 草稿): the suggestions to list and what the page shows of them."""
    extra = {"review_queue": review_status_for(request.user) is not None}
    if getattr(request.user, "role", None) != Role.DEPUTY:
        return suggestions, extra
    show = request.GET.get("show", "")
    section = deputy_section(request.user, show)
    extra.update(sections=DEPUTY_SECTIONS, show=show if section is not None else "")
    return (section if section is not None else suggestions), extra
