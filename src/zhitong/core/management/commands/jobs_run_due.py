"""Enqueue the background jobs whose retry is due, and queued ones whose enqueueing was lost."""

from django.core.management.base import BaseCommand

from zhitong.core.jobs import jobs_run_due


class Command(BaseCommand):
    help = "把到期该重试的后台任务（以及入队丢失的任务）重新放入队列（每分钟由定时任务运行）。"

    def handle(self, *args, **options):
        count = jobs_run_due()
        self.stdout.write(f"{count} jobs enqueued.")
