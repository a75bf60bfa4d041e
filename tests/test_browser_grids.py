"""The grids in a real browser, with JavaScript off: a word is one click, Save lands on the guide's workspace."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, User
from playwright.sync_api import Browser, expect

from guides.authoring.loader import load_guide
from guides.models import AnswerEffect, CauseFix, Guide
from tests.builders import troubleshooter_data


@pytest.fixture
def editor(seeded):
    user = User.objects.create_user("greta", password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    yield user
    user.delete()


@pytest.fixture
def guide(seeded):
    """A small guide of its own on the shared site, deleted after the test."""
    report = load_guide(troubleshooter_data(slug="grid-walkable", causes=3), overwrite=True)
    guide = Guide.objects.filter(slug="grid-walkable").first()
    assert guide, report
    yield guide
    guide.delete()


@pytest.fixture
def no_script_page(browser: Browser):
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def sign_in(page, url: str) -> None:
    page.goto(f"{url}/admin/")
    page.get_by_label("Username").fill("greta")
    page.get_by_label("Password").fill("a-long-editor-password")
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_an_editor_sets_words_and_the_checklist_with_clicks_and_no_javascript(seeded, editor, guide, no_script_page):
    page = no_script_page
    sign_in(page, seeded.url)
    page.goto(f"{seeded.url}/admin/guides/guide/{guide.pk}/change/")

    page.get_by_role("link", name="Fix steps × causes").click()
    page.get_by_role("radiogroup", name="Fix number 0 — Cause 1").get_by_role("radio", name="Rarely").click()
    page.get_by_role("radiogroup", name="Wait a day — Cause 0").get_by_role("radio", name="Not linked").click()
    page.get_by_label("Checklist position of Wait a day").fill("4")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("Saved: 1 link added, 1 link removed, the checklist changed.")
    assert page.url.endswith(f"/admin/guides/guide/{guide.pk}/change/")
    links = {
        (link.fix_step.slug, link.cause.slug): link.efficacy for link in CauseFix.objects.filter(cause__guide=guide)
    }
    assert links[("fix-0", "cause-1")] == "rarely" and ("wait-a-day", "cause-0") not in links
    assert [item.fix_step.slug for item in guide.checklist_items.order_by("order")][-1] == "wait-a-day"

    page.get_by_role("link", name="Answers × causes").click()
    page.get_by_role("radiogroup", name="Is it cause 0? Yes — Cause 2").get_by_role("radio", name="Less likely").click()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("Saved: 1 answer effect added.")
    assert AnswerEffect.objects.get(
        answer__question__slug="q-0", answer__question__guide=guide, answer__slug="yes", cause__slug="cause-2"
    ).strength == ("less")


@pytest.mark.browser
def test_the_grids_have_no_accessibility_violations(seeded, editor, guide, page):
    sign_in(page, seeded.url)
    found = {}
    for grid in ("fix-grid", "effect-grid"):
        page.goto(f"{seeded.url}/admin/guides/guide/{guide.pk}/{grid}/")
        violations = Axe().run(page).response["violations"]
        if violations:
            found[grid] = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]

    assert found == {}


@pytest.mark.browser
def test_leaving_a_grid_with_a_clicked_word_asks_first(seeded, editor, guide, page):
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    sign_in(page, seeded.url)
    page.goto(f"{seeded.url}/admin/guides/guide/{guide.pk}/fix-grid/")
    page.get_by_role("radiogroup", name="Fix number 0 — Cause 1").get_by_role("radio", name="Often").click()

    page.locator(".breadcrumbs a").last.click()

    assert asked == ["beforeunload"]
    assert page.url.endswith("/fix-grid/")
