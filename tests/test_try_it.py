""" "Try it" on a guide's workspace: each cause walked as a truthful visitor, by the engine's own walk."""

import re
from html import unescape

import pytest
import reversion
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guides import engine
from guides.admin import try_it as try_it_module
from guides.content_cache import forget_local_version
from guides.diagnose.snapshot import build_snapshot
from guides.engine import walk as walk_module
from guides.models import Answer, CauseFix, Efficacy, Guide
from tests.admin_forms import admin_url, save_change
from tests.builders import troubleshooter_data


def walk_rows(html: str) -> dict[str, list[str]]:
    """Each cause's row of the "Try it" table: the words of its screens, in order, by cause slug."""
    rows = re.findall(r'<tr class="try-it-walk[^"]*" id="try-it-([\w-]+)">(.*?)</tr>', html, re.S)
    return {
        slug: [
            unescape(re.sub(r"<[^>]+>", "", li)).strip()
            for li in re.findall(r"<li class=\"try-it-[\w_]+\">(.*?)</li>", row, re.S)
        ]
        for slug, row in rows
    }


def flagged(html: str) -> set[str]:
    return set(re.findall(r'<tr class="try-it-walk try-it-flagged" id="try-it-([\w-]+)">', html))


@pytest.fixture
def guide(load) -> Guide:
    with reversion.create_revision():
        load(troubleshooter_data("try-me", causes=4))
    return Guide.objects.get(slug="try-me")


def test_every_cause_of_the_bundled_guide_shows_exactly_the_engines_walk(editor_client, seed_guide):
    response = editor_client.get(admin_url(seed_guide))
    html = response.content.decode()
    model = build_snapshot(seed_guide).model
    shown = {walk.slug: walk for walk in response.context["try_it"]["walks"]}
    rows = walk_rows(html)

    assert set(shown) == set(rows) == set(seed_guide.causes.values_list("slug", flat=True))
    for cause in seed_guide.causes.all():
        expected = engine.truthful_walk(model, cause.slug, max_questions=seed_guide.max_questions)
        assert list(shown[cause.slug].walk) == expected
        assert len(rows[cause.slug]) == len(expected), cause.slug
        assert f"{len(expected)} screen" in html
        last_kind = expected[-1][0]
        assert last_kind in ("fixed", "explained")
        assert rows[cause.slug][-1].endswith("fixed.") or "that explains it" in rows[cause.slug][-1]
    assert not flagged(html)


def test_a_screen_names_the_question_and_the_answer_the_visitor_gives(editor_client, seed_guide):
    rows = walk_rows(editor_client.get(admin_url(seed_guide)).content.decode())
    question = seed_guide.questions.get(slug="error-notice")

    assert rows["network-connectivity"][0].startswith(f"Asked “{question.text}”: answers “")
    assert rows["network-connectivity"][-1] == "Offered “Switch between Wi-Fi and mobile data”: fixed."


def test_a_cause_whose_cure_was_weakened_is_flagged_as_never_reaching_its_fix(editor_client, guide):
    CauseFix.objects.filter(cause__guide=guide, cause__slug="cause-2").update(efficacy=Efficacy.RARELY)
    html = editor_client.get(admin_url(guide)).content.decode()

    assert flagged(html) == {"cause-2"}
    row = re.search(r'id="try-it-cause-2">(.*?)</tr>', html, re.S).group(1)
    assert "Needs work" in row
    assert "can never end with its fix" in unescape(row)
    assert not any("fixed." in words for words in walk_rows(html)["cause-2"])


def test_a_walk_longer_than_the_guide_allows_is_flagged_with_checks_words(editor_client, guide):
    walks = walk_rows(editor_client.get(admin_url(guide)).content.decode())
    longest = max(walks, key=lambda slug: len(walks[slug]))
    guide.max_screens = len(walks[longest]) - 1
    guide.save()

    html = unescape(editor_client.get(admin_url(guide)).content.decode())

    assert longest in flagged(html)
    row = re.search(rf'id="try-it-{longest}">(.*?)</tr>', html, re.S).group(1)
    assert "answers every question truthfully" in row


def test_the_walk_links_each_screen_into_the_troubleshooter_which_staff_can_open_on_a_draft(
    editor_client, client, guide
):
    guide.published = False
    guide.save()
    html = editor_client.get(admin_url(guide)).content.decode()
    start = f"/guides/{guide.slug}/diagnose/"
    links = [unescape(link) for link in re.findall(r'<li class="try-it-[\w_]+"><a href="([^"]+)">', html)]

    assert f'<a href="{start}" class="try-it-start">Walk it as a visitor</a>' in html
    assert "only staff can open its troubleshooter" in html
    assert links and all(link.startswith(start) for link in links)
    for link in links[:4]:
        assert editor_client.get(link).status_code == 200
        assert client.get(link).status_code == 404


def test_the_walks_are_not_walked_again_for_a_text_edit(editor_client, guide, monkeypatch):
    walked = []
    real = walk_module.visit
    monkeypatch.setattr(walk_module, "visit", lambda *a, **k: walked.append(a[0]) or real(*a, **k))

    editor_client.get(admin_url(guide))
    first = len(walked)
    editor_client.get(admin_url(guide))
    save_change(editor_client, guide.causes.get(slug="cause-1"), title="Cause one, renamed")
    walked.clear()
    html = editor_client.get(admin_url(guide)).content.decode()

    assert first == guide.causes.count()
    assert walked == []
    assert "Cause one, renamed" in html


def test_an_efficacy_saved_in_the_admin_changes_the_walk_at_once(editor_client, guide):
    before = walk_rows(editor_client.get(admin_url(guide)).content.decode())
    link = CauseFix.objects.get(cause__guide=guide, cause__slug="cause-2")

    save_change(editor_client, link, efficacy=Efficacy.RARELY)
    html = editor_client.get(admin_url(guide)).content.decode()

    assert before["cause-2"][-1].endswith("fixed.")
    assert flagged(html) == {"cause-2"}
    assert not walk_rows(html)["cause-2"][-1].endswith("fixed.")


def test_a_step_offered_after_an_answer_that_skips_it_is_flagged(editor_client, guide, monkeypatch):
    # The engine keeps this promise itself: a walk that breaks it is scripted, as the checks' own tests do.
    yes = Answer.objects.get(question__guide=guide, question__slug="q-1", slug="yes")
    yes.skips.add(guide.fix_steps.get(slug="fix-0"))
    real = engine.truthful_walk
    script = {"cause-1": [("question", "q-1"), ("step", "fix-0"), ("fixed", "fix-1")]}
    monkeypatch.setattr(
        engine, "truthful_walk", lambda model, cause, **kw: script.get(cause) or real(model, cause, **kw)
    )

    html = unescape(editor_client.get(admin_url(guide)).content.decode())

    assert flagged(html) == {"cause-1"}
    assert walk_rows(html)["cause-1"] == [
        "Asked “Is it cause 1?”: answers “Yes”.",
        "Offered “Fix number 0”: it does not fix this cause.",
        "Offered “Fix number 1”: fixed.",
    ]
    assert "“Fix number 0” is offered to someone who answered “Yes” to “Is it cause 1?”, which says this step" in html


@pytest.mark.parametrize("slug", ["tiktok-messages", "try-me"])
def test_try_it_costs_the_workspace_one_query_whatever_the_size_of_the_guide(editor_client, guide, slug, monkeypatch):
    """One read of the content version; the snapshot and the walks are this process's and the cache's."""
    url = admin_url(Guide.objects.get(slug=slug))

    def queries() -> int:
        editor_client.get(url)  # the snapshot for this content version, the walks for this model
        forget_local_version()  # as a process does once a second
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(url).status_code == 200
        return len(captured)

    with_try_it = queries()
    monkeypatch.setattr(try_it_module, "try_it", lambda guide: {})
    assert with_try_it == queries() + 1
