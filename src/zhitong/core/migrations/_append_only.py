"""Shared by the event migrations: (re)create SQLite's append-only trigger.

SQLite drops a table's triggers when a migration rebuilds the table, so every
migration that alters core_event must call `sqlite_recreate` after the change.
"""

SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS core_event_no_update BEFORE UPDATE ON core_event
BEGIN SELECT RAISE(ABORT, 'core_event is append-only: UPDATE refused'); END;
"""


def sqlite_recreate(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER, params=None)
