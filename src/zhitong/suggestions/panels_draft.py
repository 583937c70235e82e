"""The panels of drafting and review (提 · 阅看) on a suggestion's page: the comments of a
return, the lead deputy's acts on the draft, the invited deputy's answer, the submitted
versions, the reviews, and the reviewer's checklist.

A form is shown exactly when posting it would be accepted: the same permission and the
same lifecycle check as the service behind it.
"""

from zhitong.core.roles import Role
from zhitong.suggestions import forms_draft, lifecycle
from zhitong.suggestions.models import CoSigner, Kind, Review, Status
from zhitong.suggestions.panels import bound_form, register_panel
from zhitong.suggestions.services import several_matters


def _for_unit(request) -> bool:
    return getattr(request.user, "role", None) == Role.UNIT


def _form(request, key, factory):
    return bound_form(request, key) or factory()


@register_panel("returned", "suggestions/panels/returned.html", order=5)
def returned(request, suggestion):
    """The comments of the review that returned it, at the top while it waits for revision."""
    if suggestion.status != Status.RETURNED or _for_unit(request):
        return None
    review = (
        suggestion.reviews.filter(outcome=Review.Outcome.RETURN)
        .order_by("-reviewed_at", "-id")
        .first()
    )
    return {"review": review} if review else None


@register_panel("draft_actions", "suggestions/panels/draft_actions.html", order=15)
def draft_actions(request, suggestion):
    """The lead deputy's acts: edit, files, co-signers, submit, withdraw."""
    if not request.user.has_perm("suggestions.edit_suggestion", suggestion):
        return None
    status = suggestion.status
    may = {
        action: lifecycle.allowed(action, status)
        for action in ("edit", "invite", "submit", "withdraw")
    }
    if not any(may.values()):
        return None
    return {
        "may": may,
        "files_form": _form(request, "files", forms_draft.FilesForm) if may["edit"] else None,
        "invite_form": _form(
            request, "invite", lambda: forms_draft.InviteForm(suggestion=suggestion)
        )
        if may["invite"]
        else None,
        "submit_form": _form(request, "submit", forms_draft.SubmitForm) if may["submit"] else None,
        "withdraw_form": _form(request, "withdraw", forms_draft.WithdrawForm)
        if may["withdraw"]
        else None,
        "several_matters": several_matters(suggestion.content) if may["submit"] else [],
        "resubmit": status == Status.RETURNED,
    }


@register_panel("respond", "suggestions/panels/respond.html", order=6)
def respond(request, suggestion):
    """The invited deputy's answer: co-sign or decline."""
    if not lifecycle.allowed("cosign", suggestion.status):
        return None
    mine = next(
        (
            c
            for c in suggestion.cosigners.all()
            if c.deputy.user_id == request.user.pk and c.state == CoSigner.State.INVITED
        ),
        None,
    )
    if mine is None:
        return None
    return {"cosigner": mine, "form": _form(request, "respond", forms_draft.RespondForm)}


def _may_review(user, suggestion) -> str | None:
    if suggestion.status == Status.STREET_REVIEW:
        perm = "suggestions.review_street"
    elif suggestion.status == Status.DISTRICT_REVIEW:
        perm = "suggestions.review_district"
    else:
        return None
    return suggestion.status if user.has_perm(perm, suggestion) else None


@register_panel("review", "suggestions/panels/review.html", order=50)
def review(request, suggestion):
    """The reviewer's checklist, comments and outcome (阅看)."""
    level = _may_review(request.user, suggestion)
    if level is None:
        return None
    form = _form(
        request,
        "review",
        lambda: forms_draft.ReviewForm(initial={"criticism": suggestion.kind == Kind.CRITICISM}),
    )
    return {
        "form": form,
        "street_level": level == Status.STREET_REVIEW,
        "several_matters": several_matters(suggestion.content),
    }


@register_panel("versions", "suggestions/panels/versions.html", order=30)
def versions(request, suggestion):
    """Each submitted version (number, time, title, text), for the deputies and reviewers."""
    if _for_unit(request):
        return None
    found = list(suggestion.versions.order_by("-number"))
    return {"versions": found} if found else None


@register_panel("reviews", "suggestions/panels/reviews.html", order=40)
def reviews(request, suggestion):
    """The reviews (level, outcome, checklist, comments), for the deputies and reviewers."""
    if _for_unit(request):
        return None
    found = list(suggestion.reviews.order_by("reviewed_at", "id"))
    if not found:
        return None
    labels = dict(Review.CHECKS)
    rows = [
        {
            "review": r,
            "checks": [(labels[key], bool(r.checks.get(key))) for key in labels],
        }
        for r in found
    ]
    return {"rows": rows}
