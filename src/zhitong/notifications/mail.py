"""Django's mail API through the project's e-mail sender (settings.EMAIL_BACKEND).

Django itself sends mail in one place this project uses, the password reset. Those mails
go out like every other e-mail, through the sender chosen by NOTIFY_EMAIL_BACKEND, and
each is recorded as a Message, but without its body (services.message_send's `secrets`):
a reset link signs in as the account for a day, and must not be readable by whoever can
read the message records.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend

from zhitong.notifications import conf
from zhitong.notifications.models import Channel, MessageStatus
from zhitong.notifications.services import message_send

THIS_BACKEND = f"{__name__}.NotifyEmailBackend"


class NotifyEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        if conf.email_backend_path() == THIS_BACKEND:
            raise ImproperlyConfigured(
                "NOTIFY_EMAIL_BACKEND names the backend that hands mail to it: pick a sender."
            )
        sent = 0
        for email in email_messages:
            delivered = True
            for to in email.recipients():
                message = message_send(
                    channel=Channel.EMAIL,
                    to=to,
                    subject=email.subject,
                    body=email.body,
                    # The whole body is the recipient's alone: the record keeps "••••".
                    secrets=[email.body],
                )
                delivered = delivered and message.status == MessageStatus.SENT
            # A failed delivery is recorded (status "failed" and why), never raised: the
            # password reset must answer the same whatever happened to the mail.
            if delivered:
                sent += 1
        return sent
