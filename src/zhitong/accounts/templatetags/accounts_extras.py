"""Template filters of the accounts app."""

import datetime
import math

from django import template

register = template.Library()


@register.filter
def minutes(value) -> int | str:
    """A timedelta as whole minutes, rounded up, so "0:00:30" never reads as "0 分钟"."""
    if not isinstance(value, datetime.timedelta):
        return ""
    return max(1, math.ceil(value.total_seconds() / 60))
