"""Replies point at handling assignments (same ids); the old referral tables go."""

import django.db.models.deletion
from django.core.management.color import no_style
from django.db import migrations, models

COPY_BACK = [
    """
    INSERT INTO opinions_referral (
        id, opinion_id, unit_id, unit_name, role, state, suggested_unit_id, referred_by_id,
        referred_at, accepted_at, return_reason, returned_at, working_days, due_date,
        deadline_provisional, deadline, passing_recorded_for, very_overdue_from, replied_at
    )
    SELECT a.id, o.id, a.unit_id, a.unit_name, a.role, a.state, a.suggested_unit_id,
        a.assigned_by_id, a.assigned_at, a.accepted_at, a.return_reason, a.returned_at,
        a.period, a.due_date, a.deadline_provisional, a.deadline, a.passing_recorded_for,
        a.very_overdue_from, a.replied_at
    FROM handling_assignment a JOIN opinions_opinion o ON o.case_id = a.case_id
    ORDER BY a.id
    """,
    """
    INSERT INTO opinions_extension (
        id, referral_id, working_days, reason, state, requested_by_id, requested_at,
        decided_by_id, decided_at, decision_note
    )
    SELECT e.id, e.assignment_id, e.period, e.reason, e.state, e.requested_by_id,
        e.requested_at, e.decided_by_id, e.decided_at, e.decision_note
    FROM handling_extension e
    WHERE e.assignment_id IN (SELECT id FROM opinions_referral)
    ORDER BY e.id
    """,
]


def copy_back(apps, schema_editor):
    """Backwards only: the old tables, just made again, get their rows back (same ids)."""
    with schema_editor.connection.cursor() as cursor:
        for statement in COPY_BACK:
            cursor.execute(statement)
        models = [apps.get_model("opinions", name) for name in ("Referral", "Extension")]
        for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("handling", "0001_initial"),
        ("opinions", "0007_referrals_to_handling"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reply",
            name="referral",
            field=models.ForeignKey(
                blank=True,
                help_text="现场答复时为空。",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="replies",
                to="handling.assignment",
                verbose_name="转办",
            ),
        ),
        # Backwards this runs after the tables are made again and before the replies
        # point at them (operations run in reverse order).
        migrations.RunPython(migrations.RunPython.noop, copy_back),
        migrations.DeleteModel(name="Extension"),
        migrations.DeleteModel(name="Referral"),
    ]
