"""`manage.py publish_workdays <year> <file.csv> --source ... --as <username>`: enter a year's schedule."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhitong.core.models import Event
from zhitong.workdays.csvfile import parse_calendar_csv
from zhitong.workdays.services import calendar_year_publish


class Command(BaseCommand):
    help = (
        "从 CSV 文件（日期,类型,名称）发布一年的放假安排，替换该年已有的节假日和调休上班日。"
        "类型写 holiday/休 或 makeup_workday/班。"
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="年份，如 2027")
        parser.add_argument("file", type=Path, help="CSV 文件（UTF-8）：日期,类型,名称")
        parser.add_argument(
            "--source",
            required=True,
            help="来源，如“国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）”",
        )
        parser.add_argument(
            "--as", dest="username", required=True, help="以哪个账号的名义发布（须有发布权限）"
        )

    def handle(self, *args, year, file, source, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"没有账号“{username}”。") from None
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            content = file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError("文件不是 UTF-8 编码，请另存为 UTF-8 的 CSV。") from None
        try:
            days = parse_calendar_csv(content)
            calendar_year = calendar_year_publish(year=year, days=days, source=source, by=user)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(f"文件有 {len(error.messages)} 处错误，没有做任何修改。") from None

        event = Event.objects.for_object(calendar_year).order_by("-occurred_at", "-id").first()
        diff = event.data if event else {}
        self.stdout.write(
            self.style.SUCCESS(
                f"已发布{year}年放假安排：新增 {len(diff.get('added', []))} 天，"
                f"删除 {len(diff.get('removed', []))} 天，修改 {len(diff.get('changed', []))} 天。"
            )
        )
