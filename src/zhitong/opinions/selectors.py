"""Reading opinions, always scoped to who asks: lists, the case page, the submitter's view."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from zhitong.core import masking, vocabulary
from zhitong.core.events import events_for
from zhitong.core.models import max_length
from zhitong.core.scoping import ScopeKind, work_scope
from zhitong.handling.models import Assignment, Extension
from zhitong.opinions.models import Opinion
from zhitong.opinions.tracking import normalize_code
from zhitong.regions.models import Region, RegionLevel
from zhitong.workdays.deadlines import Deadline
from zhitong.workdays.selectors import working_calendar

# What a list row shows without further queries.
LIST_RELATED = ("category", "category__parent", "station", "deputy", "street", "district")


def opinions_visible_to(user) -> QuerySet[Opinion]:
    """The opinions `user` may open; none for citizens and unknown roles.

    Staff (admin/staff/leader): opinions of the districts in their subtree; street
    committees: their street's; deputies: addressed to them or their current stations;
    liaisons: their stations'; units: those referred to them (not withdrawn).
    """
    queryset = Opinion.objects.select_related(*LIST_RELATED)
    scope = work_scope(user)
    if scope.kind == ScopeKind.ALL:
        return queryset
    if scope.kind == ScopeKind.REGION:
        # Filter on ids (one indexed column) rather than joining to the region path.
        if scope.region_level in (RegionLevel.STREET, RegionLevel.COMMUNITY):
            streets = Region.objects.filter(
                path__startswith=scope.region_path, level=RegionLevel.STREET
            )
            return queryset.filter(street__in=streets.values("pk"))
        districts = Region.objects.filter(
            path__startswith=scope.region_path, level=RegionLevel.DISTRICT
        )
        return queryset.filter(district__in=districts.values("pk"))
    if scope.kind == ScopeKind.DEPUTY:
        # Literal ids under the OR: PostgreSQL combines the (deputy, received_at) and
        # (station, received_at) indexes, where subqueries would be checked row by row.
        if scope.deputy_id is None:
            return queryset.none()
        return queryset.filter(Q(deputy_id=scope.deputy_id) | Q(station_id__in=scope.station_ids))
    if scope.kind == ScopeKind.STATIONS:
        return queryset.filter(station_id__in=scope.station_ids)
    if scope.kind == ScopeKind.UNIT:
        referred = Assignment.objects.filter(unit_id=scope.unit_id).exclude(
            state=Assignment.State.WITHDRAWN
        )
        return queryset.filter(case_id__in=referred.values("case_id"))
    return queryset.none()


def opinions_submitted_by(user) -> QuerySet[Opinion]:
    """The opinions `user` sent from the public form while signed in, newest first; none
    for an anonymous or inactive user. Only what their own list shows is read."""
    if not (user.is_authenticated and user.is_active):
        return Opinion.objects.none()
    return (
        Opinion.objects.filter(submitted_by=user)
        .only("pk", "tracking_code", "subject", "status", "received_at")
        .order_by("-received_at", "-id")
    )


def with_lead_referral(queryset: QuerySet[Opinion]) -> QuerySet[Opinion]:
    """Annotate each opinion with its current lead referral: `lead_unit_name`, `lead_due_date`.

    Subqueries, not joins, so a list keeps one row per opinion and a fixed query count.
    """
    # By the case (not opinion=OuterRef("pk"), which compares a case id with an opinion id).
    lead = Assignment.objects.filter(
        case_id=OuterRef("case_id"), role=Assignment.Role.LEAD
    ).exclude(state__in=[Assignment.State.WITHDRAWN, Assignment.State.RETURNED])
    lead = lead.order_by("-assigned_at", "-id")
    return queryset.annotate(
        lead_unit_name=Subquery(lead.values("unit_name")[:1]),
        lead_due_date=Subquery(lead.values("due_date")[:1]),
    )


def overdue_filter(today: datetime.date | None = None) -> Q:
    """A Q on Opinion for "has an open lead referral past its due date" (derived from the
    copy of the running lead due date, Opinion.open_due_date; no overdue flag is stored)."""
    today = today or timezone.localdate()
    return Q(open_due_date__lt=today)


def access_opinion(user, pk) -> Opinion:
    """The opinion `pk` if `user` may open it; Http404 otherwise, whatever the reason."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    opinion = opinions_visible_to(user).filter(pk=pk).first()
    if opinion is None:
        raise Http404
    return opinion


def normalize_tracking_code(text) -> str:
    """A tracking code as typed, in its stored form when it is a well-formed code
    (zhitong.opinions.tracking.normalize_code), else merely stripped; "" for nothing."""
    if not isinstance(text, str):
        return ""
    typed = text.strip()
    try:
        from zhitong.opinions.tracking import normalize_code
    except ImportError:
        return typed
    return normalize_code(typed) or typed


def access_opinion_by_code(tracking_code) -> Opinion:
    """The opinion with this tracking code (the submitter's key); Http404 when there is none.

    The code may be typed loosely (case, spaces, dashes); see zhitong.opinions.tracking.
    """
    if not isinstance(tracking_code, str):
        raise Http404
    typed = tracking_code.strip()
    limit = max_length(Opinion, "tracking_code")
    if not typed or len(typed) > 4 * limit:
        raise Http404
    candidates = {typed} if len(typed) <= limit else set()
    normalized = normalize_code(typed)
    if normalized:
        candidates.add(normalized)
    if not candidates:
        raise Http404
    opinion = (
        Opinion.objects.select_related(*LIST_RELATED, "merged_into")
        .filter(tracking_code__in=candidates)
        .first()
    )
    if opinion is None:
        raise Http404
    return opinion


# --- timeline ---------------------------------------------------------------------------

# Data keys never shown to the submitter: internal notes and other people's details.
_INTERNAL_DATA_KEYS = {"note", "internal_note", "decision_note", "reason_internal", "recipients"}


@dataclass(frozen=True)
class TimelineEntry:
    """One step of the case as shown on a page."""

    occurred_at: datetime.datetime
    verb: str
    actor_name: str
    from_state: str
    to_state: str
    note: str
    data: dict


def opinion_timeline(
    opinion: Opinion, *, for_submitter: bool, for_unit: bool = False
) -> list[TimelineEntry]:
    """The opinion's events, oldest first.

    For the submitter: internal notes are dropped and the names of those who acted are
    masked (a unit account or staff member is not named to the public), except the
    submitter's own steps (no actor). For a handling unit: only the notes written for it
    (the verbs registered with note_unit); staff's notes on accepting, merging and the like stay with staff,
    like the internal note field.
    """
    entries = []
    for event in events_for(opinion):
        # What each step shows to whom: zhitong.core.vocabulary (opinions/verbs.py).
        known = vocabulary.verb(event.verb)
        if for_submitter:
            if known is None or not known.shown_to_public:
                continue
            data = {k: v for k, v in event.data.items() if k not in _INTERNAL_DATA_KEYS}
            actor_name = masking.mask_name(event.actor_name) if event.actor_name else ""
            note = event.note if known.note_public else ""
        else:
            data = dict(event.data)
            actor_name = event.actor_name
            note = event.note if not for_unit or (known is not None and known.note_unit) else ""
        entries.append(
            TimelineEntry(
                occurred_at=event.occurred_at,
                verb=event.verb,
                actor_name=actor_name,
                from_state=event.from_state,
                to_state=event.to_state,
                note=note,
                data=data,
            )
        )
    return entries


# --- deadlines --------------------------------------------------------------------------


def lead_referral(opinion: Opinion) -> Assignment | None:
    """The current lead referral (the latest not returned or withdrawn), or None."""
    return (
        opinion.referrals.filter(role=Assignment.Role.LEAD)
        .exclude(state__in=[Assignment.State.WITHDRAWN, Assignment.State.RETURNED])
        .order_by("-assigned_at", "-id")
        .first()
    )


def deadline_state(
    referral: Assignment, today: datetime.date | None = None, *, calendar=None
) -> str:
    """ "on_time", "due_soon" (due within 3 working days), "overdue" or "very_overdue".

    Derived from the stored dates: overdue once today is past the due date, very overdue
    from Assignment.very_overdue_from on (late by as many working days as were allowed,
    extensions included: twice the time), the same dates the queue's filters read. A
    referral the unit has answered (or that is closed) is never overdue. Pass one
    `calendar` snapshot (working_calendar()) when classifying many rows: no query per row.
    """
    from zhitong.handling.deadlines import DUE_SOON_WORKING_DAYS

    if referral.due_date is None or referral.state not in (
        Assignment.State.PENDING,
        Assignment.State.ACCEPTED,
    ):
        return "on_time"
    today = today or timezone.localdate()
    if today <= referral.due_date:
        calendar = calendar or working_calendar()
        left = calendar.working_days_between(today, referral.due_date)
        return "due_soon" if left <= DUE_SOON_WORKING_DAYS else "on_time"
    very_overdue_from = referral.very_overdue_from
    if very_overdue_from is None:
        # A referral object built in memory and not yet given its dates by deadlines.apply.
        from zhitong.handling.deadlines import recomputed_very_overdue_from

        very_overdue_from = recomputed_very_overdue_from(referral, calendar or working_calendar())
    if very_overdue_from is None:
        return "overdue"
    return "very_overdue" if today >= very_overdue_from else "overdue"


@dataclass(frozen=True)
class DeadlineInfo:
    """What the case page shows about a referral's deadline."""

    referral: Assignment
    deadline: Deadline | None
    state: str
    extensions: list[Extension]

    @property
    def explanation(self) -> str:
        return self.deadline.explanation() if self.deadline else ""


def referral_deadline(
    referral: Assignment, today: datetime.date | None = None, *, calendar=None
) -> DeadlineInfo:
    """The stored computation (Deadline.from_data), its state and the extension history."""
    deadline = Deadline.from_data(referral.deadline) if referral.deadline else None
    extensions = list(
        referral.extensions.select_related("requested_by", "decided_by").order_by(
            "requested_at", "id"
        )
    )
    return DeadlineInfo(
        referral=referral,
        deadline=deadline,
        state=deadline_state(referral, today, calendar=calendar),
        extensions=extensions,
    )


def opinion_referrals(opinion: Opinion):
    """All referrals of an opinion, lead first, with their units (case page)."""
    return opinion.referrals.select_related("unit", "suggested_unit", "assigned_by").order_by(
        "-assigned_at", "role", "id"
    )


def opinion_replies(opinion: Opinion):
    """Replies with their attachments and ratings, oldest first (case page)."""
    return opinion.replies.select_related(
        "author", "reviewed_by", "assignment", "rating", "rating__taken_by"
    ).prefetch_related("attachments")


def reply_to_rate(opinion: Opinion):
    """The reply sent to the submitter and not yet rated, or None."""
    return (
        opinion.replies.filter(sent_at__isnull=False, rating__isnull=True)
        .order_by("-sent_at", "-id")
        .first()
    )


def submitter_view(opinion: Opinion) -> dict:
    """The submitter's details as anyone but the case handlers may see them."""
    return {
        "name": masking.mask_name(opinion.submitter_name),
        "phone": masking.mask_phone(opinion.submitter_phone),
        "email": masking.mask_email(opinion.submitter_email),
        "address": masking.mask_street_address(opinion.address),
    }
