"""Refreshing the opinion figures summary (意见统计汇总) from the opinions themselves: day
rows from the opinions, month rows from the day rows."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import cast

from django.db import transaction
from django.db.models import FilteredRelation, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from zhitong.dashboards.models import (
    Dimension,
    DistrictFigureState,
    Grain,
    OpinionFigure,
    RefreshMark,
)
from zhitong.dashboards.periods import month_start, next_month
from zhitong.handling.models import Assignment
from zhitong.opinions.models import Opinion, Rating
from zhitong.regions.models import Region, RegionLevel

COUNTS = ("collected", "closed", "closed_referred", "on_time", "rated", "satisfied")
MARK_NAME = "opinions"
# How far before its mark a run looks for changes: longer than any transaction that
# changes opinions (an import of a ledger is the longest, seconds).
OVERLAP = datetime.timedelta(minutes=10)
# Rows written per transaction when a whole district is rebuilt (a moment on SQLite).
WRITE_CHUNK = 5000
# A run's lease on the mark: longer than any rebuild takes (about 3 minutes per million).
LEASE = datetime.timedelta(hours=2)

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


def _compute(opinions: QuerySet[Opinion]) -> list[OpinionFigure]:
    """The day rows of `opinions`, per street."""
    rows = _day_rows(opinions, part="street_id", part_via_opinion="opinion__street_id")
    return _day_figures(rows, "street_id")


def _unit_rows(opinions: QuerySet[Opinion]) -> list[OpinionFigure]:
    """The day rows of the unit partition: for each unit with a referral (not withdrawn)
    among `opinions`, the figures of the opinions referred to it, over all streets.

    The unit's opinions are chosen as opinions_visible_to chooses them for a unit account,
    so a unit reads what the live figures would count for it."""
    rows = _day_rows(
        opinions, part="mine__unit_id", part_via_opinion="mine__unit_id", by_referral=True
    )
    return _day_figures(rows, "unit_id")


def _day_rows(
    opinions: QuerySet[Opinion], *, part: str, part_via_opinion: str, by_referral: bool = False
) -> dict[tuple, dict]:
    """The counts of `opinions` keyed by (partition, dimension, day, group key): per
    dimension one GROUP BY over the opinions (or lead referrals) and one over their
    ratings, with the same definitions as the live figures in zhitong.opinions.stats.

    The partition is `part` in queries over opinions and `part_via_opinion` in those over
    ratings and referrals. With `by_referral`, every query is first joined to the
    opinion's referrals that are not withdrawn (`mine`, see _referred_to_unit); an opinion
    referred twice to one unit (returned, then referred again) joins twice, so every count
    is then distinct.
    """
    from zhitong.opinions import stats

    def split(queryset: QuerySet, relation: str) -> QuerySet:
        if not by_referral:
            return queryset
        return queryset.annotate(mine=_referred_to_unit(relation)).filter(
            mine__unit_id__isnull=False
        )

    rows: dict[tuple, dict] = defaultdict(dict)
    grouped_opinions = split(stats._with_lead(opinions), "referrals").annotate(
        day=_day("received_at")
    )
    ratings = split(
        Rating.objects.filter(opinion__in=opinions.values("pk")), "opinion__referrals"
    ).annotate(day=_day("opinion__received_at"))
    for dimension, field in OPINION_DIMENSIONS:
        grouped = (
            grouped_opinions.values(part, "day", *([field] if field else []))
            .annotate(**stats._opinion_metrics(distinct=by_referral))
            .order_by()
        )
        for row in grouped:
            key = _key(row[field]) if field else ""
            rows[(row[part], dimension, row["day"], key)].update(row)
        rated = field and f"opinion__{field}"
        grouped = (
            ratings.values(part_via_opinion, "day", *([rated] if rated else []))
            .annotate(**stats._rating_metrics())
            .order_by()
        )
        for row in grouped:
            key = _key(row[rated]) if rated else ""
            rows[(row[part_via_opinion], dimension, row["day"], key)].update(row)

    # The breakdown by lead unit (in a unit's partition, a co-unit sees the lead).
    leads = (
        split(
            Assignment.objects.filter(
                role=Assignment.Role.LEAD,
                state__in=stats.ACTIVE_REFERRAL_STATES,
                opinion__in=opinions.values("pk"),
            ),
            "opinion__referrals",
        )
        .alias(replied_on=_day("replied_at"))
        .annotate(day=_day("opinion__received_at"))
        .values(part_via_opinion, "day", "unit_id")
        .annotate(**stats._referral_metrics())
        .order_by()
    )
    for row in leads:
        slot = (row[part_via_opinion], Dimension.UNIT, row["day"], _key(row["unit_id"]))
        rows[slot].update(row)
    lead_ratings = (
        ratings.annotate(
            lead=FilteredRelation(
                "opinion__referrals",
                condition=Q(opinion__referrals__role=Assignment.Role.LEAD)
                & Q(opinion__referrals__state__in=stats.ACTIVE_REFERRAL_STATES),
            )
        )
        .filter(lead__unit_id__isnull=False)
        .values(part_via_opinion, "day", "lead__unit_id")
        .annotate(**stats._rating_metrics())
        .order_by()
    )
    for row in lead_ratings:
        slot = (row[part_via_opinion], Dimension.UNIT, row["day"], _key(row["lead__unit_id"]))
        rows[slot].update(row)
    return rows


def _day_figures(rows: dict[tuple, dict], part_field: str) -> list[OpinionFigure]:
    """Day rows from _day_rows, the partition stored in `part_field` (street or unit)."""
    return [
        OpinionFigure(
            **{part_field: part},
            grain=Grain.DAY,
            period=day,
            dimension=dimension,
            key=key,
            label=(values.get("name") or "")[:100],
            **{count: values.get(count) or 0 for count in COUNTS},
        )
        for (part, dimension, day, key), values in rows.items()
    ]


def _referred_to_unit(relation: str) -> FilteredRelation:
    """The referrals (not withdrawn) reached through `relation`: the units that see an
    opinion."""
    return FilteredRelation(
        relation, condition=~Q(**{f"{relation}__state": Assignment.State.WITHDRAWN})
    )


def _months(district_id: int, months: set[datetime.date] | None) -> list[OpinionFigure]:
    """The month rows of `months` (every month when None): sums of the stored day rows."""
    days = OpinionFigure.objects.filter(district_id=district_id, grain=Grain.DAY)
    if months is not None:
        days = days.filter(
            reduce(
                or_,
                (Q(period__gte=month, period__lt=next_month(month)) for month in months),
            )
        )
    grouped = (
        days.annotate(month=TruncMonth("period"))
        .values("street_id", "unit_id", "month", "dimension", "key")
        .annotate(name=Max("label"), **{count: Sum(count) for count in COUNTS})
        .order_by()
    )
    # Plain dicts: the counts are looked up by name, which the values() type cannot follow.
    rows = cast("list[dict]", list(grouped))
    return [
        OpinionFigure(
            district_id=district_id,
            street_id=row["street_id"],
            unit_id=row["unit_id"],
            grain=Grain.MONTH,
            period=row["month"],
            dimension=row["dimension"],
            key=row["key"],
            label=row["name"] or "",
            **{count: row[count] or 0 for count in COUNTS},
        )
        for row in rows
    ]


def _refresh_district(district_id: int, days: set[datetime.date] | None, now) -> int:
    """Compute the district's rows (reads only, no transaction), then write them.

    On SQLite a write transaction holds the whole database: computing inside it made
    citizens' submissions wait for the whole rebuild (16.7 s at 100,000 opinions) and
    fail. So the rows are computed first; a change saved meanwhile is picked up by the next
    run. Some days' rows are replaced in one short transaction. A whole district's rows
    (its first computation, or after an upgrade) may be hundreds of thousands: the district
    is marked not computed (the statistics count it live meanwhile), its rows are replaced
    WRITE_CHUNK at a time, each chunk a transaction of its own, and it is marked computed
    when all are in.
    """
    state, _created = DistrictFigureState.objects.get_or_create(district_id=district_id)
    if state.computed_at is None:
        # A district never computed in full: partial rows would read as its whole figures.
        days = None
    opinions = _district_opinions(district_id, days)
    figures = _compute(opinions) + _unit_rows(opinions)
    for figure in figures:
        figure.district_id = district_id
    if days is None:
        return _replace_all(district_id, figures, now)
    months = {month_start(day) for day in days}
    with transaction.atomic():
        # The lock keeps two refreshes of one district (an overlapping run) from both
        # deleting and inserting the same rows.
        state = DistrictFigureState.objects.select_for_update().get(district_id=district_id)
        OpinionFigure.objects.filter(district_id=district_id).filter(
            Q(grain=Grain.DAY, period__in=sorted(days))
            | Q(grain=Grain.MONTH, period__in=sorted(months))
        ).delete()
        OpinionFigure.objects.bulk_create(figures, batch_size=1000)
        # Month rows are sums of the day rows just written: one grouped query on the
        # summary table, not on the opinions.
        month_rows = _months(district_id, months)
        OpinionFigure.objects.bulk_create(month_rows, batch_size=1000)
        state.computed_at = now
        state.save(update_fields=["computed_at"])
    return len(figures) + len(month_rows)


def _replace_all(district_id: int, figures: list[OpinionFigure], now) -> int:
    """All of a district's rows replaced in short transactions (see _refresh_district)."""
    DistrictFigureState.objects.filter(district_id=district_id).update(computed_at=None)
    rows = OpinionFigure.objects.filter(district_id=district_id)
    while True:
        with transaction.atomic():
            chunk = list(rows.order_by().values_list("pk", flat=True)[:WRITE_CHUNK])
            if not chunk:
                break
            OpinionFigure.objects.filter(pk__in=chunk).delete()
    for start in range(0, len(figures), WRITE_CHUNK):
        with transaction.atomic():
            OpinionFigure.objects.bulk_create(figures[start : start + WRITE_CHUNK], batch_size=1000)
    month_rows = _months(district_id, None)
    for start in range(0, len(month_rows), WRITE_CHUNK):
        with transaction.atomic():
            OpinionFigure.objects.bulk_create(
                month_rows[start : start + WRITE_CHUNK], batch_size=1000
            )
    DistrictFigureState.objects.filter(district_id=district_id).update(computed_at=now)
    return len(figures) + len(month_rows)


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
        district_ids = [district.pk if isinstance(district, Region) else district]
    day_set = None if days is None else set(days)
    if day_set is not None and not day_set:
        return 0
    return sum(_refresh_district(pk, day_set, now) for pk in district_ids)


def figures_refresh_changed() -> int | None:
    """Recompute the days of the opinions changed since the last run (all on the first run)
    and every district not yet computed. Returns the number of rows written, or None when
    another run is under way.

    A run takes a lease on its mark (an atomic UPDATE that succeeds for one run only) and
    gives it back when it ends: a full rebuild takes minutes at a city's scale
    (docs/benchmarks.md), and a cron run started meanwhile leaves at once instead of
    computing the same rows again. No transaction is held for the run: it writes each
    district in a short one of its own. A lease older than LEASE is taken over (a run that
    was killed)."""
    RefreshMark.objects.get_or_create(name=MARK_NAME)
    now = timezone.now()
    taken = (
        RefreshMark.objects.filter(name=MARK_NAME)
        .filter(Q(running_since__isnull=True) | Q(running_since__lt=now - LEASE))
        .update(running_since=now)
    )
    if not taken:
        return None
    try:
        mark = RefreshMark.objects.get(name=MARK_NAME)
        return _refresh_changed(mark)
    finally:
        RefreshMark.objects.filter(name=MARK_NAME, running_since=now).update(running_since=None)


def _refresh_changed(mark: RefreshMark) -> int:
    # Read before computing: a change made meanwhile is seen again by the next run.
    new_value = Opinion.objects.aggregate(latest=Max("updated_at"))["latest"]
    written = 0
    computed = set(
        DistrictFigureState.objects.filter(computed_at__isnull=False).values_list(
            "district_id", flat=True
        )
    )
    if mark.value is None:
        written += figures_refresh()
    else:
        # A rating or a referral reply also changes the opinion (status), hence updated_at;
        # ratings are matched as well in case one is added without a status change.
        # updated_at is set when the row is saved, not when its transaction commits: a
        # change saved just before the last run read its mark but committed after was
        # invisible to that run, so each run looks back OVERLAP further.
        since = mark.value - OVERLAP
        changed = Opinion.objects.filter(
            Q(updated_at__gte=since) | Q(ratings__created_at__gte=since)
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
    RefreshMark.objects.filter(pk=mark.pk).update(value=mark.value)
    return written
