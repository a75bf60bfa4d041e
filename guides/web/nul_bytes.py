"""No address of ours holds a NUL character, and PostgreSQL refuses one in any text it is asked to compare.

The admin passes parts of its addresses to the database: an object's id (its history), a search, an
autocomplete term. A NUL there made PostgreSQL fail (a 500) where SQLite found nothing. Refusing it
before any view runs gives the same clear answer on every database: 404 for a path no page has,
400 for an admin address whose query cannot be looked up. The public pages read their queries in
memory (search, the troubleshooter) and keep answering them, NUL or not.
"""

from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from guides.web.views import page_not_found

NUL = "\x00"
MESSAGE = "This address contains a character no page of ours uses (a NUL byte). Check the address and try again."


def refuse_nul_bytes(get_response):
    """Middleware: a NUL in the path is a page we don't have (404); in an admin address's query, a bad request (400)."""
    admin = reverse("admin:index")

    def middleware(request: HttpRequest) -> HttpResponse:
        if NUL in request.path:
            return page_not_found(request)
        if request.path.startswith(admin) and NUL in unquote_plus(request.META.get("QUERY_STRING", "")):
            return render(request, "problem.html", {"message": MESSAGE}, status=400)
        return get_response(request)

    return middleware
