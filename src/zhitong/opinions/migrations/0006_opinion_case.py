"""An opinion's anchor in zhitong.handling (its referrals become handling assignments)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("handling", "0001_initial"),
        ("opinions", "0005_rating_method"),
    ]

    operations = [
        migrations.AddField(
            model_name="opinion",
            name="case",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="handling.case",
                verbose_name="办理事项",
            ),
        ),
    ]
