"""The site's own address, from configuration (DJANGO_SITE_URL), for every link meant to outlive the page.

Canonical links, the sitemap, robots.txt and structured data tell search engines which address to keep.
Built from the request, they would name whatever Host and X-Forwarded-Proto a client sent straight to
gunicorn, and a page cached for everyone would carry that client's choice to every later visitor.
"""

from urllib.parse import urlsplit

from django.conf import settings


def absolute_url(path: str) -> str:
    """The address of a path of this site, as search engines should know it."""
    return f"{settings.SITE_URL}{path}"


def scheme() -> str:
    return urlsplit(settings.SITE_URL).scheme


def domain() -> str:
    """The host name, with the port if it names one."""
    return urlsplit(settings.SITE_URL).netloc
