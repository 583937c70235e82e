"""The supervision (领衔督办) and quality review (质量评审) panels of a suggestion's page.

A refused post comes back on the page with its bound form: the view leaves the forms on
the request (`request.suggestion_forms`, by key) for these panels to show."""

from zhitong.suggestions import forms_supervision as forms
from zhitong.suggestions import selectors_supervision as sel
from zhitong.suggestions.panels import register_panel
from zhitong.suggestions.services_supervision import (
    ASPECTS,
    may_record_activity,
    quality_rounds_open,
)


def _bound(request, key):
    return getattr(request, "suggestion_forms", {}).get(key)


@register_panel("supervision", "suggestions/supervision/panel_supervision.html", order=600)
def supervision(request, suggestion):
    activities = sel.supervision_activities(suggestion)
    if not suggestion.is_key and not activities:
        return None
    may_record = may_record_activity(request.user, suggestion)
    return {
        "activities": activities,
        "leader": suggestion.key_leader,
        "form": (_bound(request, "activity") or forms.ActivityForm(prefix="activity"))
        if may_record
        else None,
    }


@register_panel("quality", "suggestions/supervision/panel_quality.html", order=700)
def quality(request, suggestion):
    user = request.user
    reviews = list(
        suggestion.quality_reviews.select_related("reviewer")
        .prefetch_related("problems__unit")
        .order_by("round")
    )
    if sel.may_read_district(user, suggestion.district):
        rounds = quality_rounds_open(user, suggestion)
        units = sel.suggestion_units(suggestion) if rounds else []
        return {
            "reviews": reviews,
            "aspects": ASPECTS,
            "form": (
                _bound(request, "quality")
                or forms.QualityReviewForm(prefix="quality", rounds=rounds)
            )
            if rounds
            else None,
            "problems": (
                _bound(request, "problems") or forms.ProblemFormSet(prefix="problem", units=units)
            )
            if rounds
            else None,
        }
    unit_id = getattr(user, "unit_id", None)
    if getattr(user, "role", None) == "unit" and unit_id:
        own = [p for review in reviews for p in review.problems.all() if p.unit_id == unit_id]
        if not own:
            return None
        for problem in own:
            problem.answer_form = (
                _bound(request, f"answer-{problem.pk}") or forms.AnswerForm(prefix=f"a{problem.pk}")
                if problem.answered_at is None
                else None
            )
        return {"reviews": [], "own_problems": own, "aspects": ASPECTS}
    return None
