"""The suggestions panel of a role's home page (待处理 figures), as a template tag so the
structure apps' home pages need not import the suggestions app."""

from django import template

from zhitong.suggestions.selectors_draft import pending_counts

register = template.Library()


@register.inclusion_tag("suggestions/_pending_counts.html", takes_context=True)
def suggestion_pending_counts(context):
    return {"counts": pending_counts(context["user"]), "user": context["user"]}
