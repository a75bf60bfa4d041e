"""Staff edit content in the admin: every model, previews, drafts, history and recovery, roles."""

import html
import re

import pytest
import reversion
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from guides import engine
from guides.diagnose.snapshot import build_snapshot
from guides.models import (
    Answer,
    AnswerEffect,
    Cause,
    CauseFix,
    Efficacy,
    Effort,
    Facet,
    FAQEntry,
    FixStep,
    Guide,
    Question,
    StepKind,
    Symptom,
)  # fmt: skip
from tests.admin_forms import ALL_MODELS, admin_form, admin_url, form_errors, save_change
from tests.builders import guide_data, troubleshooter_data

ARTICLE = reverse("guides:article", args=["tiktok-messages"])
DIAGNOSE = reverse("guides:diagnose", args=["tiktok-messages"])


def guide_diagnose(guide) -> str:
    return reverse("guides:diagnose", args=[guide.slug])


def first(model, **filters):
    return model.objects.filter(**filters).order_by("pk").first()


# Each row: the model, how to pick an object of the seed guide, the field to change and the page that must show it.
EDITS = [
    (Guide, {"slug": "tiktok-messages"}, "summary", lambda o: ARTICLE),
    (Cause, {"slug": "spam-detection"}, "title", lambda o: o.get_absolute_url()),
    (Facet, {"slug": "rate-limiting"}, "title", lambda o: o.cause.get_absolute_url()),
    (Symptom, {"slug": "links-wont-send"}, "title", lambda o: ARTICLE),
    (FixStep, {"slug": "update-app"}, "title", lambda o: o.causes.first().get_absolute_url()),
    (FAQEntry, {}, "answer", lambda o: ARTICLE),
]


@pytest.mark.parametrize(("model", "lookup", "field", "url_of"), EDITS, ids=[m.__name__ for m, *_ in EDITS])
def test_editor_changes_text_and_it_shows_on_the_public_page_at_once(
    editor_client, client, model, lookup, field, url_of
):
    obj = first(model, **lookup)
    client.get(url_of(obj))  # let any cache fill first

    save_change(editor_client, obj, **{field: "Freshly edited by staff"})

    assert "Freshly edited by staff" in client.get(url_of(obj)).content.decode()


@pytest.mark.parametrize("model", ALL_MODELS, ids=[m.__name__ for m in ALL_MODELS])
def test_editor_can_open_list_add_and_change_pages_of_every_content_model(editor_client, seed_guide, model):
    obj = first(model)

    assert editor_client.get(admin_url(model, "changelist")).status_code == 200
    assert editor_client.get(admin_url(model, "add")).status_code == 200
    assert editor_client.get(admin_url(obj)).status_code == 200
    assert editor_client.get(admin_url(obj, "history")).status_code == 200


@pytest.mark.parametrize("model", ALL_MODELS, ids=[m.__name__ for m in ALL_MODELS])
def test_saving_an_unchanged_change_form_is_valid_for_every_content_model(editor_client, seed_guide, model):
    save_change(editor_client, first(model))


def _markdown_fields(model) -> list[str]:
    return [f.name for f in model._meta.fields if isinstance(f, models.TextField) and f.editable]


# Every content model with a Markdown field: the ones whose page has a text area.
MARKDOWN_MODELS = [model for model in apps.get_app_config("guides").get_models() if _markdown_fields(model)]


def test_markdown_models_are_found():
    assert len(MARKDOWN_MODELS) >= 6


def _with_line_breaks(model):
    """The object of the bundled guide with the most line breaks in its Markdown (the loaded text ends with one)."""
    objects = model.objects.order_by("pk")
    found = max(objects, key=lambda obj: sum(getattr(obj, name).count("\n") for name in _markdown_fields(model)))
    assert any("\n" in getattr(found, name) for name in _markdown_fields(model))
    return found


def _all_content() -> dict:
    """Every row of every content model and of their many-to-many links, field by field."""
    tables = [*ALL_MODELS, *(f.remote_field.through for m in ALL_MODELS for f in m._meta.local_many_to_many)]
    return {table._meta.label: list(table.objects.order_by("pk").values()) for table in tables}


def _changed_rows(before: dict, after: dict) -> dict:
    """The rows of `after` that are not in `before`, and those gone from it, by table."""
    changed = {}
    for table, rows in after.items():
        new = [row for row in rows if row not in before[table]]
        gone = [row for row in before[table] if row not in rows]
        if new or gone:
            changed[table] = {"now": new, "before": gone}
    return changed


@pytest.mark.parametrize("model", MARKDOWN_MODELS, ids=[m.__name__ for m in MARKDOWN_MODELS])
def test_save_without_an_edit_changes_nothing_and_records_nothing(editor_client, seed_data, load, model):
    obj = _with_line_breaks(model)
    before = _all_content()
    versions, log_entries = Version.objects.count(), LogEntry.objects.count()
    url = admin_url(obj)
    data = admin_form(editor_client.get(url).content.decode(), f"{model._meta.model_name}_form")
    assert any("\r\n" in value for values in data.values() for value in values), "posted as a browser posts it"

    response = editor_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    assert _changed_rows(before, _all_content()) == {}
    assert Version.objects.count() == versions
    assert LogEntry.objects.count() == log_entries
    assert load(seed_data).kept_edits == []


def test_a_required_markdown_field_of_only_blank_lines_is_refused(editor_client, seed_guide):
    entry = seed_guide.faq_entries.first()
    url = admin_url(entry)
    data = admin_form(editor_client.get(url).content.decode(), "faqentry_form")
    data["answer"] = ["  \r\n\r\n  "]

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert FAQEntry.objects.get(pk=entry.pk).answer == entry.answer


def test_a_markdown_edit_is_saved_with_its_own_line_breaks_and_recorded(editor_client, seed_guide):
    facet = _with_line_breaks(Facet)
    versions = Version.objects.get_for_object(facet).count()

    save_change(editor_client, facet, explanation="  Indented first line.\r\nSecond line.\r\n\r\n")

    facet.refresh_from_db()
    assert facet.explanation == "  Indented first line.\nSecond line.\n\n"
    assert Version.objects.get_for_object(facet).count() == versions + 1


def test_an_order_changed_in_the_list_is_saved_and_recorded(editor_client, seed_guide):
    cause = seed_guide.causes.order_by("order").first()
    versions = Version.objects.get_for_object(cause).count()
    url = admin_url(Cause, "changelist")
    data = admin_form(editor_client.get(url, {"guide__id__exact": seed_guide.pk}).content.decode(), "changelist-form")
    row = next(key[: -len("-id")] for key, values in data.items() if key.endswith("-id") and values == [str(cause.pk)])
    data[f"{row}-order"] = ["99"]
    data["_save"] = ["Save"]

    response = editor_client.post(f"{url}?guide__id__exact={seed_guide.pk}", data)

    assert response.status_code == 302, form_errors(response)
    assert Cause.objects.get(pk=cause.pk).order == 99
    assert Version.objects.get_for_object(cause).count() == versions + 1


def test_checklist_order_change_shows_on_the_article(editor_client, client, seed_guide):
    item = seed_guide.checklist_items.first()

    save_change(editor_client, item, order="99")

    steps = re.findall(r'<li id="step-\d+">\s*<input[^>]*value="([^"]+)"', client.get(ARTICLE).content.decode())
    assert steps[-1] == item.fix_step.slug


def test_cause_fix_efficacy_and_order_changes_show_on_the_cause_page(editor_client, client, seed_guide):
    """Steps are listed likeliest to fix first; an editor who marks one "rarely" and last sees it move last."""
    cause = seed_guide.causes.get(slug="network-connectivity")
    link = cause.cause_fixes.order_by("order").first()

    save_change(editor_client, link, efficacy="rarely", order="99")

    page = client.get(cause.get_absolute_url()).content.decode()
    assert re.findall(r'<li id="fix-([^"]+)">', page)[-1] == link.fix_step.slug


def first_question(guide):
    """The question the troubleshooter asks first on the guide's start page."""
    snapshot = build_snapshot(guide)
    decision = engine.next_step(snapshot.model, [], max_questions=snapshot.max_questions)
    assert decision.kind == engine.QUESTION, "the bundled guide starts with a question"
    return decision.question


def test_question_and_answer_text_changes_show_in_the_troubleshooter(editor_client, client, seed_guide):
    question = first_question(seed_guide)
    answer = Answer.objects.get(question__guide=seed_guide, question__slug=question.key, slug=question.answers[0].key)

    save_change(editor_client, answer.question, text="Edited question?")
    save_change(editor_client, answer, text="Edited answer")

    page = client.get(DIAGNOSE).content.decode()
    assert ">Edited question?</h1>" in page and "Edited answer" in page


def test_answer_effect_change_changes_the_ranking(editor_client, client, seed_guide):
    effect = AnswerEffect.objects.filter(
        answer__question__guide=seed_guide, answer__question__asked_after=None, strength="strong", facet=None
    ).first()
    answer = effect.answer
    screen = f"{DIAGNOSE}?{answer.question.slug}={answer.slug}"
    evidence = [(answer.question.slug, answer.slug)]
    before = _probability(seed_guide, evidence, effect.cause.slug)
    shown_before = _percent(client.get(screen).content.decode(), effect.cause.title)

    save_change(editor_client, effect, strength="rules_out")

    assert _probability(seed_guide, evidence, effect.cause.slug) < before
    assert shown_before is not None
    shown_after = _percent(client.get(screen).content.decode(), effect.cause.title)
    assert shown_after is None  # ruled out, it falls below the few likeliest causes the screen lists


def _probability(guide, evidence, cause):
    ranking = engine.rank(build_snapshot(Guide.objects.get(pk=guide.pk)).model, evidence)
    return next(r.probability for r in ranking if r.cause == cause)


def _percent(page, title):
    found = re.search(re.escape(html.escape(title)) + r"</a> <strong>(\d+)%", page)
    return int(found.group(1)) if found else None


def test_max_questions_is_editable_and_used_by_the_troubleshooter(editor_client, client, seed_guide):
    question = first_question(seed_guide)

    save_change(editor_client, seed_guide, max_questions="1")

    snapshot = build_snapshot(Guide.objects.get(pk=seed_guide.pk))
    assert snapshot.max_questions == 1
    answered = [(question.key, question.answers[0].key)]
    assert engine.next_step(snapshot.model, answered, max_questions=snapshot.max_questions).kind != engine.QUESTION


def test_an_efficacy_edit_reaches_the_troubleshooter(editor_client, seed_guide):
    link = CauseFix.objects.filter(cause__guide=seed_guide).exclude(efficacy=Efficacy.RARELY).first()

    save_change(editor_client, link, efficacy="rarely")

    model = build_snapshot(Guide.objects.get(pk=seed_guide.pk)).model
    step = next(step for step in model.steps if step.key == link.fix_step.slug)
    assert step.fixes[link.cause.slug] == engine.EFFICACY[engine.Efficacy.RARELY]


def _selected(page, name):
    """The label of the selected option of the <select> called ``name``."""
    select = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [html.unescape(label) for label in re.findall(r"<option [^>]*selected[^>]*>(.*?)</option>", select)]


def test_cause_page_shows_how_often_each_fix_step_fixes_it(editor_client, seed_guide):
    cause = seed_guide.causes.get(slug="spam-detection")
    CauseFix.objects.filter(pk=cause.cause_fixes.first().pk).update(efficacy=Efficacy.RARELY)
    links = list(cause.cause_fixes.all())

    response = editor_client.get(admin_url(cause))

    page = response.content.decode()
    assert response.status_code == 200
    assert len(links) > 1
    for row, link in enumerate(links):
        assert _selected(page, f"cause_fixes-{row}-fix_step") == [str(link.fix_step)]
        assert _selected(page, f"cause_fixes-{row}-efficacy") == [Efficacy(link.efficacy).label]
    assert _selected(page, "cause_fixes-0-efficacy") == ["Rarely"]
    assert all(word in page for word in ("Almost always", "Often", "Sometimes", "Rarely"))


def test_fix_step_page_shows_its_kind(editor_client, seed_guide):
    step = seed_guide.fix_steps.get(slug="update-app")
    FixStep.objects.filter(pk=step.pk).update(kind=StepKind.WAIT)

    response = editor_client.get(admin_url(step))

    page = response.content.decode()
    assert response.status_code == 200
    assert '<label class="required" for="id_kind">Kind:</label>' in page
    assert _selected(page, "kind") == ["Wait (a limit that lifts with time)"]
    assert "Hand-off to the app&#x27;s support" in page and "Do it now" in page


def test_question_page_shows_effort_not_after_and_skips(editor_client, seed_guide):
    question = first_question(seed_guide)
    question = seed_guide.questions.get(slug=question.key)
    other = seed_guide.questions.exclude(pk=question.pk).first()
    mooting = other.answers.first()
    step = seed_guide.fix_steps.get(slug="update-app")
    Question.objects.filter(pk=question.pk).update(effort=Effort.ASK_SOMEONE)
    question.not_after_answers.set([mooting])
    question.not_after_steps.set([step])
    skipping = question.answers.first()
    skipping.skips.set([step])

    response = editor_client.get(admin_url(question))

    page = response.content.decode()
    assert response.status_code == 200
    assert _selected(page, "effort") == ["Ask someone else (only another person knows)"]
    assert "A quick look (something they know or see at a glance)" in page
    assert '<label for="id_not_after_answers">Not after these answers:</label>' in page
    assert '<label for="id_not_after_steps">Not after these fix steps:</label>' in page
    assert _selected(page, "not_after_answers") == [str(mooting)]
    assert _selected(page, "not_after_steps") == [str(step)]
    assert _selected(page, "answers-0-skips") == [str(step)]
    save_change(editor_client, question)  # and the form saves as it stands
    assert list(question.not_after_steps.all()) == [step]


def test_invalid_content_is_refused_with_a_clear_message(editor_client, seed_guide, load):
    load(guide_data(slug="other"))
    effect = AnswerEffect.objects.filter(answer__question__guide=seed_guide, facet=None).first()
    foreign_facet = Facet.objects.filter(cause__guide__slug="other").first()

    url = admin_url(effect)
    data = admin_form(editor_client.get(url).content.decode(), "answereffect_form")
    data["facet"] = [str(foreign_facet.pk)]
    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert f"“{foreign_facet}” is a facet of the guide “Guide other”" in response.content.decode()


def test_visitors_who_are_not_staff_are_sent_to_the_login_page(client, seed_guide):
    visitor = User.objects.create_user("visitor", password="a-long-visitor-password")
    client.force_login(visitor)

    response = client.get(admin_url(seed_guide))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_editors_cannot_manage_users_or_groups(editor_client):
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_changelist")).status_code == 403


PREVIEW = reverse("admin:guides_markdown_preview")


def test_preview_renders_and_sanitises_markdown(editor_client):
    response = editor_client.post(PREVIEW, {"text": "**Bold** <script>alert(1)</script> [x](javascript:alert(1))"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Bold</strong>" in html
    assert "<script>alert" not in html and "javascript:" not in html


def test_preview_renders_the_field_htmx_names(editor_client):
    response = editor_client.post(
        PREVIEW,
        {"faq_entries-0-answer": "*changed*", "title": "other field"},
        headers={"HX-Request": "true", "HX-Trigger-Name": "faq_entries-0-answer"},
    )

    assert "<em>changed</em>" in response.content.decode()


def test_preview_requires_staff(client, db):
    response = client.post(PREVIEW, {"text": "hi"})

    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_preview_requires_a_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    assert client.post(PREVIEW, {"text": "hi"}).status_code == 403


def test_preview_refuses_huge_text_with_413(editor_client):
    assert editor_client.post(PREVIEW, {"text": "x" * 100_001}).status_code == 413


def test_markdown_fields_show_a_live_preview_beside_them(editor_client, seed_guide):
    entry = seed_guide.faq_entries.first()

    page = editor_client.get(admin_url(entry)).content.decode()

    assert f'hx-post="{PREVIEW}"' in page
    assert 'class="markdown-preview"' in page
    assert entry.answer_html[:30] in page


@pytest.fixture
def guide(load) -> Guide:
    """A purpose-made guide, loaded in one revision as `load_guides` does: for the admin's mechanics."""
    with reversion.create_revision():
        load(troubleshooter_data("mechanics"))
    return Guide.objects.get(slug="mechanics")


def test_draft_guide_is_invisible_to_visitors_everywhere(client, seed_guide):
    seed_guide.published = False
    seed_guide.save()
    cause = seed_guide.causes.first()

    for url in (ARTICLE, cause.get_absolute_url(), DIAGNOSE):
        assert client.get(url).status_code == 404
    assert seed_guide.title not in client.get("/").content.decode()
    assert ARTICLE not in client.get("/sitemap.xml").content.decode()
    assert not client.get("/search/", {"q": "sending messages too fast"}).context["results"]


def test_draft_guide_is_visible_to_staff_with_a_banner(editor_client, guide):
    guide.published = False
    guide.save()

    for url in (guide.get_absolute_url(), guide.causes.first().get_absolute_url(), guide_diagnose(guide)):
        page = editor_client.get(url).content.decode()
        assert "Draft — not public." in page


def test_a_change_can_be_restored_from_history(editor_client, client, guide):
    cause = guide.causes.get(slug="cause-0")
    original = cause.title
    save_change(editor_client, cause, title="First edit")
    save_change(editor_client, cause, title="Second edit")
    first_version = Version.objects.get_for_object(cause)[1]  # newest first: second edit, first edit, ...
    revision_url = reverse("admin:guides_cause_revision", args=[cause.pk, first_version.pk])

    history = editor_client.get(admin_url(cause, "history")).content.decode()
    assert f'href="{revision_url}"' in history  # History offers the first edit to go back to
    data = admin_form(editor_client.get(revision_url).content.decode(), "cause_form")
    response = editor_client.post(revision_url, data)

    assert response.status_code == 302
    cause.refresh_from_db()
    assert cause.title == "First edit" != original
    assert "First edit" in client.get(cause.get_absolute_url()).content.decode()


def test_history_shows_a_diff_between_versions(editor_client, guide):
    cause = guide.causes.get(slug="cause-0")
    save_change(editor_client, cause, summary="Old words here.")
    save_change(editor_client, cause, summary="New words here.")
    versions = list(Version.objects.get_for_object(cause))

    compare = reverse("admin:guides_cause_compare", args=[cause.pk])
    page = editor_client.get(compare, {"version_id1": versions[1].pk, "version_id2": versions[0].pk}).content.decode()

    assert "Old" in page and "New" in page


def test_a_deleted_cause_can_be_recovered_with_its_facets_and_fixes(editor_client, client, guide):
    cause = guide.causes.get(slug="cause-1")
    save_change(editor_client, cause)  # a version to recover from
    facets = set(cause.facets.values_list("slug", flat=True))
    fixes = list(cause.cause_fixes.values_list("fix_step__slug", flat=True))

    assert "answer effect" in editor_client.get(admin_url(cause, "delete")).content.decode().lower()
    editor_client.post(admin_url(cause, "delete"), {"post": "yes"})
    assert not Cause.objects.filter(pk=cause.pk).exists()
    assert client.get(guide_diagnose(guide)).status_code == 200

    version = Version.objects.get_deleted(Cause).get(object_id=str(cause.pk))
    recover_url = reverse("admin:guides_cause_recover", args=[version.pk])
    data = admin_form(editor_client.get(recover_url).content.decode(), "cause_form")
    response = editor_client.post(recover_url, data)

    assert response.status_code == 302
    restored = Cause.objects.get(pk=cause.pk)
    assert set(restored.facets.values_list("slug", flat=True)) == facets
    assert list(restored.cause_fixes.values_list("fix_step__slug", flat=True)) == fixes
    assert client.get(restored.get_absolute_url()).status_code == 200


def test_deleting_a_cause_answers_point_to_leaves_a_working_questionnaire(editor_client, client, seed_guide):
    cause = seed_guide.causes.get(slug="spam-detection")
    assert AnswerEffect.objects.filter(cause=cause).exists()

    editor_client.post(admin_url(cause, "delete"), {"post": "yes"})

    assert not AnswerEffect.objects.filter(cause_id=cause.pk).exists()
    snapshot = build_snapshot(seed_guide)
    assert cause.slug not in {c.key for c in snapshot.model.causes}
    evidence = []
    for _ in range(40):  # the first answer to every question, and no fix step works
        response = client.get(DIAGNOSE, evidence)
        assert response.status_code == 200
        decision = engine.next_step(snapshot.model, evidence, max_questions=snapshot.max_questions)
        if decision.kind == engine.HAND_OFF:
            break
        if decision.kind == engine.QUESTION:
            evidence.append((decision.question.key, decision.question.answers[0].key))
        elif decision.kind == engine.EXPLAIN:
            evidence.append((engine.NOT_IT, decision.cause))
        elif decision.kind == engine.LONG_SHOTS:  # tried every long shot on the list: none worked
            evidence += [(engine.FAILED, step.key) for step, _ in decision.long_shots]
        else:
            evidence.append((engine.FAILED, decision.step.key))
    assert decision.kind == engine.HAND_OFF


def test_a_question_saved_without_answers_does_not_break_the_questionnaire(client, seed_guide):
    Question.objects.create(guide=seed_guide, slug="half-written", text="Not finished yet?", order=0)

    assert client.get(DIAGNOSE).status_code == 200


def test_symptom_linked_to_another_guides_cause_is_refused(editor_client, seed_guide, load):
    load(guide_data(slug="other"))
    symptom = seed_guide.symptoms.first()
    foreign = Cause.objects.get(guide__slug="other", slug="cause-0")

    url = admin_url(symptom)
    data = admin_form(editor_client.get(url).content.decode(), "symptom_form")
    data["causes"] = [*data.get("causes", []), str(foreign.pk)]
    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert f"“{foreign}” is a cause of the guide “Guide other”" in response.content.decode()
    assert foreign not in symptom.causes.all()


@pytest.mark.parametrize("model", [Guide, Cause, Facet, Symptom, FixStep, FAQEntry, Question])
def test_view_on_site_opens_the_public_page(editor_client, seed_guide, model):
    obj = first(model, **({"guide": seed_guide} if hasattr(model, "guide") else {}))

    response = editor_client.get(obj.get_absolute_url())

    assert response.status_code == 200


def test_guide_change_page_links_to_its_check_and_report(editor_client, seed_guide):
    page = editor_client.get(admin_url(seed_guide)).content.decode()

    assert reverse("admin:guides_guide_check", args=[seed_guide.pk]) in page
    assert reverse("admin:guides_guide_report", args=[seed_guide.pk]) in page
    assert editor_client.get(reverse("admin:guides_guide_check", args=[seed_guide.pk])).status_code == 200
    assert editor_client.get(reverse("admin:guides_guide_report", args=[seed_guide.pk]) + "?days=7").status_code == 200


def test_deleting_an_answer_a_follow_up_depends_on_is_refused(editor_client, seed_guide):
    follow_up = seed_guide.questions.exclude(asked_after=None).first()
    condition = follow_up.asked_after

    page = editor_client.get(admin_url(condition, "delete")).content.decode()
    editor_client.post(admin_url(condition, "delete"), {"post": "yes"})

    assert "would require deleting the following protected related objects" in page
    assert Answer.objects.filter(pk=condition.pk).exists()
    follow_up.refresh_from_db()
    assert follow_up.asked_after_id == condition.pk


def test_a_whole_guide_can_still_be_deleted(editor_client, guide):
    editor_client.post(admin_url(guide, "delete"), {"post": "yes"})

    assert not Guide.objects.filter(pk=guide.pk).exists()


def test_question_page_offers_only_its_guides_causes_in_few_queries(editor_client, seed_guide, load):
    load(guide_data(slug="other"))
    question = seed_guide.questions.get(slug="error-notice")
    effects = AnswerEffect.objects.filter(answer__question=question).count()

    with CaptureQueriesContext(connection) as queries:
        page = editor_client.get(admin_url(question)).content.decode()

    assert "Cause 0" not in page  # a cause of the other guide
    assert len(queries) < 30, f"{len(queries)} queries for {effects} effects"


def test_markdown_over_the_limit_is_refused_with_a_message_and_not_saved(editor_client, seed_guide):
    cause = first(Cause, guide=seed_guide)
    before = cause.explanation
    url = admin_url(cause)
    data = admin_form(editor_client.get(url).content.decode(), "cause_form")
    data["explanation"] = ["word " * 2001]  # 10,005 characters: load_guides would refuse it too

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert "at most 10000 characters (it has 10005)" in html.unescape(response.content.decode())
    assert Cause.objects.get(pk=cause.pk).explanation == before


# --------------------------------------------------------------------------------------
# Explanation causes, risky steps, settled answers, the screen cap and the long-shot odds


def _fieldset(page: str, legend: str) -> str:
    """The HTML of the fieldset with this heading."""
    start = page.index(f">{legend}</h2>")
    return page[start : page.index("</fieldset>", start)]


def test_a_cause_has_an_explanation_ending_with_a_live_preview_of_each_text(editor_client, client, guide):
    cause = guide.causes.get(slug="cause-1")

    page = editor_client.get(admin_url(cause)).content.decode()

    ending = _fieldset(page, "Explanation ending")
    assert 'name="explains"' in ending and "nothing on the visitor&#x27;s side fixes it" in ending.lower()
    for name in ("what_is_happening", "what_you_can_do", "where_to_get_help"):
        textarea = re.search(rf'<textarea name="{name}"[^>]*>', ending).group(0)
        assert f'hx-post="{PREVIEW}"' in textarea and "markdown-input" in textarea
    save_change(
        editor_client,
        cause,
        explains="on",
        what_is_happening="The other person **blocked** you.",
        what_you_can_do="Ask them another way.",
        where_to_get_help="Support cannot undo a block.",
    )
    cause.refresh_from_db()
    assert cause.explains and "<strong>blocked</strong>" in cause.what_is_happening_html
    on_screen = build_snapshot(Guide.objects.get(pk=guide.pk)).causes["cause-1"]
    assert on_screen.explains and "Ask them another way." in on_screen.what_you_can_do_html
    assert "Support cannot undo a block." in on_screen.where_to_get_help_html


def test_a_fix_step_can_be_marked_risky_and_the_troubleshooter_knows(editor_client, guide):
    step = guide.fix_steps.get(slug="fix-0")

    page = editor_client.get(admin_url(step)).content.decode()
    assert '<label class="vCheckboxLabel" for="id_risky">Can lose data or a sign-in</label>' in page
    save_change(editor_client, step, risky="on")

    snapshot = build_snapshot(Guide.objects.get(pk=guide.pk))
    assert snapshot.steps["fix-0"].risky
    assert {s.key: s.risky for s in snapshot.model.steps}["fix-0"]


def test_the_screen_cap_and_long_shot_odds_are_edited_with_the_troubleshooter_settings(editor_client, guide):
    page = editor_client.get(admin_url(guide)).content.decode()
    troubleshooter = _fieldset(page, "Troubleshooter")
    assert all(f'name="{name}"' in troubleshooter for name in ("max_questions", "max_screens", "long_shot_odds"))

    save_change(editor_client, guide, max_screens="6", long_shot_odds="20")

    model = build_snapshot(Guide.objects.get(pk=guide.pk)).model
    assert (model.max_screens, model.floor) == (6, 1 / 20)


def _options(page: str, name: str) -> list[str]:
    """The labels of every option of the <select> called ``name``."""
    select = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [html.unescape(label) for label in re.findall(r"<option [^>]*>(.*?)</option>", select)]


def test_a_symptom_settles_answers_picked_as_question_and_answer_of_its_own_guide(editor_client, guide, load):
    load(troubleshooter_data("other"))
    symptom = guide.symptoms.get(slug="symptom-0-0")
    answer = Answer.objects.get(question__guide=guide, question__slug="q-0", slug="yes")

    page = editor_client.get(admin_url(symptom)).content.decode()
    assert _options(page, "settles") == [f"Is it cause {n}? → {word}" for n in range(3) for word in ("Yes", "No")]
    save_change(editor_client, symptom, settles=str(answer.pk))

    assert list(symptom.settles.all()) == [answer]
    model = build_snapshot(Guide.objects.get(pk=guide.pk)).model
    assert {o.key: o.settles for o in model.observations}["symptom-0-0"] == (("q-0", "yes"),)


def test_a_symptom_settling_an_answer_of_another_guide_is_refused(editor_client, guide, load):
    load(troubleshooter_data("other"))
    symptom = guide.symptoms.get(slug="symptom-0-0")
    foreign = Answer.objects.get(question__guide__slug="other", question__slug="q-0", slug="yes")

    url = admin_url(symptom)
    data = admin_form(editor_client.get(url).content.decode(), "symptom_form")
    data["settles"] = [str(foreign.pk)]
    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert form_errors(response)
    assert not symptom.settles.exists()


def test_a_symptom_giving_two_answers_to_one_question_is_refused_in_words(editor_client, guide):
    symptom = guide.symptoms.get(slug="symptom-0-0")
    both = Answer.objects.filter(question__guide=guide, question__slug="q-0")

    url = admin_url(symptom)
    data = admin_form(editor_client.get(url).content.decode(), "symptom_form")
    data["settles"] = [str(a.pk) for a in both]
    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert "“Yes” and “No” both answer “Is it cause 0?”" in html.unescape(response.content.decode())
    assert not symptom.settles.exists()


def test_a_new_symptom_may_settle_only_answers_of_the_guide_it_is_added_to(editor_client, guide, load):
    load(troubleshooter_data("other"))
    own = Answer.objects.get(question__guide=guide, question__slug="q-1", slug="no")
    foreign = Answer.objects.get(question__guide__slug="other", question__slug="q-1", slug="no")
    page = editor_client.get(admin_url(Symptom, "add")).content.decode()
    assert "Guide mechanics: Is it cause 1? → No" in _options(page, "settles")  # every guide's, named
    assert _options(editor_client.get(admin_url(Symptom, "add"), {"guide": guide.pk}).content.decode(), "settles")[
        0
    ].startswith("Is it cause 0? → ")  # the guide picked: only its own
    data = {
        "guide": [str(guide.pk)],
        "title": ["A new symptom"],
        "slug": ["a-new-symptom"],
        "description": ["S."],
        "causes": [str(guide.causes.get(slug="cause-1").pk)],
        "order": ["9"],
    }

    refused = editor_client.post(admin_url(Symptom, "add"), {**data, "settles": [str(foreign.pk)]})
    assert refused.status_code == 200 and form_errors(refused)
    assert not Symptom.objects.filter(slug="a-new-symptom").exists()
    saved = editor_client.post(admin_url(Symptom, "add"), {**data, "settles": [str(own.pk)]})
    assert saved.status_code == 302, form_errors(saved)
    assert list(Symptom.objects.get(slug="a-new-symptom").settles.all()) == [own]


def test_no_code_can_make_a_symptom_settle_an_answer_of_another_guide(guide, load):
    load(troubleshooter_data("other"))
    symptom = guide.symptoms.get(slug="symptom-0-0")
    foreign = Answer.objects.get(question__guide__slug="other", question__slug="q-0", slug="yes")

    with pytest.raises(ValidationError, match="its own guide"), transaction.atomic():
        symptom.settles.add(foreign)
    with pytest.raises(ValidationError, match="its own guide"), transaction.atomic():
        foreign.settled_by.add(symptom)
    assert not symptom.settles.exists()


def test_history_compares_the_explanation_texts_and_settled_answers(editor_client, guide):
    cause = guide.causes.get(slug="cause-1")
    save_change(editor_client, cause, what_is_happening="Old words here.")
    save_change(editor_client, cause, explains="on", what_is_happening="New words here.")
    versions = list(Version.objects.get_for_object(cause))
    compare = reverse("admin:guides_cause_compare", args=[cause.pk])

    page = editor_client.get(compare, {"version_id1": versions[1].pk, "version_id2": versions[0].pk}).content.decode()

    assert "Old" in page and "New" in page
    assert "nothing on the visitor" in page.lower()  # the box ticked is listed as a change
    symptom = guide.symptoms.get(slug="symptom-0-0")
    answer = Answer.objects.get(question__guide=guide, question__slug="q-0", slug="yes")
    save_change(editor_client, symptom, title="Edited once")
    save_change(editor_client, symptom, settles=str(answer.pk))
    versions = list(Version.objects.get_for_object(symptom))
    compare = reverse("admin:guides_symptom_compare", args=[symptom.pk])
    page = editor_client.get(compare, {"version_id1": versions[1].pk, "version_id2": versions[0].pk}).content.decode()
    assert str(answer) in html.unescape(page)


def test_a_deleted_answer_comes_back_with_the_symptoms_that_settle_it(editor_client, guide):
    symptom = guide.symptoms.get(slug="symptom-0-0")
    answer = Answer.objects.get(question__guide=guide, question__slug="q-0", slug="yes")
    save_change(editor_client, symptom, settles=str(answer.pk))

    editor_client.post(admin_url(answer, "delete"), {"post": "yes"})
    assert not symptom.settles.exists()
    version = Version.objects.get_deleted(Answer).get(object_id=str(answer.pk))
    recover_url = reverse("admin:guides_answer_recover", args=[version.pk])
    response = editor_client.post(
        recover_url, admin_form(editor_client.get(recover_url).content.decode(), "answer_form")
    )

    assert response.status_code == 302, form_errors(response)
    assert list(symptom.settles.all()) == [Answer.objects.get(pk=answer.pk)]
