"""`{{ event.verb|verb_label }}`: what staff read for an event's verb (core.vocabulary)."""

from django import template

from zhitong.core import vocabulary

register = template.Library()


@register.filter
def verb_label(value: str) -> str:
    return vocabulary.label(value)


@register.filter
def event_detail(event) -> str:
    """One line about an event's data, as its verb describes it ("" when it does not)."""
    known = vocabulary.verb(event.verb)
    if known is None or known.describe is None:
        return ""
    try:
        return known.describe(event.data or {})
    except (AttributeError, KeyError, TypeError, ValueError):
        return ""
