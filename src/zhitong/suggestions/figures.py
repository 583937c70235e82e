"""The suggestions' figures for the statistics summary (handling.figures): one row per
assigned suggestion (a case), with its groups and 0/1 counts, by the definitions of the live
figures (zhitong.suggestions.stats, which reads the same expressions from here).

The summary's columns (handling.figures.COUNTS) hold, for suggestions:

- collected (交办): assigned, on the day of its first assignment (交办会; a later
  reassignment after a refusal keeps that day, so a suggestion never moves between days);
- closed (办结): the suggestion closed (its commitments all verified, or none);
- closed_referred (已答复): its running lead unit has replied (handling's definition: the
  assignment's reply time, kept while it is handled again after an unsatisfied rating);
- on_time (按期答复): replied on or before the lead assignment's due date (local dates);
- rated (已评价) and satisfied (满意: 满意 or 基本满意 on the result): the lead deputy's
  ratings, a suggestion rated twice counted once, so 不满意 = rated − satisfied;
- closed_default stays 0: suggestions are never closed as 默认满意.

What the columns cannot hold is kept apart: overdue (超期) is a state of today, counted live
(stats.overdue_live); the attitude (态度) of the rating is a dimension (its groups count the
suggestions rated so), as is the class of the lead's latest reply (A/B/C/D).

Dimensions keyed by unit carry the session in their key ("unit:session[:group]"), so the
per-unit figures (三评价) can be read for one session or all (stats.UnitFigures).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import (
    Case,
    CharField,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat, TruncDate
from django.utils import timezone

from zhitong.handling.figures import (
    ACTIVE_STATES,
    GIVEN_SCORES,
    SATISFIED_SCORES,
    FigureDimension,
    FigureSource,
)
from zhitong.handling.models import Assignment, Rating, Reply
from zhitong.suggestions.models import Status, Suggestion

PROCESS = "suggestions"

# Dimension names (the summary's `dimension`, at most 20 characters).
CATEGORY = "category"
STREET = "street"
SESSION = "session"
RESULT = "result"
IS_KEY = "is_key"
UNIT = "unit"
UNIT_SESSION = "unit_s"
UNIT_SESSION_RESULT = "unit_s_result"
UNIT_SESSION_ATTITUDE = "unit_s_attitude"

DIMENSIONS = (
    FigureDimension(CATEGORY),
    FigureDimension(STREET),
    FigureDimension(SESSION),
    # The class of the lead unit's latest reply: A/B/C/D, "" not replied yet.
    FigureDimension(RESULT),
    # 重点督办: "1", or "0".
    FigureDimension(IS_KEY),
    # By the running lead unit (主办), labelled with its name on the assignment.
    FigureDimension(UNIT, labelled=True, empty_group=False),
    # The same, per session ("unit:session"), and with the reply's class
    # ("unit:session:A") or the latest rating's attitude ("unit:session:satisfied").
    FigureDimension(UNIT_SESSION, labelled=True, empty_group=False),
    FigureDimension(UNIT_SESSION_RESULT, labelled=True, empty_group=False),
    FigureDimension(UNIT_SESSION_ATTITUDE, labelled=True, empty_group=False),
)


def _day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def first_assigned_at() -> Subquery:
    """When the suggestion was first assigned (its earliest lead assignment): its day is the
    day the figures count it under."""
    return Subquery(
        Assignment.objects.filter(case_id=OuterRef("case_id"), role=Assignment.Role.LEAD)
        .order_by("assigned_at", "pk")
        .values("assigned_at")[:1]
    )


def latest_result() -> Subquery:
    """The class of the running lead unit's latest reply (null: none yet)."""
    return Subquery(
        Reply.objects.filter(
            case_id=OuterRef("case_id"),
            assignment__role=Assignment.Role.LEAD,
            assignment__state__in=ACTIVE_STATES,
        )
        .exclude(result_class="")
        .order_by("-created_at", "-pk")
        .values("result_class")[:1],
        output_field=CharField(),
    )


def latest_attitude() -> Subquery:
    """The attitude (办理态度) of the latest rating the deputy gave (null: not rated)."""
    return Subquery(
        Rating.objects.filter(case_id=OuterRef("case_id"), score__in=GIVEN_SCORES)
        .order_by("-created_at", "-pk")
        .annotate(attitude=KT("aspects__attitude"))
        .values("attitude")[:1],
        output_field=CharField(),
    )


def assigned(suggestions: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    """`suggestions` that were assigned, with what the figures read: `first_at` (the first
    assignment), `lead` (the running lead assignment, joined), `lead_replied_on`, `result`
    and `attitude`."""
    return (
        suggestions.order_by()
        .annotate(first_at=first_assigned_at())
        .filter(first_at__isnull=False)
        .annotate(
            lead=FilteredRelation(
                "suggestion_assignments",
                condition=Q(suggestion_assignments__role=Assignment.Role.LEAD)
                & Q(suggestion_assignments__state__in=ACTIVE_STATES),
            ),
            result=latest_result(),
            attitude=latest_attitude(),
        )
        .alias(lead_replied_on=_day("lead__replied_at"))
    )


def in_period(
    suggestions: QuerySet[Suggestion], start: datetime.date, end: datetime.date
) -> QuerySet[Suggestion]:
    """Assigned suggestions (see assigned) first assigned from `start` to `end` (local)."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return suggestions.filter(first_at__gte=since, first_at__lt=until)


def count_conditions(district_id: int | None = None) -> dict[str, Q]:
    """Each of handling.figures.COUNTS as a condition on an assigned suggestion (see
    assigned); rated and satisfied are semi-joins on the ratings."""
    ratings = Rating.objects.filter(case__process=PROCESS)
    if district_id is not None:
        ratings = ratings.filter(case__district_id=district_id)
    replied = Q(lead__replied_at__isnull=False, lead__due_date__isnull=False)
    given = ratings.filter(score__in=GIVEN_SCORES)
    satisfied = ratings.filter(score__in=SATISFIED_SCORES)
    return {
        "collected": Q(pk__isnull=False),
        "closed": Q(status=Status.CLOSED),
        "closed_referred": replied,
        "on_time": replied & Q(lead_replied_on__lte=F("lead__due_date")),
        "rated": Q(case_id__in=given.values("case_id")),
        "satisfied": Q(case_id__in=satisfied.values("case_id")),
        # Never: suggestions are not closed as 默认满意.
        "closed_default": Q(pk__isnull=True),
    }


def _text(expression) -> Coalesce:
    return Coalesce(Cast(expression, CharField()), Value(""))


def _unit_key(*parts) -> Case:
    """ "unit:session[:part]" for a suggestion with a running lead unit, else null."""
    pieces: list = [_text("lead__unit_id"), Value(":"), _text("session_id")]
    for part in parts:
        pieces += [Value(":"), _text(part)]
    return Case(
        When(lead__unit_id__isnull=False, then=Concat(*pieces, output_field=CharField())),
        default=Value(None, output_field=CharField()),
        output_field=CharField(),
    )


def case_rows(district_id: int, days: set[datetime.date] | None) -> QuerySet:
    """One row per assigned suggestion of the district (see handling.figures.FigureSource)."""
    suggestions = assigned(Suggestion.objects.filter(district_id=district_id)).alias(
        first_on=_day("first_at")
    )
    if days is not None:
        suggestions = in_period(suggestions, min(days), max(days)).filter(first_on__in=sorted(days))
    conditions = count_conditions(district_id)
    return suggestions.values(
        f_case=F("case_id"),
        f_day=_day("first_at"),
        f_street=F("street_id"),
        f_k_category=F("category_id"),
        f_k_street=F("street_id"),
        f_k_session=F("session_id"),
        f_k_result=F("result"),
        f_k_is_key=_flag(Q(is_key=True)),
        f_k_unit=F("lead__unit_id"),
        f_l_unit=F("lead__unit_name"),
        f_k_unit_s=_unit_key(),
        f_l_unit_s=F("lead__unit_name"),
        f_k_unit_s_result=_unit_key("result"),
        f_l_unit_s_result=F("lead__unit_name"),
        f_k_unit_s_attitude=_unit_key("attitude"),
        f_l_unit_s_attitude=F("lead__unit_name"),
        **{f"n_{name}": _flag(condition) for name, condition in conditions.items()},
    )


def changed_days(since: datetime.datetime) -> Iterable[tuple[int, datetime.date]]:
    """The (district, day first assigned) of suggestions changed since `since`: every act of
    handling on the lead assignment, a reply or a rating saves the suggestion (updated_at);
    ratings are matched as well in case one is added without it."""
    changed = Suggestion.objects.filter(
        Q(updated_at__gte=since) | Q(suggestion_ratings__created_at__gte=since)
    ).annotate(first_at=first_assigned_at())
    pairs = (
        changed.filter(first_at__isnull=False)
        .annotate(first_on=_day("first_at"))
        .values_list("district_id", "first_on")
    )
    return pairs.distinct().order_by()


def latest_change() -> datetime.datetime | None:
    return Suggestion.objects.aggregate(latest=Max("updated_at"))["latest"]


SOURCE = FigureSource(
    process=PROCESS,
    dimensions=DIMENSIONS,
    case_rows=case_rows,
    changed_days=changed_days,
    latest_change=latest_change,
)
