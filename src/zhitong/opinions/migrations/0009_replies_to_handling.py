"""Replies and ratings move to zhitong.handling, keeping every row and its id.

Each reply becomes a handling reply of its opinion's case, with the same id (so the
attachments pointing at it, and the events naming it in their data, stay right), its
referral the assignment (the same id since 0007), its review kept; each rating keeps its
id, its reply's case, and who took it by phone or in person (an opinion's rater is the
anonymous citizen). Set-based SQL, portable between SQLite and PostgreSQL. Reversible: 0010
copies the rows back into the old tables before the attachments point at them again, and
this one then removes them from handling.
"""

from django.core.management.color import no_style
from django.db import migrations

OPINION_CASES = "SELECT case_id FROM opinions_opinion WHERE case_id IS NOT NULL"

FORWARD = [
    """
    INSERT INTO handling_reply (
        id, case_id, assignment_id, unit_name, text, on_the_spot, result_class, author_id,
        created_at, reviewed_by_id, sent_at, text_sent
    )
    SELECT r.id, o.case_id, r.referral_id, r.unit_name, r.text, r.on_the_spot, '',
        r.author_id, r.created_at, r.reviewed_by_id, r.sent_at, r.text_sent
    FROM opinions_reply r JOIN opinions_opinion o ON o.id = r.opinion_id
    ORDER BY r.id
    """,
    """
    INSERT INTO handling_rating (
        id, case_id, reply_id, score, comment, method, rater_id, taken_by_id, back_to_back,
        created_at
    )
    SELECT g.id, r.case_id, g.reply_id, g.score, g.comment, g.method, NULL, g.taken_by_id,
        FALSE, g.created_at
    FROM opinions_rating g JOIN handling_reply r ON r.id = g.reply_id
    ORDER BY g.id
    """,
]

BACKWARD = [
    f"DELETE FROM handling_rating WHERE case_id IN ({OPINION_CASES})",
    f"DELETE FROM handling_reply WHERE case_id IN ({OPINION_CASES})",
]

# Only processes that do not exist outside the tests have written handling replies so far;
# should another have, its ids must not be taken over silently.
TAKEN = [
    "SELECT COUNT(*) FROM handling_reply WHERE id IN (SELECT id FROM opinions_reply)",
    "SELECT COUNT(*) FROM handling_rating WHERE id IN (SELECT id FROM opinions_rating)",
]


def _run(schema_editor, statements, models):
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        # Ids were copied: move the sequences past them (a no-op on SQLite).
        for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def forward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for query in TAKEN:
            cursor.execute(query)
            if cursor.fetchone()[0]:
                raise RuntimeError(
                    "handling already holds replies or ratings with the ids of opinions' "
                    "own; move those first"
                )
    models = [apps.get_model("handling", name) for name in ("Reply", "Rating")]
    _run(schema_editor, FORWARD, models)


def backward(apps, schema_editor):
    models = [apps.get_model("opinions", name) for name in ("Reply", "Rating")]
    _run(schema_editor, BACKWARD, models)


class Migration(migrations.Migration):
    dependencies = [
        ("handling", "0002_reply_case_review"),
        ("opinions", "0008_remove_referral_extension"),
    ]

    operations = [migrations.RunPython(forward, backward)]
