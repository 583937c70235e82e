"""Shared by the event migrations: (re)create SQLite's append-only trigger.

SQLite drops a table's triggers when a migration rebuilds the table, so every
migration that alters core_event must call `sqlite_recreate` after the change.
"""

SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS core_event_no_update BEFORE UPDATE ON core_event
BEGIN SELECT RAISE(ABORT, 'core_event is append-only: UPDATE refused'); END;
"""
# zhitong_may_delete_events() is registered by the application on each connection (see
# zhitong.core.db) and answers 0; elsewhere it does not exist and the DELETE fails as well.
SQLITE_DELETE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS core_event_no_delete BEFORE DELETE ON core_event
WHEN zhitong_may_delete_events() = 0
BEGIN SELECT RAISE(ABORT, 'core_event is append-only: DELETE refused'); END;
"""


def sqlite_recreate(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER, params=None)
        schema_editor.execute(SQLITE_DELETE_TRIGGER, params=None)


def sqlite_drop_delete_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_event_no_delete;", params=None)
