"""Every picker of a guide's page offers that guide's objects only; where no guide is known yet, each
object is named with its guide. "Asked after" reads "question → answer", and pop-ups know the guide."""

import json

import reversion
from django.urls import reverse
from reversion.models import Version

from guides import same_guide
from guides.models import Answer, AnswerEffect, Cause, CauseFix, Facet, FixStep, Question, Symptom
from tests.admin_forms import admin_url
from tests.same_guide_forms import options, second_guide, select_tag


def titles(model, guide) -> list[str]:
    return [same_guide.label(obj) for obj in model.objects.filter(**{same_guide.guide_path(model): guide})]


def page_of(client, obj_or_model, view="change", query="") -> str:
    return page_of_url(client, admin_url(obj_or_model, view) + query)


def page_of_url(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_asked_after_is_a_list_of_this_guides_questions_and_answers(editor_client, seed_guide, load):
    whatsapp = second_guide(load)
    question = whatsapp.questions.last()

    page = page_of(editor_client, question)

    labels = options(page, "asked_after")
    assert labels and set(labels) <= set(titles(Answer, whatsapp))
    assert labels[0] == "Is it cause 0? → Yes"
    assert 'class="vForeignKeyRawIdAdminField"' not in page


def test_selects_and_filter_boxes_offer_the_guide_being_edited_only(editor_client, seed_guide, load):
    whatsapp = second_guide(load)
    effect = AnswerEffect.objects.filter(answer__question__guide=whatsapp).first()
    symptom = whatsapp.symptoms.first()

    effect_page, symptom_page = page_of(editor_client, effect), page_of(editor_client, symptom)

    assert options(effect_page, "cause") == titles(Cause, whatsapp)
    assert options(effect_page, "facet") == titles(Facet, whatsapp)
    assert options(symptom_page, "causes") == titles(Cause, whatsapp)
    assert sorted(options(symptom_page, "settles")) == sorted(titles(Answer, whatsapp))


def test_inline_rows_offer_the_guide_being_edited_only(editor_client, seed_guide, load):
    whatsapp = second_guide(load)
    answer = Answer.objects.filter(question__guide=whatsapp).first()

    page = page_of(editor_client, answer)

    assert options(page, "effects-0-cause") == titles(Cause, whatsapp)
    assert options(page, "effects-__prefix__-facet") == titles(Facet, whatsapp)


def test_autocompletes_ask_for_the_guide_being_edited_and_get_only_its_objects(editor_client, seed_guide, load):
    whatsapp = second_guide(load)
    cause = whatsapp.causes.first()

    page = page_of(editor_client, cause)
    address = select_tag(page, "cause_fixes-0-fix_step").split('data-ajax--url="')[1].split('"')[0]
    assert address == f"{reverse('admin:autocomplete')}?guide={whatsapp.pk}"
    assert f"?guide={whatsapp.pk}" in select_tag(page, "related")

    found = editor_client.get(f"{address}&app_label=guides&model_name=causefix&field_name=fix_step&term=")
    assert sorted(r["text"] for r in json.loads(found.content)["results"]) == sorted(titles(FixStep, whatsapp))
    unfiltered = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "guides", "model_name": "causefix", "field_name": "fix_step", "term": ""},
    )
    assert len(json.loads(unfiltered.content)["results"]) > len(titles(FixStep, whatsapp))


def test_a_new_guides_pickers_offer_nothing_of_the_other_guides(editor_client, seed_guide):
    page = page_of(editor_client, seed_guide.__class__, "add")

    # The workspace's checklist is a plain list of the guide's steps (an autocomplete reads once per row).
    assert options(page, "checklist_items-__prefix__-fix_step") == []
    assert options(page, "questions-__prefix__-asked_after") == []


def test_add_pop_ups_carry_the_guide_and_an_add_page_with_it_fills_it_in(editor_client, seed_guide, load):
    whatsapp = second_guide(load)

    question_page = page_of(editor_client, whatsapp.questions.first())
    assert f"_popup=1&amp;_source_model=guides.question&amp;guide={whatsapp.pk}" in question_page
    step_page = page_of(editor_client, FixStep, "add", f"?guide={whatsapp.pk}&_popup=1")
    assert f'<option value="{whatsapp.pk}" selected>' in step_page
    answer_page = page_of(editor_client, Answer, "add", f"?guide={whatsapp.pk}")
    assert options(answer_page, "question") == titles(Question, whatsapp)


def test_where_no_guide_is_known_yet_each_choice_names_its_guide(editor_client, seed_guide, load):
    whatsapp = second_guide(load)

    page = page_of(editor_client, AnswerEffect, "add")

    labels = options(page, "cause")
    assert f"{whatsapp}: Cause 0" in labels
    assert f"{seed_guide}: {seed_guide.causes.first()}" in labels
    assert len(labels) == Cause.objects.count()  # every guide's, named
    fix_steps = options(page_of(editor_client, CauseFix, "add"), "fix_step")  # an autocomplete once the guide is known
    assert f"{whatsapp}: Fix number 0" in fix_steps and len(fix_steps) == FixStep.objects.count()


def test_an_add_page_opened_for_a_guide_offers_only_its_objects(editor_client, seed_guide, load):
    whatsapp = second_guide(load)

    page = page_of(editor_client, Symptom, "add", f"?guide={whatsapp.pk}")

    assert options(page, "causes") == titles(Cause, whatsapp)


def test_the_restore_page_of_a_version_offers_the_objects_guide_only(editor_client, seed_guide, load):
    with reversion.create_revision():
        whatsapp = second_guide(load)
    effect = AnswerEffect.objects.filter(answer__question__guide=whatsapp).first()
    version = Version.objects.get_for_object(effect).first()

    page = page_of_url(editor_client, reverse("admin:guides_answereffect_revision", args=[effect.pk, version.pk]))

    assert options(page, "cause") == titles(Cause, whatsapp)
