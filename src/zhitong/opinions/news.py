"""Who hears of a new opinion (新意见), and when: at once, in the daily digest, or not at all.

"新意见" is a kind of event of the notification centre (notifications.kinds), registered
in OpinionsConfig.ready. Each account it is offered to chooses how to hear of it on the
notification settings page; by default the deputy a citizen wrote to hears at once (in
the centre and by SMS), the station's liaisons at once in the centre, and district staff
and street committees in the daily digest, which lists the new opinions in their scope.

At once it is a task (待办): triage by anyone (accepted, declined, answered on the spot,
merged) takes it off every list.
"""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import BigIntegerField
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhitong.core.models import Event
from zhitong.core.roles import Role
from zhitong.notifications.kinds import DigestItem, EventKind, register_kind
from zhitong.notifications.models import Delivery
from zhitong.opinions.models import Channel, Opinion
from zhitong.opinions.verbs import OpinionVerb

NEW_OPINION = "opinion_new"
# The verb of the at-once notifications: a task, done when the opinion is triaged.
TRIAGE_TASK = "opinion_received"

DEFAULTS = {
    Role.STAFF: Delivery.DIGEST,
    Role.STREET: Delivery.DIGEST,
    Role.DEPUTY: Delivery.IMMEDIATE_MESSAGE,
    Role.LIAISON: Delivery.IMMEDIATE,
    Role.LEADER: Delivery.NONE,
    Role.ADMIN: Delivery.NONE,
}


def _work_url(opinion: Opinion) -> str:
    try:
        return reverse("opinions:detail", args=[opinion.pk])
    except NoReverseMatch:
        return ""


def _where(opinion: Opinion) -> str:
    if opinion.station_id:
        return opinion.station.name
    if opinion.street_id:
        return opinion.street.name
    return opinion.district.name


def digest_line(opinion: Opinion) -> str:
    return _("%(day)s %(channel)s · %(where)s：%(subject)s") % {
        "day": opinion.received_at.date().isoformat() if opinion.received_at else "",
        "channel": opinion.get_channel_display(),
        "where": _where(opinion),
        "subject": opinion.subject,
    }


def entered_between(since: datetime.datetime, until: datetime.datetime):
    """The ids of the opinions entered in (since, until], as a subquery: by their "received"
    event, the moment they were written (received_at may be the day a recorded opinion
    was collected, before it was entered)."""
    return (
        Event.objects.filter(
            content_type=ContentType.objects.get_for_model(Opinion),
            verb=OpinionVerb.RECEIVED,
            occurred_at__gt=since,
            occurred_at__lte=until,
        )
        .annotate(opinion_id=Cast("object_id", BigIntegerField()))
        .values("opinion_id")
    )


def new_opinions_digest(user, since: datetime.datetime, until: datetime.datetime, limit: int):
    """The opinions entered in (since, until] that `user` may open (opinions_visible_to),
    oldest first; an offline ledger's import is not news."""
    from zhitong.opinions.selectors import opinions_visible_to

    rows = (
        opinions_visible_to(user)
        .filter(pk__in=entered_between(since, until))
        .exclude(channel=Channel.IMPORT)
        .order_by("received_at", "id")
    )
    shown = list(rows[:limit])
    total = len(shown) if len(shown) < limit else rows.count()
    return [DigestItem(digest_line(o), _work_url(o)) for o in shown], total


KIND = EventKind(
    code=NEW_OPINION,
    label=gettext_lazy("新意见"),
    defaults=DEFAULTS,
    digest=new_opinions_digest,
    help_text=gettext_lazy(
        "群众新反映的、在您工作范围内的意见（代表：向您反映的；联络员：您所在站点的）。"
    ),
)


def register() -> None:
    register_kind(KIND)


def _audience(opinion: Opinion, by) -> tuple[list, object | None]:
    """(those who work on it where it arrived: staff over its street or district and the
    street committee, the station's liaisons; the deputy it was addressed to, or None)."""
    from zhitong.notifications.services import recipients_for_region

    region = opinion.street if opinion.street_id else opinion.district
    found = {user.pk: user for user in recipients_for_region(region)}
    if opinion.station_id:
        for user in opinion.station.liaisons.filter(is_active=True):
            found[user.pk] = user
    deputy_user = None
    if opinion.deputy_id and opinion.deputy.user_id:
        deputy_user = opinion.deputy.user
        found.pop(deputy_user.pk, None)
    if by is not None:
        found.pop(by.pk, None)
        if deputy_user is not None and deputy_user.pk == by.pk:
            deputy_user = None
    return list(found.values()), deputy_user


def tell_new_opinion(opinion: Opinion, by=None) -> None:
    """Tell those who hear of new opinions at once (after the commit); the digest reads the
    opinion again for the others. The one who recorded it (`by`) is not told."""
    from zhitong.notifications.services import notify_event

    others, deputy_user = _audience(opinion, by)
    url = _work_url(opinion)
    if deputy_user is not None:
        text = (
            _("群众通过您的二维码反映了意见：%(subject)s")
            if opinion.channel == Channel.QR_DEPUTY
            else _("群众向您反映了意见：%(subject)s")
        ) % {"subject": opinion.subject}
        notify_event(
            kind=NEW_OPINION,
            recipients=[deputy_user],
            verb=TRIAGE_TASK,
            text=text,
            url=url,
            subject=opinion,
            task=True,
        )
    if others:
        notify_event(
            kind=NEW_OPINION,
            recipients=others,
            verb=TRIAGE_TASK,
            text=_("新意见（%(channel)s · %(where)s）：%(subject)s")
            % {
                "channel": opinion.get_channel_display(),
                "where": _where(opinion),
                "subject": opinion.subject,
            },
            url=url,
            subject=opinion,
            task=True,
        )


def tell_new_opinion_after_commit(opinion: Opinion, by=None) -> None:
    """Queue `tell_new_opinion` for the commit; an offline ledger's rows are not news."""
    if opinion.channel == Channel.IMPORT:
        return
    # robust: a failing sender is logged and never turns a saved opinion into an error page.
    transaction.on_commit(lambda: tell_new_opinion(opinion, by), robust=True)
