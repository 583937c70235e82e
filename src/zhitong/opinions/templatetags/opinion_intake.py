"""The "录入意见" panel of a deputy's or liaison's home page, as a template tag so the home
pages (accounts) need not import the opinions app."""

from django import template

from zhitong.opinions import intake

register = template.Library()


@register.inclusion_tag("opinions/intake/_record_shortcut.html", takes_context=True)
def opinion_record_shortcut(context):
    """One link per station the user may record at, each opening the record form with that
    station chosen (?station=<id>); nothing for a user who records nowhere."""
    user = context["user"]
    stations = list(intake.recording_stations(user)) if intake.may_record_at_all(user) else []
    return {"stations": stations}
