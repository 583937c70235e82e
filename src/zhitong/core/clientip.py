"""The client's address, as rate limits and the login lockout count it.

Behind a reverse proxy every request comes from the proxy's address. The proxy appends
the address it saw to X-Forwarded-For; a client can send its own X-Forwarded-For, which
the proxy keeps on the left. So the header is read only when the request came from a
trusted proxy (settings.TRUSTED_PROXIES: addresses or networks), and it is walked from
the right past the trusted proxies: the first address that is not a proxy is the
client. A request that did not come through a trusted proxy is counted by REMOTE_ADDR,
whatever headers it carries.

IPv6 is counted by its /64: one household or one phone gets a whole /64, and any
address in it is theirs to use.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def trusted_networks() -> tuple[IPNetwork, ...]:
    """settings.TRUSTED_PROXIES (a list, or one comma-separated string) as networks."""
    spec = getattr(settings, "TRUSTED_PROXIES", None) or ()
    if isinstance(spec, str):
        spec = spec.split(",")
    return _networks(tuple(item.strip() for item in spec if item and item.strip()))


def _parse(text: str) -> IPAddress | None:
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _is_trusted(ip: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(ip.version == net.version and ip in net for net in networks)


def client_ip(request) -> IPAddress | None:
    """The client's own address (None when REMOTE_ADDR is not an address at all)."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    networks = trusted_networks()
    if remote is None or not networks or not _is_trusted(remote, networks):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    client = remote
    for hop in reversed(hops):
        ip = _parse(hop)
        if ip is None:
            # Not an address: nothing a trusted proxy wrote. Count the last one that was.
            break
        client = ip
        if not _is_trusted(ip, networks):
            break
    return client


def client_ip_text(request) -> str:
    """The client's own address as text (a whole IPv6 address): what the read records of
    core.audit keep. "" when there is none."""
    ip = client_ip(request)
    return "" if ip is None else str(ip)


def counted_network(ip: IPAddress) -> IPNetwork:
    """What one client is counted as: an IPv4 address, or an IPv6 /64."""
    prefix = 64 if ip.version == 6 else 32
    return ipaddress.ip_network(f"{ip}/{prefix}", strict=False)


def client_address(request) -> str:
    """The client as counted, as text: "203.0.113.5", or "2001:db8:1:2::/64"."""
    ip = client_ip(request)
    if ip is None:
        return request.META.get("REMOTE_ADDR", "")
    if ip.version == 4:
        return str(ip)
    return str(counted_network(ip))


def lockout_address(request) -> str | None:
    """The client for django-axes (AXES_CLIENT_IP_CALLABLE): as `client_address`, but an
    IPv6 /64 is given by its first address, since axes keeps it in an IP address field."""
    ip = client_ip(request)
    if ip is None:
        return None
    return str(counted_network(ip).network_address)
