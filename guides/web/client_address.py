"""Who is asking: the address the rate limits and the sign-in lockout count by."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The visitor's address (feedback rate limit, sign-in lockout): behind N trusted proxies, what the outermost saw.

    Each proxy appends the address it was reached from to X-Forwarded-For, so only the last N entries
    were written by proxies we trust; whatever a client sends sits to their left and is never read.
    `settings.TRUSTED_PROXY_COUNT` (DJANGO_TRUSTED_PROXIES) is N:

    - 0: nothing in front (gunicorn faces the internet): the socket's address; the header is ignored.
    - 1: nginx in front (it sets the header with $proxy_add_x_forwarded_for): the last entry.
    - 2: a CDN or load balancer, then nginx: the second entry from the right.

    A header with fewer than N entries, or an entry that is not an address, did not come through all
    our proxies: the socket's address is used then. Set N no higher than the proxies really there, and
    let only the proxy reach gunicorn, or anyone can write the entry that is read.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if hops and len(forwarded) >= hops:
        try:
            return one_visitor(ipaddress.ip_address(forwarded[-hops]))
        except ValueError:
            pass
    try:
        return one_visitor(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return request.META.get("REMOTE_ADDR", "")


def one_visitor(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """The address standing for everyone who holds it: an IPv4 address, or the first address of an IPv6 /64.

    An IPv6 subscriber is handed a whole /64 (2^64 addresses) and picks new ones at will, so counting
    each address apart would give one visitor endless allowances; the /64 is what one line or one
    household holds. An IPv4 address written in IPv6 form (::ffff:203.0.113.9) is that IPv4 address.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False).network_address)
    return str(address)
