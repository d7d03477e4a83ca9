"""The one answer to "who is calling?", for every rate limit (API, dashboard, portal).

Behind reverse proxies REMOTE_ADDR is the nearest proxy's address, shared by every
client: limits keyed on it lock everyone out at once. Each proxy appends the address it
saw to the forwarded-for header, so the header is read from the right, skipping hops we
trust (TRUSTED_PROXY_COUNT of them, or any address in TRUSTED_PROXY_RANGES); the first
other hop is the client. Entries further left are the client's own to forge, never read.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(ranges):
    return tuple(ipaddress.ip_network(r, strict=False) for r in ranges)


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request):
    remote = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXY_RANGES", ())))
    if not count and not networks:
        return remote
    header = request.META.get(getattr(settings, "CLIENT_IP_HEADER", "HTTP_X_FORWARDED_FOR"), "")
    hops = [_address(hop) for hop in header.split(",") if hop.strip()] + [_address(remote)]
    index, skipped = len(hops) - 1, 0
    while (
        index > 0
        and hops[index] is not None
        and (skipped < count or any(hops[index] in network for network in networks))
    ):
        index, skipped = index - 1, skipped + 1
    # A malformed entry is nobody's address: the nearest well-formed hop to its right stands in.
    while hops[index] is None and index < len(hops) - 1:
        index += 1
    return str(hops[index]) if hops[index] is not None else remote
