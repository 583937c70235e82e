"""The core panels of a suggestion's page: its text and signers, its sources, its timeline."""

from zhitong.core.roles import Role
from zhitong.opinions import selectors as opinion_selectors
from zhitong.suggestions import selectors
from zhitong.suggestions.panels import register_panel
from zhitong.suggestions.services import several_matters


@register_panel("content", "suggestions/panels/content.html", order=10)
def content(request, suggestion):
    return {
        "cosigners": list(suggestion.cosigners.all()),
        "several_matters": several_matters(suggestion.content),
        "files": list(suggestion.files.filter(purpose="draft")),
    }


@register_panel("sources", "suggestions/panels/sources.html", order=20)
def sources(request, suggestion):
    ids = list(suggestion.source_opinions.values_list("pk", flat=True))
    if not ids:
        return None
    return {
        "sources": opinion_selectors.opinions_visible_to(request.user)
        .filter(pk__in=ids)
        .order_by("received_at", "id")
    }


@register_panel("timeline", "suggestions/panels/timeline.html", order=1000)
def timeline(request, suggestion):
    for_unit = getattr(request.user, "role", None) == Role.UNIT
    return {"timeline": selectors.suggestion_timeline(suggestion, for_unit=for_unit)}
