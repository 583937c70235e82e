"""The staff's panels of a suggestion's page (交): registration (立案) while it awaits it,
the proposed units while it waits for the assignment meeting, key marking (重点督办)
while it runs, and reassignment (改派) when a unit refused it."""

from django.urls import reverse

from zhitong.insights.proposals import proposals
from zhitong.suggestions import forms_staff, lifecycle, selectors_staff
from zhitong.suggestions.models import Status
from zhitong.suggestions.panels import register_panel
from zhitong.suggestions.services import PROCESS

MANAGE = "suggestions.manage_suggestion"


def bound_form(request, key):
    """The refused form of `key` posted in this request (shown again with its errors)."""
    return getattr(request, "suggestion_forms", {}).get(key)


def _may(request, suggestion) -> bool:
    return request.user.has_perm(MANAGE, suggestion)


@register_panel("register", "suggestions/staff/panel_register.html", order=200)
def register(request, suggestion):
    if suggestion.status != Status.REVIEWED or not _may(request, suggestion):
        return None
    # The router's proposal (insights), pre-chosen where the deputy gave no category.
    proposal = proposals(PROCESS, [(suggestion.pk, suggestion.title, suggestion.content)]).get(
        suggestion.pk
    )
    form = bound_form(request, "register") or forms_staff.RegisterForm(
        suggestion=suggestion,
        proposed=proposal.category_id if proposal and not suggestion.category_id else None,
    )
    return {
        "form": form,
        "action": reverse("suggestions:register", args=[suggestion.pk]),
        "proposal": proposal,
    }


@register_panel("propose", "suggestions/staff/panel_propose.html", order=210)
def propose(request, suggestion):
    if suggestion.status != Status.REGISTERED or not _may(request, suggestion):
        return None
    form = bound_form(request, "propose") or forms_staff.ProposeForm(suggestion=suggestion)
    return {
        "form": form,
        "action": reverse("suggestions:propose", args=[suggestion.pk]),
        "co_units": list(suggestion.proposed_co_units.all()),
    }


@register_panel("key", "suggestions/staff/panel_key.html", order=220)
def key(request, suggestion):
    if not lifecycle.allowed("mark_key", suggestion.status) or not _may(request, suggestion):
        return None
    form = bound_form(request, "key") or forms_staff.KeyForm(suggestion=suggestion)
    return {"form": form, "action": reverse("suggestions:mark_key", args=[suggestion.pk])}


@register_panel("reassign", "suggestions/staff/panel_reassign.html", order=230)
def reassign(request, suggestion):
    if not _may(request, suggestion):
        return None
    refused = selectors_staff.refused_waiting(suggestion)
    if not refused:
        return None
    form = bound_form(request, "reassign") or forms_staff.ReassignForm(
        suggestion=suggestion, refused=refused
    )
    return {
        "form": form,
        "refused": refused,
        "action": reverse("suggestions:reassign", args=[suggestion.pk]),
    }
