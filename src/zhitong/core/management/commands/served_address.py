"""`manage.py served_address --host H --port P`: the PUBLIC_BASE_URL for a development server
on H:P, the machine's local-network address when H is 0.0.0.0 (`make run` sets it so)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhitong.core.netaddr import served_base_url


class Command(BaseCommand):
    help = _("输出开发服务器的公开地址（PUBLIC_BASE_URL）。")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host, port, **options):
        self.stdout.write(served_base_url(host, port))
