"""The suggestions' supervision on a role's home page, as template tags, so that the home
pages (accounts) need not import the suggestions app: the key suggestions a leader leads
(我领衔督办的建议)."""

from django import template

from zhitong.suggestions.selectors_supervision import key_suggestions_led_by
from zhitong.suggestions.services_supervision import ASPECTS

# Key suggestions shown on the leader's home (the full list has its own page).
HOME_LIMIT = 10

register = template.Library()


@register.inclusion_tag("suggestions/supervision/_key_led.html", takes_context=True)
def key_suggestions_led(context):
    """The leader's key suggestions: state, due date, last supervision activity."""
    rows = key_suggestions_led_by(context["user"])
    shown = list(rows[: HOME_LIMIT + 1])
    return {"rows": shown[:HOME_LIMIT], "more": len(shown) > HOME_LIMIT}


@register.filter
def aspect_label(value: str) -> str:
    """The label of a quality problem's aspect (合规, 文书, 效果)."""
    return str(ASPECTS.get(value, value))
