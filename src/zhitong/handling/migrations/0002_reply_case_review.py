"""Replies hang from the case (a reply on the spot has no assignment) and carry a review
before they go out; ratings keep their reply's case. The new case columns are filled from
the assignments' (set-based), then made required."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


FILL = [
    """
    UPDATE handling_reply SET case_id = (
        SELECT a.case_id FROM handling_assignment a WHERE a.id = handling_reply.assignment_id
    )
    """,
    """
    UPDATE handling_rating SET case_id = (
        SELECT r.case_id FROM handling_reply r WHERE r.id = handling_rating.reply_id
    )
    """,
]


def fill_cases(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            # Checked now, so the columns can be altered in this same transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in FILL:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("handling", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="reply",
            options={
                "ordering": ["case", "created_at", "id"],
                "verbose_name": "答复",
                "verbose_name_plural": "答复",
            },
        ),
        migrations.AddField(
            model_name="rating",
            name="case",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="ratings",
                to="handling.case",
                verbose_name="办理事项",
            ),
        ),
        migrations.AddField(
            model_name="reply",
            name="case",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="replies",
                to="handling.case",
                verbose_name="办理事项",
            ),
        ),
        migrations.AddField(
            model_name="reply",
            name="on_the_spot",
            field=models.BooleanField(default=False, verbose_name="现场答复"),
        ),
        migrations.AddField(
            model_name="reply",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="审核人",
            ),
        ),
        migrations.AddField(
            model_name="reply",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="反馈时间"),
        ),
        migrations.AddField(
            model_name="reply",
            name="text_sent",
            field=models.TextField(blank=True, verbose_name="反馈内容"),
        ),
        migrations.AddField(
            model_name="reply",
            name="unit_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="答复单位"),
        ),
        migrations.AlterField(
            model_name="rating",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="评价时间"),
        ),
        migrations.AlterField(
            model_name="reply",
            name="assignment",
            field=models.ForeignKey(
                blank=True,
                help_text="现场答复时为空。",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="replies",
                to="handling.assignment",
                verbose_name="交办",
            ),
        ),
        migrations.RunPython(fill_cases, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="reply",
            name="case",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="replies",
                to="handling.case",
                verbose_name="办理事项",
            ),
        ),
        migrations.AlterField(
            model_name="rating",
            name="case",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="ratings",
                to="handling.case",
                verbose_name="办理事项",
            ),
        ),
        migrations.AddConstraint(
            model_name="reply",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("on_the_spot", False), ("assignment__isnull", True), _connector="OR"
                ),
                name="handling_reply_on_the_spot_unassigned",
            ),
        ),
    ]
