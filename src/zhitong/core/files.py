"""Stored files that follow their rows: written inside a block, removed if the block fails."""

import contextlib
import logging

logger = logging.getLogger("zhitong.core.files")


@contextlib.contextmanager
def removed_on_error():
    """Yield a `keep(fieldfile)` callback; every file kept is deleted if the block raises.

    A database transaction rolls back the rows of a refused request, not the files written
    for them: a reply refused at its third attachment must not leave the first two on disk.
    """
    written = []
    try:
        yield written.append
    except BaseException:
        for file in written:
            try:
                file.storage.delete(file.name)
            except Exception:  # noqa: BLE001 - cleanup must not hide the real error
                logger.warning("could not remove a file written for a refused request")
        raise
