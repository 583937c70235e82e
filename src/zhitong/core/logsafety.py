"""Keep citizens' keys out of logs: tracking codes and confirmation tokens in logged paths.

A tracking code in a URL path (/opinions/track/K7QX-9MPA-3R/) is the citizen's key to their
opinion; the confirmation page's token leads to it too. Access and error logs are read by
more people, and kept longer, than the database: each logged path has those parts replaced.
"""

import logging
import re

# The parts of a path that are a citizen's key: what follows these prefixes, to the next "/".
SECRET_PATH = re.compile(r"(/opinions/(?:track|submitted)/)[^/\s?\"']+")
# A code typed into the lookup form arrives in the query string.
SECRET_QUERY = re.compile(r"([?&](?:code|rating_key)=)[^&\s\"']*")
REDACTED = "…"


def redact(text: str) -> str:
    return SECRET_QUERY.sub(rf"\1{REDACTED}", SECRET_PATH.sub(rf"\1{REDACTED}", text))


class RedactSecretsFilter(logging.Filter):
    """A logging filter: the record's message, with its arguments, has keys redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logged as it is
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
            # django.server and django.request keep the request on the record; a handler
            # that formats it would print the path again.
            if hasattr(record, "request"):
                record.request = None
        return True
