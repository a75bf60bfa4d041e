"""axe-core finds no accessibility violations on the pages visitors see."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

DIAGNOSE = "/guides/tiktok-messages/diagnose/"
PAGES = [
    "/",
    "/guides/tiktok-messages/",
    "/guides/tiktok-messages/causes/network-connectivity/",
    "/search/?q=sending+messages+too+fast",
    DIAGNOSE,
    f"{DIAGNOSE}?who-affected=everyone&show=result",
    f"{DIAGNOSE}?tried=network-connectivity&tried=app-glitches&show=result",
    "/no-such-page/",
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_pages_have_no_accessibility_violations(seeded, page: Page):
    axe = Axe()
    found = {}
    for path in PAGES:
        page.goto(seeded.url + path)
        violations = axe.run(page).response["violations"]
        if violations:
            found[path] = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]

    assert found == {}
