"""A form sent in a text encoding other than UTF-8 gets a page that says so (400), on every form the site takes.

Django refuses such a form, and its own 400 handler then checks the CSRF token, which reads the form
again and failed with a 500; the site's handler reads nothing more. Every request here carries a
valid CSRF cookie and token, as a browser would, so the form is read.
"""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from guides.models import Guide, PageVote, StepOutcome

GUIDE = "tiktok-messages"
CAUSE = "network-connectivity"
UNREADABLE = "This form arrived in a text encoding we can&#x27;t read: only UTF-8 is accepted."
PUBLIC_FORMS = [
    reverse("guides:diagnose_feedback", args=[GUIDE]),
    reverse("guides:helpful_feedback", args=[GUIDE]),
    reverse("guides:cause_helpful_feedback", args=[GUIDE, CAUSE]),
    reverse("admin:login"),
]
# Encodings Python knows that are not UTF-8, including ones that are no text encoding at all.
OTHER_ENCODINGS = ["utf-7", "UTF-7", "utf-16", "utf-32", "latin-1", "cp1252", "shift_jis", "rot13", "base64", "utf8"]


@pytest.fixture
def visitor(db):
    """A client that enforces CSRF like a real browser session: it holds the cookie and a form's token."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    page = client.get(reverse("admin:login")).content.decode()
    client.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return client


def post(client: Client, path: str, charset: str, **fields) -> object:
    body = "&".join(f"{name}={value}" for name, value in {"csrfmiddlewaretoken": client.csrf, **fields}.items())
    content_type = f"application/x-www-form-urlencoded; charset={charset}"
    return client.generic("POST", path, data=body.encode(), content_type=content_type)


@pytest.mark.parametrize("charset", OTHER_ENCODINGS)
@pytest.mark.parametrize("path", PUBLIC_FORMS)
def test_a_form_in_another_encoding_gets_a_page_that_says_so(visitor, seed_guide, path, charset):
    response = post(visitor, path, charset, outcome="fixed", answer="yes", username="alex", password="x" * 12)

    assert response.status_code == 400
    page = response.content.decode()
    assert UNREADABLE in page
    assert f'href="{reverse("guides:index")}"' in page  # a way on
    assert not StepOutcome.objects.exists()
    assert not PageVote.objects.exists()


@pytest.mark.parametrize("charset", ["utf-7", "utf-16"])
def test_an_editors_admin_form_in_another_encoding_gets_the_same_page(visitor, seed_guide, charset):
    editor = User.objects.create_superuser("alex", password="a long enough password")
    visitor.force_login(editor)
    page = visitor.get(reverse("admin:guides_guide_change", args=[seed_guide.pk])).content.decode()
    visitor.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = post(visitor, reverse("admin:guides_guide_change", args=[seed_guide.pk]), charset, title="Changed")

    assert response.status_code == 400
    assert UNREADABLE in response.content.decode()
    assert Guide.objects.get(pk=seed_guide.pk).title == seed_guide.title


@pytest.mark.parametrize("path", PUBLIC_FORMS)
def test_a_charset_python_does_not_know_is_read_as_utf8(visitor, seed_guide, path):
    """Django ignores a charset it cannot look up: the form gets the answer the same form in UTF-8 gets."""
    fields = {"outcome": "fixed", "answer": "yes", "username": "alex", "password": "x" * 12}

    unknown = post(visitor, path, "x-no-such-encoding", **fields)
    utf8 = post(visitor, path, "utf-8", **fields)

    assert unknown.status_code == utf8.status_code
    assert unknown.status_code != 500
    assert UNREADABLE not in unknown.content.decode()
