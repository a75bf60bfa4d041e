"""The guide's two grids: fix steps × causes (with the checklist) and answers × causes, each one page and one Save."""

import html
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from guides.models import AnswerEffect, Cause, CauseFix, FixStep, Guide, Question, Strength
from tests.admin_forms import admin_form
from tests.builders import troubleshooter_data


@pytest.fixture
def guide(load) -> Guide:
    """Three causes, each almost always fixed by its own step; fix-0..2 in the checklist; one yes/no question each."""
    load(troubleshooter_data(slug="walkable", causes=3))
    return Guide.objects.get(slug="walkable")


def fix_grid(guide) -> str:
    return reverse("admin:guides_guide_fix_grid", args=[guide.pk])


def effect_grid(guide) -> str:
    return reverse("admin:guides_guide_effect_grid", args=[guide.pk])


def step(guide, slug) -> FixStep:
    return guide.fix_steps.get(slug=slug)


def cause(guide, slug) -> Cause:
    return guide.causes.get(slug=slug)


def answer(guide, question, slug):
    return guide.questions.get(slug=question).answers.get(slug=slug)


def form(client, url) -> dict:
    """The grid's form as a browser would send it, untouched."""
    page = client.get(url)
    assert page.status_code == 200
    return admin_form(page.content.decode(), "grid_form")


def efficacies(guide) -> dict:
    return {
        (link.fix_step.slug, link.cause.slug): link.efficacy for link in CauseFix.objects.filter(cause__guide=guide)
    }


def checklist(guide) -> list[str]:
    return [item.fix_step.slug for item in guide.checklist_items.order_by("order", "id")]


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


def test_the_workspace_links_to_both_grids(editor_client, guide):
    page = editor_client.get(reverse("admin:guides_guide_change", args=[guide.pk])).content.decode()

    assert f'href="{fix_grid(guide)}"' in page
    assert f'href="{effect_grid(guide)}"' in page


def test_the_fix_grid_shows_every_step_and_cause_with_its_word_and_checklist_place(editor_client, guide):
    data = form(editor_client, fix_grid(guide))
    page = editor_client.get(fix_grid(guide)).content.decode()

    fix0, fix1, wait = step(guide, "fix-0"), step(guide, "fix-1"), step(guide, "wait-a-day")
    c0, c1 = cause(guide, "cause-0"), cause(guide, "cause-1")
    assert data[f"fix-{fix0.pk}-{c0.pk}"] == ["almost_always"]
    assert data[f"fix-{fix0.pk}-{c1.pk}"] == [""]  # not linked
    assert data[f"fix-{wait.pk}-{c0.pk}"] == ["almost_always"]
    assert data[f"checklist-{fix0.pk}"] == ["1"] and data[f"checklist-{fix1.pk}"] == ["2"]
    assert data[f"checklist-{wait.pk}"] == [""]
    for title in ("Cause 0", "Cause 1", "Cause 2", "Fix number 0", "Wait a day"):
        assert title in page


def legend(page: str, word: str) -> str:
    found = re.search(rf"<dt>{re.escape(word)}</dt><dd>([^<]*)</dd>", page)
    assert found, f"{word} is not in the legend"
    return found.group(1)


def test_every_word_is_explained_with_its_number(editor_client, guide):
    fixes = editor_client.get(fix_grid(guide)).content.decode()
    effects = editor_client.get(effect_grid(guide)).content.decode()

    assert "about 6 times in 10 when this is the cause (chance 0.6)." in legend(fixes, "Often")
    assert "about 9 times in 10" in legend(fixes, "Almost always") and "(chance 0.9)" in legend(fixes, "Almost always")
    assert "about 1 time in 10" in legend(fixes, "Rarely")
    assert "never fixes it (chance 0)" in legend(fixes, "— (not linked)")
    assert 'title="Fixes it about 9 times in 10 (chance 0.9)"' in fixes
    assert "20 times less likely" in legend(effects, "Rules it out")
    assert "(likelihood ratio 0.05)" in legend(effects, "Rules it out")
    assert "(likelihood ratio 0.5)" in legend(effects, "Less likely")
    assert "(likelihood ratio 1)" in legend(effects, "— (says nothing)")
    assert 'title="The cause becomes 8 times as likely as before (ratio 8)"' in effects


def test_a_cell_is_a_group_of_radio_buttons_not_a_dropdown(editor_client, guide):
    page = editor_client.get(fix_grid(guide)).content.decode()
    fix0, c1 = step(guide, "fix-0"), cause(guide, "cause-1")

    assert "<select" not in page
    group = re.search(
        r'<div class="grid-choices" role="radiogroup" aria-label="Fix number 0 — Cause 1">(.*?)</div>', page
    )
    assert group, "each cell is a named radio group"
    assert group.group(1).count(f'name="fix-{fix0.pk}-{c1.pk}"') == 5
    assert "Not linked" in group.group(1)  # the dash has a name a screen reader says


def test_saving_the_fix_grid_adds_changes_and_removes_links_and_lands_on_the_workspace(editor_client, guide, editor):
    fix0, fix1, wait = step(guide, "fix-0"), step(guide, "fix-1"), step(guide, "wait-a-day")
    c0, c1 = cause(guide, "cause-0"), cause(guide, "cause-1")
    data = form(editor_client, fix_grid(guide))
    data[f"fix-{fix0.pk}-{c1.pk}"] = ["rarely"]  # a new link
    data[f"fix-{fix1.pk}-{c1.pk}"] = ["often"]  # a changed word
    data[f"fix-{wait.pk}-{c0.pk}"] = [""]  # a removed link

    response = editor_client.post(fix_grid(guide), data, follow=True)

    assert response.redirect_chain == [(reverse("admin:guides_guide_change", args=[guide.pk]), 302)]
    assert "Saved: 1 link added, 1 link changed, 1 link removed." in response.content.decode()
    assert efficacies(guide) == {
        ("fix-0", "cause-0"): "almost_always",
        ("fix-0", "cause-1"): "rarely",
        ("fix-1", "cause-1"): "often",
        ("fix-2", "cause-2"): "almost_always",
    }
    new = CauseFix.objects.get(fix_step=fix0, cause=c1)
    assert new.order > CauseFix.objects.get(fix_step=fix1, cause=c1).order  # added at the end of the cause's list


def test_a_grid_save_is_in_history_with_the_editor_and_a_comment(editor_client, guide, editor):
    fix1, c1 = step(guide, "fix-1"), cause(guide, "cause-1")
    data = form(editor_client, fix_grid(guide))
    data[f"fix-{fix1.pk}-{c1.pk}"] = ["often"]

    editor_client.post(fix_grid(guide), data)

    version = Version.objects.get_for_object(c1).first()
    assert version.revision.user == editor
    assert version.revision.comment == "Changed in the fix steps × causes grid."
    assert "often" in version.serialized_data or any(
        "often" in v.serialized_data for v in version.revision.version_set.all()
    )
    page = editor_client.get(reverse("admin:guides_cause_history", args=[c1.pk])).content.decode()
    assert "Changed in the fix steps × causes grid." in page
    logged = LogEntry.objects.get(object_id=str(guide.pk), content_type__model="guide")
    assert (logged.user, logged.get_change_message()) == (
        editor,
        "Changed in the fix steps × causes grid. Saved: 1 link changed.",
    )


def test_saving_an_untouched_grid_writes_nothing(editor_client, guide):
    for url in (fix_grid(guide), effect_grid(guide)):
        data = form(editor_client, url)
        versions = Version.objects.count()

        with CaptureQueriesContext(connection) as queries:
            response = editor_client.post(url, data, follow=True)

        assert [q for q in writes(queries.captured_queries) if "guides_" in q or "reversion_" in q] == []
        assert Version.objects.count() == versions
        assert "Nothing changed, so nothing was saved." in response.content.decode()


def test_cells_the_form_does_not_carry_are_left_as_they_are(editor_client, guide):
    """A page opened before a step or cause was added saves what it showed, and nothing else."""
    fix1, c1 = step(guide, "fix-1"), cause(guide, "cause-1")

    response = editor_client.post(fix_grid(guide), {f"fix-{fix1.pk}-{c1.pk}": "sometimes"})

    assert response.status_code == 302
    assert efficacies(guide)[("fix-1", "cause-1")] == "sometimes"
    assert len(efficacies(guide)) == 4 and checklist(guide) == ["fix-0", "fix-1", "fix-2"]


def test_a_word_someone_else_changed_meanwhile_stays_unless_this_editor_changed_that_cell(editor_client, guide):
    fix0, fix1, fix2 = step(guide, "fix-0"), step(guide, "fix-1"), step(guide, "fix-2")
    c0, c1, c2 = cause(guide, "cause-0"), cause(guide, "cause-1"), cause(guide, "cause-2")
    data = form(editor_client, fix_grid(guide))
    CauseFix.objects.filter(fix_step=fix1, cause=c1).update(efficacy="rarely")  # another editor, on the cause's page
    CauseFix.objects.filter(fix_step=fix2, cause=c2).update(efficacy="rarely")
    data[f"fix-{fix0.pk}-{c0.pk}"] = ["often"]  # this editor's one change
    data[f"fix-{fix2.pk}-{c2.pk}"] = ["sometimes"]  # and one cell both changed: the last save wins

    editor_client.post(fix_grid(guide), data)

    assert efficacies(guide) == {
        ("fix-0", "cause-0"): "often",
        ("fix-1", "cause-1"): "rarely",
        ("fix-2", "cause-2"): "sometimes",
        ("wait-a-day", "cause-0"): "almost_always",
    }


def test_checklist_positions_add_move_and_remove_steps(editor_client, guide):
    fix0, fix2, wait = step(guide, "fix-0"), step(guide, "fix-2"), step(guide, "wait-a-day")
    data = form(editor_client, fix_grid(guide))
    data[f"checklist-{wait.pk}"] = ["1"]  # a new first step
    data[f"checklist-{fix0.pk}"] = [""]  # out of the checklist
    data[f"checklist-{fix2.pk}"] = ["2"]  # level with fix-1: the step already there keeps its turn

    response = editor_client.post(fix_grid(guide), data, follow=True)

    assert checklist(guide) == ["wait-a-day", "fix-1", "fix-2"]
    assert "the checklist changed" in response.content.decode()
    assert Version.objects.get_for_object(guide).first().revision.comment == "Changed in the fix steps × causes grid."


def test_another_guides_step_or_cause_is_refused_and_nothing_is_saved(editor_client, guide, seed_guide):
    fix1, c1 = step(guide, "fix-1"), cause(guide, "cause-1")
    theirs_step, theirs_cause = seed_guide.fix_steps.first(), seed_guide.causes.first()
    before = efficacies(guide)
    for foreign in (f"fix-{theirs_step.pk}-{c1.pk}", f"fix-{fix1.pk}-{theirs_cause.pk}"):
        data = {f"fix-{fix1.pk}-{c1.pk}": "often", foreign: "often"}

        response = editor_client.post(fix_grid(guide), data)

        assert response.status_code == 400
        assert f"belongs to the guide “{seed_guide.title}”" in response.content.decode()
        assert "Nothing was saved" in response.content.decode()
        assert efficacies(guide) == before
    assert CauseFix.objects.filter(cause=theirs_cause, fix_step__guide=guide).count() == 0


def test_another_guides_answer_is_refused(editor_client, guide, seed_guide):
    theirs = seed_guide.questions.first().answers.first()
    c0 = cause(guide, "cause-0")

    response = editor_client.post(effect_grid(guide), {f"effect-{theirs.pk}-{c0.pk}": "strong"})

    assert response.status_code == 400
    assert seed_guide.title in response.content.decode()
    assert not AnswerEffect.objects.filter(answer=theirs, cause=c0).exists()


@pytest.mark.parametrize(
    "data",
    [{"fix-1-2": "always"}, {"fix-x-2": "often"}, {"fix-1-2-3": "often"}, {"checklist-1": "first"}],
    ids=["unknown word", "not a number", "too many parts", "position not a number"],
)
def test_a_malformed_cell_is_a_400_in_words(editor_client, guide, data):
    response = editor_client.post(fix_grid(guide), data)

    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()


def test_the_effect_grid_groups_answers_by_question_and_saves_strengths(editor_client, guide, editor):
    yes0, no1 = answer(guide, "q-0", "yes"), answer(guide, "q-1", "no")
    c0, c2 = cause(guide, "cause-0"), cause(guide, "cause-2")
    page = editor_client.get(effect_grid(guide)).content.decode()
    assert '<th scope="rowgroup" colspan="4">Is it cause 0?</th>' in page
    data = form(editor_client, effect_grid(guide))
    assert data[f"effect-{yes0.pk}-{c0.pk}"] == [Strength.STRONG]
    data[f"effect-{yes0.pk}-{c0.pk}"] = [Strength.MORE]
    data[f"effect-{yes0.pk}-{c2.pk}"] = [Strength.LESS]
    data[f"effect-{no1.pk}-{cause(guide, 'cause-1').pk}"] = [""]

    response = editor_client.post(effect_grid(guide), data, follow=True)

    assert "Saved: 1 answer effect added, 1 answer effect changed, 1 answer effect removed." in (
        response.content.decode()
    )
    assert AnswerEffect.objects.get(answer=yes0, cause=c0).strength == Strength.MORE
    assert AnswerEffect.objects.get(answer=yes0, cause=c2).strength == Strength.LESS
    assert not AnswerEffect.objects.filter(answer=no1).exists()
    question = Question.objects.get(guide=guide, slug="q-0")
    revision = Version.objects.get_for_object(question).first().revision
    assert (revision.user, revision.comment) == (editor, "Changed in the answers × causes grid.")


def test_effects_on_a_facet_are_left_alone(editor_client, guide):
    yes0, c0 = answer(guide, "q-0", "yes"), cause(guide, "cause-0")
    AnswerEffect.objects.create(answer=yes0, cause=c0, facet=c0.facets.first(), strength=Strength.LESS)
    data = form(editor_client, effect_grid(guide))
    data[f"effect-{yes0.pk}-{c0.pk}"] = [""]

    editor_client.post(effect_grid(guide), data)

    assert list(AnswerEffect.objects.filter(answer=yes0, cause=c0).values_list("strength", flat=True)) == ["less"]
    assert "Also says something about a facet" in editor_client.get(effect_grid(guide)).content.decode()


def test_a_staff_member_who_may_only_look_cannot_save(client, guide):
    viewer = User.objects.create_user("vera", is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_guide", "view_causefix"]))
    client.force_login(viewer)
    fix0, c1 = step(guide, "fix-0"), cause(guide, "cause-1")

    page = client.get(fix_grid(guide))
    response = client.post(fix_grid(guide), {f"fix-{fix0.pk}-{c1.pk}": "often"})

    assert "You can look at this grid but not change it." in page.content.decode()
    assert response.status_code == 403
    assert ("fix-0", "cause-1") not in efficacies(guide)


def test_a_grid_the_database_cannot_write_gets_the_not_saved_page(editor_client, guide):
    fix0, c1 = step(guide, "fix-0"), cause(guide, "cause-1")

    def full_disk(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) and "guides_causefix" in sql:
            raise OperationalError("could not extend file: No space left on device")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(full_disk):
        response = editor_client.post(fix_grid(guide), {f"fix-{fix0.pk}-{c1.pk}": "often"})

    assert response.status_code == 503
    assert "the database's disk is full" in html.unescape(response.content.decode())
    assert ("fix-0", "cause-1") not in efficacies(guide)


def test_a_missing_guide_is_a_404(editor_client, guide):
    assert editor_client.get(reverse("admin:guides_guide_fix_grid", args=[999999])).status_code == 404


def test_a_big_guide_comes_in_pages_of_causes_within_the_form_field_limit(editor_client, load, settings):
    load(troubleshooter_data(slug="big", causes=8))
    big = Guide.objects.get(slug="big")
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50  # 9 steps: each page may hold (50 - 9 - 10) // 9 = 3 causes
    first = form(editor_client, fix_grid(big))
    assert len(first) <= 50 and sum(key.startswith("fix-") for key in first) == 9 * 3

    response = editor_client.post(fix_grid(big), {**first, "_next": "Save and show the next causes"})

    assert response.status_code == 302 and response["Location"] == f"{fix_grid(big)}?page=2"
    page2 = editor_client.get(response["Location"]).content.decode()
    assert "Cause 3" in page2 and "Cause 2<" not in page2 and "Causes, page 2 of 3." in page2


def _pks(guide):
    return [step(guide, "fix-0").pk, cause(guide, "cause-1").pk]


@pytest.mark.parametrize("url_of", [fix_grid, effect_grid], ids=["fix grid", "effect grid"])
def test_a_grid_page_costs_the_same_queries_however_big_the_guide_and_the_site(
    editor_client, guide, load, django_assert_num_queries, url_of
):
    # session, user, guide, the editor's permissions (own and group's), rows, causes, links (+ the checklist)
    expected = 9 if url_of is fix_grid else 8
    with django_assert_num_queries(expected):
        editor_client.get(url_of(guide))
    load(troubleshooter_data(slug="bigger", causes=9))
    bigger = url_of(Guide.objects.get(slug="bigger"))
    with django_assert_num_queries(expected):
        editor_client.get(bigger)


def test_a_save_costs_a_known_number_of_queries(editor_client, guide, django_assert_num_queries):
    """One new link: the page's 9 reads, the link's checks (2) and insert (1), the cause's version in History
    with its related causes, facets and fix steps (13, savepoints included), the content version (7) and the
    admin's log entry (1)."""
    fix0, c1 = _pks(guide)

    with django_assert_num_queries(33):
        editor_client.post(fix_grid(guide), {f"fix-{fix0}-{c1}": "often"})


@pytest.mark.parametrize("url_of", [fix_grid, effect_grid], ids=["fix grid", "effect grid"])
def test_a_sixty_cause_guide_saves_page_by_page_within_djangos_field_limit(editor_client, load, settings, url_of):
    load(troubleshooter_data(slug="sixty", causes=60))
    sixty = Guide.objects.get(slug="sixty")
    first = editor_client.get(url_of(sixty)).content.decode()
    pages = int(re.search(r"Causes, page 1 of (\d+)\.", first).group(1))
    seen = set()
    for page in range(1, pages + 1):
        data = form(editor_client, f"{url_of(sixty)}?page={page}")
        assert len(data) <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        seen |= {key.rsplit("-", 1)[1] for key in data if key.startswith(("fix-", "effect-"))}
    assert seen == {str(pk) for pk in sixty.causes.values_list("pk", flat=True)}

    # The fullest page, as the browser sends it: Django accepts it (more fields would be a 400).
    assert editor_client.post(f"{url_of(sixty)}?page=1", form(editor_client, url_of(sixty))).status_code == 302


@pytest.mark.parametrize("url_of", [fix_grid, effect_grid], ids=["fix grid", "effect grid"])
def test_an_untouched_save_costs_only_the_pages_reads(editor_client, guide, django_assert_num_queries, url_of):
    data = form(editor_client, url_of(guide))

    with django_assert_num_queries(9 if url_of is fix_grid else 8):
        editor_client.post(url_of(guide), data)


def test_an_effect_grid_save_costs_a_known_number_of_queries(editor_client, guide, django_assert_num_queries):
    """One new answer effect: the page's 8 reads, the effect's checks (2) and insert (1), the question's version
    in History with its answers and their effects, the content version (7) and the admin's log entry (1). The
    question's version grows with its own answers, not with the guide."""
    yes0, c2 = answer(guide, "q-0", "yes"), cause(guide, "cause-2")

    with django_assert_num_queries(37):
        editor_client.post(effect_grid(guide), {f"effect-{yes0.pk}-{c2.pk}": "less"})
