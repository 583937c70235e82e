"""Tracking codes and confirmation tokens never reach the logs, from any logger."""

import io
import logging

import pytest

from zhitong.core.logsafety import RedactSecretsFilter, redact

CODE = "K7QX-9MPA-3R"


@pytest.mark.parametrize(
    ("logged", "kept"),
    [
        (f'"GET /opinions/track/{CODE}/ HTTP/1.1" 200 1234', "/opinions/track/…/"),
        (f"Not Found: /opinions/track/{CODE}/rate/", "/opinions/track/…/rate/"),
        ("Bad Request: /opinions/submitted/eyJhIjoiYiJ9:1tX:abc/", "/opinions/submitted/…/"),
        (f"GET /opinions/track/?code={CODE}&x=1", "/opinions/track/?code=…&x=1"),
    ],
)
def test_keys_in_logged_paths_are_redacted(logged, kept):
    assert CODE not in redact(logged) and kept in redact(logged)


def _console_output(record: logging.LogRecord) -> str:
    """What the settings' console handler writes for `record`."""
    [handler] = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler)
        and any(isinstance(f, RedactSecretsFilter) for f in h.filters)
    ]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        handler.handle(record)
    finally:
        handler.setStream(previous)
    return stream.getvalue()


def test_the_console_handler_redacts_every_logger(client, db, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(f"/opinions/track/{CODE}/")
    [record] = [r for r in caplog.records if r.name == "django.request"]
    written = _console_output(record)
    assert "Not Found: /opinions/track/…/" in written and CODE not in written
    server = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s',
        (f"GET /opinions/track/{CODE}/", 200),
        None,
    )
    assert CODE not in _console_output(server)
