"""No admin form saves a link into another guide: add and change pages of every model with such a link,
their inline rows (nested ones included) and the guide's own page. Each refusal names the guide."""

import html

import pytest

from guides import same_guide
from guides.models import Answer, AnswerEffect, Cause, CauseFix, ChecklistItem, Facet, FixStep, Guide, Question, Symptom
from tests.admin_forms import admin_url
from tests.same_guide_forms import add_row, open_form, refusal, second_guide


def first(model, guide):
    return model.objects.filter(**{same_guide.guide_path(model): guide}).first()


def ids(*objects) -> list[str]:
    return [str(obj.pk) for obj in objects]


def new_cause(data, wa, tt):
    data.update(guide=ids(wa), title=["No internet"], slug=["no-internet"], summary=["Offline."])


# Each case: the page (a model's add page, or a WhatsApp object's change page), and what the editor picks.
# It returns the TikTok object picked; the refusal must say "“<it>” is a <kind> of the guide “<TikTok>”".
def cause_add_related(data, wa, tt):
    new_cause(data, wa, tt)
    data["related"] = ids(first(Cause, tt))
    return first(Cause, tt)


def cause_add_fix_step_row(data, wa, tt):
    new_cause(data, wa, tt)
    add_row(data, "cause_fixes", fix_step=first(FixStep, tt).pk, efficacy="often", order=99)
    return first(FixStep, tt)


def cause_change_related(data, wa, tt):
    data["related"] = [*data.get("related", []), *ids(first(Cause, tt))]
    return first(Cause, tt)


def cause_change_fix_step_row(data, wa, tt):
    add_row(data, "cause_fixes", fix_step=first(FixStep, tt).pk, efficacy="often", order=99)
    return first(FixStep, tt)


def symptom_add_causes(data, wa, tt):
    data.update(guide=ids(wa), title=["A red mark"], slug=["red-mark"], causes=ids(first(Cause, wa), first(Cause, tt)))
    return first(Cause, tt)


def symptom_change_settles(data, wa, tt):
    data["settles"] = ids(first(Answer, tt))
    return first(Answer, tt)


def cause_fix_add(data, wa, tt):
    data.update(cause=ids(first(Cause, wa)), fix_step=ids(first(FixStep, tt)), efficacy=["often"])
    return first(FixStep, tt)


def cause_fix_change(data, wa, tt):
    data["fix_step"] = ids(first(FixStep, tt))
    return first(FixStep, tt)


def checklist_add(data, wa, tt):
    data.update(guide=ids(wa), fix_step=ids(first(FixStep, tt)), order=["9"])
    return first(FixStep, tt)


def question_add_not_after(data, wa, tt):
    data.update(guide=ids(wa), text=["A clock?"], slug=["clock"], not_after_answers=ids(first(Answer, tt)))
    return first(Answer, tt)


def question_change_asked_after(data, wa, tt):
    data["asked_after"] = ids(first(Answer, tt))
    return first(Answer, tt)


def question_change_not_after_steps(data, wa, tt):
    data["not_after_steps"] = ids(first(FixStep, tt))
    return first(FixStep, tt)


def question_change_answer_row_skips(data, wa, tt):
    add_row(data, "answers", text="Maybe", slug="maybe", skips=ids(first(FixStep, tt)), order=99)
    return first(FixStep, tt)


def question_change_effect_row(data, wa, tt):
    add_row(data, "answers-0-effects", cause=first(Cause, tt).pk, strength="less")
    return first(Cause, tt)


def question_add_effect_row_of_a_new_answer(data, wa, tt):
    data.update(guide=ids(wa), text=["A clock?"], slug=["clock"])
    row = add_row(data, "answers", text="Yes", slug="yes")
    add_row(data, f"{row}-effects", cause=first(Cause, tt).pk, strength="strong")
    return first(Cause, tt)


def answer_add_skips(data, wa, tt):
    data.update(question=ids(first(Question, wa)), text=["Maybe"], slug=["maybe"], skips=ids(first(FixStep, tt)))
    return first(FixStep, tt)


def answer_change_effect_row_facet(data, wa, tt):
    add_row(data, "effects", cause=first(Cause, wa).pk, facet=first(Facet, tt).pk, strength="more")
    return first(Facet, tt)


def effect_add(data, wa, tt):
    data.update(answer=ids(first(Answer, wa)), cause=ids(first(Cause, tt)), strength=["more"])
    return first(Cause, tt)


def effect_change_facet(data, wa, tt):
    data["facet"] = ids(first(Facet, tt))
    return first(Facet, tt)


def guide_change_checklist_row(data, wa, tt):
    add_row(data, "checklist_items", fix_step=first(FixStep, tt).pk, order=9)
    return first(FixStep, tt)


CASES = [
    (Cause, None, cause_add_related),
    (Cause, None, cause_add_fix_step_row),
    (Cause, Cause, cause_change_related),
    (Cause, Cause, cause_change_fix_step_row),
    (Symptom, None, symptom_add_causes),
    (Symptom, Symptom, symptom_change_settles),
    (CauseFix, None, cause_fix_add),
    (CauseFix, CauseFix, cause_fix_change),
    (ChecklistItem, None, checklist_add),
    (Question, None, question_add_not_after),
    (Question, None, question_add_effect_row_of_a_new_answer),
    (Question, Question, question_change_asked_after),
    (Question, Question, question_change_not_after_steps),
    (Question, Question, question_change_answer_row_skips),
    (Question, Question, question_change_effect_row),
    (Answer, None, answer_add_skips),
    (Answer, Answer, answer_change_effect_row_facet),
    (AnswerEffect, None, effect_add),
    (AnswerEffect, AnswerEffect, effect_change_facet),
    (Guide, Guide, guide_change_checklist_row),
]


@pytest.mark.parametrize(("model", "edited", "pick"), CASES, ids=[case[2].__name__ for case in CASES])
def test_no_form_saves_a_link_into_another_guide(editor_client, seed_guide, load, model, edited, pick):
    whatsapp, tiktok = second_guide(load), seed_guide
    page = (whatsapp if edited is Guide else first(edited, whatsapp)) if edited else model
    view = "change" if edited else "add"
    data = open_form(editor_client, page, view)
    count = model.objects.count()

    foreign = pick(data, whatsapp, tiktok)
    words = html.unescape(refusal(editor_client.post(admin_url(page, view), data)))

    kind = foreign._meta.verbose_name
    assert (
        f"“{same_guide.label(foreign)}” is {'an' if kind[0] in 'aeiou' else 'a'} {kind} of the guide “{tiktok}”"
        in words
    )
    assert model.objects.count() == count
    assert same_guide.links_into_other_guides(whatsapp) == []


def test_a_new_guide_cannot_take_another_guides_fix_step_into_its_checklist(editor_client, seed_guide):
    data = open_form(editor_client, Guide, "add")
    data.update(title=["Why won't WhatsApp send?"], slug=["whatsapp"], summary=["Messages stuck."])
    step = first(FixStep, seed_guide)
    add_row(data, "checklist_items", fix_step=step.pk, order=0)

    words = html.unescape(refusal(editor_client.post(admin_url(Guide, "add"), data)))

    assert f"“{step}” is a fix step of the guide “{seed_guide}”" in words
    assert not Guide.objects.filter(slug="whatsapp").exists()


def test_moving_a_cause_with_its_links_to_another_guide_is_refused_on_its_page(editor_client, seed_guide, load):
    whatsapp = second_guide(load)
    cause = first(Cause, whatsapp)
    data = open_form(editor_client, cause)
    data["guide"] = ids(seed_guide)

    words = html.unescape(refusal(editor_client.post(admin_url(cause), data)))

    assert f"to other objects of the guide “{whatsapp}”" in words
    assert Cause.objects.get(pk=cause.pk).guide == whatsapp
