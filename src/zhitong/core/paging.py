"""Keyset paging: the cursor a page link carries."""


def id_cursor(value) -> int | None:
    """A row id from a "before"/"after" parameter, or None for anything else (also a
    number too large for a database integer, which would be an error, not an empty page)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None
