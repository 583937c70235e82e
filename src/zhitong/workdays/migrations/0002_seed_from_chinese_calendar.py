"""Seed the years 2020-2026 from the chinesecalendar package (offline, re-runnable).

A year that already has a row is left alone, so running this again, or after staff
have corrected a year, never overwrites what staff entered. No events are written:
the source text ("chinesecalendar 1.11.0") records where the days came from.
"""

from django.db import migrations

from zhitong.workdays.seed import seed_missing_years


def seed_from_package(apps, schema_editor):
    seed_missing_years(apps)


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed_from_package, migrations.RunPython.noop)]
