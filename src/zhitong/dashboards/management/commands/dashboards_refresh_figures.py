"""Recompute the opinion figures summary for the days changed since the last run (cron)."""

from django.core.management.base import BaseCommand

from zhitong.dashboards.jobs import figures_refresh_enqueue
from zhitong.dashboards.services import figures_refresh_changed


class Command(BaseCommand):
    help = "重新计算自上次运行以来有变化的意见统计（每几分钟由定时任务运行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the refresh for the task worker (retried on failure) instead of "
            "running it in this process",
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            job = figures_refresh_enqueue()
            job.refresh_from_db()
            self.stdout.write(f"Refresh job #{job.pk}: {job.state}.")
            return
        written = figures_refresh_changed()
        if written is None:
            self.stdout.write("Another refresh is running; nothing done.")
            return
        self.stdout.write(f"{written} summary rows written.")
