"""Acts on stations: keeping the duty rota (值班表).

A rota line puts one deputy at a station on a weekday and period, from a date (until a date,
or for good). The station's liaisons, the street committee of its street and committee staff
keep it (`stations.change_rota`); each change is one event on the station's timeline.

What is refused, and why:
- a deputy twice in the same slot: at this station, or at another one at the same time (a
  whole day overlaps the morning and the afternoon), while both lines are in force;
- a slot the station's opening hours keep it shut (`zhitong.stations.hours`): the poster
  prints today's rota under the hours, and a citizen who comes on the strength of it must
  find someone. Refused rather than warned, because a warning on a printed rota reaches
  nobody. Hours written in a way that cannot be read are not checked; the rota page says so
  and asks for hours in the usual form;
- a deputy who does not sit at a station of the same street (the rota is the street's
  deputies taking turns), unless the line already names them;
- an end date before the start.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from zhitong.core.events import event_record
from zhitong.deputies.models import Deputy
from zhitong.stations import hours as opening
from zhitong.stations.models import DutyPeriod, DutyRota, Station, StationAssignment, Weekday
from zhitong.stations.verbs import StationVerb


class RotaError(Exception):
    """A rota change refused, with the message staff read and the form field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _require_keeper(by, station: Station) -> None:
    if not by.has_perm("stations.change_rota", station):
        raise PermissionDenied


def overlapping_periods(period: str) -> list[str]:
    """The periods that share part of the day with `period` (a whole day: morning and
    afternoon too)."""
    return [p for p in DutyPeriod.values if opening.NEEDS[p] & opening.NEEDS[period]]


def rota_deputies(station: Station, on: datetime.date, *, keep: int | None = None) -> Any:
    """The deputies who may be put on this station's rota: those sitting at a station of
    the same street on `on` (and deputy `keep`, already on the line being changed)."""
    sitting = (
        StationAssignment.objects.current(on)
        .filter(station__street_id=station.street_id)
        .values("deputy_id")
    )
    return Deputy.objects.filter(Q(pk__in=sitting) | Q(pk=keep)).order_by("name", "pk")


def _line_data(line: DutyRota) -> dict[str, Any]:
    return {
        "id": line.pk,
        "deputy_id": line.deputy_id,
        "deputy": line.deputy.name,
        "weekday": line.weekday,
        "period": line.period,
        "valid_from": line.valid_from.isoformat(),
        "valid_until": line.valid_until.isoformat() if line.valid_until else "",
    }


def _slot_label(weekday: int, period: str) -> str:
    return f"{Weekday(weekday).label}{DutyPeriod(period).label}"


def _check(
    *,
    station: Station,
    deputy: Deputy,
    weekday: int,
    period: str,
    valid_from: datetime.date,
    valid_until: datetime.date | None,
    line: DutyRota | None = None,
) -> None:
    if weekday not in Weekday.values:
        raise RotaError(_("请选择星期几。"), "weekday")
    if period not in DutyPeriod.values:
        raise RotaError(_("请选择时段。"), "period")
    if valid_until is not None and valid_until < valid_from:
        raise RotaError(_("截止日期不能早于生效日期。"), "valid_until")
    keeps_deputy = line is not None and line.deputy_id == deputy.pk
    if not keeps_deputy and not rota_deputies(station, valid_from).filter(pk=deputy.pk).exists():
        raise RotaError(
            _("%(name)s 不在本街道的联络站进站，不能安排在本站轮值。") % {"name": deputy.name},
            "deputy",
        )
    hours = opening.read_hours(station.opening_hours)
    if hours is not None and not hours.is_open(weekday, period):
        raise RotaError(
            _(
                "本站开放时间为“%(hours)s”，%(slot)s不开放，不能安排轮值。"
                "请换一个开放的时段，或先请管理员修改开放时间。"
            )
            % {"hours": station.opening_hours, "slot": _slot_label(weekday, period)},
            "period",
        )
    in_force = Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from)
    if valid_until is not None:
        in_force &= Q(valid_from__lte=valid_until)
    others = DutyRota.objects.filter(
        in_force, deputy=deputy, weekday=weekday, period__in=overlapping_periods(period)
    )
    if line is not None:
        others = others.exclude(pk=line.pk)
    clash = others.select_related("station").order_by("pk").first()
    if clash is not None:
        where = (
            _("本站")
            if clash.station_id == station.pk
            else _("“%(station)s”") % {"station": clash.station.name}
        )
        raise RotaError(
            _("%(name)s 在%(slot)s已在%(where)s轮值，同一时段不能重复安排。")
            % {
                "name": deputy.name,
                "slot": _slot_label(clash.weekday, clash.period),
                "where": where,
            },
            "deputy",
        )


def _locked(station: Station, deputy: Deputy | None = None) -> Station:
    # The station's row, then the deputy's: two keepers adding the same deputy at once (to
    # this station or another) wait for each other, so the clash check sees the first line.
    locked = Station.objects.select_for_update().select_related("street").get(pk=station.pk)
    if deputy is not None:
        Deputy.objects.select_for_update().filter(pk=deputy.pk).first()
    return locked


def rota_add(
    *,
    station: Station,
    by,
    deputy: Deputy,
    weekday: int,
    period: str,
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
) -> DutyRota:
    """Put `deputy` on the station's rota; refused with RotaError (see the module)."""
    _require_keeper(by, station)
    with transaction.atomic():
        station = _locked(station, deputy)
        _check(
            station=station,
            deputy=deputy,
            weekday=weekday,
            period=period,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        line = DutyRota.objects.create(
            station=station,
            deputy=deputy,
            weekday=weekday,
            period=period,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        event_record(
            actor=by,
            subject=station,
            verb=StationVerb.ROTA_ADD,
            data={"line": _line_data(line)},
            district_code=station.street.district_code,
        )
    return line


def rota_change(
    *,
    line: DutyRota,
    by,
    deputy: Deputy,
    weekday: int,
    period: str,
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
) -> DutyRota:
    """Change one rota line (who, when, from and until when)."""
    _require_keeper(by, line.station)
    with transaction.atomic():
        station = _locked(line.station, deputy)
        line = DutyRota.objects.select_related("deputy").get(pk=line.pk, station=station)
        before = _line_data(line)
        _check(
            station=station,
            deputy=deputy,
            weekday=weekday,
            period=period,
            valid_from=valid_from,
            valid_until=valid_until,
            line=line,
        )
        line.deputy = deputy
        line.weekday = weekday
        line.period = period
        line.valid_from = valid_from
        line.valid_until = valid_until
        line.save(update_fields=["deputy", "weekday", "period", "valid_from", "valid_until"])
        after = _line_data(line)
        if after != before:
            event_record(
                actor=by,
                subject=station,
                verb=StationVerb.ROTA_CHANGE,
                data={"before": before, "line": after},
                district_code=station.street.district_code,
            )
    return line


def rota_remove(*, line: DutyRota, by) -> None:
    """Take one line off the rota; the event keeps what it said."""
    _require_keeper(by, line.station)
    with transaction.atomic():
        station = _locked(line.station)
        line = DutyRota.objects.select_related("deputy").get(pk=line.pk, station=station)
        data = _line_data(line)
        line.delete()
        event_record(
            actor=by,
            subject=station,
            verb=StationVerb.ROTA_REMOVE,
            data={"line": data},
            district_code=station.street.district_code,
        )
