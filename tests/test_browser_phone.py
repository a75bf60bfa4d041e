"""The troubleshooter on a phone (390 by 844 pixels), with JavaScript on and off.

On every kind of screen a visitor reads (a question, a fix step, an explanation, the long-shots
screen) the question or step itself starts in the top third of the screen, every button and
control is big enough to tap (44 px high; links inside running text are exempt), and axe finds
no accessibility problem. A short step's "Yes, it works now" is on screen without scrolling.
Without JavaScript each screen is a page of its own: its title names it, and the next screen
opens at its heading.

The screens are found by walking the bundled guide's engine, so they follow the content.
"""

import html
import re
from typing import NamedTuple

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from guides import engine
from guides.diagnose.snapshot import build_snapshot, state_query
from guides.models import Guide

pytestmark = pytest.mark.browser

DIAGNOSE = "/guides/tiktok-messages/diagnose/"
WIDTH, HEIGHT = 390, 844
TOP_THIRD = HEIGHT / 3
TAP = 44
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)
# What a short step is: its instructions and its iPhone steps together, in characters a visitor reads.
SHORT_STEP = 400

# Every control on the page that is visible, taller or not than a finger needs. A link counts unless it
# sits in running text: a paragraph or list item with words of its own besides the link.
TAP_TARGETS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    const target = (el.type === 'radio' || el.type === 'checkbox') && el.closest('label') || el;
    const box = target.getBoundingClientRect();
    if (box.right <= 0 || box.bottom <= 0 || box.width === 0) continue;  // the skip link waits off screen
    if (el.tagName === 'A') {
      const block = el.closest('p, li, dd, td, figcaption, blockquote');
      const words = block ? block.textContent.replace(/\\s+/g, ' ').trim() : '';
      if (block && (el.closest('.prose') || words !== el.textContent.replace(/\\s+/g, ' ').trim())) continue;
    }
    found.push({what: el.outerHTML.slice(0, 90), height: Math.round(box.height * 10) / 10});
  }
  return found;
}"""


def walk(snapshot, answer):
    """Yield (evidence, decision) along a visit in which nothing works and no explanation fits."""
    evidence: list[tuple[str, str]] = []
    for _ in range(3 * engine.MAX_SCREENS):
        decision = engine.next_step(snapshot.model, evidence, max_questions=snapshot.max_questions)
        yield tuple(evidence), decision
        if decision.kind == engine.QUESTION:
            evidence.append((decision.question.key, answer(decision.question)))
        elif decision.kind == engine.STEP:
            evidence.append((engine.FAILED, decision.step.key))
        elif decision.kind == engine.EXPLAIN:
            evidence.append((engine.NOT_IT, decision.cause))
        else:
            return


def step_text(snapshot, key: str) -> int:
    step = snapshot.steps[key]
    return len(re.sub(r"<[^>]+>|\s+", " ", step.instructions_html + (step.iphone_html or step.android_html)).strip())


@pytest.fixture(scope="module")
def screens(django_db_blocker) -> dict[str, str]:
    """The address of each kind of screen, and of the shortest fix step, from walks of the bundled guide."""
    with django_db_blocker.unblock():
        snapshot = build_snapshot(Guide.objects.get(slug="tiktok-messages"))
    found: dict[str, tuple] = {}
    steps: dict[str, tuple] = {}
    answers = [lambda q: engine.UNSURE] + [
        lambda q, cause=cause.key: engine.answer_for(q, cause) for cause in snapshot.model.causes
    ]
    for answer in answers:
        for evidence, decision in walk(snapshot, answer):
            found.setdefault(decision.kind, evidence)
            if decision.kind == engine.STEP:
                steps.setdefault(decision.step.key, evidence)
    assert {engine.QUESTION, engine.STEP, engine.EXPLAIN, engine.LONG_SHOTS} <= set(found), set(found)
    short = min(steps, key=lambda key: step_text(snapshot, key))
    assert step_text(snapshot, short) <= SHORT_STEP, f"no fix step is short: {short} has {step_text(snapshot, short)}"
    addresses = {kind: f"{DIAGNOSE}?{state_query(found[kind])}" for kind in (engine.QUESTION, engine.EXPLAIN)}
    addresses[engine.STEP] = f"{DIAGNOSE}?{state_query(steps[short])}"
    addresses[engine.LONG_SHOTS] = f"{DIAGNOSE}?{state_query(found[engine.LONG_SHOTS])}"
    return addresses


class Phone(NamedTuple):
    page: Page  # what the visitor sees
    javascript: bool
    audit: Page  # the same screens for axe, which needs scripts of its own


def phone_context(browser: Browser, *, javascript: bool):
    return browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        user_agent=IPHONE,
        java_script_enabled=javascript,
    )


@pytest.fixture(scope="module", params=[True, False], ids=["javascript", "no-javascript"])
def phone(request, browser: Browser):
    """A phone-sized iPhone page, with JavaScript on or off; one browser for the module.

    axe cannot run in a page without JavaScript, so there it checks a page whose site scripts are
    refused: the site has no inline script and no <noscript>, so that is the same page.
    """
    context = phone_context(browser, javascript=request.param)
    context.set_default_timeout(5000)  # a missing element fails in seconds, not half a minute
    page = context.new_page()
    if request.param:
        yield Phone(page, True, page)
    else:
        scripted = phone_context(browser, javascript=True)
        scripted.route("**/*.js", lambda route: route.abort())
        yield Phone(page, False, scripted.new_page())
        scripted.close()
    context.close()


def heading(page: Page):
    return page.locator("#screen")


def layout_problems(page: Page) -> list[str]:
    """What is wrong with the screen as loaded: the heading's place, its title, small tap targets."""
    problems = []
    box = heading(page).bounding_box()
    if box is None or not 0 <= box["y"] <= TOP_THIRD:
        problems.append(f"heading at {box and round(box['y'])} px, not within the top {TOP_THIRD:.0f}")
    if heading(page).evaluate("el => el.tagName") != "H1":
        problems.append("the heading is not the page's h1")
    text = " ".join(heading(page).inner_text().split())
    if text not in html.unescape(page.title()):
        problems.append(f"the title {page.title()!r} does not name the screen {text!r}")
    small = [target for target in page.evaluate(TAP_TARGETS) if target["height"] < TAP]
    problems += [f"{target['height']} px high: {target['what']}" for target in small]
    return problems


def test_every_kind_of_screen_fits_a_phone_and_has_no_accessibility_violations(seeded, phone: Phone, screens):
    axe = Axe()
    found = {}
    for kind, address in screens.items():
        phone.page.goto(seeded.url + address)
        problems = layout_problems(phone.page)
        phone.audit.goto(seeded.url + address)
        violations = axe.run(phone.audit).response["violations"]
        problems += [f"axe: {v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}" for v in violations]
        if problems:
            found[kind] = problems

    assert not found, "\n".join(f"{kind}: {problem}" for kind, problems in found.items() for problem in problems)


def test_a_short_step_shows_yes_it_works_now_without_scrolling(seeded, phone: Phone, screens):
    phone.page.goto(seeded.url + screens[engine.STEP])

    box = phone.page.get_by_role("button", name="Yes, it works now").bounding_box()

    assert phone.page.evaluate("window.scrollY") == 0
    assert box is not None
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= HEIGHT, f"the Yes button ends at {box['y'] + box['height']:.0f} px"
    assert box["width"] >= WIDTH * 0.8  # a full-width tap target


def test_each_new_screen_opens_at_its_heading(seeded, phone: Phone, screens):
    """A question answered with one tap, then a step answered "No": each time the new screen's heading
    is at the top (without JavaScript the address carries #screen; with it, htmx focuses the heading)."""
    page = phone.page
    page.goto(seeded.url + screens[engine.QUESTION])

    press(page, page.locator("#panel form button[type=submit]").first)  # the first answer
    assert_opens_at_heading(phone)

    for _ in range(engine.MAX_SCREENS):  # "I'm not sure" and "No, that's not it" until a fix step
        if page.get_by_role("button", name="No, still not working").count():
            break
        not_it = page.get_by_role("button", name="No, that's not it")
        press(page, not_it if not_it.count() else page.get_by_role("button", name="I'm not sure"))
    press(page, page.get_by_role("button", name="No, still not working"))
    assert_opens_at_heading(phone)


def press(page: Page, button) -> None:
    """Tap a button and wait for the next screen's heading."""
    before = heading(page).inner_text()
    button.click()
    expect(heading(page)).not_to_have_text(before)


def assert_opens_at_heading(phone: Phone) -> None:
    page = phone.page
    box = heading(page).bounding_box()
    assert box is not None
    assert 0 <= box["y"] <= TOP_THIRD, f"the new screen's heading is at {box['y']:.0f} px"
    assert " ".join(heading(page).inner_text().split()) in html.unescape(page.title())
    if phone.javascript:
        expect(heading(page)).to_be_focused()
    else:
        assert page.url.endswith("#screen")
