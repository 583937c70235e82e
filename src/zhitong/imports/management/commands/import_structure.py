"""`manage.py import_structure <kind> <file> --as <username>`: the upload page's import, from a shell."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhitong.imports.models import ImportKind
from zhitong.imports.services import import_structure
from zhitong.regions.models import Region, RegionLevel


class Command(BaseCommand):
    help = "从 .xlsx 文件导入代表名册、联络站点或承办单位（与网页导入相同的检查）。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ImportKind.values, help="deputies | stations | units")
        parser.add_argument("file", type=Path, help="要导入的 .xlsx 文件")
        parser.add_argument(
            "--as", dest="username", required=True, help="以哪个账号的名义导入（须有导入权限）"
        )
        parser.add_argument(
            "--region",
            help="导入到哪个区（区划代码或名称）；账号的工作范围就是一个区时可省略",
        )

    def handle(self, *args, kind, file, username, region=None, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(_("没有账号“%(name)s”。") % {"name": username}) from None
        target = self._target_region(user, region)
        if not file.is_file():
            raise CommandError(_("找不到文件：%(file)s") % {"file": file})
        try:
            with file.open("rb") as handle:
                batch = import_structure(
                    kind=kind, file=handle, file_name=file.name, region=target, by=user
                )
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None

        if batch.succeeded:
            self.stdout.write(
                self.style.SUCCESS(
                    _("导入成功（批次 #%(pk)d）：新增%(noun)s %(count)d 条。")
                    % {"pk": batch.pk, "noun": batch.record_noun, "count": batch.created_count}
                )
            )
            for key, count in batch.summary.items():
                self.stdout.write(f"  {key}: {count}")
            return
        for error in batch.errors:
            row = _("第 %(row)d 行") % {"row": error["row"]} if error["row"] else _("整个文件")
            column = f"「{error['column']}」" if error["column"] else ""
            value = f"（{error['value']}）" if error["value"] else ""
            self.stderr.write(f"{row}{column}{value}：{error['message']}")
        raise CommandError(
            _("文件有 %(count)d 处错误，没有导入任何数据（批次 #%(pk)d）。")
            % {"count": batch.error_count, "pk": batch.pk}
        )

    def _target_region(self, user, value):
        if value:
            matches = list(Region.objects.filter(level=RegionLevel.DISTRICT, code=value)) or list(
                Region.objects.filter(level=RegionLevel.DISTRICT, name=value)
            )
            if len(matches) != 1:
                raise CommandError(
                    _("找不到唯一的区“%(value)s”，请用区划代码。") % {"value": value}
                )
            return matches[0]
        if user.region_id and user.region.level == RegionLevel.DISTRICT:
            return user.region
        raise CommandError(_("请用 --region 指定导入到哪个区。"))
