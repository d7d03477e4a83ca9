"""Where webhooks may be sent: checked at registration and again before each delivery."""

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeUrl(ValueError):
    pass


# What a URL may hold as it is: RFC 3986's characters. Anything else (a space, a quote, a
# non-ASCII letter) would be rewritten by the HTTP client, and the URL checked would not be the
# URL requested.
URL_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
# IPv6 forms that carry an IPv4 address, judged by the address they carry: NAT64 (64:ff9b::/96
# and the local-use 64:ff9b:1::/48) and IPv4-compatible ::a.b.c.d; 6to4 and Teredo are read by ipaddress.
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def normalize_url(url):
    """The URL as it will be requested, or UnsafeUrl: surrounding blanks dropped, and no
    character the HTTP client would rewrite."""
    url = (url or "").strip()
    if not URL_CHARACTERS.match(url):
        raise UnsafeUrl(
            "The URL may only hold URL characters: encode spaces and other characters "
            "(%20), and write international host names in their xn-- form."
        )
    return url


def check_url(url):
    """Raise UnsafeUrl with a message an integrator can act on; otherwise return the
    vetted addresses to connect to (empty when private addresses are allowed).

    In production the scheme must be https; hosts resolving to loopback,
    private, link-local or otherwise non-public addresses are refused unless
    WEBHOOK_ALLOW_PRIVATE_URLS is set (development and tests).
    """
    parts = urlsplit(normalize_url(url))
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
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return []
    addresses = _resolve(parts.hostname, port)
    if not all(_public(address) for address in addresses):
        raise UnsafeUrl("The URL's host resolves to a private, loopback or link-local address.")
    return sorted(str(address) for address in addresses)


def embedded_ipv4(address):
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if address.version == 4:
        return []
    carried = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if address in IPV4_COMPATIBLE or any(address in network for network in NAT64):
        carried.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [a for a in carried if a is not None]


def _public(address):
    return address.is_global and not address.is_multicast and all(_public(a) for a in embedded_ipv4(address))


def _resolve(host, port):
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeUrl("The URL's host name cannot be resolved.") from None
    addresses = set()
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        # An IPv4-mapped IPv6 address is connected to (and judged) as the IPv4 address it carries.
        addresses.add(getattr(address, "ipv4_mapped", None) or address)
    return addresses
