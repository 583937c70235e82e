"""Reading suggestions (代表建议), checked against who asks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zhitong.core import vocabulary
from zhitong.core.events import events_for
from zhitong.core.roles import Role
from zhitong.core.scoping import is_unrestricted, scope_region_path
from zhitong.handling.models import Assignment
from zhitong.suggestions.models import Status, Suggestion

# Rating verbs: back-to-back (背靠背), a unit never learns who rated.
RATING_VERBS = {"reply_rate", "reply_rate_taken", "reply_rate_default"}


def access_suggestion(user, pk) -> Suggestion:
    """The suggestion `pk` if `user` may see it; one "not found" whether it does not exist
    or is not theirs."""
    suggestion = (
        Suggestion.objects.select_related(
            "lead_deputy", "district", "street", "category", "session__term", "proposed_lead"
        )
        .prefetch_related("cosigners__deputy")
        .filter(pk=pk)
        .first()
    )
    if suggestion is None or not user.has_perm("suggestions.view_suggestion", suggestion):
        raise Http404(_("找不到该建议。"))
    return suggestion


def suggestions_visible_to(user) -> QuerySet[Suggestion]:
    """Every suggestion `user` may see (the rules of zhitong.suggestions.rules as a query)."""
    base = Suggestion.objects.all()
    if not user.is_authenticated or not user.is_active:
        return base.none()
    submitted = ~Q(status__in=[Status.DRAFT, Status.WITHDRAWN])
    own = Q(lead_deputy__user_id=user.pk) | Q(
        cosigners__deputy__user_id=user.pk, cosigners__state__in=["invited", "accepted"]
    )
    if is_unrestricted(user):
        return base.filter(submitted | own).distinct()
    role = getattr(user, "role", None)
    if role == Role.UNIT and user.unit_id:
        cases = Assignment.objects.filter(unit_id=user.unit_id).exclude(
            state=Assignment.State.WITHDRAWN
        )
        return base.filter(case_id__in=cases.values("case_id"))
    if role in (Role.STAFF, Role.ADMIN, Role.LEADER):
        path = scope_region_path(user)
        if path is None:
            return base.none()
        return base.filter(submitted, district__path__startswith=path)
    if role == Role.STREET:
        path = scope_region_path(user)
        if path is None:
            return base.none()
        return base.filter(submitted, street__path__startswith=path)
    if role == Role.DEPUTY:
        return base.filter(own).distinct()
    return base.none()


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: datetime.datetime
    verb: str
    label: str
    actor_name: str
    note: str
    summary: str
    data: dict


def suggestion_timeline(suggestion: Suggestion, *, for_unit: bool) -> list[TimelineEntry]:
    """The suggestion's events, oldest first. For a handling unit: the notes written for it
    only, and never who rated (背靠背): a rating's actor is not named."""
    entries = []
    for event in events_for(suggestion):
        known = vocabulary.verb(event.verb)
        actor_name = event.actor_name
        data = dict(event.data)
        note = event.note
        if for_unit:
            note = note if known is not None and known.note_unit else ""
            if event.verb in RATING_VERBS:
                actor_name = _("代表（背靠背评价）")
        entries.append(
            TimelineEntry(
                occurred_at=event.occurred_at,
                verb=event.verb,
                label=str(known.label) if known else event.verb,
                actor_name=actor_name or _("系统"),
                note=note,
                summary=known.describe(data) if known and known.describe else "",
                data=data,
            )
        )
    return entries
