"""The troubleshooter in a real browser: one screen at a time, with and without JavaScript.

Each answer to a question is a button of its own: one tap answers and moves on. With JavaScript
htmx swaps only the #panel, moves the focus to the new screen's heading (the page's h1) and
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
    """The screen's heading: the page's h1, where a new screen opens and the focus lands."""
    return page.locator("h1#screen")


def walk(snapshot, first_answer: str):
    """The screens of a visit that gives `first_answer` to the first question, then "I'm not sure".

    Every fix step fails and every explanation is "No, that's not it". Returns [(evidence, decision), ...]
    up to and including the second fix step offered, or None when the visit ends before it.
    """
    evidence: list[tuple[str, str]] = []
    screens = []
    steps_seen = 0
    while steps_seen < 2:
        decision = engine.next_step(snapshot.model, evidence, max_questions=snapshot.max_questions)
        screens.append((list(evidence), decision))
        if decision.kind == engine.QUESTION:
            evidence.append((decision.question.key, first_answer if not evidence else engine.UNSURE))
        elif decision.kind == engine.STEP:
            steps_seen += 1
            evidence.append((engine.FAILED, decision.step.key))
        elif decision.kind == engine.EXPLAIN:
            evidence.append((engine.NOT_IT, decision.cause))
        else:
            return None
    return screens


def route():
    """A short visit from the engine: a first answer, then "I'm not sure" to a failed fix step and a second one.

    The first answer is the first of the first question's answers whose visit reaches a second fix
    step (an answer that points to a cause nothing on the visitor's side fixes ends in explanations).
    Returns (snapshot, first answer, [(evidence, decision), ...]).
    """
    snapshot = build_snapshot(Guide.objects.get(slug="tiktok-messages"))
    first = engine.next_step(snapshot.model, [], max_questions=snapshot.max_questions).question
    for answer in first.answers:
        screens = walk(snapshot, answer.key)
        if screens:
            return snapshot, answer, screens
    raise AssertionError("no first answer leads to two fix steps")


def title_of(snapshot, decision) -> str:
    if decision.kind == engine.QUESTION:
        return snapshot.questions[decision.question.key].text
    if decision.kind == engine.EXPLAIN:
        return snapshot.causes[decision.cause].title
    return snapshot.steps[decision.step.key].title


def answer(page: Page, text: str):
    """Tap an answer: one button, no "Next"."""
    page.locator("form.answers").get_by_role("button", name=text, exact=True).click()


@pytest.mark.browser
def test_with_javascript_a_question_a_failed_step_and_a_fix(seeded, page: Page):
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    snapshot, first_answer, screens = route()
    assert screens[0][1].kind == engine.QUESTION and screens[-1][1].kind == engine.STEP

    page.goto(seeded.url + DIAGNOSE)
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__marker = 1")  # gone if the browser loads a whole new page
    first = screens[0][1].question
    expect(heading(page)).to_have_text(first.text)
    expect(page.locator("#panel")).to_have_attribute("data-screen", engine.QUESTION)
    expect(page.get_by_role("button", name="Next")).to_have_count(0)  # one tap answers

    previous_url = page.url
    answer(page, first_answer.text)
    for position, (_, decision) in enumerate(screens[1:], start=1):
        expect(heading(page)).to_have_text(title_of(snapshot, decision))
        expect(page.locator("#panel")).to_have_attribute("data-screen", decision.kind)
        expect(heading(page)).to_be_focused()  # a screen reader starts on the new screen
        assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of the panel being swapped"
        if position == 1:
            expect(page).to_have_url(re.compile(re.escape(urlencode({first.key: first_answer.key}))))
            page.go_back()  # htmx asks the server for the earlier screen and swaps it in
            expect(page).to_have_url(previous_url)
            expect(heading(page)).to_have_text(first.text)
            page.go_forward()
            expect(heading(page)).to_have_text(title_of(snapshot, decision))
        if position == len(screens) - 1:
            break
        if decision.kind == engine.QUESTION:
            answer(page, "I'm not sure")
        elif decision.kind == engine.EXPLAIN:
            page.get_by_role("button", name="No, that's not it").click()
            expect(page).to_have_url(re.compile(re.escape(urlencode({engine.NOT_IT: decision.cause}))))
        else:
            page.get_by_role("button", name="No, still not working").click()
            expect(page).to_have_url(re.compile(re.escape(f"failed={decision.step.key}")))

    last_step = screens[-1][1].step.key
    page.get_by_role("button", name="Yes, it works now").click()
    expect(heading(page)).to_have_text("Great, it works again")
    expect(page.locator("#panel")).to_have_attribute("data-screen", "fixed")
    expect(heading(page)).to_be_focused()
    expect(page).to_have_url(re.compile(re.escape(f"fixed={last_step}")))
    assert page.evaluate("window.__marker") == 1

    assert list(Resolution.objects.values_list("step_slug", "fixed")) == [(last_step, True)]
    assert StepOutcome.objects.filter(outcome="not_fixed").count() == 1
    assert errors == [], "console errors (CSP violations included) during the walk"


@pytest.mark.browser
def test_without_javascript_screens_are_plain_forms_and_the_back_button_works(seeded, browser):
    snapshot, first_answer, screens = route()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(seeded.url + DIAGNOSE)
        first = screens[0][1].question
        expect(heading(page)).to_have_text(first.text)
        answer(page, first_answer.text)  # a GET form: the answer goes in the address; the screen opens at its heading
        expect(page).to_have_url(re.compile(re.escape(urlencode({first.key: first_answer.key})) + ".*#screen$"))
        expect(heading(page)).to_have_text(title_of(snapshot, screens[1][1]))
        expect(page).to_have_title(re.compile("^" + re.escape(title_of(snapshot, screens[1][1]))))

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
    snapshot, first_answer, screens = route()
    page.goto(seeded.url + DIAGNOSE)
    page.wait_for_function("() => window.htmx !== undefined")
    answer(page, first_answer.text)

    expect(page).to_have_title(re.compile("^" + re.escape(title_of(snapshot, screens[1][1]))), timeout=3000)
