"""While the database is unreachable, a page that needs it says so in words (503), never "something went wrong".

Views that can do better keep catching the failure themselves: a troubleshooter screen still shows from
memory, an answer says it was not saved. Everything else that reads the database (an article or cause
page not in the cache, an unknown address, the sitemap, the admin's sign-in) ends up here instead of at
the 500 page, which would also report every request of the outage as a bug.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

# The failures of reaching the database (refused, dropped, timed out, locked, out of space), not bugs in a query.
UNREACHABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60
HEADING = "Something is down for a moment"
MESSAGE = "This page can't load right now because part of our site is down. Please try again in a minute."


def outage_page(request: HttpRequest) -> HttpResponse:
    """The page every database outage shows: the same words and template as the troubleshooter's."""
    context = {"heading": HEADING, "message": MESSAGE, "retry_label": "Try again"}
    if request.method in ("GET", "HEAD"):
        context["retry"] = request.get_full_path()
    response = render(request, "problem.html", context, status=503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)  # no proxy may keep the outage page for longer than the outage
    return response


class DatabaseOutageMiddleware:
    """Turns a view's failure to reach the database into the outage page, with one line in the log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, UNREACHABLE):
            return None
        logger.warning("The database is unreachable, %s got the outage page: %s", request.path, exception)
        return outage_page(request)
