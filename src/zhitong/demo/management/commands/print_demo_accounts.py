"""`manage.py print_demo_accounts`: the demo accounts, their password and where they land; with
`--host` and `--port` (as `make run` passes them), the address to open and how a phone on the
same network reaches it."""

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhitong.accounts.models import Role, User
from zhitong.core.netaddr import lan_ip, phone_hint
from zhitong.demo.accounts import (
    DEMO_ACCOUNTS,
    DEMO_HOME_PATH,
    DEMO_LOGIN_PATH,
    DEMO_PASSWORD,
    SUGGESTION_ACCOUNTS,
)


def _width(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = _("列出演示账号（角色、用户名、密码、登录后首页）。")

    def add_arguments(self, parser):
        parser.add_argument("--host", help=_("开发服务器监听的地址（make run 的 HOST）。"))
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host=None, port=8000, **options):
        # The demo suggestions add the government office's account (区政府办公室), which
        # confirms assignments; listed when it was made.
        accounts = [*DEMO_ACCOUNTS, *SUGGESTION_ACCOUNTS]
        present = set(
            User.objects.filter(username__in=[a.username for a in accounts]).values_list(
                "username", flat=True
            )
        )
        header = [_("角色"), _("用户名"), _("密码"), _("登录后首页")]
        rows = []
        for account in accounts:
            if account in SUGGESTION_ACCOUNTS and account.username not in present:
                continue
            note = "" if account.username in present else _("（未创建，请先运行 seed_demo）")
            # The government office is a unit account: named by what it is.
            role = (
                account.display_name
                if account in SUGGESTION_ACCOUNTS
                else str(Role(account.role).label)
            )
            rows.append(
                [
                    role,
                    account.username,
                    DEMO_PASSWORD,
                    DEMO_HOME_PATH + note,
                ]
            )
        widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
        line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        self.stdout.write(_("演示账号（仅供本地演示，密码公开，切勿用于生产环境）"))
        self.stdout.write(
            _("登录地址：%(url)s") % {"url": settings.PUBLIC_BASE_URL + DEMO_LOGIN_PATH}
        )
        self.stdout.write(line)
        for n, row in enumerate([header, *rows]):
            self.stdout.write(
                "| " + " | ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)) + " |"
            )
            if n == 0:
                self.stdout.write(line)
        self.stdout.write(line)
        if host is not None:
            self.stdout.write(
                _("二维码、链接和短信里的网址：%(url)s（PUBLIC_BASE_URL）")
                % {"url": settings.PUBLIC_BASE_URL}
            )
            self.stdout.write(
                phone_hint(host, port, base_url=settings.PUBLIC_BASE_URL, lan=lan_ip())
            )
