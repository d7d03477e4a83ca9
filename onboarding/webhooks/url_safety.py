"""Where webhooks may be sent: checked at registration and again before each delivery."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeUrl(ValueError):
    pass


def check_url(url):
    """Raise UnsafeUrl with a message an integrator can act on; otherwise return the
    vetted addresses to connect to (empty when private addresses are allowed).

    In production the scheme must be https; hosts resolving to loopback,
    private, link-local or otherwise non-public addresses are refused unless
    WEBHOOK_ALLOW_PRIVATE_URLS is set (development and tests).
    """
    parts = urlsplit(url or "")
    allowed_schemes = ("https",) if settings.PRODUCTION else ("https", "http")
    if parts.scheme not in allowed_schemes:
        raise UnsafeUrl(f"The URL must start with {' or '.join(s + '://' for s in allowed_schemes)}.")
    if not parts.hostname:
        raise UnsafeUrl("The URL has no host.")
    if parts.username or parts.password:
        raise UnsafeUrl("Credentials in the URL are not accepted; sign requests with the endpoint secret instead.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeUrl("The URL has an invalid port.") from None
    if getattr(settings, "WEBHOOK_ALLOW_PRIVATE_URLS", False):
        return []
    addresses = _resolve(parts.hostname, port)
    if not all(_public(address) for address in addresses):
        raise UnsafeUrl("The URL's host resolves to a private, loopback or link-local address.")
    return sorted(str(address) for address in addresses)


def _public(address):
    return address.is_global and not address.is_multicast


def _resolve(host, port):
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeUrl("The URL's host name cannot be resolved.") from None
    addresses = set()
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        # An IPv4-mapped IPv6 address is judged by the IPv4 address it carries.
        addresses.add(getattr(address, "ipv4_mapped", None) or address)
    return addresses
