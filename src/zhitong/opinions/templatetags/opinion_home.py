"""The opinions panel of a role's home page (待处理 figures), as a template tag so the
structure apps' home pages need not import the opinions app."""

from django import template
from django.core.paginator import Paginator

from zhitong.opinions.selectors import opinions_submitted_by
from zhitong.opinions.stats import pending_counts

# Own opinions per page of a citizen's home.
OWN_PAGE_SIZE = 10

register = template.Library()


@register.inclusion_tag("opinions/work/_pending_counts.html", takes_context=True)
def opinion_pending_counts(context):
    return {"counts": pending_counts(context["user"]), "user": context["user"]}


@register.inclusion_tag("opinions/public/_own_opinions.html", takes_context=True)
def own_opinions(context):
    """A citizen's or enterprise's own opinions (sent from the public form while signed
    in), with their states, paged by ?page=."""
    request = context["request"]
    paginator = Paginator(opinions_submitted_by(context["user"]), OWN_PAGE_SIZE)
    return {"page_obj": paginator.get_page(request.GET.get("page")), "request": request}
