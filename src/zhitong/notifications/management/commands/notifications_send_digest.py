"""`manage.py notifications_send_digest [--enqueue]`: the daily digest (每日汇总).

Run it once a day from cron or a timer (docs/deployment.md). Each account on the digest for
a kind of event (新意见 ...) gets one notification in its centre listing what is new in its
scope since its last digest, each with its link, and an e-mail of it if it has an address;
accounts that take all notifications by digest get their new unread ones in the same
e-mail. Running it twice sends nothing twice: each account's window is recorded.
"""

from django.core.management.base import BaseCommand, CommandError

from zhitong.notifications.services import digest_send_all


class Command(BaseCommand):
    help = (
        "Send the daily digest: to each account on the digest, the new events of its scope "
        "and its new unread notifications, once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand it to the background worker (retried on failure, shown on the jobs page).",
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            from zhitong.notifications.jobs import digest_enqueue

            job = digest_enqueue()
            self.stdout.write(f"queued as background job #{job.pk}")
            return
        sent, failed = digest_send_all()
        if failed:
            # A non-zero exit makes the scheduler report it; failed ones are retried next run.
            raise CommandError(f"digests sent: {sent}, failed: {failed} (see the message records)")
        self.stdout.write(f"digests sent: {sent}")
