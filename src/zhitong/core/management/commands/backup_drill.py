"""Restore a backup into a fresh database and check it against its manifest (a drill)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhitong.core.backup import BackupError, restore_drill


class Command(BaseCommand):
    help = "恢复演练：把备份恢复到一个新的临时数据库，核对每张表的行数、办理记录和文件。"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a folder written by backup_create")

    def handle(self, *args, folder, **options):
        try:
            report = restore_drill(Path(folder))
        except BackupError as error:
            raise CommandError(str(error)) from error
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError("恢复演练失败：恢复出的数据与备份清单不符。")
        self.stdout.write(
            f"恢复演练通过：{report.tables} 张表，{report.rows} 行，"
            f"{report.events} 条办理记录与备份时一致，{report.media_files} 个文件。"
        )
