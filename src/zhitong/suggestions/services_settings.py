"""The district's rules for its suggestions (建议办理设置) and its congress sessions (人代会
会议), kept by its staff: one function each, one event each."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhitong.core.events import event_record
from zhitong.core.scoping import is_unrestricted, region_in_scope
from zhitong.core.vocabulary import register
from zhitong.deputies.models import Term
from zhitong.regions.models import Region
from zhitong.suggestions.models import CongressSession, DistrictSettings
from zhitong.suggestions.services import SuggestionError
from zhitong.units.models import HandlingUnit


class SettingsVerb(models.TextChoices):
    SETTINGS_CHANGE = "suggestion_settings_change", gettext_lazy("修改建议办理设置")
    SESSION_CREATE = "congress_session_create", gettext_lazy("新增人代会会议")
    SESSION_EDIT = "congress_session_edit", gettext_lazy("修改人代会会议")


register(SettingsVerb)

# What each setting may be (the database's check constraint holds the same bounds).
BOUNDS = {
    "reply_months": (1, 12),
    "co_unit_months": (1, 6),
    "max_extension_months": (0, 6),
    "refuse_working_days": (1, 30),
    "rehandle_months": (1, 6),
}
SESSION_NUMBER_MAX = 20


def may_keep(user, district: Region) -> bool:
    """The district's committee staff (or a superuser) keep its settings and sessions."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (is_unrestricted(user) or getattr(user, "role", None) == "staff")
        and region_in_scope(user, district)
    )


def _require(user, district: Region) -> None:
    if not may_keep(user, district):
        raise PermissionDenied(_("只有本区人大常委会的工作人员可以修改。"))


def _check_int(value, *, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SuggestionError(
            "invalid_number",
            _("%(field)s须是 %(low)d 到 %(high)d 之间的整数。")
            % {"field": field, "low": low, "high": high},
        )
    return value


@transaction.atomic
def suggestion_settings_update(
    *,
    district: Region,
    by,
    reply_months: int,
    co_unit_months: int,
    max_extension_months: int,
    refuse_working_days: int,
    rehandle_months: int,
    government_office: HandlingUnit | None,
) -> DistrictSettings:
    """Staff set their district's rules for suggestions; one event with what changed (none
    when nothing did)."""
    _require(by, district)
    values = {
        "reply_months": reply_months,
        "co_unit_months": co_unit_months,
        "max_extension_months": max_extension_months,
        "refuse_working_days": refuse_working_days,
        "rehandle_months": rehandle_months,
    }
    for name, value in values.items():
        low, high = BOUNDS[name]
        label = str(getattr(DistrictSettings._meta.get_field(name), "verbose_name", name))
        _check_int(value, field=label, low=low, high=high)
    if government_office is not None and (
        not government_office.is_active
        or not government_office.region.path.startswith(district.path)
    ):
        raise SuggestionError(
            "unit_out_of_region",
            _("%(unit)s不是本区在用的单位。") % {"unit": government_office.name},
        )
    row, created = DistrictSettings.objects.select_for_update().get_or_create(district=district)
    before = {name: getattr(row, name) for name in values}
    before_office = row.government_office
    changes = {
        name: {"from": before[name], "to": value}
        for name, value in values.items()
        if before[name] != value
    }
    if (before_office.pk if before_office else None) != (
        government_office.pk if government_office else None
    ):
        changes["government_office"] = {
            "from": before_office.name if before_office else None,
            "to": government_office.name if government_office else None,
        }
    for name, value in values.items():
        setattr(row, name, value)
    row.government_office = government_office
    row.save()
    if changes:
        event_record(
            actor=by,
            subject=row,
            verb=SettingsVerb.SETTINGS_CHANGE,
            data=changes,
            district_code=district.code,
        )
    return row


def _check_dates(opens_on, closes_on) -> None:
    if not isinstance(opens_on, datetime.date) or not isinstance(closes_on, datetime.date):
        raise SuggestionError("dates_required", _("请填写开幕日期和闭幕日期。"))
    if closes_on < opens_on:
        raise SuggestionError("closes_before_opening", _("闭幕日期不能早于开幕日期。"))


def _session_data(session: CongressSession) -> dict:
    return {
        "term": session.term.number,
        "number": session.number,
        "opens_on": session.opens_on.isoformat(),
        "closes_on": session.closes_on.isoformat(),
    }


def _check_number(term: Term, number, *, exclude: int | None = None) -> int:
    number = _check_int(number, field=_("会议次数"), low=1, high=SESSION_NUMBER_MAX)
    taken = CongressSession.objects.filter(term=term, number=number)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise SuggestionError(
            "session_exists", _("本届已有第%(number)d次会议。") % {"number": number}
        )
    return number


@transaction.atomic
def session_create(*, by, term: Term, number: int, opens_on, closes_on) -> CongressSession:
    """Staff add a session of a term of their district's congress."""
    if not isinstance(term, Term):
        raise SuggestionError("term_required", _("请选择届次。"))
    district = term.region
    _require(by, district)
    # Numbers are checked under the term's lock: two requests never add the same one.
    Term.objects.select_for_update().get(pk=term.pk)
    number = _check_number(term, number)
    _check_dates(opens_on, closes_on)
    session = CongressSession.objects.create(
        term=term, district=district, number=number, opens_on=opens_on, closes_on=closes_on
    )
    event_record(
        actor=by,
        subject=session,
        verb=SettingsVerb.SESSION_CREATE,
        data=_session_data(session),
        district_code=district.code,
    )
    return session


@transaction.atomic
def session_update(
    *, session: CongressSession, by, number: int, opens_on, closes_on
) -> CongressSession:
    """Staff correct a session's number or dates; one event with the change."""
    session = (
        CongressSession.objects.select_for_update()
        .select_related("term", "district")
        .get(pk=session.pk)
    )
    _require(by, session.district)
    Term.objects.select_for_update().get(pk=session.term_id)
    number = _check_number(session.term, number, exclude=session.pk)
    _check_dates(opens_on, closes_on)
    before = _session_data(session)
    session.number = number
    session.opens_on = opens_on
    session.closes_on = closes_on
    session.save()
    after = _session_data(session)
    changes = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    if changes:
        event_record(
            actor=by,
            subject=session,
            verb=SettingsVerb.SESSION_EDIT,
            data=changes,
            district_code=session.district.code,
        )
    return session
