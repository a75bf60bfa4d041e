"""Pages that browsers, a proxy or a CDN may keep, and what none of them may.

A guide page is the same for every visitor who is not signed in, so it is rendered
once per content version, kept in the shared cache already compressed, and sent with
`Cache-Control: public` and an ETag made from the content version: a browser that
asks again with `If-None-Match` gets a 304 before anything is rendered or read.
Anything personal (a signed-in editor's page, a response that sets a cookie or
carries a CSRF token) is marked `private, no-store` so no shared cache keeps it.
"""

import functools
import gzip
import hashlib
import logging
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)

from guides import content_cache
from guides.local_copies import LocalCopies

logger = logging.getLogger(__name__)

# Our own copy lives at most this long; a content save replaces it sooner.
PAGE_CACHE_SECONDS = 60 * 60
# Browsers and shared caches: short, so an edit shows within minutes even where we can't purge,
# and a little longer if the site is slow to answer (stale-while-revalidate).
BROWSER_SECONDS = 5 * 60
STALE_SECONDS = 60
# Shared caches (nginx in front, a CDN) keep a copy only this long, then ask again with the ETag: an
# edit or an unpublish reaches every visitor within these seconds, and nginx needs no purge.
SHARED_CACHE_SECONDS = 5
# Below this a page gains nothing from gzip.
COMPRESS_MIN_BYTES = 200
# Each process also keeps the pages it served last in memory (about 60 KB each).
_local_pages = LocalCopies(200)


def shared_page(view):
    """Serve visitors who are not signed in one copy per content version, with HTTP caching headers.

    Signed-in staff always get a fresh page (with the draft banner where it applies), marked private.
    The query string is ignored: these pages take none.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response
        version = content_cache.current_version()
        name = page_name(request.path)
        if version == content_cache.UNREACHABLE:  # nothing to key a copy or an ETag on
            return _public(view(request, *args, **kwargs), etag=None)
        etag = _etag(version, name)
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return _public(not_modified, etag)
        key = content_cache.versioned_key(name)
        entry = _local_pages.get(key) or cache.get(key)
        if not (isinstance(entry, tuple) and len(entry) == 2):
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.cookies:
                return response
            entry = (response.content, _compressed(response.content))
            cache.set(key, entry, timeout=PAGE_CACHE_SECONDS)
        _local_pages.keep(key, entry)
        return _public(_from_entry(request, entry), etag)

    return wrapper


def public_start(view):
    """The troubleshooter's first screen: the same for every visitor, so browsers and CDNs may keep it.

    Only the bare address qualifies: a screen after answers is one visitor's path, and a
    screen with a form carries a CSRF token (the middleware below makes that one private).
    The view keeps its own cache of the rendered screen; this adds the ETag and the 304.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.META.get("QUERY_STRING") or request.htmx or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        version = content_cache.current_version()
        if version == content_cache.UNREACHABLE:
            return view(request, *args, **kwargs)
        etag = _etag(version, f"start:{deploy_fingerprint()}:{request.path}")
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return _public(not_modified, etag)
        return _public(view(request, *args, **kwargs), etag)

    return wrapper


def page_name(path: str) -> str:
    """The cached copy's name: a deploy that changes templates, static files or the site's address starts new copies.

    One copy per path, whatever Host the request named: the page names the configured site, never the request's.
    """
    return f"page:{deploy_fingerprint()}:{path}"


def _etag(version: str, name: str) -> str:
    return f'"{hashlib.sha256(f"{version}:{name}".encode()).hexdigest()[:20]}"'


def forget_local_pages() -> None:
    """Drop this process's copies (tests; the versioned keys retire them on their own in production)."""
    _local_pages.clear()


def _from_entry(request: HttpRequest, entry: tuple[bytes, bytes | None]) -> HttpResponse:
    body, compressed = entry
    if compressed is not None and re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(compressed)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(body)
    response.headers["Content-Length"] = str(len(response.content))
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def _compressed(body: bytes) -> bytes | None:
    """Compressed once, when the page enters the cache: never per request (and never with a CSRF token)."""
    if len(body) < COMPRESS_MIN_BYTES:
        return None
    return gzip.compress(body, compresslevel=6, mtime=0)


def _public(response: HttpResponse, etag: str | None) -> HttpResponse:
    """Mark a response shareable, unless it is personal (a cookie) or the view already said private."""
    said = response.headers.get("Cache-Control", "")
    if response.status_code in (200, 304) and not response.cookies and "private" not in said and "no-store" not in said:
        patch_cache_control(
            response,
            public=True,
            max_age=BROWSER_SECONDS,
            s_maxage=SHARED_CACHE_SECONDS,
            stale_while_revalidate=STALE_SECONDS,
        )
        if etag:
            response.headers["ETag"] = etag
    return response


@functools.cache
def deploy_fingerprint() -> str:
    """The templates, static files and site address this process serves: a deploy that changes them changes every ETag.

    The address is in every page (canonical link, structured data), so a new DJANGO_SITE_URL needs new copies too.
    """
    digest = hashlib.sha256(settings.SITE_URL.encode())
    for folder in (settings.BASE_DIR / "templates", settings.BASE_DIR / "static"):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(settings.BASE_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def private_when_personal(get_response):
    """Middleware: a response that sets a cookie, or is for a signed-in person, never goes into a shared cache."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if "no-store" in response.headers.get("Cache-Control", ""):
            return response  # nobody keeps it (the outage page: looking the user up would need the database)
        user = getattr(request, "user", None)
        if response.cookies or (user is not None and user.is_authenticated):
            response.headers.pop("ETag", None)
            add_never_cache_headers(response)
        return response

    return middleware
