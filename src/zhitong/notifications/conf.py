"""Sender configuration, read from the environment (12-factor) when a message is sent.

The two NOTIFY_* values may also be set as Django settings of the same name, which win
over the environment (tests use the `settings` fixture). The EMAIL_* values come from the
environment only: Django's own EMAIL_* settings have defaults ("localhost") that would
shadow it. Everything is read at call time, not import time.

    NOTIFY_EMAIL_BACKEND   dotted path of the e-mail sender (default: the console sender)
    NOTIFY_SMS_BACKEND     dotted path of the SMS sender (default: the console sender)
    EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
    EMAIL_USE_TLS, EMAIL_USE_SSL, EMAIL_TIMEOUT, DEFAULT_FROM_EMAIL
                           the SMTP server of SmtpEmailSender
"""

from django.conf import settings

from zhitong.env import TRUE_WORDS, env_str

CONSOLE_SENDER = "zhitong.notifications.senders.ConsoleSender"
SMTP_SENDER = "zhitong.notifications.senders.SmtpEmailSender"


def _value(name: str, default: str = "") -> str:
    if name.startswith("NOTIFY_"):
        override = getattr(settings, name, None)
        if override not in (None, ""):
            return str(override)
    return env_str(name, default) or default


def _flag(name: str) -> bool:
    return _value(name).strip().lower() in TRUE_WORDS


def email_backend_path() -> str:
    return _value("NOTIFY_EMAIL_BACKEND", CONSOLE_SENDER)


def sms_backend_path() -> str:
    return _value("NOTIFY_SMS_BACKEND", CONSOLE_SENDER)


def smtp_options() -> dict:
    """Keyword arguments for django.core.mail.get_connection with the SMTP backend."""
    port = _value("EMAIL_PORT")
    timeout = _value("EMAIL_TIMEOUT", "10")
    return {
        "host": _value("EMAIL_HOST", "localhost"),
        "port": int(port) if port else None,
        "username": _value("EMAIL_HOST_USER") or None,
        "password": _value("EMAIL_HOST_PASSWORD") or None,
        "use_tls": _flag("EMAIL_USE_TLS"),
        "use_ssl": _flag("EMAIL_USE_SSL"),
        # A hung mail server must not hold a request for ever.
        "timeout": float(timeout),
    }


def from_email() -> str:
    return _value("DEFAULT_FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL
