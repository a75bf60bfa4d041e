"""Compare shows a change of efficacy or strength, made wherever the editor made it, with the old and new word."""

import html
import re

from django.urls import reverse
from reversion.models import Version

from guides.models import Efficacy, Strength
from tests.admin_forms import admin_form, admin_url, form_errors, save_change


def _compare_text(client, obj) -> str:
    versions = Version.objects.get_for_object(obj)
    oldest, newest = versions.order_by("pk").first(), versions.first()
    assert oldest.pk != newest.pk, "the change was recorded in its History"
    url = reverse(f"admin:guides_{obj._meta.model_name}_compare", args=[obj.pk])
    response = client.get(url, {"version_id1": oldest.pk, "version_id2": newest.pk})
    assert response.status_code == 200
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _save_inline_row(client, owner, prefix, part, **changes):
    """Change one inline row on the owner's page and press Save, as a browser posts it."""
    url = admin_url(owner)
    data = admin_form(client.get(url).content.decode(), f"{owner._meta.model_name}_form")
    row = next(
        k[: -len("-id")] for k, v in data.items() if re.fullmatch(rf"{prefix}-\d+-id", k) and v == [str(part.pk)]
    )
    for name, value in changes.items():
        data[f"{row}-{name}"] = [value]
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)


def test_an_efficacy_changed_on_the_cause_page_shows_in_the_causes_compare(editor_client, seed_guide):
    cause = seed_guide.causes.filter(cause_fixes__efficacy=Efficacy.OFTEN).first()
    link = cause.cause_fixes.filter(efficacy=Efficacy.OFTEN).select_related("fix_step").first()

    _save_inline_row(editor_client, cause, "cause_fixes", link, efficacy=Efficacy.RARELY)

    assert f"“{link.fix_step.title}”: efficacy Often → efficacy Rarely" in _compare_text(editor_client, cause)


def test_an_efficacy_changed_on_its_own_page_shows_in_the_causes_compare(editor_client, seed_guide):
    cause = seed_guide.causes.filter(cause_fixes__efficacy=Efficacy.OFTEN).first()
    link = cause.cause_fixes.filter(efficacy=Efficacy.OFTEN).select_related("fix_step").first()

    save_change(editor_client, link, efficacy=Efficacy.SOMETIMES)

    assert f"“{link.fix_step.title}”: efficacy Often → efficacy Sometimes" in _compare_text(editor_client, cause)


def test_a_strength_change_shows_in_the_answers_and_the_questions_compare(editor_client, seed_guide):
    effect = seed_guide.questions.first().answers.first().effects.exclude(strength=Strength.RULES_OUT).first()
    answer, cause = effect.answer, effect.cause
    was = effect.get_strength_display()

    _save_inline_row(editor_client, answer, "effects", effect, strength=Strength.RULES_OUT)

    assert f"“{cause}”: strength {was} → strength Rules it out" in _compare_text(editor_client, answer)
    question_compare = _compare_text(editor_client, answer.question)
    assert f"“{answer}”, “{cause}”: strength {was} → strength Rules it out" in question_compare
