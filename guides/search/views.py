import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from guides.search.index import get_index

logger = logging.getLogger(__name__)


SEARCH_QUERY_MAX = 200


@require_safe
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
