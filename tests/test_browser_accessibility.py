"""axe-core finds no accessibility violations on the pages visitors see, every troubleshooter screen kind included."""

from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from guides import engine
from guides.diagnose.snapshot import build_snapshot
from guides.models import Guide
from tests.screens import nothing_left_state

DIAGNOSE = "/guides/tiktok-messages/diagnose/"


def troubleshooter_screens() -> dict[str, str]:
    """Addresses of a question, a fix step, a wait step and the hand-off, found by walking the engine."""
    snapshot = build_snapshot(Guide.objects.get(slug="tiktok-messages"))
    wait = next(slug for slug, step in snapshot.steps.items() if step.is_wait)
    fixes = next(s for s in snapshot.model.steps if s.key == wait).fixes
    # Someone whose limit only lifts with time (of the causes it lifts best, some reach the screen
    # cap first and see it on the long-shots screen instead).
    waiting = [c for c in fixes if fixes[c] == max(fixes.values())]
    found: dict[str, str] = {}
    for answer in (lambda q: engine.UNSURE, *(lambda q, c=c: engine.answer_for(q, c) for c in waiting)):
        for evidence, decision in engine.visit(snapshot.model, answer, max_questions=snapshot.max_questions):
            kind = "wait" if decision.kind == engine.STEP and decision.step.key == wait else decision.kind
            found.setdefault(kind, f"{DIAGNOSE}?{urlencode(evidence)}")
    # A visit that finds nothing ends on the long-shots screen; the hand-off alone comes after those failed too.
    found.setdefault("hand_off", f"{DIAGNOSE}?{urlencode(nothing_left_state(snapshot))}")
    assert {"question", "step", "wait", "hand_off"} <= set(found), found
    return found


@pytest.mark.browser
def test_public_pages_have_no_accessibility_violations(seeded, page: Page):
    pages = [
        "/",
        "/guides/tiktok-messages/",
        "/guides/tiktok-messages/causes/network-connectivity/",
        "/search/?q=sending+messages+too+fast",
        *troubleshooter_screens().values(),
        "/no-such-page/",
    ]
    axe = Axe()
    found = {}
    for path in pages:
        page.goto(seeded.url + path)
        violations = axe.run(page).response["violations"]
        if violations:
            found[path] = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]

    assert found == {}
