from django.conf import settings
from django.db import connection
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from guides import structured_data
from guides.models import CauseFix, ChecklistItem, FAQEntry, Guide, Symptom
from guides.search_index import get_index

SEARCH_QUERY_MAX = 200


def visible_guides(request: HttpRequest):
    """Staff see drafts (with a banner); everybody else only what is published."""
    if request.user.is_staff:
        return Guide.objects.all()
    return Guide.objects.published()


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    guides = visible_guides(request).only("title", "slug", "summary", "published")
    return render(request, "guides/index.html", {"guides": guides})


@require_GET
def article(request: HttpRequest, slug: str) -> HttpResponse:
    guide = get_object_or_404(visible_guides(request), slug=slug)
    causes = guide.causes.prefetch_related(
        "facets", Prefetch("symptoms", queryset=Symptom.objects.only("title", "slug", "description_html"))
    )
    checklist = ChecklistItem.objects.filter(guide=guide).select_related("fix_step")
    faq = FAQEntry.objects.filter(guide=guide)
    context = {
        "guide": guide,
        "causes": causes,
        "checklist": checklist,
        "faq": faq,
        "canonical": request.build_absolute_uri(guide.get_absolute_url()),
    }
    context["json_ld"] = structured_data.article_json_ld(guide, faq, checklist, context["canonical"])
    return render(request, "guides/article.html", context)


@require_GET
def cause(request: HttpRequest, slug: str, cause_slug: str) -> HttpResponse:
    guide = get_object_or_404(visible_guides(request), slug=slug)
    cause = get_object_or_404(
        guide.causes.prefetch_related(
            "facets",
            "symptoms",
            "related",
            Prefetch("cause_fixes", queryset=CauseFix.objects.select_related("fix_step")),
        ),
        slug=cause_slug,
    )
    return render(
        request,
        "guides/cause.html",
        {
            "guide": guide,
            "cause": cause,
            "canonical": request.build_absolute_uri(cause.get_absolute_url()),
        },
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    if len(query) > SEARCH_QUERY_MAX:
        return render(
            request,
            "guides/search.html",
            {
                "query": query[:SEARCH_QUERY_MAX],
                "error": f"Please keep your search under {SEARCH_QUERY_MAX} characters.",
            },
            status=400,
        )
    results = get_index().search(query) if query else None
    return render(request, "guides/search.html", {"query": query, "results": results})


@require_GET
@cache_control(no_store=True)
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 -- any database failure means "unhealthy"
        return JsonResponse({"status": "error", "database": str(error.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; point them at the real icon."""
    return redirect(static("favicon.svg"), permanent=True)


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Render without context processors' database work: the database may be why we are here.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({"settings": settings}), status=500)


@require_GET
def diagnose(request: HttpRequest, slug: str) -> HttpResponse:
    guide = get_object_or_404(visible_guides(request), slug=slug)
    return render(request, "guides/diagnose.html", {"guide": guide})
