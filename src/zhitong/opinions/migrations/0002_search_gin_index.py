"""A GIN index for full-text search on PostgreSQL (SQLite searches with LIKE instead).

The expression matches what `opinions.search` builds with
SearchVector("search_text", config="simple"), so the planner can use the index.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS op_search_gin ON opinions_opinion "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"
)
DROP = "DROP INDEX IF EXISTS op_search_gin"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("opinions", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
