"""A NUL character in an address gets the same clear answer on SQLite and PostgreSQL, never a 500.

PostgreSQL refuses text with a NUL in it, so an admin object id or autocomplete term holding one
failed there while SQLite simply found nothing. Run this file with DATABASE_URL pointing at
PostgreSQL to check that database too.
"""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from guides.models import Cause, FixStep, Guide

NUL_MESSAGE = "This address contains a character no page of ours uses (a NUL byte)."
NOT_FOUND = "We could not find that page"


@pytest.fixture
def editor(seed_guide) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.create_superuser("root", password="a long enough password"))
    return client


def admin_objects() -> list[tuple[str, int]]:
    objects = [
        ("guide", Guide.objects.get(slug="tiktok-messages").pk),
        ("cause", Cause.objects.filter(guide__slug="tiktok-messages").first().pk),
        ("fixstep", FixStep.objects.filter(guide__slug="tiktok-messages").first().pk),
    ]
    assert all(pk for _, pk in objects)
    return objects


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["change", "history", "delete", ""])
@pytest.mark.parametrize("id_with_nul", ["{pk}%00", "%00", "{pk}%00{pk}", "%00{pk}"])
def test_an_admin_object_id_with_a_nul_is_a_page_we_dont_have(editor, page, id_with_nul):
    for model, pk in admin_objects():
        object_id = id_with_nul.format(pk=pk)
        response = editor.get(
            f"/admin/guides/{model}/{object_id}/{page}/" if page else f"/admin/guides/{model}/{object_id}/"
        )

        assert response.status_code == 404, f"{model} {object_id} {page}"
        assert NOT_FOUND in response.content.decode()


@pytest.mark.django_db
def test_the_same_object_without_the_nul_opens(editor):
    for model, pk in admin_objects():
        assert editor.get(f"/admin/guides/{model}/{pk}/history/").status_code == 200
        assert editor.get(f"/admin/guides/{model}/{pk}/change/").status_code == 200


AUTOCOMPLETE = [
    {"app_label": "guides", "model_name": "causefix", "field_name": "fix_step"},
    {"app_label": "guides", "model_name": "cause", "field_name": "related"},
    {"app_label": "guides", "model_name": "question", "field_name": "not_after_answers"},
]


@pytest.mark.django_db
@pytest.mark.parametrize("field", AUTOCOMPLETE)
@pytest.mark.parametrize("term", ["\x00", "wifi\x00", "\x00\x00\x00"])
def test_an_autocomplete_term_with_a_nul_is_a_bad_request(editor, field, term):
    response = editor.get(reverse("admin:autocomplete"), {"term": term, **field})

    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("field", AUTOCOMPLETE)
def test_an_autocomplete_term_without_a_nul_still_finds(editor, field):
    response = editor.get(reverse("admin:autocomplete"), {"term": "", **field})

    assert response.status_code == 200
    assert response.json()["results"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", [{"q": "\x00"}, {"q": "wifi\x00"}, {"published__exact": "\x00"}, {"o": "\x00"}, {"p": "\x00"}]
)
def test_an_admin_list_address_with_a_nul_is_a_bad_request(editor, query):
    response = editor.get(reverse("admin:guides_guide_changelist"), query)

    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/guides/tiktok-messages%00/", "/guides/tiktok-messages/causes/%00/", "/%00", "/sitemap.xml%00"]
)
def test_a_public_address_with_a_nul_is_a_page_we_dont_have(client, seed_guide, path):
    response = client.get(path)

    assert response.status_code == 404
    assert NOT_FOUND in response.content.decode()


@pytest.mark.django_db
def test_the_troubleshooter_reads_a_nul_in_its_address_as_nothing_it_knows(client, seed_guide):
    diagnose = reverse("guides:diagnose", args=["tiktok-messages"])
    start = client.get(diagnose).content.decode()
    response = client.get(
        diagnose, {"ask": "\x00", "seen": "\x00", "platform": "\x00", "error-notice": "\x00"}, follow=True
    )

    assert response.redirect_chain == [(diagnose, 302)]
    assert response.status_code == 200
    first_question = re.search(r'<h1 id="screen"[^>]*>(.*?)</h1>', start).group(1)
    assert f'<h1 id="screen" tabindex="-1">{first_question}</h1>' in response.content.decode()
