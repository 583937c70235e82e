# The unit inbox's open assignments, newest first, as a partial index
# (bench/bench_suggestions.py).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("handling", "0004_rating_aspects"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                condition=models.Q(("state__in", ["pending", "accepted"])),
                fields=["unit", "-id"],
                name="asg_unit_open",
            ),
        ),
    ]
