"""Back up the database (online) and the uploaded files into a new folder."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhitong.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库（运行中也可）和上传的文件到一个新文件夹，附清单（manifest.json）。"

    def add_arguments(self, parser):
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        parser.add_argument(
            "--to", default=f"backups/zhitong-{stamp}", help="the new folder (must not exist)"
        )

    def handle(self, *args, to, **options):
        try:
            manifest = backup_create(Path(to))
        except (BackupError, FileExistsError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"备份完成：{to}（{manifest['vendor']}，{len(manifest['counts'])} 张表，"
            f"{sum(manifest['counts'].values())} 行，{manifest['timeline']['events']} 条办理记录，"
            f"{manifest['media_files']} 个文件）"
        )
