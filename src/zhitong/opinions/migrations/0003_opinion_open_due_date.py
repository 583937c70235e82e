"""Opinion.open_due_date: the running lead referral's due date, copied for the overdue filters."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Min

BATCH = 2000


def backfill_open_due_date(apps, schema_editor):
    # Same rule as zhitong.opinions.deadlines.open_due_date_of (models here are historical).
    Opinion = apps.get_model("opinions", "Opinion")
    Referral = apps.get_model("opinions", "Referral")
    rows = (
        Referral.objects.filter(
            role="lead", state__in=["pending", "accepted"], due_date__isnull=False
        )
        .values("opinion_id")
        .annotate(due=Min("due_date"))
        .order_by("opinion_id")
    )
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        batch.append(Opinion(pk=row["opinion_id"], open_due_date=row["due"]))
        if len(batch) >= BATCH:
            Opinion.objects.bulk_update(batch, ["open_due_date"])
            batch = []
    if batch:
        Opinion.objects.bulk_update(batch, ["open_due_date"])


class Migration(migrations.Migration):
    dependencies = [
        ("deputies", "0001_initial"),
        ("opinions", "0002_search_gin_index"),
        ("regions", "0001_initial"),
        ("stations", "0001_initial"),
        ("units", "0002_category_deadline_days"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="opinion",
            name="open_due_date",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="办理期限（未答复）"
            ),
        ),
        migrations.AddIndex(
            model_name="opinion",
            index=models.Index(fields=["district", "open_due_date"], name="op_district_open_due"),
        ),
        migrations.RunPython(backfill_open_due_date, migrations.RunPython.noop, elidable=True),
    ]
