"""Admin POSTs no page of ours could have sent: refused with a 400 before Django or nested_admin read them.

nested_admin builds a list as long as a form's INITIAL_FORMS says and looks up every row id posted: a
forged count of 10^30 ran a worker out of memory, and a row id "abc" or of 30 digits raised a server
error. The publish action looked up whatever ids it was sent in the same way. A page we showed sends
neither: counts of at most a few thousand rows and ids that are whole numbers.
"""

import re

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

# Row ids are database ids: whole numbers of at most 18 digits (a 64-bit integer has 19).
_ID = re.compile(r"\A[0-9]{1,18}\Z")
# A form never holds ten thousand rows of one kind: the admin pages cap them well below that.
_COUNT = re.compile(r"\A[0-9]{1,4}\Z")


def is_id(text: str) -> bool:
    """Whether a posted value can be a row's id: plain ASCII digits, so not "²", which isdigit() accepts."""
    return bool(_ID.match(text))


def forged(request: HttpRequest) -> HttpResponse | None:
    """A 400 in words for a POST whose row ids or row counts no admin page would send; None when it is fine."""
    if request.method != "POST":
        return None
    for key, values in request.POST.lists():
        if key.endswith(("-INITIAL_FORMS", "-TOTAL_FORMS")):
            wrong = [v for v in values if not _COUNT.match(v)]
        elif key.endswith("-id") or key == "_selected_action":
            wrong = [v for v in values if v and not is_id(v)]
        else:
            continue
        if wrong:
            return HttpResponseBadRequest(
                "This form was changed after the page sent it: a row's number or a count of rows is not one "
                "the page could have sent. Open the page again and make your change there.",
                content_type="text/plain; charset=utf-8",
            )
    return None
