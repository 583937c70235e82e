"""Attachments point at handling replies (same ids); the old reply and rating tables go."""

import django.db.models.deletion
from django.core.management.color import no_style
from django.db import migrations, models

COPY_BACK = [
    """
    INSERT INTO opinions_reply (
        id, opinion_id, referral_id, unit_name, text, on_the_spot, author_id, created_at,
        reviewed_by_id, sent_at, text_sent
    )
    SELECT r.id, o.id, r.assignment_id, r.unit_name, r.text, r.on_the_spot, r.author_id,
        r.created_at, r.reviewed_by_id, r.sent_at, r.text_sent
    FROM handling_reply r JOIN opinions_opinion o ON o.case_id = r.case_id
    ORDER BY r.id
    """,
    """
    INSERT INTO opinions_rating (
        id, opinion_id, reply_id, score, comment, method, taken_by_id, created_at
    )
    SELECT g.id, o.id, g.reply_id, g.score, g.comment, g.method, g.taken_by_id, g.created_at
    FROM handling_rating g JOIN opinions_opinion o ON o.case_id = g.case_id
    ORDER BY g.id
    """,
]


def copy_back(apps, schema_editor):
    """Backwards only: the old tables, just made again, get their rows back (same ids)."""
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            # Checked now, so the attachments' table can be altered in this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in COPY_BACK:
            cursor.execute(statement)
        models = [apps.get_model("opinions", name) for name in ("Reply", "Rating")]
        for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("handling", "0002_reply_case_review"),
        ("opinions", "0009_replies_to_handling"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="reply",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attachments",
                to="handling.reply",
                verbose_name="答复",
            ),
        ),
        # Backwards this runs after the tables are made again and before the attachments
        # point at them (operations run in reverse order).
        migrations.RunPython(migrations.RunPython.noop, copy_back),
        migrations.DeleteModel(name="Rating"),
        migrations.DeleteModel(name="Reply"),
    ]
