import logging
import sys
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from guides.web import outage, site_address

logger = logging.getLogger(__name__)


@require_safe
@cache_control(no_store=True)
def healthz(request: HttpRequest) -> HttpResponse:
    """The database and the cache, each in a word: 503 only without a database; a site without cache still serves."""
    report = {"status": "ok", "database": "ok", "cache": "ok" if _cache_answers() else "down"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 -- any database failure means "unhealthy"
        report |= {"status": "error", "database": str(error.__class__.__name__)}
        return JsonResponse(report, status=503)
    return JsonResponse(report)


def _cache_answers() -> bool:
    """Whether the cache keeps what it is given; a backend that ignores outages would otherwise hide one."""
    token = uuid.uuid4().hex
    try:
        cache.set("healthz:probe", token, timeout=10)
        return cache.get("healthz:probe") == token
    except Exception:
        logger.warning("Health check: the cache is unreachable", exc_info=True)
        return False


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; point them at the real icon."""
    return redirect(static("favicon.svg"))  # not permanent: the hashed name changes with each deploy


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /guides/*/diagnose/?",  # the start page may be indexed; the steps, with their answers, not
        "Disallow: /guides/*/diagnose/feedback/",
        "Disallow: /guides/*/was-this-helpful/",  # the vote forms and their thank-you pages, article's and causes'
        f"Sitemap: {site_address.absolute_url(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form was sent without its security token, usually because cookies are blocked."""
    message = (
        "Your browser did not send the security cookie that goes with this form, so we could not accept it. "
        "If cookies are blocked for this site, allow them, reload the page and try again."
    )
    context = {"message": message, "retry": request.path.removesuffix("feedback/")}
    template = "guides/diagnose.html#problem" if request.htmx else "400.html"
    if "/was-this-helpful/" in request.path:  # the vote block, not the troubleshooter's panel
        context["retry_label"] = "Answer again"
        template = "guides/helpful.html#problem" if request.htmx else template
    return render(request, template, context, status=403)


# Browsers send forms in UTF-8 (our pages say so); Django refuses any other declared encoding.
UNREADABLE_ENCODING = (
    "This form arrived in a text encoding we can't read: only UTF-8 is accepted. "
    "Please go back, reload the page and send it again."
)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """A request Django could not read (a form in another encoding, too many fields): say so, and read nothing more.

    Django's own handler checks the CSRF token first, which reads the unreadable form again and ends in a 500.
    """
    context = {"message": UNREADABLE_ENCODING} if (request.encoding or "utf-8").lower() != "utf-8" else {}
    return render(request, "400.html", context, status=400)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exception(), outage.UNREACHABLE):  # the database failed outside a view (a middleware)
        return outage.outage_page(request)
    # Render without context processors' database work: the database may be why we are here.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
