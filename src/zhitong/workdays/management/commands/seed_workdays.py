"""`manage.py seed_workdays --as <username>`: publish the years the chinesecalendar package knows."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhitong.workdays.models import CalendarYear
from zhitong.workdays.seed import (
    SEED_FIRST_YEAR,
    package_calendar_days,
    package_source,
    package_years,
)
from zhitong.workdays.services import calendar_year_publish


class Command(BaseCommand):
    help = (
        "用 chinesecalendar 包的数据发布它已知、本系统尚未发布的年份（升级该包后使用）；"
        "已发布的年份不动，除非用 --replace。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, action="append", dest="years", help="只处理这些年份（可重复）"
        )
        parser.add_argument("--replace", action="store_true", help="已发布的年份也用包里的数据替换")
        parser.add_argument(
            "--as", dest="username", required=True, help="以哪个账号的名义发布（须有发布权限）"
        )

    def handle(self, *args, years=None, replace=False, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"没有账号“{username}”。") from None
        known = package_years()
        if years:
            unknown = sorted(year for year in years if year not in known)
            if unknown:
                raise CommandError(
                    f"{package_source()} 没有这些年份的数据：{'、'.join(map(str, unknown))}。"
                    "请按国务院办公厅通知用 publish_workdays 录入。"
                )
        else:
            years = [year for year in known if year >= SEED_FIRST_YEAR]
        published = set(
            CalendarYear.objects.filter(status=CalendarYear.Status.PUBLISHED).values_list(
                "year", flat=True
            )
        )
        done = []
        for year in sorted(set(years)):
            if year in published and not replace:
                continue
            try:
                calendar_year_publish(
                    year=year,
                    days=package_calendar_days(year),
                    source=package_source(),
                    by=user,
                )
            except (PermissionDenied, ValidationError) as error:
                raise CommandError(
                    f"{year}年：{'；'.join(getattr(error, 'messages', [str(error)]))}"
                ) from None
            done.append(year)
        if done:
            self.stdout.write(
                self.style.SUCCESS(f"已发布：{'、'.join(map(str, done))}（{package_source()}）。")
            )
        else:
            self.stdout.write("没有需要发布的年份。")
