"""Database connection setup: SQLite's guard function for the append-only timeline.

SQLite has no roles: its DELETE trigger on core_event asks `zhitong_may_delete_events()`, a
function this process registers on every connection, which answers 0. Any other program
that opens the file has no such function, so its DELETE fails too. Only the test suite's
flush (which empties every table between tests) turns it on, for the length of the flush.
"""

import contextlib
import contextvars

_deletes_allowed = contextvars.ContextVar("zhitong_event_deletes_allowed", default=False)


def event_deletes_allowed_now() -> bool:
    return _deletes_allowed.get()


def _may_delete_events() -> int:
    return 1 if _deletes_allowed.get() else 0


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "zhitong_may_delete_events", 0, _may_delete_events, deterministic=False
        )


@contextlib.contextmanager
def event_deletes_allowed():
    """For emptying a test database only: never used by the application."""
    token = _deletes_allowed.set(True)
    try:
        yield
    finally:
        _deletes_allowed.reset(token)
