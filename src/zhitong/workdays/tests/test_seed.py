"""The seeding migration: 2020-2026 from chinesecalendar, in Chinese, and safe to run again."""

import datetime
import importlib

import pytest
from django.apps import apps

from zhitong.workdays.models import CalendarDay, CalendarYear

D = datetime.date


def test_2020_to_2026_are_published_from_the_package_and_2027_is_not(db):
    published = CalendarYear.objects.filter(status=CalendarYear.Status.PUBLISHED)
    assert sorted(published.values_list("year", flat=True)) == list(range(2020, 2027))
    assert set(published.values_list("source", flat=True)) == {"chinesecalendar 1.11.0"}
    assert not CalendarYear.objects.filter(year__in=[2019, 2027]).exists()


def test_seeded_days_carry_chinese_festival_names(db):
    def day(value):
        return CalendarDay.objects.values_list("kind", "name").get(date=value)

    assert day(D(2026, 2, 14)) == ("makeup_workday", "春节")
    assert day(D(2026, 2, 16)) == ("holiday", "春节")
    assert day(D(2026, 2, 15)) == ("holiday", "春节")  # whole span, weekend included
    assert day(D(2026, 1, 4)) == ("makeup_workday", "元旦")
    assert day(D(2025, 10, 6)) == ("holiday", "中秋节")
    assert day(D(2025, 4, 4)) == ("holiday", "清明节")
    assert day(D(2026, 6, 19)) == ("holiday", "端午节")
    assert day(D(2026, 5, 1)) == ("holiday", "劳动节")
    assert day(D(2026, 10, 1)) == ("holiday", "国庆节")
    assert not CalendarDay.objects.filter(date=D(2026, 3, 7)).exists()  # ordinary Saturday
    # Every make-up working day is a Saturday or Sunday.
    for makeup in CalendarDay.objects.filter(kind="makeup_workday"):
        assert makeup.date.weekday() >= 5, makeup


def test_running_the_seed_again_adds_nothing(db):
    migration = importlib.import_module(
        "zhitong.workdays.migrations.0002_seed_from_chinese_calendar"
    )
    before = list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name"))
    migration.seed_from_package(apps, None)
    after = list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name"))
    assert after == before


@pytest.mark.django_db(transaction=True)
def test_the_calendar_comes_back_after_a_flush():
    # Regression: the post_migrate handler was a closure held only weakly, so it was
    # collected and a flushed database (as the test suite leaves it) had no calendar.
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert set(CalendarYear.objects.values_list("year", flat=True)) >= set(range(2020, 2027))
