"""The unit's pages: the inbox across processes (待办事项) and one assignment."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from zhitong.core.paging import id_cursor
from zhitong.handling import deadlines, selectors
from zhitong.handling.models import Assignment
from zhitong.handling.registry import process_for


def _unit_only(user) -> None:
    if getattr(user, "unit_id", None) is None:
        raise PermissionDenied


@login_required
@require_GET
def inbox_view(request: HttpRequest) -> HttpResponse:
    _unit_only(request.user)
    which = request.GET.get("show", "open")
    if which not in selectors.INBOX_FILTERS:
        which = "open"
    page = selectors.unit_inbox(
        request.user, which=which, before=id_cursor(request.GET.get("before"))
    )
    return render(
        request,
        "handling/inbox.html",
        {"page": page, "which": which, "filters": selectors.INBOX_FILTERS},
    )


def _own_assignment(user, pk) -> Assignment:
    _unit_only(user)
    assignment = Assignment.objects.select_related("case", "unit").filter(pk=pk).first()
    # Another unit's assignment is as unknown as a missing one.
    if assignment is None or not user.has_perm("handling.handle_assignment", assignment):
        raise Http404
    return assignment


@login_required
@require_GET
def assignment_view(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _own_assignment(request.user, pk)
    stored = deadlines.stored(assignment)
    replies = list(assignment.replies.select_related("rating").order_by("created_at", "id"))
    return render(
        request,
        "handling/assignment.html",
        {
            "assignment": assignment,
            "explanation": stored.explanation() if stored else "",
            "set_reason": (assignment.deadline or {}).get("reason", ""),
            "extensions": assignment.extensions.order_by("requested_at", "id"),
            "chases": assignment.chases.select_related("chased_by").order_by("chased_at", "id"),
            "replies": replies,
        },
    )


@login_required
@require_GET
def assignment_case_view(request: HttpRequest, pk: int) -> HttpResponse:
    """To the process's own case page (the inbox links here: one lookup per click)."""
    assignment = _own_assignment(request.user, pk)
    process = process_for(assignment.case.process)
    obj = process.model.objects.filter(case=assignment.case).first()
    url = process.url(obj) if obj is not None else ""
    if not url:
        return redirect("handling:assignment", pk=assignment.pk)
    return redirect(url)
