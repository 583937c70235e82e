"""`{{ event.verb|verb_label }}`: what staff read for an event's verb (core.vocabulary)."""

from django import template

from zhitong.core import vocabulary

register = template.Library()


@register.filter
def verb_label(value: str) -> str:
    return vocabulary.label(value)
