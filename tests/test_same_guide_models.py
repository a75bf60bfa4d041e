"""No full_clean(), shell save, many-to-many .add()/.set(), content file or export lets a guide point into another.

Each error names the guide the object belongs to, so whoever made the link knows where it went.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction

from guides import same_guide
from guides.authoring.export import LinksIntoOtherGuides, export_guide
from guides.authoring.reading import ContentError
from guides.models import Answer, AnswerEffect, Cause, CauseFix, ChecklistItem, Facet, FixStep, Question, Symptom
from tests.builders import troubleshooter_data
from tests.same_guide_forms import second_guide


@pytest.fixture
def guides(seed_guide, load):
    """(WhatsApp, TikTok): a second guide beside the bundled one."""
    return second_guide(load), seed_guide


def first(model, guide, **lookups):
    return model.objects.filter(**{same_guide.guide_path(model): guide}, **lookups).first()


def unsaved_links(whatsapp, tiktok):
    """One unsaved object per kind of foreign-key link, each pointing into TikTok: (object, field, words)."""
    cause, answer, step = first(Cause, whatsapp), first(Answer, whatsapp), first(FixStep, whatsapp)
    tiktok_cause, tiktok_step = first(Cause, tiktok), first(FixStep, tiktok)
    tiktok_answer, tiktok_facet = first(Answer, tiktok), first(Facet, tiktok)
    guide = f"of the guide “{tiktok.title}”"
    question = Question(guide=whatsapp, slug="clock", text="A clock?", asked_after=tiktok_answer)
    return [
        (CauseFix(cause=cause, fix_step=tiktok_step), "fix_step", f"“{tiktok_step}” is a fix step {guide}"),
        (ChecklistItem(guide=whatsapp, fix_step=tiktok_step, order=9), "fix_step", f"is a fix step {guide}"),
        (question, "asked_after", f"“{tiktok_answer.question.text} → {tiktok_answer.text}” is an answer {guide}"),
        (AnswerEffect(answer=answer, cause=tiktok_cause, strength="more"), "cause", f"is a cause {guide}"),
        (AnswerEffect(answer=answer, cause=cause, facet=tiktok_facet, strength="more"), "facet", f"facet {guide}"),
        (CauseFix(cause=cause, fix_step=step), None, None),  # the same links within one guide are fine
    ]


@pytest.mark.parametrize("index", range(6))
def test_full_clean_refuses_a_link_into_another_guide_naming_it(guides, index):
    obj, field, words = unsaved_links(*guides)[index]
    if field is None:
        obj.full_clean(validate_unique=False, validate_constraints=False)
        return
    with pytest.raises(ValidationError) as refused:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    assert any(words in message for message in refused.value.message_dict[field])


@pytest.mark.parametrize("index", range(5))
def test_a_save_from_the_shell_is_refused_too(guides, index):
    obj, _, words = unsaved_links(*guides)[index]
    with pytest.raises(ValidationError, match=re.escape(words)), transaction.atomic():
        obj.save()
    assert obj.pk is None


def test_an_unsaved_parent_leads_to_its_guide(guides):
    """The bug: a new cause's rows had no cause id yet, and the check did not run at all."""
    whatsapp, tiktok = guides
    new_cause = Cause(guide=whatsapp, title="No internet", slug="no-internet")
    row = CauseFix(cause=new_cause, fix_step=first(FixStep, tiktok))
    with pytest.raises(ValidationError, match=re.escape(f"of the guide “{tiktok.title}”")):
        row.full_clean(exclude=["cause"], validate_unique=False, validate_constraints=False)


def m2m_links(whatsapp, tiktok):
    """Every many-to-many link, from either end: (manager of a WhatsApp object, a TikTok object)."""
    cause, symptom = first(Cause, whatsapp), first(Symptom, whatsapp)
    question, answer, step = first(Question, whatsapp), first(Answer, whatsapp), first(FixStep, whatsapp)
    t_cause, t_answer, t_step = first(Cause, tiktok), first(Answer, tiktok), first(FixStep, tiktok)
    t_symptom, t_question = first(Symptom, tiktok), first(Question, tiktok)
    return {
        "cause.related": (cause.related, t_cause),
        "cause.fix_steps": (cause.fix_steps, t_step),
        "symptom.causes": (symptom.causes, t_cause),
        "cause.symptoms": (cause.symptoms, t_symptom),
        "symptom.settles": (symptom.settles, t_answer),
        "answer.settled_by": (answer.settled_by, t_symptom),
        "question.not_after_answers": (question.not_after_answers, t_answer),
        "question.not_after_steps": (question.not_after_steps, t_step),
        "step.mooted_questions": (step.mooted_questions, t_question),
        "answer.skips": (answer.skips, t_step),
        "step.skipped_by": (step.skipped_by, t_answer),
    }


M2M = [
    "cause.related", "cause.fix_steps", "symptom.causes", "cause.symptoms", "symptom.settles", "answer.settled_by",
    "question.not_after_answers", "question.not_after_steps", "step.mooted_questions", "answer.skips",
    "step.skipped_by",
]  # fmt: skip


@pytest.mark.parametrize("link", M2M)
@pytest.mark.parametrize("how", ["add", "set"])
def test_many_to_many_add_and_set_refuse_another_guides_object(guides, link, how):
    whatsapp, tiktok = guides
    manager, foreign = m2m_links(whatsapp, tiktok)[link]
    before = list(manager.all())
    kwargs = {"through_defaults": {"order": 9}} if link == "cause.fix_steps" else {}

    with pytest.raises(ValidationError, match=re.escape(f"of the guide “{tiktok.title}”")), transaction.atomic():
        if how == "add":
            manager.add(foreign, **kwargs)
        else:
            manager.set([*before, foreign], **kwargs)

    assert list(manager.all()) == before
    assert same_guide.links_into_other_guides(whatsapp) == []


def test_a_content_file_cannot_name_another_guides_objects(guides, load):
    whatsapp, tiktok = guides
    data = troubleshooter_data("whatsapp", causes=3)
    data["causes"][0]["fixes"] = {first(FixStep, tiktok).slug: "often"}

    with pytest.raises(ContentError, match="unknown fix step"):
        load(data, overwrite=True)

    assert same_guide.links_into_other_guides(whatsapp) == []


def test_the_loaders_bulk_writes_are_checked_before_they_are_written(guides):
    """bulk_create sends no signal: the loader runs the same check on the rows it writes in bulk."""
    whatsapp, tiktok = guides
    rows = [CauseFix(cause=first(Cause, whatsapp), fix_step=first(FixStep, tiktok), order=0)]

    with pytest.raises(ValidationError, match=re.escape(f"is a fix step of the guide “{tiktok.title}”")):
        same_guide.refuse_foreign(rows)


def break_past_the_guards(whatsapp, tiktok) -> None:
    """Links a database from before the guards may hold: bulk writes and rows written into the tables."""
    CauseFix.objects.bulk_create([CauseFix(cause=first(Cause, whatsapp), fix_step=first(FixStep, tiktok), order=9)])
    Symptom.settles.through.objects.create(symptom=first(Symptom, whatsapp), answer=first(Answer, tiktok))


def test_export_refuses_a_guide_that_links_into_another_with_the_list(guides):
    whatsapp, tiktok = guides
    break_past_the_guards(whatsapp, tiktok)
    step, answer = first(FixStep, tiktok), first(Answer, tiktok)

    with pytest.raises(LinksIntoOtherGuides) as refused:
        export_guide(whatsapp)

    assert refused.value.links == [
        f"“{first(Symptom, whatsapp)}” (symptom) links to “{answer.question.text} → {answer.text}” is an answer "
        f"of the guide “{tiktok.title}”",
        f"“{first(Cause, whatsapp)}” (cause) links to “{step}” is a fix step of the guide “{tiktok.title}”",
    ]
    assert export_guide(tiktok)  # the other guide is not broken
    with pytest.raises(CommandError, match="links into another guide") as command:
        call_command("export_guide", "whatsapp")
    assert f"“{step}” is a fix step of the guide “{tiktok.title}”" in str(command.value)


def test_moving_a_cause_with_links_to_another_guide_is_refused_naming_the_guide_it_would_point_back_to(guides):
    whatsapp, tiktok = guides
    cause = first(Cause, whatsapp)
    cause.guide = tiktok

    words = re.escape(f"to other objects of the guide “{whatsapp}”")
    with pytest.raises(ValidationError, match=words), transaction.atomic():
        cause.save()

    assert Cause.objects.get(pk=cause.pk).guide == whatsapp


def test_moving_a_facet_an_answer_speaks_about_to_a_cause_of_another_guide_is_refused(guides):
    whatsapp, tiktok = guides
    facet = first(Facet, whatsapp)
    AnswerEffect.objects.create(answer=first(Answer, whatsapp), cause=facet.cause, facet=facet, strength="more")
    facet = Facet.objects.get(pk=facet.pk)
    facet.cause = first(Cause, tiktok)

    with pytest.raises(ValidationError, match="1 link to other objects"), transaction.atomic():
        facet.save()


def test_a_cause_without_links_moves_to_another_guide(guides):
    whatsapp, tiktok = guides
    cause = Cause.objects.create(guide=whatsapp, title="Alone", slug="alone", summary="No links.")
    cause = Cause.objects.get(pk=cause.pk)
    cause.guide = tiktok

    cause.save()

    assert Cause.objects.get(pk=cause.pk).guide == tiktok


def test_check_guides_reports_the_links_check_guide_does_not_read(guides, capsys):
    whatsapp, tiktok = guides
    Cause.related.through.objects.create(from_cause=first(Cause, whatsapp), to_cause=first(Cause, tiktok))
    Answer.skips.through.objects.create(answer=first(Answer, whatsapp), fixstep=first(FixStep, tiktok))

    with pytest.raises(CommandError, match="2 errors to fix"):
        call_command("check_guides", "whatsapp")

    out = capsys.readouterr().out
    assert f"ERROR: “Cause 0” (cause) links to “{first(Cause, tiktok)}” is a cause of the guide “{tiktok}”" in out
    assert f"links to “{first(FixStep, tiktok)}” is a fix step of the guide “{tiktok}”" in out
