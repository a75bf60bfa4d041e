"""Deleting a cause by any of the editor's ways and recovering it brings back every link to it."""

import re

import pytest
import reversion
from django.urls import reverse
from reversion.models import Version

from guides.models import AnswerEffect, Cause
from tests.admin_forms import admin_form, admin_url, form_errors, save_change


def _links(cause) -> dict:
    return {
        "symptoms": set(cause.symptoms.values_list("slug", flat=True)),
        "related from": set(Cause.objects.filter(related=cause).values_list("slug", flat=True)),
        "related to": set(cause.related.values_list("slug", flat=True)),
        "effects": set(AnswerEffect.objects.filter(cause=cause).values_list("pk", "strength", "facet__slug")),
        "facets": set(cause.facets.values_list("slug", flat=True)),
        "fix steps": set(cause.cause_fixes.values_list("fix_step__slug", "efficacy", "order")),
    }


@pytest.fixture
def linked_cause(editor_client, seed_guide):
    """A cause whose own last version knows none of its links, as when an editor builds a guide page by page.

    It is edited on its own page (a revision with only it and its parts); then symptoms and other causes
    link to it, each saved on their own, after that.
    """
    cause = seed_guide.causes.filter(symptoms__isnull=False, cause__isnull=False).distinct().first()
    save_change(editor_client, cause, summary="Edited on its own page before anything linked to it.")
    for symptom in seed_guide.symptoms.exclude(causes=cause)[:2]:
        with reversion.create_revision():
            symptom.causes.add(cause)
            reversion.add_to_revision(symptom)
    for other in seed_guide.causes.exclude(pk=cause.pk).exclude(related=cause)[:2]:
        with reversion.create_revision():
            other.related.add(cause)
            reversion.add_to_revision(other)
    links = _links(cause)
    assert len(links["symptoms"]) >= 3 and len(links["related from"]) >= 3 and links["effects"]
    return cause, links


def _on_its_page(client, cause):
    return client.post(admin_url(cause, "delete"), {"post": "yes"})


def _from_the_list(client, cause):
    selected = {"action": "delete_selected", "_selected_action": [cause.pk], "post": "yes"}
    return client.post(reverse("admin:guides_cause_changelist"), selected)


def _ticked_on_the_guide_page(client, cause):
    """Tick the cause's Delete box among the guide's causes and press Save, as a browser posts it."""
    url = admin_url(cause.guide)
    data = admin_form(client.get(url).content.decode(), "guide_form")
    rows = [key[: -len("-id")] for key, values in data.items() if re.fullmatch(r"causes-\d+-id", key)]
    row = next(row for row in rows if data[f"{row}-id"] == [str(cause.pk)])
    data[f"{row}-DELETE"] = ["on"]
    return client.post(url, data)


DELETES = [_on_its_page, _from_the_list, _ticked_on_the_guide_page]


@pytest.mark.parametrize("delete", DELETES, ids=["delete page", "list action", "guide page checkbox"])
def test_a_deleted_cause_comes_back_with_its_symptoms_and_other_causes_links(editor_client, linked_cause, delete):
    cause, before = linked_cause

    response = delete(editor_client, cause)

    assert response.status_code == 302, form_errors(response)
    assert not Cause.objects.filter(pk=cause.pk).exists()
    version = Version.objects.get_deleted(Cause).get(object_id=str(cause.pk))
    url = reverse("admin:guides_cause_recover", args=[version.pk])
    page = editor_client.get(url).content.decode()
    response = editor_client.post(url, admin_form(page, "cause_form"))
    assert response.status_code == 302, form_errors(response)
    assert _links(Cause.objects.get(pk=cause.pk)) == before


def test_the_recover_list_tells_deleted_causes_apart_and_the_editor_hears_what_came_back(
    editor_client, editor, linked_cause
):
    cause, before = linked_cause
    _ticked_on_the_guide_page(editor_client, cause)

    listing = editor_client.get(reverse("admin:guides_cause_recoverlist")).content.decode()
    version = Version.objects.get_deleted(Cause).get(object_id=str(cause.pk))
    url = reverse("admin:guides_cause_recover", args=[version.pk])
    page = editor_client.get(url).content.decode()
    response = editor_client.post(url, admin_form(page, "cause_form"), follow=True)

    assert f'href="{url}">{cause.title}</a>' in listing
    assert f"<td>{cause.guide.title}</td>" in listing.replace("&#x27;", "'")
    assert "Deleted on " in listing
    assert f"by {editor.username}" in listing
    assert "before it was deleted. Press Save to bring it back." in page
    assert f"“{cause.title}” is back, with " in response.content.decode().replace("&#x27;", "'")
    assert f"its links from {len(before['symptoms'])} symptoms" in response.content.decode()
