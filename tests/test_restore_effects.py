"""Restoring a cause to a version older than the questions keeps what every answer says about it."""

import re

import reversion
from reversion.models import Version

from guides.authoring.checks import check_guide
from guides.models import Answer, AnswerEffect, Cause, Facet, Question, Strength
from tests.admin_forms import admin_form, admin_url, form_errors, save_change


def _add_cause_on_its_page(client, guide) -> Cause:
    """A cause added on its own add page, as an editor builds a new guide: its first version knows no question."""
    url = admin_url(Cause, "add")
    data = admin_form(client.get(url, {"guide": guide.pk}).content.decode(), "cause_form")
    data.update(
        guide=[str(guide.pk)],
        title=["WhatsApp is out of date"],
        slug=["out-of-date"],
        summary=["An old version stops sending."],
        explanation=["Old versions lose the connection.\r\n"],
    )
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    return Cause.objects.get(guide=guide, slug="out-of-date")


def test_a_cause_restored_to_before_the_questions_keeps_every_answer_effect(editor_client, seed_guide):
    cause = _add_cause_on_its_page(editor_client, seed_guide)
    first = Version.objects.get_for_object(cause).get()
    with reversion.create_revision():  # questions written after the cause, each answer speaking about it
        question = Question.objects.create(guide=seed_guide, slug="updated", text="Did you update lately?", order=9)
        for order, (slug, strength) in enumerate([("yes", Strength.RULES_OUT), ("no", Strength.MORE)]):
            answer = Answer.objects.create(question=question, slug=slug, text=slug.title(), order=order)
            AnswerEffect.objects.create(answer=answer, cause=cause, strength=strength)
    effects = set(AnswerEffect.objects.filter(cause=cause).values_list("pk", "answer_id", "strength"))
    problems = {p.message for p in check_guide(seed_guide)}
    save_change(editor_client, cause, explanation="A text change the editor wants to undo.\r\n")

    url = f"{admin_url(cause, 'history')}{first.pk}/"
    page = editor_client.get(url).content.decode()
    response = editor_client.post(url, admin_form(page, "cause_form"))

    assert response.status_code == 302, form_errors(response)
    assert Cause.objects.get(pk=cause.pk).explanation == "Old versions lose the connection.\n"
    assert set(AnswerEffect.objects.filter(cause=cause).values_list("pk", "answer_id", "strength")) == effects
    assert {p.message for p in check_guide(seed_guide)} == problems  # no question became "never worth asking"
    assert "answer effect" not in page  # nothing of the questions' is listed as deleted or restored


def test_a_part_added_since_that_an_answer_speaks_about_is_kept_not_deleted(editor_client, seed_guide):
    cause = seed_guide.causes.exclude(answer_effects=None).first()
    loaded = Version.objects.get_for_object(cause).order_by("pk").first()
    answer = AnswerEffect.objects.filter(cause=cause).first().answer
    with reversion.create_revision():
        facet = Facet.objects.create(cause=cause, slug="added-since", title="Added since", explanation="New.", order=9)
        lonely = Facet.objects.create(cause=cause, slug="lonely", title="Nobody names it", explanation=".", order=10)
        effect = AnswerEffect.objects.create(answer=answer, cause=cause, facet=facet, strength=Strength.STRONG)

    url = f"{admin_url(cause, 'history')}{loaded.pk}/"
    page = editor_client.get(url).content.decode()
    response = editor_client.post(url, admin_form(page, "cause_form"))

    assert response.status_code == 302, form_errors(response)
    assert Facet.objects.filter(pk=facet.pk).exists()
    assert AnswerEffect.objects.filter(pk=effect.pk, strength=Strength.STRONG).exists()
    assert not Facet.objects.filter(pk=lonely.pk).exists()  # added since and nothing else names it: it goes
    assert re.search(r"Kept, though it was added since: facet “[^”]*Added since”\. Other things link to it", page)
