"""Restoring from History puts back one object and its parts, never the other objects saved with it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import reversion
from django.urls import reverse
from reversion.models import Version

from guides.models import Answer, AnswerEffect, Cause, Facet, FAQEntry, Guide, Question, Strength
from tests.admin_forms import ALL_MODELS, admin_form, admin_url, form_errors, save_change
from tests.builders import troubleshooter_data


@pytest.fixture
def guide(load) -> Guide:
    """A purpose-made guide loaded in one revision, as `load_guides` loads each file."""
    with reversion.create_revision():
        reversion.set_comment("Loaded from history.yaml")
        load(troubleshooter_data("history", causes=4, facets=2))
    return Guide.objects.get(slug="history")


def loaded_version(obj) -> Version:
    """The version `load_guides` recorded: the oldest one, in the revision it shares with the whole guide."""
    return Version.objects.get_for_object(obj).order_by("pk").first()


def revision_url(obj, version) -> str:
    return reverse(f"admin:guides_{obj._meta.model_name}_revision", args=[obj.pk, version.pk])


def restore(client, obj, version, form_id=None):
    """Open the version from History and press Save on the form it shows, as a browser would."""
    url = revision_url(obj, version)
    page = client.get(url)
    assert page.status_code == 200
    data = admin_form(page.content.decode(), form_id or f"{obj._meta.model_name}_form")
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    return page.content.decode()


def add_faq_entry(guide) -> FAQEntry:
    with reversion.create_revision():
        return FAQEntry.objects.create(
            guide=guide, slug="added-later", question="Added after the load?", answer="Yes.", order=99
        )


def test_reverting_one_cause_keeps_later_edits_to_the_rest_of_its_load(editor_client, client, guide):
    cause_a = guide.causes.get(slug="cause-0")
    cause_b = guide.causes.get(slug="cause-1")
    loaded = loaded_version(cause_a)
    assert loaded.revision == loaded_version(cause_b).revision == loaded_version(guide).revision
    original_title = cause_a.title

    save_change(editor_client, cause_a, title="Cause A, edited")
    save_change(editor_client, cause_b, title="Cause B, edited later")
    save_change(editor_client, guide, summary="Guide summary, edited later.")
    faq = add_faq_entry(guide)

    restore(editor_client, cause_a, loaded)

    cause_a.refresh_from_db()
    cause_b.refresh_from_db()
    guide.refresh_from_db()
    assert cause_a.title == original_title
    assert cause_b.title == "Cause B, edited later"
    assert guide.summary == "Guide summary, edited later."
    assert FAQEntry.objects.filter(pk=faq.pk).exists()
    article = client.get(guide.get_absolute_url()).content.decode()
    assert "Guide summary, edited later." in article and "Added after the load?" in article


def test_opening_a_version_changes_nothing_until_save(editor_client, guide):
    cause = guide.causes.get(slug="cause-0")
    save_change(editor_client, cause, title="Edited")

    page = editor_client.get(revision_url(cause, loaded_version(cause))).content.decode()

    cause.refresh_from_db()
    assert cause.title == "Edited"
    assert "Press Save to put" in page
    assert "as it was on" in page


def test_reverting_a_cause_restores_its_facet_text(editor_client, client, guide):
    cause = guide.causes.get(slug="cause-0")
    facet = cause.facets.get(slug="facet-0")
    original = facet.explanation
    save_change(editor_client, facet, explanation="Rewritten facet explanation.")
    assert "Rewritten facet explanation." in client.get(cause.get_absolute_url()).content.decode()

    page = restore(editor_client, cause, loaded_version(cause))

    facet.refresh_from_db()
    assert facet.explanation == original
    assert "Rewritten facet explanation." not in client.get(cause.get_absolute_url()).content.decode()
    assert "2 facets" in page


def test_reverting_a_cause_removes_only_what_was_added_to_it_since(editor_client, guide):
    cause_a = guide.causes.get(slug="cause-0")
    cause_b = guide.causes.get(slug="cause-2")
    with reversion.create_revision():
        new_a = Facet.objects.create(cause=cause_a, slug="new-on-a", title="New on A", explanation="A.", order=9)
        new_b = Facet.objects.create(cause=cause_b, slug="new-on-b", title="New on B", explanation="B.", order=9)

    page = restore(editor_client, cause_a, loaded_version(cause_a))

    assert "New on A" in page  # listed before Save as what Save deletes
    assert "New on B" not in page
    assert not Facet.objects.filter(pk=new_a.pk).exists()
    assert Facet.objects.filter(pk=new_b.pk).exists()


def test_reverting_a_question_restores_its_answers_and_their_effects_only(editor_client, guide):
    question = guide.questions.get(slug="q-0")
    other = guide.questions.get(slug="q-1")
    answer = question.answers.get(slug="no")
    effect = answer.effects.get(cause__slug="cause-0")
    original = (answer.text, effect.strength)
    with reversion.create_revision():
        answer.text = "Edited answer"
        answer.save()
        effect.strength = Strength.STRONG
        effect.save()
        other.text = "Edited other question?"
        other.save()

    restore(editor_client, question, loaded_version(question))

    answer.refresh_from_db()
    effect.refresh_from_db()
    other.refresh_from_db()
    assert (answer.text, effect.strength) == original
    assert other.text == "Edited other question?"


def test_reverting_the_guide_restores_its_faq_and_leaves_its_causes(editor_client, guide):
    cause = guide.causes.get(slug="cause-0")
    faq = guide.faq_entries.get(slug="question-0")
    original = faq.answer
    save_change(editor_client, cause, title="Cause edited later")
    save_change(editor_client, faq, answer="FAQ answer edited later.")
    added = add_faq_entry(guide)
    checklist = list(guide.checklist_items.values_list("pk", flat=True))
    assert checklist

    page = restore(editor_client, guide, loaded_version(guide))

    faq.refresh_from_db()
    cause.refresh_from_db()
    assert faq.answer == original
    assert not FAQEntry.objects.filter(pk=added.pk).exists()  # added to the guide since: the page said so
    assert "Added after the load?" in page
    assert cause.title == "Cause edited later"
    # The load saved the checklist without a version of it: not known to be newer, so it stays.
    assert list(guide.checklist_items.values_list("pk", flat=True)) == checklist


def test_reverting_the_guide_brings_back_a_checklist_step_deleted_since_the_load(editor_client, guide):
    loaded = [(item.fix_step_id, item.order) for item in guide.checklist_items.order_by("order")]
    with reversion.create_revision():
        guide.checklist_items.order_by("order").last().delete()

    restore(editor_client, guide, loaded_version(guide))

    assert [(item.fix_step_id, item.order) for item in guide.checklist_items.order_by("order")] == loaded


def test_a_part_whose_target_was_deleted_since_is_skipped_not_a_crash(editor_client, guide):
    question = guide.questions.get(slug="q-0")
    effect = AnswerEffect.objects.filter(answer__question=question).select_related("cause").first()
    cause = effect.cause
    with reversion.create_revision():
        cause.delete()
    save_change(editor_client, question, text="Edited?")

    page = restore(editor_client, question, loaded_version(question))

    assert not Cause.objects.filter(pk=cause.pk).exists()
    assert not AnswerEffect.objects.filter(pk=effect.pk).exists()
    assert "Not restored" in page
    assert Question.objects.get(pk=question.pk).text != "Edited?"


def test_a_restore_that_would_break_a_follow_up_question_is_refused_with_a_message(editor_client, guide):
    question = guide.questions.get(slug="q-0")
    with reversion.create_revision():
        added = Answer.objects.create(question=question, slug="added-later", text="Added later", order=9)
        Question.objects.create(guide=guide, slug="follow-up", text="Then what?", asked_after=added, order=9)

    response = editor_client.get(revision_url(question, loaded_version(question)), follow=True)

    assert response.redirect_chain[-1][0] == admin_url(question, "history")
    assert "“Then what?” still needs that" in response.content.decode()
    assert Answer.objects.filter(pk=added.pk).exists()


def _same_id(model, as_model):
    """An object of `model` whose primary key is also that of some object of `as_model`."""
    obj = model.objects.filter(pk__in=as_model.objects.values("pk")).order_by("pk").first()
    assert obj is not None
    return obj, as_model.objects.get(pk=obj.pk)


@pytest.mark.parametrize("other_model", [Cause, Facet, Guide, Question])
def test_a_version_of_another_object_is_404_and_restores_nothing(editor_client, guide, other_model):
    if other_model is Cause:
        cause = guide.causes.get(slug="cause-0")
        other = guide.causes.get(slug="cause-2")
    else:
        other, cause = _same_id(other_model, Cause)
    foreign = loaded_version(other)
    save_change(editor_client, cause, title="Kept")
    url = reverse("admin:guides_cause_revision", args=[cause.pk, foreign.pk])

    assert editor_client.get(url).status_code == 404
    assert editor_client.post(url, {"title": "Posted"}).status_code == 404
    assert Cause.objects.get(pk=cause.pk).title == "Kept"


def test_compare_refuses_another_objects_versions(editor_client, guide):
    cause = guide.causes.get(slug="cause-0")
    other = guide.causes.get(slug="cause-2")
    save_change(editor_client, cause, title="Edited")
    compare = reverse("admin:guides_cause_compare", args=[cause.pk])
    own = Version.objects.get_for_object(cause).first()

    response = editor_client.get(compare, {"version_id1": loaded_version(other).pk, "version_id2": own.pk})

    assert response.status_code == 404
    assert editor_client.get(reverse("admin:guides_cause_compare", args=["nope"])).status_code == 404


def test_recover_refuses_a_version_of_another_kind_of_object(editor_client, guide):
    faq = add_faq_entry(guide)
    version = Version.objects.get_for_object(faq).get()
    with reversion.create_revision():
        faq.delete()
    url = reverse("admin:guides_cause_recover", args=[version.pk])

    assert editor_client.get(url).status_code == 404
    assert editor_client.post(url, {}).status_code == 404
    assert not FAQEntry.objects.filter(pk=faq.pk).exists()


def test_a_cause_deleted_after_the_load_is_recovered_with_its_parts_and_nothing_else(editor_client, guide):
    cause = guide.causes.get(slug="cause-3")
    facets = set(cause.facets.values_list("slug", flat=True))
    effects = AnswerEffect.objects.filter(cause=cause).count()
    other = guide.causes.get(slug="cause-2")
    save_change(editor_client, other, title="Other cause, edited later")
    editor_client.post(admin_url(cause, "delete"), {"post": "yes"})
    assert not Cause.objects.filter(pk=cause.pk).exists()

    version = Version.objects.get_deleted(Cause).get(object_id=str(cause.pk))
    assert version.revision.version_set.filter(content_type=version.content_type).count() > 1  # other causes too
    url = reverse("admin:guides_cause_recover", args=[version.pk])
    response = editor_client.post(url, admin_form(editor_client.get(url).content.decode(), "cause_form"))

    assert response.status_code == 302, form_errors(response)
    restored = Cause.objects.get(pk=cause.pk)
    assert set(restored.facets.values_list("slug", flat=True)) == facets
    assert AnswerEffect.objects.filter(cause=restored).count() == effects
    assert Cause.objects.get(pk=other.pk).title == "Other cause, edited later"


# Starts Django with the admin installed but not autodiscovered, and reports what reversion versions.
WITHOUT_ADMIN = """
import json
import django
import troubleshooter.settings as settings
settings.INSTALLED_APPS = [
    "django.contrib.admin.apps.SimpleAdminConfig" if app == "django.contrib.admin" else app
    for app in settings.INSTALLED_APPS
]
django.setup()
from django.contrib import admin
from reversion.revisions import _get_options, get_registered_models
from guides.models import Cause
print(json.dumps({
    "admin_pages": [model.__name__ for model in admin.site._registry],
    "versioned": sorted(model.__name__ for model in get_registered_models()),
    "cause_carries": list(_get_options(Cause).follow),
}))
"""


def test_content_keeps_its_history_where_the_admin_is_not_loaded():
    """A load or a script records versions, with the parts an undo needs, whether or not admin pages exist."""
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_ADMIN], cwd=root, capture_output=True, text=True, timeout=60, check=True
    )

    found = json.loads(result.stdout)
    assert found["admin_pages"] == []
    assert found["versioned"] == sorted(model.__name__ for model in ALL_MODELS)
    assert found["cause_carries"] == ["facets", "cause_fixes"]


def test_restoring_the_loaded_version_brings_back_the_files_text_and_the_next_load_updates_it(
    editor_client, seed_guide, seed_data, load
):
    in_file = next(item for item in seed_data["causes"] if item.get("facets") and "\n" in item["explanation"])
    facet_in_file = in_file["facets"][0]
    cause = seed_guide.causes.get(slug=in_file["slug"])
    facet = cause.facets.get(slug=facet_in_file["slug"])
    loaded = loaded_version(cause)
    save_change(editor_client, cause, explanation="Rewritten by staff.")
    save_change(editor_client, facet, explanation="Facet rewritten by staff.")

    restore(editor_client, cause, loaded)

    cause.refresh_from_db()
    facet.refresh_from_db()
    assert cause.explanation == in_file["explanation"]
    assert facet.explanation == facet_in_file["explanation"]
    assert Version.objects.get_for_object(cause).first().revision.get_comment().startswith("Restored as saved on")
    in_file["explanation"] += "\nA paragraph added to the file later.\n"
    facet_in_file["explanation"] += "\nA facet paragraph added to the file later.\n"
    report = load(seed_data)
    cause.refresh_from_db()
    facet.refresh_from_db()
    assert cause.explanation.endswith("\nA paragraph added to the file later.\n")
    assert facet.explanation.endswith("\nA facet paragraph added to the file later.\n")
    assert report.kept_edits == []


def test_restoring_a_cause_to_before_its_questions_keeps_every_answer_effect(editor_client, seed_guide):
    """Answer effects belong to their answers: the troubleshooter keeps what they say about the cause."""
    cause = seed_guide.causes.get(slug="spam-detection")
    loaded = loaded_version(cause)
    edited = AnswerEffect.objects.filter(cause=cause).exclude(strength=Strength.RULES_OUT).first()
    with reversion.create_revision():
        question = Question.objects.create(guide=seed_guide, slug="asked-later", text="Asked later?", order=9)
        answer = Answer.objects.create(question=question, slug="yes", text="Yes", order=0)
        added = AnswerEffect.objects.create(answer=answer, cause=cause, strength=Strength.STRONG)
        edited.strength = Strength.RULES_OUT
        edited.save()
    effects = {(e.pk, e.strength) for e in AnswerEffect.objects.filter(cause=cause)}
    original_title = cause.title
    save_change(editor_client, cause, title="Edited after the questions")

    page = restore(editor_client, cause, loaded)

    assert Cause.objects.get(pk=cause.pk).title == original_title
    assert {(e.pk, e.strength) for e in AnswerEffect.objects.filter(cause=cause)} == effects
    assert (added.pk, Strength.STRONG) in effects and (edited.pk, Strength.RULES_OUT) in effects
    assert "answer effect" not in page


def _linked_cause(guide):
    """A cause of the guide that symptoms point to and other causes list as related."""
    cause = guide.causes.filter(symptoms__isnull=False, cause__isnull=False).distinct().first()
    assert cause is not None, "the bundled guide has a cause with symptoms and related links to it"
    return cause


def _links(cause) -> dict:
    return {
        "symptoms": set(cause.symptoms.values_list("slug", flat=True)),
        "related from": set(Cause.objects.filter(related=cause).values_list("slug", flat=True)),
        "related to": set(cause.related.values_list("slug", flat=True)),
        "effects": set(AnswerEffect.objects.filter(cause=cause).values_list("pk", "strength", "facet__slug")),
        "facets": set(cause.facets.values_list("slug", flat=True)),
    }


def _delete_on_its_page(client, cause):
    client.post(admin_url(cause, "delete"), {"post": "yes"})


def _delete_from_the_list(client, cause):
    selected = {"action": "delete_selected", "_selected_action": [cause.pk], "post": "yes"}
    client.post(reverse("admin:guides_cause_changelist"), selected)


@pytest.mark.parametrize("delete", [_delete_on_its_page, _delete_from_the_list], ids=["page", "list"])
def test_a_deleted_cause_is_recovered_with_every_link_to_it(editor_client, seed_guide, delete):
    cause = _linked_cause(seed_guide)
    # Links as they are when it is deleted, not as the load left them.
    seed_guide.symptoms.exclude(causes=cause).first().causes.add(cause)
    AnswerEffect.objects.filter(pk=AnswerEffect.objects.filter(cause=cause).first().pk).update(strength=Strength.LESS)
    before = _links(cause)
    assert before["effects"], "answers speak about it"
    delete(editor_client, cause)
    assert not Cause.objects.filter(pk=cause.pk).exists()
    assert not Cause.objects.filter(related__pk=cause.pk).exists()

    version = Version.objects.get_deleted(Cause).get(object_id=str(cause.pk))
    url = reverse("admin:guides_cause_recover", args=[version.pk])
    page = editor_client.get(url).content.decode()
    response = editor_client.post(url, admin_form(page, "cause_form"))

    assert response.status_code == 302, form_errors(response)
    assert _links(Cause.objects.get(pk=cause.pk)) == before
    assert f"its links from {len(before['symptoms'])} symptoms" in page
