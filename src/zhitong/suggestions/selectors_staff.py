"""Reading for the staff's pages of 交 (registration and assignment): the districts a user
works for, the staff queue (建议办理总表), the assignment meeting's list (交办会), refused
assignments waiting to be given to another unit, the booklets' jobs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, F, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zhitong.core.models import Job
from zhitong.core.roles import Role
from zhitong.core.scoping import is_unrestricted
from zhitong.handling.models import Assignment
from zhitong.regions.lookups import districts_in_scope
from zhitong.regions.models import Region
from zhitong.suggestions.models import (
    CongressSession,
    CoSigner,
    DistrictSettings,
    Status,
    Suggestion,
)
from zhitong.units.models import HandlingUnit

# Due within this many days: the queue's "临期" filter and deadline state.
DUE_SOON_DAYS = 15
# Registered or later: what the booklet compiles and what has a number.
REGISTERED_OR_LATER = (
    Status.REGISTERED,
    Status.ASSIGNED,
    Status.HANDLING,
    Status.REPLIED,
    Status.REHANDLING,
    Status.CARRYING_OUT,
    Status.CLOSED,
)
NOT_SUBMITTED = (Status.DRAFT, Status.WITHDRAWN)
BOOKLET_JOB = "suggestions.booklet"


def is_staff(user) -> bool:
    """The congress committee's staff (代表工委, 办公室) and superusers: who registers,
    numbers and assigns suggestions."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (is_unrestricted(user) or getattr(user, "role", None) == Role.STAFF)
    )


def staff_districts(user) -> list[Region]:
    """The districts whose suggestions the user manages as staff (none for anyone else)."""
    return districts_in_scope(user) if is_staff(user) else []


def office_districts(user) -> list[Region]:
    """The districts whose government office (区政府办公室) is the user's unit."""
    unit_id = getattr(user, "unit_id", None)
    if not (user.is_authenticated and user.is_active) or unit_id is None:
        return []
    if getattr(user, "role", None) != Role.UNIT:
        return []
    ids = DistrictSettings.objects.filter(government_office_id=unit_id).values("district_id")
    return list(Region.objects.filter(pk__in=ids).order_by("code"))


def assigning_districts(user) -> list[Region]:
    """The districts whose assignment meeting (交办会) the user may hold: staff's, and the
    government office's accounts."""
    return staff_districts(user) or office_districts(user)


def pick_district(districts: list[Region], code: str | None) -> Region:
    """The district named by `code` among `districts` (the first when none is named); the
    same 404 for one that is not the user's or does not exist."""
    if not districts:
        raise Http404(_("找不到该区。"))
    if not code:
        return districts[0]
    for district in districts:
        if district.code == code:
            return district
    raise Http404(_("找不到该区。"))


def district_units(district: Region) -> QuerySet[HandlingUnit]:
    """The active units of the district and its streets, as offered for assignment."""
    return (
        HandlingUnit.objects.active()
        .filter(region__path__startswith=district.path)
        .select_related("region")
        .order_by("region__path", "name")
    )


def district_leaders(district: Region):
    """Members of the directors' meeting (主任会议成员) whose scope holds the district."""
    parts = [p for p in district.path.split("/") if p]
    prefixes = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return (
        get_user_model()
        .objects.filter(role=Role.LEADER, is_active=True, region__path__in=prefixes)
        .order_by("display_name", "username")
    )


def district_sessions(district: Region) -> QuerySet[CongressSession]:
    return CongressSession.objects.filter(district=district).select_related("term")


# --- the staff queue (建议办理总表) -------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    session: CongressSession | None = None
    during: str = ""  # "during" | "recess" | ""
    status: str = ""
    category_id: int | None = None
    unit_id: int | None = None
    street_id: int | None = None
    key_only: bool = False
    due: str = ""  # "overdue" | "soon" | ""
    text: str = ""


def staff_queue(user, flt: QueueFilter, *, today: datetime.date) -> QuerySet[Suggestion]:
    """Every suggestion of the user's districts once submitted, filtered (each filter an
    indexed column or a small join), by number then id."""
    districts = staff_districts(user)
    qs = Suggestion.objects.filter(district_id__in=[d.pk for d in districts]).exclude(
        status__in=NOT_SUBMITTED
    )
    if flt.session is not None:
        qs = qs.filter(session=flt.session)
    if flt.during == "during":
        qs = qs.filter(during_session=True)
    elif flt.during == "recess":
        qs = qs.filter(during_session=False)
    if flt.status:
        qs = qs.filter(status=flt.status)
    if flt.category_id:
        qs = qs.filter(category_id=flt.category_id)
    if flt.unit_id:
        qs = qs.filter(proposed_lead_id=flt.unit_id)
    if flt.street_id:
        qs = qs.filter(street_id=flt.street_id)
    if flt.key_only:
        qs = qs.filter(is_key=True)
    if flt.due == "overdue":
        qs = qs.filter(open_due_date__lt=today)
    elif flt.due == "soon":
        qs = qs.filter(
            open_due_date__gte=today,
            open_due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
    if flt.text:
        qs = qs.filter(title__icontains=flt.text)
    return qs.select_related(
        "lead_deputy", "category", "proposed_lead", "session__term", "street"
    ).order_by(F("number").asc(nulls_last=True), "id")


def cosigner_counts(suggestion_ids) -> dict[int, int]:
    """How many deputies joined each suggestion (one query for a page)."""
    rows = (
        CoSigner.objects.filter(
            suggestion_id__in=list(suggestion_ids), state=CoSigner.State.ACCEPTED
        )
        .values("suggestion_id")
        .annotate(n=Count("id"))
    )
    return {row["suggestion_id"]: row["n"] for row in rows}


def deadline_state(suggestion: Suggestion, today: datetime.date) -> str:
    """ "very_overdue", "overdue", "soon", "running" or "" (no running lead assignment)."""
    due = suggestion.open_due_date
    if due is None:
        return ""
    very = suggestion.open_very_overdue_from
    if very is not None and very <= today:
        return "very_overdue"
    if due < today:
        return "overdue"
    if due <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return "soon"
    return "running"


# --- the assignment meeting (交办会) ------------------------------------------------------


def awaiting_assignment(district: Region) -> QuerySet[Suggestion]:
    """The district's registered suggestions waiting for the assignment meeting."""
    return (
        Suggestion.objects.filter(district=district, status=Status.REGISTERED)
        .select_related("lead_deputy", "category", "proposed_lead", "session__term")
        .prefetch_related("proposed_co_units")
        .order_by("session_id", "-during_session", "number", "id")
    )


# --- refused assignments (退回待改派) ------------------------------------------------------


def refused_waiting(suggestion: Suggestion) -> list[Assignment]:
    """The assignments a unit refused that nothing has replaced yet (no later assignment
    of the same role): each waits for staff to give it to another unit."""
    if suggestion.case_id is None:
        return []
    assignments = list(
        Assignment.objects.filter(case_id=suggestion.case_id)
        .select_related("unit")
        .order_by("assigned_at", "pk")
    )
    waiting = []
    for refused in assignments:
        if refused.state != Assignment.State.RETURNED:
            continue
        later = any(
            other.role == refused.role and other.assigned_at > refused.assigned_at
            for other in assignments
        )
        if not later:
            waiting.append(refused)
    return waiting


# --- booklets (建议汇编) ------------------------------------------------------------------


def booklet_jobs(district: Region) -> QuerySet[Job]:
    return Job.objects.filter(kind=BOOKLET_JOB, params__district=district.pk).order_by("-id")


def access_booklet_job(user, pk) -> Job:
    """A booklet job of one of the user's districts (staff only); one 404 otherwise."""
    job = Job.objects.filter(kind=BOOKLET_JOB, pk=pk).first()
    ids = {d.pk for d in staff_districts(user)}
    if job is None or job.params.get("district") not in ids:
        raise Http404(_("找不到该汇编。"))
    return job
