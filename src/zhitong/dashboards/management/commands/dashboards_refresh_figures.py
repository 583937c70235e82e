"""Recompute the opinion figures summary for the days changed since the last run (cron)."""

from django.core.management.base import BaseCommand

from zhitong.dashboards.services import figures_refresh_changed


class Command(BaseCommand):
    help = "重新计算自上次运行以来有变化的意见统计（每几分钟由定时任务运行）。"

    def handle(self, *args, **options):
        written = figures_refresh_changed()
        if written is None:
            self.stdout.write("Another refresh is running; nothing done.")
            return
        self.stdout.write(f"{written} summary rows written.")
