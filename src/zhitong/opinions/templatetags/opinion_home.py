"""The opinions panel of a role's home page (待处理 figures), as a template tag so the
structure apps' home pages need not import the opinions app."""

from django import template

from zhitong.opinions.stats import pending_counts

register = template.Library()


@register.inclusion_tag("opinions/work/_pending_counts.html", takes_context=True)
def opinion_pending_counts(context):
    return {"counts": pending_counts(context["user"]), "user": context["user"]}
