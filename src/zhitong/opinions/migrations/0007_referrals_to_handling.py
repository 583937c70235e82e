"""Referrals and their extensions move to zhitong.handling, keeping every row and its id.

Each opinion gets its handling case; each referral becomes an assignment with
the same id (so the replies pointing at it, and the events naming it in their data, stay
right), its working days the assignment's period under the working-days rule; each
extension keeps its id too. Set-based SQL, portable between SQLite and PostgreSQL, so a
district with a million opinions migrates in a few statements. Reversible: 0008 copies
the rows back into the old tables before the replies point at them again, and this one
then removes them from handling.
"""

from django.core.management.color import no_style
from django.db import migrations

FORWARD = [
    # One case per opinion (new opinions get theirs when they are made).
    """
    INSERT INTO handling_case (process, district_id, reference, title, created_at)
    SELECT 'opinions', o.district_id, o.tracking_code, o.subject, o.received_at
    FROM opinions_opinion o
    WHERE o.case_id IS NULL
    ORDER BY o.id
    """,
    """
    UPDATE opinions_opinion SET case_id = (
        SELECT c.id FROM handling_case c
        WHERE c.process = 'opinions' AND c.reference = opinions_opinion.tracking_code
    )
    WHERE case_id IS NULL
    """,
    """
    INSERT INTO handling_assignment (
        id, case_id, district_id, unit_id, unit_name, role, state, suggested_unit_id,
        assigned_by_id, assigned_at, accepted_at, return_reason, returned_at, rule, period,
        due_date, deadline_provisional, deadline, passing_recorded_for, very_overdue_from,
        replied_at, chase_count
    )
    SELECT r.id, o.case_id, o.district_id, r.unit_id, r.unit_name, r.role, r.state,
        r.suggested_unit_id, r.referred_by_id, r.referred_at, r.accepted_at, r.return_reason,
        r.returned_at, 'working_days', r.working_days, r.due_date, r.deadline_provisional,
        r.deadline, r.passing_recorded_for, r.very_overdue_from, r.replied_at, 0
    FROM opinions_referral r JOIN opinions_opinion o ON o.id = r.opinion_id
    ORDER BY r.id
    """,
    """
    INSERT INTO handling_extension (
        id, assignment_id, period, reason, state, requested_by_id, requested_at,
        decided_by_id, decided_at, decision_note
    )
    SELECT id, referral_id, working_days, reason, state, requested_by_id, requested_at,
        decided_by_id, decided_at, decision_note
    FROM opinions_extension ORDER BY id
    """,
]

BACKWARD = [
    """
    DELETE FROM handling_extension
    WHERE assignment_id IN (
        SELECT a.id FROM handling_assignment a JOIN handling_case c ON c.id = a.case_id
        WHERE c.process = 'opinions'
    )
    """,
    """
    DELETE FROM handling_assignment
    WHERE case_id IN (SELECT id FROM handling_case WHERE process = 'opinions')
    """,
    "UPDATE opinions_opinion SET case_id = NULL WHERE case_id IS NOT NULL",
    "DELETE FROM handling_case WHERE process = 'opinions'",
]


def _run(apps, schema_editor, statements, models):
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        # Ids were copied: move the sequences past them (a no-op on SQLite).
        for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def forward(apps, schema_editor):
    models = [apps.get_model("handling", name) for name in ("Case", "Assignment", "Extension")]
    _run(apps, schema_editor, FORWARD, models)


def backward(apps, schema_editor):
    models = [apps.get_model("opinions", name) for name in ("Referral", "Extension")]
    _run(apps, schema_editor, BACKWARD, models)


class Migration(migrations.Migration):
    dependencies = [
        ("handling", "0001_initial"),
        ("opinions", "0006_opinion_case"),
    ]

    operations = [migrations.RunPython(forward, backward)]
