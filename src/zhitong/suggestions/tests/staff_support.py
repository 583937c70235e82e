"""Moves through the services to put suggestions in the states the staff's pages work on."""

from __future__ import annotations

import datetime

import time_machine

from zhitong.core.roles import Role
from zhitong.suggestions import services
from zhitong.suggestions.models import DistrictSettings
from zhitong.suggestions.tests.world import build
from zhitong.testing import factories as f

ALL_CHECKS = {"lawful": True, "single_matter": True, "feasible": True, "well_written": True}


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=datetime.UTC
    ) - datetime.timedelta(hours=8)


DRAFT_DAY = datetime.date(2026, 1, 6)


def staff_world():
    """The suggestions' world, with the district's government office and its account."""
    w = build()
    w.gov_office = f.HandlingUnitFactory(region=w.district, name="武昌区人民政府办公室")
    w.gov = f.UserFactory(
        username="gov1", role=Role.UNIT, unit=w.gov_office, display_name="政府办经办人"
    )
    w.users["gov"] = w.gov
    DistrictSettings.objects.create(district=w.district, government_office=w.gov_office)
    return w


def drafted(w, title="关于加快老旧小区加装电梯的建议", **kw):
    with time_machine.travel(moment(DRAFT_DAY), tick=False):
        return services.suggestion_draft(
            by=w.deputy,
            title=title,
            content=kw.pop("content", "老旧小区居民上下楼困难，建议加快加装电梯。"),
            category=kw.pop("category", w.category),
            **kw,
        )


def reviewed(w, title="关于加快老旧小区加装电梯的建议", **kw):
    s = drafted(w, title, **kw)
    with time_machine.travel(moment(DRAFT_DAY), tick=False):
        services.suggestion_submit(suggestion=s, by=w.deputy)
        services.suggestion_review(suggestion=s, by=w.street, outcome="pass", checks=ALL_CHECKS)
        services.suggestion_review(suggestion=s, by=w.staff, outcome="pass", checks=ALL_CHECKS)
    s.refresh_from_db()
    return s


def registered(w, title="关于加快老旧小区加装电梯的建议", *, co_units=None, category=None, **kw):
    category = category or w.category
    s = reviewed(w, title, category=category, **kw)
    with time_machine.travel(moment(DRAFT_DAY), tick=False):
        services.suggestion_register(
            suggestion=s,
            by=w.staff,
            category=category,
            lead=w.housing,
            co_units=[w.roads] if co_units is None else co_units,
        )
    s.refresh_from_db()
    return s


ASSIGN_DAY = datetime.date(2026, 2, 2)


def assigned(w, title="关于加快老旧小区加装电梯的建议", **kw):
    s = registered(w, title, **kw)
    with time_machine.travel(moment(ASSIGN_DAY), tick=False):
        services.suggestions_assign(suggestions=[s], by=w.staff)
    s.refresh_from_db()
    return s
