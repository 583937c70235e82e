"""The very-overdue date (严重超期起始日) stored like the due date, and the due-date order indexed.

Referral.very_overdue_from: the first day on which the reply counts as very overdue, as
many working days after the due date as were allowed (extensions included); Opinion.
open_very_overdue_from copies it from the running lead referral, as open_due_date copies
the due date. The existing rows are filled with the working-day calendar as published.
"""

from django.db import migrations, models
from django.db.models import F, IntegerField, Min, OuterRef, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from zhitong.workdays.deadlines import WorkingCalendar

RUNNING = ["pending", "accepted"]


def _calendar(apps) -> WorkingCalendar:
    # The snapshot zhitong.workdays.selectors builds, from the historical models.
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarDay = apps.get_model("workdays", "CalendarDay")
    published = frozenset(
        CalendarYear.objects.filter(status="published").values_list("year", flat=True)
    )
    rows = CalendarDay.objects.filter(year__year__in=published).values_list("date", "kind", "name")
    return WorkingCalendar(
        published_years=published, days={day: (kind, name) for day, kind, name in rows}
    )


def backfill_very_overdue_from(apps, schema_editor):
    """Same rule as zhitong.opinions.deadlines.very_overdue_from, for every referral with a
    due date. The working days allowed are the stored computation's (extensions included),
    else the referral's; rows sharing a due date and an allowance share the result, so
    there is one UPDATE per such pair (a few hundred a year), not one per row."""
    Referral = apps.get_model("opinions", "Referral")
    Opinion = apps.get_model("opinions", "Opinion")
    calendar = _calendar(apps)
    referrals = Referral.objects.filter(due_date__isnull=False).annotate(
        allowed=Coalesce(
            Cast(KT("deadline__working_days"), IntegerField()),
            F("working_days"),
            output_field=IntegerField(),
        )
    )
    pairs = referrals.order_by().values_list("due_date", "allowed").distinct()
    for due, allowed in list(pairs):
        very_overdue_from = calendar.add_working_days(due, max(allowed or 1, 1)).due
        referrals.filter(due_date=due, allowed=allowed).update(very_overdue_from=very_overdue_from)
    # Same rule as zhitong.opinions.deadlines.sync_open_due_date.
    running = (
        Referral.objects.filter(
            opinion=OuterRef("pk"), role="lead", state__in=RUNNING, due_date__isnull=False
        )
        .order_by()
        .values("opinion")
        .annotate(very_overdue_from=Min("very_overdue_from"))
        .values("very_overdue_from")
    )
    Opinion.objects.filter(open_due_date__isnull=False).update(
        open_very_overdue_from=Subquery(running)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("opinions", "0003_opinion_open_due_date"),
        ("workdays", "0002_seed_from_chinese_calendar"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="very_overdue_from",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="严重超期起始日"
            ),
        ),
        migrations.AddField(
            model_name="opinion",
            name="open_very_overdue_from",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="严重超期起始日（未答复）"
            ),
        ),
        migrations.RunPython(backfill_very_overdue_from, migrations.RunPython.noop, elidable=True),
        # The due-date order needs the id after the date: many opinions share a due date.
        migrations.RemoveIndex(model_name="opinion", name="op_district_open_due"),
        migrations.AddIndex(
            model_name="opinion",
            index=models.Index(
                fields=["district", "open_due_date", "id"], name="op_district_open_due"
            ),
        ),
        migrations.AddIndex(
            model_name="opinion",
            index=models.Index(
                condition=models.Q(open_due_date__isnull=False),
                fields=["open_due_date", "id"],
                name="op_open_due",
            ),
        ),
        migrations.AddIndex(
            model_name="opinion",
            index=models.Index(
                fields=["district", "open_very_overdue_from"], name="op_district_very_overdue"
            ),
        ),
    ]
