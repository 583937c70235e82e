"""The suggestions panel of a role's home page (待处理 figures), as a template tag so the
structure apps' home pages need not import the suggestions app."""

from django import template

from zhitong.core.roles import Role
from zhitong.suggestions.selectors_draft import pending_counts

register = template.Library()

# Roles that read suggestions without figures of their own to do: the link alone.
LINK_ONLY_ROLES = {Role.LEADER, Role.ADMIN}


@register.inclusion_tag("suggestions/_pending_counts.html", takes_context=True)
def suggestion_pending_counts(context):
    user = context["user"]
    counts = pending_counts(user)
    shown = bool(counts) or getattr(user, "role", None) in LINK_ONLY_ROLES
    return {"counts": counts, "shown": shown, "user": user}
