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


@register.inclusion_tag("suggestions/supervision/_links.html", takes_context=True)
def supervision_links(context):
    """The supervision and quality review pages this user works on (督 · 评), for their home:
    reception days, committees and the suggestions followed (staff), the problem lists. By
    role and scope alone (no query), but for a unit's count of problems to answer."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from zhitong.core.roles import Role
    from zhitong.core.scoping import is_unrestricted, scope_region_path
    from zhitong.suggestions import selectors_supervision as sel

    user = context["user"]
    role = getattr(user, "role", None)
    links = []
    scoped = is_unrestricted(user) or scope_region_path(user) is not None
    if role == Role.LEADER:
        links.append((reverse("suggestions:key_led"), _("我领衔督办的建议"), None))
    if scoped and (role in (Role.STAFF, Role.LEADER) or is_unrestricted(user)):
        links.append((reverse("suggestions:reception_days"), _("主任接待日"), None))
        links.append((reverse("suggestions:district_problems"), _("质量评审问题"), None))
    if scoped and (role == Role.STAFF or is_unrestricted(user)):
        links.append((reverse("suggestions:committees"), _("专工委对口"), None))
        links.append((reverse("suggestions:followed"), _("对口建议"), None))
    if role == Role.UNIT and getattr(user, "unit_id", None):
        outstanding = sel.problems_of_unit(user).filter(answered_at__isnull=True).count()
        links.append((reverse("suggestions:unit_problems"), _("质量评审反馈问题清单"), outstanding))
    return {"links": links}
