"""The parts of a suggestion's page (panels), each a template and the context it needs.

Each part of the process (drafting, review, registration, handling, the ledger,
supervision, quality) registers its panels in its own module, listed in `PANEL_MODULES`;
the page shows, in order, every panel whose context function returns a dict (None: not
shown to this user in this state). The page's own view stays one loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

# The modules that register panels (imported once, in this order).
PANEL_MODULES = (
    "zhitong.suggestions.panels_core",
    "zhitong.suggestions.panels_draft",
    "zhitong.suggestions.panels_staff",
    "zhitong.suggestions.panels_supervision",
    # 办 · 评: assignments, replies, rating, commitments.
    "zhitong.suggestions.panels_handling",
)


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    order: int
    context: Callable  # (request, suggestion) -> dict | None


_PANELS: dict[str, Panel] = {}
_loaded = False


def register_panel(key: str, template: str, order: int):
    """Decorator: the function gives the panel's context, or None to leave it out."""

    def wrap(func):
        _PANELS[key] = Panel(key=key, template=template, order=order, context=func)
        return func

    return wrap


def panels() -> list[Panel]:
    global _loaded
    if not _loaded:
        for name in PANEL_MODULES:
            import_module(name)
        _loaded = True
    return sorted(_PANELS.values(), key=lambda panel: (panel.order, panel.key))


@dataclass(frozen=True)
class Shown:
    template: str
    key: str
    context: dict


def shown_panels(request, suggestion) -> list[Shown]:
    shown = []
    for panel in panels():
        context = panel.context(request, suggestion)
        if context is not None:
            shown.append(Shown(template=panel.template, key=panel.key, context=context))
    return shown


# --- a refused act: the page again, its form bound with the errors -----------------------


def bound_form(request, key: str):
    """The form `key` as the user posted it when the act was refused (its panel shows it
    with its errors), or None."""
    return getattr(request, "suggestion_forms", {}).get(key)


def refused_page(request, suggestion, *, bound: dict, error: str = "", status: int = 400):
    """The suggestion's page again after a refused act: the refused forms (`bound`: {key:
    form}) for their panels, and why at the top. Nothing changed, but the suggestion is
    read again so the page shows it as it is now."""
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    from zhitong.suggestions.selectors import access_suggestion

    request.suggestion_forms = bound
    suggestion = access_suggestion(request.user, suggestion.pk)
    return render(
        request,
        "suggestions/detail.html",
        {
            "suggestion": suggestion,
            "panels": shown_panels(request, suggestion),
            "action_error": error or _("提交的内容有误，请检查后重试。"),
        },
        status=status,
    )
