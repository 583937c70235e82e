"""Suggestion pages: raising opinions into a draft, from the opinion's case page; the
draft's page."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhitong.opinions import forms_work, views_work
from zhitong.opinions import selectors as opinion_selectors
from zhitong.suggestions import views_draft
from zhitong.suggestions.panels import shown_panels
from zhitong.suggestions.selectors import access_suggestion, suggestions_visible_to
from zhitong.suggestions.services import suggestion_raise_from_opinions


@login_required
@require_POST
def raise_from_opinion_view(request, pk):
    """The case page's "提出代表建议" form: this opinion, and others the deputy names."""
    return views_work.opinion_action(
        request,
        pk,
        perm="opinions.raise_suggestion",
        key="raise_suggestion",
        form_class=forms_work.RaiseSuggestionForm,
        form_kwargs={"visible": opinion_selectors.opinions_visible_to(request.user)},
        run=lambda opinion, d: suggestion_raise_from_opinions(
            opinions=[opinion, *[o for o in d["others"] if o.pk != opinion.pk]],
            by=request.user,
            title=d["title"],
            content=d["content"],
        ),
        success=_("已生成代表建议草稿。"),
        # To the draft it made.
        then=lambda suggestion: reverse("suggestions:detail", args=[suggestion.pk]),
    )


@login_required
@require_GET
def detail_view(request, pk):
    """A suggestion's page: its summary, then the panels of each part of the process that
    this user may see in its state (zhitong.suggestions.panels), and its timeline."""
    suggestion = access_suggestion(request.user, pk)
    return render(
        request,
        "suggestions/detail.html",
        {"suggestion": suggestion, "panels": shown_panels(request, suggestion)},
    )


@login_required
@require_GET
def list_view(request):
    """The suggestions this user may see, newest first, 50 a page."""
    suggestions, extra = views_draft.list_sections(request, suggestions_visible_to(request.user))
    page = Paginator(
        suggestions.select_related("lead_deputy", "session__term", "category").order_by("-id"),
        50,
    ).get_page(request.GET.get("page"))
    return render(request, "suggestions/list.html", {"page": page, **extra})
