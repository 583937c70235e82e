"""The address the site is served at (本机地址): what `make run` puts in PUBLIC_BASE_URL, so the
QR codes, links and SMS it makes open on a phone on the same network.

The address a phone can reach is the machine's own on the local network, not 127.0.0.1 (the
phone itself) nor 0.0.0.0 (every interface, an address nobody can open).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

# Hosts that mean "every interface": the server listens on all, a phone needs a real one.
ALL_INTERFACES = frozenset({"0.0.0.0", "::", "[::]", ""})  # noqa: S104 (names, not a bind)
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
# A documentation address (RFC 5737): connecting a UDP socket to it sends nothing, it only
# makes the system choose the interface it would use to leave the machine.
_PROBE = ("192.0.2.1", 9)


def lan_ip() -> str | None:
    """The machine's address on its local network, or None when it has none (offline)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_PROBE)
            address = probe.getsockname()[0]
    except OSError:
        return None
    if not address or ipaddress.ip_address(address).is_loopback or address == "0.0.0.0":  # noqa: S104
        return None
    return address


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    """An IPv6 literal in brackets, as a URL needs it; anything else as given."""
    bare = host.strip("[]")
    try:
        if ipaddress.ip_address(bare).version == 6:
            return f"[{bare}]"
    except ValueError:
        pass
    return host


def served_base_url(host: str, port: int | str, *, lan: str | None = None) -> str:
    """The base URL for a server listening on `host`:`port`.

    On every interface (0.0.0.0, ::) it is the machine's local-network address (`lan`, or
    found), so a phone on the same network can open it; without a network, 127.0.0.1.
    """
    if host.strip() in ALL_INTERFACES:
        host = lan or lan_ip() or "127.0.0.1"
    return f"http://{_url_host(host.strip())}:{int(port)}"


def phone_hint(host: str, port: int, *, base_url: str, lan: str | None) -> str:
    """One sentence on how a phone on the same network opens the site that a development
    server on `host`:`port` serves, with `base_url` as its public address."""
    if host.strip() in ALL_INTERFACES:
        if lan is None and is_loopback(urlsplit(base_url).hostname or ""):
            return _(
                "本机没有连上局域网，手机暂时打不开：连上网络后重新运行 make run HOST=0.0.0.0。"
            )
        return _("手机连上同一个局域网（Wi-Fi），打开 %(url)s 或扫描站点海报上的二维码。") % {
            "url": base_url + "/"
        }
    if is_loopback(host):
        if lan is None:
            return _(
                "现在只有本机能打开：要让同一局域网里的手机扫码访问，请运行 make run HOST=0.0.0.0。"
            )
        return _(
            "现在只有本机能打开：要让同一局域网里的手机扫码访问，请运行 make run HOST=0.0.0.0"
            "（手机将打开本机局域网地址 %(url)s）。"
        ) % {"url": served_base_url("0.0.0.0", port, lan=lan) + "/"}  # noqa: S104
    return _("手机连上同一个局域网，打开 %(url)s。") % {"url": base_url + "/"}
