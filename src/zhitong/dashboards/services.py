"""Refreshing the opinion figures summary (意见统计汇总) from the opinions themselves."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhitong.dashboards.models import (
    Dimension,
    DistrictFigureState,
    OpinionDayFigure,
    RefreshMark,
)
from zhitong.opinions.models import Opinion, Rating, Referral
from zhitong.regions.models import Region, RegionLevel

COUNTS = ("collected", "closed", "closed_referred", "on_time", "rated", "satisfied")
MARK_NAME = "opinions"

# (dimension, the Opinion field that identifies a group; None for the total).
OPINION_DIMENSIONS = [
    (Dimension.TOTAL, None),
    (Dimension.CHANNEL, "channel"),
    (Dimension.CATEGORY, "category_id"),
    (Dimension.STREET, "street_id"),
    (Dimension.STATION, "station_id"),
]


def _day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def _key(value) -> str:
    return "" if value is None else str(value)


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


def _compute(opinions: QuerySet[Opinion]) -> list[OpinionDayFigure]:
    """The summary rows of `opinions`: per dimension one GROUP BY over the opinions (or
    lead referrals) and one over their ratings, with the same definitions as the live
    figures in zhitong.opinions.stats."""
    from zhitong.opinions import stats

    rows: dict[tuple, dict] = defaultdict(dict)
    ratings = Rating.objects.filter(opinion__in=opinions.values("pk")).annotate(
        day=_day("opinion__received_at")
    )
    for dimension, field in OPINION_DIMENSIONS:
        fields = ["day"] + ([field] if field else [])
        grouped = (
            stats._with_lead(opinions)
            .annotate(day=_day("received_at"))
            .values(*fields)
            .annotate(**stats._opinion_metrics())
            .order_by()
        )
        for row in grouped:
            rows[(dimension, row["day"], _key(row[field]) if field else "")].update(row)
        rating_fields = ["day"] + ([f"opinion__{field}"] if field else [])
        for row in ratings.values(*rating_fields).annotate(**stats._rating_metrics()).order_by():
            key = _key(row[f"opinion__{field}"]) if field else ""
            rows[(dimension, row["day"], key)].update(row)

    leads = (
        Referral.objects.filter(
            role=Referral.Role.LEAD,
            state__in=stats.ACTIVE_REFERRAL_STATES,
            opinion__in=opinions.values("pk"),
        )
        .alias(replied_on=_day("replied_at"))
        .annotate(day=_day("opinion__received_at"))
        .values("day", "unit_id")
        .annotate(**stats._referral_metrics())
        .order_by()
    )
    for row in leads:
        rows[(Dimension.UNIT, row["day"], _key(row["unit_id"]))].update(row)
    unit_ratings = (
        ratings.filter(
            opinion__referrals__role=Referral.Role.LEAD,
            opinion__referrals__state__in=stats.ACTIVE_REFERRAL_STATES,
        )
        .values("day", "opinion__referrals__unit_id")
        .annotate(**stats._rating_metrics())
        .order_by()
    )
    for row in unit_ratings:
        rows[(Dimension.UNIT, row["day"], _key(row["opinion__referrals__unit_id"]))].update(row)

    return [
        OpinionDayFigure(
            dimension=dimension,
            day=day,
            key=key,
            label=(values.get("name") or "")[:100],
            **{count: values.get(count) or 0 for count in COUNTS},
        )
        for (dimension, day, key), values in rows.items()
    ]


@transaction.atomic
def _refresh_district(district_id: int, days: set[datetime.date] | None, now) -> int:
    state_exists = DistrictFigureState.objects.filter(district_id=district_id).exists()
    if not state_exists:
        # A district never computed in full: partial rows would read as its whole figures.
        days = None
    figures = _compute(_district_opinions(district_id, days))
    old = OpinionDayFigure.objects.filter(district_id=district_id)
    if days is not None:
        old = old.filter(day__in=sorted(days))
    old.delete()
    for figure in figures:
        figure.district_id = district_id
    OpinionDayFigure.objects.bulk_create(figures, batch_size=1000)
    DistrictFigureState.objects.update_or_create(
        district_id=district_id, defaults={"computed_at": now}
    )
    return len(figures)


def figures_refresh(
    *, district: Region | int | None = None, days: Iterable[datetime.date] | None = None
) -> int:
    """Recompute the summary rows of `district` (every district when None) for `days`
    (every day when None), replacing them in one transaction per district. Returns the
    number of rows written."""
    now = timezone.now()
    if district is None:
        district_ids = list(
            Region.objects.filter(level=RegionLevel.DISTRICT).values_list("pk", flat=True)
        )
    else:
        district_ids = [getattr(district, "pk", district)]
    day_set = None if days is None else set(days)
    if day_set is not None and not day_set:
        return 0
    return sum(_refresh_district(pk, day_set, now) for pk in district_ids)


def figures_refresh_changed() -> int:
    """Recompute the days of the opinions changed since the last run (all on the first run)
    and every district not yet computed. Returns the number of rows written."""
    mark, _created = RefreshMark.objects.get_or_create(name=MARK_NAME)
    # Read before computing: a change made meanwhile is seen again by the next run.
    new_value = Opinion.objects.aggregate(latest=Max("updated_at"))["latest"]
    written = 0
    computed = set(DistrictFigureState.objects.values_list("district_id", flat=True))
    if mark.value is None:
        written += figures_refresh()
    else:
        # A rating or a referral reply also changes the opinion (status), hence updated_at;
        # ratings are matched as well in case one is added without a status change.
        changed = Opinion.objects.filter(
            Q(updated_at__gte=mark.value) | Q(ratings__created_at__gte=mark.value)
        )
        pairs = changed.annotate(received_on=_day("received_at")).values_list(
            "district_id", "received_on"
        )
        by_district: dict[int, set] = defaultdict(set)
        for district_id, day in pairs.distinct().order_by():
            by_district[district_id].add(day)
        for district_id, days in by_district.items():
            written += figures_refresh(district=district_id, days=days)
        missing = Region.objects.filter(level=RegionLevel.DISTRICT).exclude(
            pk__in=computed | set(by_district)
        )
        for district_id in missing.values_list("pk", flat=True):
            written += figures_refresh(district=district_id)
    mark.value = new_value or mark.value or timezone.now()
    mark.save(update_fields=["value"])
    return written
