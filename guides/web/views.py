import logging
import secrets
import sys
import uuid

from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from guides.web import outage, site_address
from guides.web.disk_cache import NO_ROOM

logger = logging.getLogger(__name__)


@require_safe
@cache_control(no_store=True)
def healthz(request: HttpRequest) -> HttpResponse:
    """The database and the cache, each in a word: 503 only without a database; a site without cache still serves.

    Reading is not enough: a full disk or a read-only database still answers SELECT 1 while every
    answer, vote and content save fails, so the database is also written to, and says "full" or
    "read-only" when it cannot be. The site still serves pages then (200); its parts say what is wrong.
    """
    report = {"status": "ok", "database": "ok", "cache": _cache_state()}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 -- any database failure means "unhealthy"
        report |= {"status": "error", "database": str(error.__class__.__name__)}
        return JsonResponse(report, status=503)
    report["database"] = _database_write_state()
    return JsonResponse(report)


# The probe row's size: more than a database page, and random so that nothing compresses it; it needs
# new pages as real saves do, and a database with no room left refuses it.
PROBE_BYTES = 8192


def _database_write_state() -> str:
    """Write a throwaway row and delete it in one committed transaction: a full disk refuses the commit
    (a rollback would write nothing), and nothing is left behind. The session table is there on every site.
    """
    key = f"healthz{uuid.uuid4().hex}"  # a session key holds at most 40 characters
    try:
        with transaction.atomic():
            data = secrets.token_hex(PROBE_BYTES // 2)
            Session.objects.create(session_key=key, session_data=data, expire_date=timezone.now())
            Session.objects.filter(session_key=key).delete()
    except DatabaseError as error:
        logger.warning("Health check: the database refuses writes: %s", error)
        return _refusal(error)
    return "ok"


def _refusal(error: DatabaseError) -> str:
    text = str(error).lower()
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    if "full" in text or "no space" in text or sqlstate == "53100":
        return "full"
    if "readonly" in text or "read-only" in text or sqlstate == "25006":
        return "read-only"
    return error.__class__.__name__


def _cache_state() -> str:
    """Whether the cache keeps what it is given; a backend that ignores outages (or a full disk) would hide one.

    The file cache drops what its disk has no room for (guides/web/disk_cache.py); its `store`
    raises instead, so a full disk shows here as "full" rather than "down".
    """
    token = uuid.uuid4().hex
    write = getattr(cache, "store", cache.set)
    try:
        write("healthz:probe", token, timeout=10)
        return "ok" if cache.get("healthz:probe") == token else "down"
    except OSError as error:
        logger.warning("Health check: the cache cannot write: %s", error)
        return "full" if error.errno in NO_ROOM else "down"
    except Exception:
        logger.warning("Health check: the cache is unreachable", exc_info=True)
        return "down"


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
    template = "guides/diagnose.html#problem" if request.htmx else "problem.html"
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
    return render(request, "problem.html", context, status=400)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exception(), outage.UNREACHABLE):  # the database failed outside a view (a middleware)
        return outage.outage_page(request)
    # Render without context processors' database work: the database may be why we are here.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
