"""An admin save that cannot be written gets a page that says so, not a server error.

A full disk or a read-only database makes the view's transaction roll back; the editor's form is
one Back away, so the page tells them what happened and that nothing was saved.
"""

import logging

from django.contrib import admin
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from guides.content_cache import VersionNotChanged

logger = logging.getLogger(__name__)


def unless_unwritable(request: HttpRequest, view, *args, **kwargs) -> HttpResponse:
    """Run an admin view; a POST the database or the cache could not write answers 503 in words."""
    try:
        return view(request, *args, **kwargs)
    except (DatabaseError, OSError, VersionNotChanged) as error:
        if request.method != "POST":
            raise
        logger.warning("An admin save to %s failed: %s", request.path, error)
        context = {**admin.site.each_context(request), "title": "Not saved", "reason": _why(error)}
        return TemplateResponse(request, "admin/guides/not_saved.html", context, status=503)


def _why(error: Exception) -> str:
    text = str(error).lower()
    if isinstance(error, VersionNotChanged):
        return "the cache's disk is full"
    if "full" in text or "no space" in text:
        return "the database's disk is full"
    if "readonly" in text or "read-only" in text:
        return "the database is read-only"
    return "the database did not answer"
