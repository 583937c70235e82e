"""Pluggable senders (发送方式) for SMS and e-mail, chosen by dotted path in conf.py.

A sender is a class with a `name` and a `send(message)` method that delivers one
`Message` or raises. It does not save the message: `services.message_send` records it
(queued, then sent or failed) whatever the sender does, so every sender is also a
database record of what went out.

Plugging in an SMS provider: subclass `Sender`, set `name = "my-provider"`, and in
`send()` call the provider's API with `message.to` and `message.body`, raising any
exception when it refuses (the message is then marked failed with the error). Read its
credentials from the environment in the class's `__init__`. Then set
NOTIFY_SMS_BACKEND=yourpackage.module.YourSender. Never log `message.to` itself: log
`zhitong.core.masking.mask_contact(message.to)`.

NOTIFY_EMAIL_BACKEND may also name a Django mail backend class (for example
"django.core.mail.backends.locmem.EmailBackend" in tests, or the file-based one on a
machine without a mail server); it is then used through `DjangoMailSender`.
"""

import logging

from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string

from zhitong.core.masking import mask_contact
from zhitong.notifications import conf
from zhitong.notifications.models import Channel, Message

logger = logging.getLogger("zhitong.notifications")

SMTP_CONNECTION = "django.core.mail.backends.smtp.EmailBackend"


class SenderError(Exception):
    """A sender could not deliver a message (the message is marked failed with this text)."""


class Sender:
    """The interface: deliver one message or raise."""

    name = "base"

    def send(self, message: Message) -> None:
        raise NotImplementedError


class ConsoleSender(Sender):
    """The default for both channels: nothing leaves the machine, one log line per message.

    The message row itself (status sent, backend "console") is the record; the log line
    carries the masked address and no body, because bodies may name citizens.
    """

    name = "console"

    def send(self, message: Message) -> None:
        logger.info(
            "console %s message #%s to %s (%d characters)",
            message.channel,
            message.pk,
            mask_contact(message.to),
            len(message.body),
        )


class MemorySender(Sender):
    """For tests: keeps what was delivered (the whole text) in `MemorySender.outbox`.

    The message row keeps secrets redacted (see services.message_send); this list is what
    the recipient's phone or mailbox would have received.
    """

    name = "memory"
    outbox: list[dict] = []

    def send(self, message: Message) -> None:
        MemorySender.outbox.append(
            {
                "channel": message.channel,
                "to": message.to,
                "subject": message.subject,
                "body": message.body,
            }
        )


class DjangoMailSender(Sender):
    """E-mail through any Django mail backend (a connection opened per message)."""

    def __init__(self, connection_backend: str, **options):
        self.connection_backend = connection_backend
        self.options = options
        self.name = connection_backend.removesuffix(".EmailBackend")[:100]

    def send(self, message: Message) -> None:
        if message.channel != Channel.EMAIL:
            raise SenderError(f"{self.name} sends e-mail only, not {message.channel}")
        connection = get_connection(
            backend=self.connection_backend, fail_silently=False, **self.options
        )
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=conf.from_email(),
            to=[message.to],
            connection=connection,
        )
        if email.send() != 1:
            raise SenderError("the mail backend did not accept the message")


class SmtpEmailSender(DjangoMailSender):
    """Real e-mail over SMTP, configured by EMAIL_HOST, EMAIL_PORT and friends (conf.py)."""

    def __init__(self):
        super().__init__(SMTP_CONNECTION, **conf.smtp_options())
        self.name = "smtp"


def sender_for(channel: str) -> Sender:
    """The configured sender of `channel`; raises ImportError/SenderError when misconfigured."""
    path = conf.email_backend_path() if channel == Channel.EMAIL else conf.sms_backend_path()
    cls = import_string(path)
    if isinstance(cls, type) and issubclass(cls, BaseEmailBackend):
        return DjangoMailSender(path)
    if isinstance(cls, type) and issubclass(cls, Sender):
        return cls()
    raise SenderError(f"{path} is neither a Sender nor a Django mail backend")
