"""`manage.py handling_check_deadlines [--today YYYY-MM-DD]`: record deadlines that passed.

Run it daily (cron, or a scheduled task) after midnight Asia/Shanghai. Each passing of a
assignment's due date (an opinion's referral, a suggestion's assignment ...) is recorded
once as an event on its case, and the unit and the staff over the district are notified.
Then the cases whose reply nobody rated within the working days their process allows are
closed as 默认满意 (replies_close_unrated), and each process runs its own daily check
(Process.daily: a suggestion's commitments overdue). Running it twice, or on two machines, records
nothing twice.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from zhitong.handling.services import (
    deadlines_record_passings,
    processes_daily,
    replies_close_unrated,
)


class Command(BaseCommand):
    help = (
        "记录已超过办理期限的交办事项（每个期限只记录一次），并通知承办单位和工作人员；"
        "再把答复后逾期无人评价的事项按“默认满意”办结。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="交给后台任务执行（失败会自动重试，并在“后台任务”页面显示）。",
        )
        parser.add_argument(
            "--today",
            help="按哪一天检查（YYYY-MM-DD，默认今天，北京时间）；用于补跑。",
        )

    def handle(self, *args, today=None, enqueue=False, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"日期格式不对：{today}，应为 YYYY-MM-DD。") from None
        if enqueue:
            from zhitong.handling.jobs import passings_enqueue

            job = passings_enqueue(day)
            self.stdout.write(f"已交给后台任务 #{job.pk}。")
            return
        count = deadlines_record_passings(today=day)
        closed = replies_close_unrated(today=day)
        # Each process's own daily check (Process.daily; suggestions: commitments overdue).
        own = processes_daily(today=day)
        self.stdout.write(
            f"记录超期 {count} 件；逾期未评价、按默认满意办结 {closed} 件；各业务的每日检查记录 {own} 件。"
        )
