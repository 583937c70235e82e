"""Reading the supervision of suggestions (督) and their quality review (评), checked against
who asks: the key suggestions a leader leads (领衔督办), reception days (主任接待日) and the
agenda the platform proposes for one, the committees' subjects (专工委对口), the quality
reviews' problem lists (质量评审反馈问题清单)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from zhitong.core.roles import Role
from zhitong.core.scoping import is_unrestricted, region_in_scope, scope_region_path
from zhitong.handling.models import Assignment, Rating
from zhitong.regions.models import Region, RegionLevel
from zhitong.suggestions.models import (
    Commitment,
    Committee,
    QualityProblem,
    ReceptionDay,
    ReceptionItem,
    Status,
    Suggestion,
    SupervisionActivity,
)
from zhitong.suggestions.selectors import suggestions_visible_to

# A reception day takes 10 to 15 suggestions (主任接待日).
AGENDA_MIN = 10
AGENDA_MAX = 15
# The suggestions a reception day may take: still handled, or their commitments carried out.
AGENDA_STATUSES = (
    Status.ASSIGNED,
    Status.HANDLING,
    Status.REPLIED,
    Status.REHANDLING,
    Status.CARRYING_OUT,
)


# --- who is who -----------------------------------------------------------------------------


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_district_staff(user, district) -> bool:
    """The committee's staff of `district` (or a superuser): they do the supervision work."""
    return (
        _active(user)
        and (is_unrestricted(user) or getattr(user, "role", None) == Role.STAFF)
        and region_in_scope(user, district)
    )


def may_read_district(user, district) -> bool:
    """Staff and the directors' meeting (leaders) of `district` read its supervision."""
    return (
        _active(user)
        and (is_unrestricted(user) or getattr(user, "role", None) in (Role.STAFF, Role.LEADER))
        and region_in_scope(user, district)
    )


def districts_of(user) -> list[Region]:
    """The districts in the user's region scope (their own, usually one)."""
    if not _active(user):
        return []
    districts = Region.objects.filter(level=RegionLevel.DISTRICT).order_by("code")
    if is_unrestricted(user):
        return list(districts)
    path = scope_region_path(user)
    if path is None:
        return []
    # A district's staff, or staff above it (a city's) who see several.
    return [d for d in districts if d.path.startswith(path) or path.startswith(d.path)][:50]


def staff_districts(user) -> list[Region]:
    return [d for d in districts_of(user) if is_district_staff(user, d)]


def read_districts(user) -> list[Region]:
    return [d for d in districts_of(user) if may_read_district(user, d)]


def leaders_of(district: Region) -> QuerySet:
    """The accounts of the directors' meeting (主任会议成员) of `district`."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(role=Role.LEADER, is_active=True, region__isnull=False)
        .filter(Q(region=district) | Q(region__path__in=_ancestor_paths(district)))
        .order_by("display_name", "pk")
    )


def staff_of(district: Region) -> QuerySet:
    """The committee's staff accounts working in `district` (committee members)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(role=Role.STAFF, is_active=True, region__isnull=False)
        .filter(
            Q(region__path__startswith=district.path)
            | Q(region__path__in=_ancestor_paths(district))
        )
        .order_by("display_name", "pk")
    )


def _ancestor_paths(region: Region) -> list[str]:
    parts = [p for p in region.path.split("/") if p]
    return ["/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]


# --- 领衔督办: key suggestions --------------------------------------------------------------


def supervision_activities(suggestion: Suggestion) -> list[SupervisionActivity]:
    return list(suggestion.supervision.select_related("recorded_by").order_by("held_on", "pk"))


def key_suggestions_led_by(user) -> QuerySet[Suggestion]:
    """The key suggestions `user` leads (我领衔督办的建议), each with its last supervision
    activity's date (`last_activity`), due first."""
    if not _active(user) or getattr(user, "role", None) != Role.LEADER:
        return Suggestion.objects.none()
    return (
        suggestions_visible_to(user)
        .filter(is_key=True, key_leader_id=user.pk)
        .select_related("session__term", "lead_deputy", "proposed_lead")
        .annotate(last_activity=Max("supervision__held_on"))
        .order_by(F("open_due_date").asc(nulls_last=True), "-id")
    )


# --- 主任接待日: reception days --------------------------------------------------------------


def reception_days_visible_to(user) -> QuerySet[ReceptionDay]:
    districts = read_districts(user)
    return (
        ReceptionDay.objects.filter(district__in=districts)
        .select_related("district", "director")
        .annotate(item_count=Count("items"))
        .order_by("-held_on", "-id")
    )


def access_reception_day(user, pk) -> ReceptionDay:
    """The day `pk` if `user` may read it; one "not found" otherwise."""
    day = ReceptionDay.objects.select_related("district", "director").filter(pk=pk).first()
    if day is None or not may_read_district(user, day.district):
        raise Http404(_("找不到该主任接待日。"))
    return day


def reception_items(day: ReceptionDay) -> list[ReceptionItem]:
    return list(
        day.items.select_related(
            "suggestion__session__term", "suggestion__lead_deputy", "suggestion__proposed_lead"
        ).order_by("position", "pk")
    )


@dataclass(frozen=True)
class DayEvent:
    occurred_at: datetime.datetime
    label: str
    actor_name: str
    summary: str


def reception_day_history(day: ReceptionDay) -> list[DayEvent]:
    """What was done to the day (planned, its agenda proposed and adjusted, held), oldest
    first."""
    from zhitong.core import vocabulary
    from zhitong.core.events import events_for

    rows = []
    for event in events_for(day):
        data = event.data or {}
        if "added" in data:
            summary = _("列入建议 #%(id)s") % {"id": data["added"].get("suggestion")}
        elif "removed" in data:
            summary = _("移出建议 #%(id)s") % {"id": data["removed"].get("suggestion")}
        elif "moved" in data:
            summary = _("建议 #%(id)s 调整到第%(n)s位") % {
                "id": data["moved"].get("suggestion"),
                "n": data["moved"].get("position"),
            }
        elif "proposed" in data:
            summary = _("按规则生成%(n)s件") % {"n": len(data["proposed"])}
        else:
            summary = ""
        rows.append(
            DayEvent(
                occurred_at=event.occurred_at,
                label=vocabulary.label(event.verb),
                actor_name=event.actor_name or _("系统"),
                summary=str(summary),
            )
        )
    return rows


@dataclass(frozen=True)
class Proposed:
    suggestion: Suggestion
    reason: str
    priority: int


def agenda_candidates(district: Region, *, exclude_day: ReceptionDay | None = None) -> QuerySet:
    """The district's suggestions a reception day may take: still handled or carried out,
    not on another planned day."""
    taken = ReceptionItem.objects.filter(
        day__district=district, day__state=ReceptionDay.State.PLANNED
    )
    if exclude_day is not None and exclude_day.pk:
        taken = taken.exclude(day=exclude_day)
    return Suggestion.objects.filter(district=district, status__in=AGENDA_STATUSES).exclude(
        pk__in=taken.values("suggestion_id")
    )


def agenda_proposal(day: ReceptionDay, *, today: datetime.date | None = None) -> list[Proposed]:
    """The agenda the platform proposes for `day`: the district's suggestions still handled
    or carried out, in this order — replies overdue (most overdue first), not satisfied
    (handled again, or last rated 不满意), key ones, those with the oldest open commitments
    (earliest due first) — then, to reach 10, the others whose reply is due soonest; at most
    15, none already on another planned day. Each keeps why it was proposed."""
    today = today or timezone.localdate()
    latest_score = Subquery(
        Rating.objects.filter(case_id=OuterRef("case_id"))
        .order_by("-created_at", "-pk")
        .values("score")[:1]
    )
    first_commitment = Subquery(
        Commitment.objects.filter(suggestion_id=OuterRef("pk"))
        .exclude(state=Commitment.State.VERIFIED)
        .order_by("due_date")
        .values("due_date")[:1],
        output_field=DateField(),
    )
    rows = (
        agenda_candidates(day.district, exclude_day=day)
        .select_related("session__term", "lead_deputy", "proposed_lead")
        .annotate(latest_score=latest_score, first_commitment=first_commitment)
        .annotate(
            priority=Case(
                When(open_due_date__lt=today, then=Value(0)),
                When(
                    Q(status=Status.REHANDLING) | Q(latest_score=Rating.Score.UNSATISFIED),
                    then=Value(1),
                ),
                When(is_key=True, then=Value(2)),
                When(first_commitment__isnull=False, then=Value(3)),
                default=Value(4),
                output_field=IntegerField(),
            ),
            sort_date=Case(
                When(priority=3, then=F("first_commitment")),
                default=F("open_due_date"),
                output_field=DateField(),
            ),
        )
        .order_by("priority", F("sort_date").asc(nulls_last=True), "assigned_at", "pk")
    )
    proposed: list[Proposed] = []
    for suggestion in rows[:AGENDA_MAX]:
        if suggestion.priority == 4 and len(proposed) >= AGENDA_MIN:
            break
        proposed.append(
            Proposed(
                suggestion=suggestion,
                reason=_reasons(suggestion, today),
                priority=suggestion.priority,
            )
        )
    return proposed


def _reasons(suggestion, today: datetime.date) -> str:
    reasons = []
    if suggestion.open_due_date and suggestion.open_due_date < today:
        reasons.append(_("答复超期（期限%(due)s）") % {"due": suggestion.open_due_date.isoformat()})
    if suggestion.status == Status.REHANDLING:
        reasons.append(_("不满意，重新办理"))
    elif suggestion.latest_score == Rating.Score.UNSATISFIED:
        reasons.append(_("代表评价不满意"))
    if suggestion.is_key:
        reasons.append(_("重点督办"))
    if suggestion.first_commitment:
        reasons.append(_("承诺事项%(due)s到期") % {"due": suggestion.first_commitment.isoformat()})
    if not reasons:
        reasons.append(_("在办建议"))
    return "；".join(str(r) for r in reasons)[:100]


# --- 专工委对口: committees ----------------------------------------------------------------


def committees_of(district: Region) -> QuerySet[Committee]:
    return (
        Committee.objects.filter(district=district)
        .prefetch_related("categories", "members")
        .order_by("name", "pk")
    )


def committees_of_member(user) -> list[Committee]:
    if not _active(user):
        return []
    return list(Committee.objects.filter(members=user).prefetch_related("categories"))


def followed_suggestions(user) -> QuerySet[Suggestion]:
    """对口建议: the suggestions (that `user` may see) whose category, or its parent, is one of
    the categories their committees follow; those with a reply due first."""
    category_ids = set()
    for committee in committees_of_member(user):
        category_ids |= {c.pk for c in committee.categories.all()}
    if not category_ids:
        return Suggestion.objects.none()
    return (
        suggestions_visible_to(user)
        .filter(Q(category_id__in=category_ids) | Q(category__parent_id__in=category_ids))
        .select_related("category", "session__term", "lead_deputy", "proposed_lead")
        .order_by(F("open_due_date").asc(nulls_last=True), "-id")
    )


# --- 质量评审: quality review -----------------------------------------------------------------


def suggestion_units(suggestion: Suggestion) -> list:
    """The units of the suggestion a problem may be for: its lead and co-units (assigned,
    not refused or withdrawn), the lead first."""
    if suggestion.case_id is None:
        return []
    assignments = (
        Assignment.objects.filter(case_id=suggestion.case_id)
        .exclude(state__in=[Assignment.State.WITHDRAWN, Assignment.State.RETURNED])
        .select_related("unit")
        .order_by("role", "pk")
    )
    units: dict = {}
    for assignment in sorted(assignments, key=lambda a: (a.role != Assignment.Role.LEAD, a.pk)):
        units.setdefault(assignment.unit_id, assignment.unit)
    return list(units.values())


def commitments_fallen_due(suggestion: Suggestion, today: datetime.date | None = None) -> bool:
    """Every commitment's due date has passed (or it made none): the second review may run."""
    today = today or timezone.localdate()
    return not suggestion.commitments.filter(due_date__gte=today).exists()


def problems_of_unit(user) -> QuerySet[QualityProblem]:
    """A unit account's problems (质量评审反馈问题清单), outstanding first."""
    unit_id = getattr(user, "unit_id", None)
    if not _active(user) or getattr(user, "role", None) != Role.UNIT or unit_id is None:
        return QualityProblem.objects.none()
    return (
        QualityProblem.objects.filter(unit_id=unit_id)
        .select_related("review__suggestion__session__term", "unit")
        .order_by(F("answered_at").asc(nulls_first=True), "-review__reviewed_at", "pk")
    )


def district_problems(user, district: Region) -> QuerySet[QualityProblem]:
    if not may_read_district(user, district):
        return QualityProblem.objects.none()
    return (
        QualityProblem.objects.filter(review__suggestion__district=district)
        .select_related("review__suggestion__session__term", "unit")
        .order_by(F("answered_at").asc(nulls_first=True), "-review__reviewed_at", "pk")
    )


def outstanding_by_unit(problems: QuerySet[QualityProblem]) -> list[dict]:
    """Per unit: its problems and how many are not answered yet, most outstanding first."""
    rows = (
        problems.order_by()
        .values("unit_id", "unit__name")
        .annotate(
            total=Count("pk"),
            outstanding=Count("pk", filter=Q(answered_at__isnull=True)),
        )
        .order_by("-outstanding", "unit__name")
    )
    return [dict(row) for row in rows]
