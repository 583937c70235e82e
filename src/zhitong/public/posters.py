"""Posters to put on the wall (张贴海报): one per station and one per deputy, A4 or A5, with
the QR code of the station's or deputy's opinion form (the same target as `public.qr`), and
every poster of a street or district in one PDF, one poster a page.

A station's poster: its name and kind, address, opening hours, telephone, who is on duty today
and on each day of the coming week, the QR code and the one-line instruction. A deputy's:
their name, the station(s) they sit at with address and hours, today's duty and their next
duty days, the QR code and the instruction. Only what the public pages show (no mobile
numbers, no internal notes).

A poster is printed in Chinese whatever language the page that asked for it is shown in: it
goes on a wall in the district, not to the reader's screen (`in_chinese`).
"""

from __future__ import annotations

import base64
import datetime
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from zhitong.deputies.models import Deputy
from zhitong.public import qr
from zhitong.public.pdf import htmls_to_pdf
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations import directory
from zhitong.stations.models import DutyPeriod, DutyRota, Station, StationAssignment, Weekday
from zhitong.workdays.selectors import is_working_day

# The paper sizes offered, as CSS names them for @page.
SIZES = {"a4": "A4", "a5": "A5"}
SIZE_LABELS = {"a4": gettext_lazy("A4（210×297 毫米）"), "a5": gettext_lazy("A5（148×210 毫米）")}
INSTRUCTION = gettext_lazy("微信或手机相机扫码，向人大代表反映意见建议")
# How many coming duty days a deputy's poster lists, looking this far ahead.
NEXT_DUTY_DAYS = 4
NEXT_DUTY_HORIZON = 28
PERIOD_ORDER = DutyPeriod.values


def in_chinese(function):
    """Run `function` with the site's own language (Chinese) active."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper


@dataclass
class Poster:
    """What one poster prints: the same template lays out a station's and a deputy's."""

    kind: str  # "station" or "deputy"
    name: str
    subtitle: str
    facts: list[tuple[str, str]]
    today_title: str
    today: list[str]
    today_empty: str
    coming_title: str
    coming: list[tuple[str, str]]
    coming_empty: str
    target: str
    footer: str
    qr_uri: str = field(init=False, default="")

    def __post_init__(self) -> None:
        svg = qr.qr_cached(self.target, "svg")
        self.qr_uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _day_label(day: datetime.date) -> str:
    return f"{date_format(day, 'MONTH_DAY_FORMAT')} {Weekday(day.weekday()).label}"


def _period(line: DutyRota) -> str:
    return str(DutyPeriod(line.period).label)


def _congress_of(region: Region | None) -> str:
    """常务委员会 of the district a region lies in, as the poster's footer names it."""
    while region is not None and region.level not in (RegionLevel.DISTRICT,):
        region = region.parent
    if region is None:
        return _("人大常委会")
    return _("%(district)s人大常委会") % {"district": region.name}


@in_chinese
def station_poster(station: Station, on: datetime.date | None = None) -> Poster:
    """The poster of one station, with the duty of `on` (today) and the six days after."""
    on = on or timezone.localdate()
    week = directory.station_week_rota(station, on)
    facts = [(_("地址"), station.address), (_("开放时间"), station.opening_hours or _("未公布"))]
    if station.public_phone:
        facts.append((_("站点电话"), station.public_phone))
    return Poster(
        kind="station",
        name=station.name,
        subtitle=f"{station.get_kind_display()} · {station.street.name}",
        facts=facts,
        today_title=_("今日值班（%(day)s）") % {"day": _day_label(on)},
        today=[f"{_period(line)} {line.deputy.name}" for line in week[0].lines],
        today_empty=_("今日无代表轮值，可扫码留言，工作人员会转交代表。"),
        coming_title=_("近期轮值"),
        coming=[
            (
                _day_label(day.date),
                "，".join(f"{_period(line)} {line.deputy.name}" for line in day.lines),
            )
            for day in week[1:]
            if day.lines
        ],
        coming_empty=_("未来一周暂无轮值安排。"),
        target=qr.station_target(station.public_code),
        footer=_congress_of(station.street),
    )


def _next_duty(lines: list[DutyRota], on: datetime.date) -> list[tuple[datetime.date, DutyRota]]:
    """The deputy's coming duty days after `on`: working days only on weekdays (no duty on a
    public holiday), weekend lines as written."""
    found: list[tuple[datetime.date, DutyRota]] = []
    for offset in range(1, NEXT_DUTY_HORIZON + 1):
        day = on + datetime.timedelta(days=offset)
        if day.weekday() < 5 and not is_working_day(day):
            continue
        for line in lines:
            if (
                line.weekday == day.weekday()
                and line.valid_from <= day
                and (line.valid_until is None or line.valid_until >= day)
            ):
                found.append((day, line))
        if len({d for d, _line in found}) >= NEXT_DUTY_DAYS:
            break
    # At most as many lines as days: a poster has room for a few, and the rest follow.
    return found[:NEXT_DUTY_DAYS]


@in_chinese
def deputy_poster(deputy: Deputy, on: datetime.date | None = None) -> Poster:
    """The poster of one deputy: their stations, today's duty and their next duty days."""
    on = on or timezone.localdate()
    assignments = list(
        StationAssignment.objects.current(on)
        .filter(deputy=deputy, station__is_active=True)
        .select_related("station", "station__street")
        .order_by("-is_head", "station__name")
    )
    facts = []
    for assignment in assignments:
        station = assignment.station
        facts.append((_("联络站"), station.name))
        facts.append((_("地址"), station.address))
        facts.append((_("开放时间"), station.opening_hours or _("未公布")))
    lines = directory.deputy_duty(deputy, on)
    today = [
        f"{_period(line)} · {line.station.name}"
        for line in lines
        if line.weekday == on.weekday() and line.valid_from <= on
    ]
    coming = [
        (_day_label(day), f"{_period(line)} · {line.station.name}")
        for day, line in _next_duty(lines, on)
    ]
    district = deputy.district
    street = assignments[0].station.street if assignments else district
    return Poster(
        kind="deputy",
        name=deputy.name,
        subtitle=_("%(district)s人大代表") % {"district": district.name}
        + (f" · {deputy.occupation}" if deputy.occupation else ""),
        facts=facts or [(_("联络站"), _("暂未进站"))],
        today_title=_("今日值班（%(day)s）") % {"day": _day_label(on)},
        today=today,
        today_empty=_("今日不在站值班，可扫码给代表留言。"),
        coming_title=_("下次值班"),
        coming=coming,
        coming_empty=_("近期暂无值班安排。"),
        target=qr.deputy_target(deputy.public_code),
        footer=_congress_of(street),
    )


# --- every poster of a street or district ----------------------------------------------------


def region_stations(region: Region) -> Iterable[Station]:
    """The active stations of a street or district, in the order of the station list."""
    return (
        Station.objects.active()
        .in_region(region)
        .select_related("street", "street__parent")
        .order_by("street__path", "kind", "name", "pk")
    )


def region_deputies(region: Region, on: datetime.date | None = None) -> Iterable[Deputy]:
    """The serving deputies sitting at an active station of a street or district, by name."""
    on = on or timezone.localdate()
    sitting = (
        StationAssignment.objects.current(on)
        .filter(station__is_active=True, station__region__path__startswith=region.path)
        .values("deputy_id")
    )
    return (
        directory.serving_deputies(on)
        .filter(Q(pk__in=sitting))
        .select_related("district")
        .order_by("name", "pk")
    )


def region_poster_count(region: Region, kind: str) -> int:
    if kind == "deputies":
        return region_deputies(region).count()
    return region_stations(region).count()


def region_posters(region: Region, kind: str, on: datetime.date | None = None) -> Iterator[Poster]:
    if kind == "deputies":
        for deputy in region_deputies(region, on):
            yield deputy_poster(deputy, on)
    else:
        for station in region_stations(region):
            yield station_poster(station, on)


# --- the PDF ----------------------------------------------------------------------------------


# Posters laid out together: small enough to report progress often, large enough that the
# layout of each batch is not dominated by its start-up.
BATCH = 20


@in_chinese
def posters_pdf(
    posters: Iterable[Poster],
    size: str,
    *,
    title: str,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """One PDF, one poster a page, on paper of `size` ("a4" or "a5"). `progress(n)` is
    called after every batch of posters is laid out, with how many are done."""
    if size not in SIZES:
        raise ValueError(f"unknown paper size {size!r}")
    css = render_to_string("public/posters/poster.css", {"page_size": SIZES[size], "size": size})
    batches: list[int] = []

    def documents() -> Iterator[str]:
        batch: list[Poster] = []
        for poster in posters:
            batch.append(poster)
            if len(batch) == BATCH:
                batches.append(len(batch))
                yield _html(batch, size, title)
                batch = []
        if batch or not batches:
            batches.append(len(batch))
            yield _html(batch, size, title)

    def laid_out(_n: int) -> None:
        if progress is not None:
            progress(sum(batches))

    return htmls_to_pdf(documents(), css=css, laid_out=laid_out)


def _html(posters: list[Poster], size: str, title: str) -> str:
    return render_to_string(
        "public/posters/posters.html",
        {"posters": posters, "size": size, "title": title, "instruction": INSTRUCTION},
    )


def poster_file_name(name: str, size: str) -> str:
    return _("%(name)s-张贴海报-%(size)s.pdf") % {"name": name, "size": size.upper()}
