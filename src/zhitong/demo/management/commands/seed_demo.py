"""`manage.py seed_demo`: build the demo district (武昌区), or N districts for benchmarks."""

import logging
import time
from contextlib import contextmanager
from pathlib import PurePath

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext as _

from zhitong.accounts.models import User
from zhitong.demo.accounts import DEMO_USERNAMES
from zhitong.demo.builder import MAX_SCALE, seed
from zhitong.deputies.models import DeputyGroup, DeputyMembership
from zhitong.notifications.models import Channel, Message, MessageStatus, Notification
from zhitong.regions.models import Region
from zhitong.stations.models import DutyRota, Station, StationAssignment
from zhitong.units.models import Category, CategoryRoute, HandlingUnit


class Command(BaseCommand):
    help = _("生成演示数据：武昌区的街道、社区、代表、联络站、小组、承办单位、分类和演示账号。")

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help=_("生成的区数（第一个为武昌区，其余为演示区），用于性能测试。"),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("在未开启 DEBUG 时也生成（演示账号的密码是公开的，切勿用于生产环境）。"),
        )

        parser.add_argument(
            "--no-opinions",
            action="store_false",
            dest="opinions",
            help=_("不生成演示意见（半年的意见办理过程，要经过各项办理服务，需要较长时间）。"),
        )

        parser.add_argument(
            "--no-suggestions",
            action="store_false",
            dest="suggestions",
            help=_("不生成演示代表建议（一次人代会会议的建议办理过程，要经过各项办理服务）。"),
        )
        parser.add_argument(
            "--no-router",
            action="store_false",
            dest="router",
            help=_("不训练演示分类模型（由随附的真实留言训练，为新意见建议分类）。"),
        )

    def handle(self, *args, scale, force, opinions=True, suggestions=True, router=True, **options):
        # Demo accounts carry a published password: never seed a production database
        # by accident. Test databases are fine (Django runs tests without DEBUG).
        if not (settings.DEBUG or force or is_test_database()):
            raise CommandError(
                _("演示数据含公开密码的账号，只能在 DEBUG 模式下生成；确需生成请加 --force。")
            )
        if not 1 <= scale <= MAX_SCALE:
            raise CommandError(_("--scale 必须在 1 到 %(max)d 之间。") % {"max": MAX_SCALE})
        started = time.perf_counter()
        last_message = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        notifications = Notification.objects.count()
        with _one_line_per_message_quieted():
            result = seed(
                scale, with_opinions=opinions, with_suggestions=suggestions, with_router=router
            )
        elapsed = time.perf_counter() - started
        if result.built:
            self.stdout.write(_("已生成：%(names)s") % {"names": "、".join(result.built)})
        if result.skipped:
            self.stdout.write(
                _("已存在，未重复生成：%(names)s") % {"names": "、".join(result.skipped)}
            )
        self.print_sent(last_message, Notification.objects.count() - notifications)
        self.stdout.write(self.style.SUCCESS(_("用时 %(s).1f 秒。") % {"s": elapsed}))
        self.print_summary()

    def print_sent(self, last_message: int, notifications: int):
        """What the services sent while the demo opinions were handled, counted here: the
        console sender's line per message is quieted while seeding."""
        messages = Message.objects.filter(pk__gt=last_message)
        if not (notifications or messages.exists()):
            return
        sent = messages.filter(status=MessageStatus.SENT)
        self.stdout.write(
            _("办理演示意见时发出：站内通知 %(notes)d 条，短信 %(sms)d 条，邮件 %(email)d 条。")
            % {
                "notes": notifications,
                "sms": sent.filter(channel=Channel.SMS).count(),
                "email": sent.filter(channel=Channel.EMAIL).count(),
            }
        )
        failed = messages.exclude(status=MessageStatus.SENT).count()
        if failed:
            self.stdout.write(self.style.WARNING(_("发送失败 %(n)d 条。") % {"n": failed}))

    def print_summary(self):
        rows = [(_("行政区划"), _by(Region.objects, "level"))]
        rows.append((_("代表联络站点"), _by(Station.objects, "kind")))
        rows.append((_("代表资格"), _by(DeputyMembership.objects, "level")))
        rows.append((_("代表小组"), _by(DeputyGroup.objects, "kind")))
        rows.append((_("承办单位"), _by(HandlingUnit.objects, "kind")))
        self.stdout.write(_("数据总数："))
        for label, counts in rows:
            detail = "，".join(f"{k} {v}" for k, v in counts.items())
            self.stdout.write(f"  {label}：{sum(counts.values())}（{detail}）")
        singles = [
            (_("进站代表"), StationAssignment.objects.count()),
            (_("轮值安排"), DutyRota.objects.count()),
            (_("分类"), Category.objects.count()),
            (_("分类交办规则"), CategoryRoute.objects.count()),
            (_("演示账号"), User.objects.filter(username__in=DEMO_USERNAMES.values()).count()),
        ]
        for label, count in singles:
            self.stdout.write(f"  {label}：{count}")


@contextmanager
def _one_line_per_message_quieted():
    """The console sender logs each message it "sends" (INFO): hundreds while the demo
    opinions are handled. They are counted in the summary instead; failures (WARNING)
    still show."""
    senders = logging.getLogger("zhitong.notifications")
    level = senders.level
    if senders.getEffectiveLevel() < logging.WARNING:
        senders.setLevel(logging.WARNING)
    try:
        yield
    finally:
        senders.setLevel(level)


def is_test_database() -> bool:
    """True on a database Django's test runner created (test_… or in-memory SQLite)."""
    name = str(connection.settings_dict["NAME"])
    return PurePath(name).name.startswith("test_") or "mode=memory" in name or name == ":memory:"


def _by(manager, field):
    """Counts per choice of `field`, labelled with the choice's display name."""
    choices = manager.model._meta.get_field(field).choices
    counts = {row[field]: row["n"] for row in manager.values(field).annotate(n=Count("pk"))}
    return {str(label): counts[value] for value, label in choices if value in counts}
