"""The opinions' figures for the statistics summary: one row per opinion with its groups and
counts, by the same definitions as the live figures (zhitong.opinions.stats)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Case, F, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhitong.handling.figures import FigureDimension, FigureSource
from zhitong.handling.models import Rating
from zhitong.opinions.models import CLOSED_STATUSES, Opinion

PROCESS = "opinions"
# The breakdowns of the statistics page, in its order (the total comes first).
DIMENSIONS = (
    FigureDimension("channel"),
    FigureDimension("category"),
    FigureDimension("street"),
    FigureDimension("station"),
    # By lead unit: only opinions with a running lead referral, labelled with the unit's
    # name on the referral.
    FigureDimension("unit", labelled=True, empty_group=False),
)


def _day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _district_opinions(district_id: int, days: set[datetime.date] | None) -> QuerySet[Opinion]:
    opinions = Opinion.objects.filter(district_id=district_id).order_by()
    if days is None:
        return opinions
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(min(days), datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        max(days) + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    # The range lets the (district, received_at) index narrow the scan first.
    return (
        opinions.filter(received_at__gte=since, received_at__lt=until)
        .alias(received_on=_day("received_at"))
        .filter(received_on__in=sorted(days))
    )


def case_rows(district_id: int, days: set[datetime.date] | None) -> QuerySet:
    """One row per opinion (see handling.figures.FigureSource), joined once to its running
    lead referral; rated and satisfied are semi-joins on the ratings (an opinion rated twice
    counts once), which PostgreSQL hashes once for the whole pass."""
    from zhitong.opinions import stats

    opinions = stats._with_lead(_district_opinions(district_id, days))
    closed = Q(status__in=CLOSED_STATUSES)
    referred = Q(lead__due_date__isnull=False)
    ratings = Rating.objects.filter(case__district_id=district_id, case__process=PROCESS)
    given = ratings.filter(score__in=stats.GIVEN_SCORES)
    satisfied = ratings.filter(score__in=stats.SATISFIED_SCORES)
    by_default = ratings.filter(score=Rating.Score.DEFAULT)
    return opinions.values(
        f_case=F("case_id"),
        f_day=_day("received_at"),
        f_street=F("street_id"),
        f_k_channel=F("channel"),
        f_k_category=F("category_id"),
        f_k_street=F("street_id"),
        f_k_station=F("station_id"),
        f_k_unit=F("lead__unit_id"),
        f_l_unit=F("lead__unit_name"),
        n_collected=Value(1, output_field=IntegerField()),
        n_closed=_flag(closed),
        n_closed_referred=_flag(closed & referred),
        n_on_time=_flag(closed & referred & Q(lead_replied_on__lte=F("lead__due_date"))),
        n_rated=_flag(Q(case_id__in=given.values("case_id"))),
        n_satisfied=_flag(Q(case_id__in=satisfied.values("case_id"))),
        n_closed_default=_flag(Q(case_id__in=by_default.values("case_id"))),
    )


def changed_days(since: datetime.datetime) -> Iterable[tuple[int, datetime.date]]:
    """The (district, day received) of opinions changed since `since`. A rating or a
    referral reply also changes the opinion (status), hence updated_at; ratings are matched
    as well in case one is added without a status change."""
    changed = Opinion.objects.filter(Q(updated_at__gte=since) | Q(ratings__created_at__gte=since))
    pairs = changed.annotate(received_on=_day("received_at")).values_list(
        "district_id", "received_on"
    )
    return pairs.distinct().order_by()


def latest_change() -> datetime.datetime | None:
    return Opinion.objects.aggregate(latest=Max("updated_at"))["latest"]


SOURCE = FigureSource(
    process=PROCESS,
    dimensions=DIMENSIONS,
    case_rows=case_rows,
    changed_days=changed_days,
    latest_change=latest_change,
)
