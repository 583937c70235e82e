# The staff queue's order within a district (number, unnumbered last, then id) as an index:
# its first page no longer sorts every suggestion (bench/bench_suggestions.py).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0002_the_process"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="suggestion",
            index=models.Index(fields=["district", "number", "id"], name="sugg_district_number"),
        ),
    ]
