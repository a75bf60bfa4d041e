"""The troubleshooter in a real browser: one screen at a time, with and without JavaScript.

With JavaScript htmx swaps only the #panel, moves the focus to the new screen's heading and
pushes each screen's address, under the site's strict Content-Security-Policy; without it
every screen is a plain GET form or a POST that redirects. Either way the address holds the
whole state and the browser's Back button returns to the previous screen.
"""

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from guides import engine
from guides.diagnose.snapshot import build_snapshot
from guides.models import Guide, Resolution, StepOutcome

DIAGNOSE = "/guides/tiktok-messages/diagnose/"


def heading(page: Page):
    return page.locator("#panel-heading")


def route(evidence_after_question: int = 1):
    """The screens of a short walk, from the engine: first question, then "I'm not sure" to a fix step.

    Returns (snapshot, [(evidence, decision), ...]) up to and including the second fix step
    offered (the first one fails).
    """
    snapshot = build_snapshot(Guide.objects.get(slug="tiktok-messages"))
    evidence: list[tuple[str, str]] = []
    screens = []
    steps_seen = 0
    while steps_seen < 2:
        decision = engine.next_step(snapshot.model, evidence, max_questions=snapshot.max_questions)
        screens.append((list(evidence), decision))
        if decision.kind == engine.QUESTION:
            answer = decision.question.answers[0].key if not evidence else engine.UNSURE
            evidence.append((decision.question.key, answer))
        elif decision.kind == engine.STEP:
            steps_seen += 1
            evidence.append((engine.FAILED, decision.step.key))
        else:
            break
    return snapshot, screens


def title_of(snapshot, decision) -> str:
    if decision.kind == engine.QUESTION:
        return snapshot.questions[decision.question.key].text
    return snapshot.steps[decision.step.key].title


@pytest.mark.browser
def test_with_javascript_a_question_a_failed_step_and_a_fix(seeded, page: Page):
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    snapshot, screens = route()
    assert screens[0][1].kind == engine.QUESTION and screens[-1][1].kind == engine.STEP

    page.goto(seeded.url + DIAGNOSE)
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__marker = 1")  # gone if the browser loads a whole new page
    first = screens[0][1].question
    expect(heading(page)).to_have_text(first.text)

    previous_url = page.url
    page.get_by_role("radio", name=first.answers[0].text, exact=True).check()
    page.get_by_role("button", name="Next").click()
    for position, (_, decision) in enumerate(screens[1:], start=1):
        expect(heading(page)).to_have_text(title_of(snapshot, decision))
        expect(heading(page)).to_be_focused()  # a screen reader starts on the new screen
        assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of the panel being swapped"
        if position == 1:
            page.go_back()  # htmx asks the server for the earlier screen and swaps it in
            expect(page).to_have_url(previous_url)
            expect(heading(page)).to_have_text(first.text)
            page.go_forward()
            expect(heading(page)).to_have_text(title_of(snapshot, decision))
        if position == len(screens) - 1:
            break
        if decision.kind == engine.QUESTION:
            page.get_by_role("radio", name="I'm not sure").check()
            page.get_by_role("button", name="Next").click()
        else:
            page.get_by_role("button", name="No, still not working").click()
            expect(page).to_have_url(re.compile(re.escape(f"failed={decision.step.key}")))

    last_step = screens[-1][1].step.key
    page.get_by_role("button", name="Yes, it works now").click()
    expect(heading(page)).to_have_text("Great, it works again")
    expect(heading(page)).to_be_focused()
    expect(page).to_have_url(re.compile(re.escape(f"fixed={last_step}")))
    assert page.evaluate("window.__marker") == 1

    assert list(Resolution.objects.values_list("step_slug", "fixed")) == [(last_step, True)]
    assert StepOutcome.objects.filter(outcome="not_fixed").count() == 1
    assert errors == [], "console errors (CSP violations included) during the walk"


@pytest.mark.browser
def test_without_javascript_screens_are_plain_forms_and_the_back_button_works(seeded, browser):
    snapshot, screens = route()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(seeded.url + DIAGNOSE)
        first = screens[0][1].question
        expect(heading(page)).to_have_text(first.text)
        page.get_by_role("radio", name=first.answers[0].text, exact=True).check()
        page.get_by_role("button", name="Next").click()
        expect(heading(page)).to_have_text(title_of(snapshot, screens[1][1]))

        page.go_back()
        expect(heading(page)).to_have_text(first.text)
        page.go_forward()
        expect(heading(page)).to_have_text(title_of(snapshot, screens[1][1]))

        evidence, decision = next((e, d) for e, d in screens if d.kind == engine.STEP)
        page.goto(f"{seeded.url}{DIAGNOSE}?{urlencode(evidence)}")
        page.get_by_role("button", name="I couldn't do this").click()  # a POST, then a redirect
        expect(page).to_have_url(re.compile(re.escape(f"couldnt={decision.step.key}")))
        expect(heading(page)).not_to_have_text(snapshot.steps[decision.step.key].title)
    finally:
        context.close()

    assert list(StepOutcome.objects.values_list("step_slug", "outcome")) == [(decision.step.key, "couldnt")]


@pytest.mark.browser
def test_the_tab_title_follows_the_screen_with_javascript(seeded, page: Page):
    snapshot, screens = route()
    page.goto(seeded.url + DIAGNOSE)
    page.wait_for_function("() => window.htmx !== undefined")
    first = screens[0][1].question
    page.get_by_role("radio", name=first.answers[0].text, exact=True).check()
    page.get_by_role("button", name="Next").click()

    expect(page).to_have_title(re.compile("^" + re.escape(title_of(snapshot, screens[1][1]))), timeout=3000)
