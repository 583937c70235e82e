"""Send the daily digest (每日汇总) to everyone who chose it and has something new."""

from django.core.management.base import BaseCommand, CommandError

from zhitong.notifications.services import digest_send_all


class Command(BaseCommand):
    help = "Send one e-mail to each digest user with unread notifications new since the last one."

    def handle(self, *args, **options):
        sent, failed = digest_send_all()
        if failed:
            # A non-zero exit makes the scheduler report it; failed ones are retried next run.
            raise CommandError(f"digests sent: {sent}, failed: {failed} (see the message records)")
        self.stdout.write(f"digests sent: {sent}")
