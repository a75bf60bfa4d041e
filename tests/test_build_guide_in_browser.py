"""Issue 16's editor, in a real browser: a member of the Editors group builds the WhatsApp guide on the guide's
own page and its two grids, publishes it, and stays within the budget (bench/editor_driver.py counts).

Then the guide is what the editor meant: every cause, symptom, fix step, link, answer effect and checklist
step is there, Check finds no error, and a visitor's troubleshooter reaches the fix of one cause.
"""

import re

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Browser, Page, expect

from bench.editor_driver import BUDGET, build_guide, report
from bench.whatsapp_guide import GUIDE
from guides import engine
from guides.authoring.checks import ERROR, check_guide
from guides.diagnose.snapshot import build_snapshot
from guides.models import AnswerEffect, CauseFix, Guide

PASSWORD = "a-long-editor-password"
# Every page the editor loads: sign-in, the admin's home, the guide's add page, its workspace, its two grids,
# the publish confirmation, and the Markdown preview. No list of causes, fix steps or answer effects.
WORKSPACE_ONLY = re.compile(
    r"(page|htmx \w+) https?://[^/]+/admin/"
    r"(login/\?next=/admin/|guides/guide/(add/|\d+/change/|\d+/fix-grid/|\d+/effect-grid/|\d+/publish/|preview/))?"
    r"( \(from \w+\))?$"
)
# The visitor whose walk the test follows: their cure is a step of a grid link, after two questions.
VISITOR_CAUSE = "data-blocked"


@pytest.fixture
def editor(seeded):
    """A member of the Editors group, and no WhatsApp guide after the test (the other browser tests share the site)."""
    user = User.objects.create_user("wanda", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    yield user
    Guide.objects.filter(title=GUIDE["title"]).delete()
    user.delete()


@pytest.mark.browser
def test_an_editor_builds_and_publishes_the_whatsapp_guide_within_the_budget(seeded, editor, page: Page, browser):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    tally = build_guide(page, seeded.url, "wanda", PASSWORD, GUIDE)
    print(report(tally))

    guide = Guide.objects.get(title=GUIDE["title"])
    assert guide.published, report(tally)
    assert what_was_built(guide) == what_was_meant(), report(tally)
    assert [p.message for p in check_guide(guide) if p.level == ERROR] == []
    assert errors == [], "JavaScript errors on the admin's pages"
    elsewhere = [load for load in tally.steps if not WORKSPACE_ONLY.match(load.split(": ", 1)[1])]
    assert elsewhere == [], "pages outside the guide's workspace"
    spent = tally.figures()
    over = {kind: f"{spent[kind]} > {most}" for kind, most in BUDGET.items() if spent[kind] > most}
    assert over == {}, report(tally)
    visitor_reaches_the_fix(browser, seeded.url, guide)


def what_was_meant() -> dict:
    causes = {cause["slug"]: cause["title"] for cause in GUIDE["causes"]}
    steps = {step["slug"]: step["title"] for step in GUIDE["fix_steps"]}
    return {
        "causes": [cause["title"] for cause in GUIDE["causes"]],
        "symptoms": {(s["title"], causes[c]) for s in GUIDE["symptoms"] for c in s["causes"]},
        "steps": {(step["title"], step.get("kind", "do_now"), step.get("minutes", 2)) for step in GUIDE["fix_steps"]},
        "links": {(c["title"], steps[s], e) for c in GUIDE["causes"] for s, e in c.get("fixes", {}).items()},
        "checklist": [steps[slug] for slug in GUIDE["checklist"]],
        "effects": {
            (q["text"], a["text"], causes[c], strength)
            for q in GUIDE["questions"]
            for a in q["answers"]
            for c, strength in a["effects"].items()
        },
        "faq": [entry["question"] for entry in GUIDE["faq"]],
    }


def what_was_built(guide: Guide) -> dict:
    return {
        "causes": list(guide.causes.values_list("title", flat=True)),
        "symptoms": set(guide.symptoms.values_list("title", "causes__title")),
        "steps": set(guide.fix_steps.values_list("title", "kind", "minutes")),
        "links": set(
            CauseFix.objects.filter(cause__guide=guide).values_list("cause__title", "fix_step__title", "efficacy")
        ),
        "checklist": list(guide.checklist_items.values_list("fix_step__title", flat=True)),
        "effects": set(
            AnswerEffect.objects.filter(cause__guide=guide).values_list(
                "answer__question__text", "answer__text", "cause__title", "strength"
            )
        ),
        "faq": list(guide.faq_entries.values_list("question", flat=True)),
    }


def visitor_reaches_the_fix(browser: Browser, url: str, guide: Guide) -> None:
    """A visitor with one cause answers truthfully and reaches its cure, screen by screen as the engine walks it."""
    snapshot = build_snapshot(guide)
    title = next(cause["title"] for cause in GUIDE["causes"] if cause["slug"] == VISITOR_CAUSE)
    cause = guide.causes.get(title=title).slug
    walk = engine.truthful_walk(snapshot.model, cause, max_questions=snapshot.max_questions)
    assert walk[-1][0] == "fixed", walk
    questions = {question.key: question for question in snapshot.model.questions}
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{url}/guides/{guide.slug}/diagnose/")
        heading = page.locator("h1#screen")
        for kind, key in walk:
            if kind == engine.QUESTION:
                expect(heading).to_have_text(snapshot.questions[key].text)
                answer = engine.answer_for(questions[key], cause)
                text = next((a.text for a in questions[key].answers if a.key == answer), "I'm not sure")
                page.locator("form.answers").get_by_role("button", name=text, exact=True).click()
            elif kind == engine.EXPLAIN:
                expect(heading).to_have_text(snapshot.causes[key].title)
                page.get_by_role("button", name="No, that's not it").click()
            else:
                expect(heading).to_have_text(snapshot.steps[key].title)
                done = "Yes, it works now" if kind == "fixed" else "No, still not working"
                page.get_by_role("button", name=done).click()
        expect(heading).to_have_text("Great, it works again")
    finally:
        context.close()
