"""The bug of issue 16: a NEW cause or question saved links into the TikTok guide from the admin.

The same-guide check only ran once the object existed, so on an add page nothing stopped an
editor picking TikTok's "Restart your phone" among two of the same name.
"""

from guides.models import Answer, AnswerEffect, Cause, CauseFix, FixStep, Question
from tests.admin_forms import admin_url
from tests.same_guide_forms import add_row, open_form, refusal, second_guide

TIKTOK = "Why can't I send messages on TikTok?"


def test_a_new_cause_cannot_list_a_fix_step_of_another_guide(editor_client, seed_guide, load):
    whatsapp = second_guide(load)
    tiktok_step = seed_guide.fix_steps.first()
    data = open_form(editor_client, Cause, "add")
    data.update(guide=[str(whatsapp.pk)], title=["No internet"], slug=["no-internet"], summary=["Offline."])
    add_row(data, "cause_fixes", fix_step=tiktok_step.pk, efficacy="often")

    page = refusal(editor_client.post(admin_url(Cause, "add"), data))

    assert f"“{tiktok_step.title}” is a fix step of the guide “{seed_guide.title}”" in page
    assert not Cause.objects.filter(guide=whatsapp, slug="no-internet").exists()
    assert not CauseFix.objects.filter(fix_step=tiktok_step, cause__guide=whatsapp).exists()


def test_a_new_question_cannot_wait_for_or_skip_another_guides_objects(editor_client, seed_guide, load):
    whatsapp = second_guide(load)
    tiktok_answer = Answer.objects.filter(question__guide=seed_guide).first()
    tiktok_step = seed_guide.fix_steps.first()
    tiktok_cause = seed_guide.causes.first()
    data = open_form(editor_client, Question, "add")
    data.update(guide=[str(whatsapp.pk)], text=["Do you see a clock?"], slug=["clock"])
    data.update(asked_after=[str(tiktok_answer.pk)], not_after_steps=[str(tiktok_step.pk)])
    row = add_row(data, "answers", text="Yes", slug="yes", skips=[str(tiktok_step.pk)])
    add_row(data, f"{row}-effects", cause=tiktok_cause.pk, strength="strong")

    page = refusal(editor_client.post(admin_url(Question, "add"), data))

    assert f"is an answer of the guide “{seed_guide.title}”" in page
    assert f"“{tiktok_step.title}” is a fix step of the guide “{seed_guide.title}”" in page
    assert f"“{tiktok_cause.title}” is a cause of the guide “{seed_guide.title}”" in page
    assert not Question.objects.filter(guide=whatsapp, slug="clock").exists()
    assert not AnswerEffect.objects.filter(answer__question__guide=whatsapp, cause=tiktok_cause).exists()


def test_the_same_new_cause_saves_with_a_fix_step_of_its_own_guide(editor_client, seed_guide, load):
    whatsapp = second_guide(load)
    own_step = FixStep.objects.filter(guide=whatsapp).first()
    data = open_form(editor_client, Cause, "add")
    data.update(guide=[str(whatsapp.pk)], title=["No internet"], slug=["no-internet"], summary=["Offline."])
    add_row(data, "cause_fixes", fix_step=own_step.pk, efficacy="often")

    response = editor_client.post(admin_url(Cause, "add"), data)

    assert response.status_code == 302
    cause = Cause.objects.get(guide=whatsapp, slug="no-internet")
    assert list(cause.fix_steps.all()) == [own_step]
