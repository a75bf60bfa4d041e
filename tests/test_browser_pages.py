"""The article and the cause pages on a phone (390 by 844 pixels), as a frustrated visitor meets them.

The article opens on "What do you see?" and stays short; every cause page starts with the fix;
a phone sees its own steps with the other phone's folded, can switch with one tap, and keeps
that choice for the visit. Without JavaScript both phones' steps stay open and labelled.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from guides.engine import EFFICACY
from guides.models import Cause, FixStep

SCREEN = {"width": 390, "height": 844}
ARTICLE = "/guides/tiktok-messages/"
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser: Browser):
    """An Android phone's browser tab, with every console error and page error kept for the test to check."""
    context = browser.new_context(viewport=SCREEN, user_agent=ANDROID)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def both_versions():
    """A fix step with Android and iPhone versions, and the cause page that shows it."""
    step = FixStep.objects.exclude(android="").exclude(iphone="").filter(causes__isnull=False).first()
    return step, step.causes.first()


def version(page: Page, step: FixStep, platform: str):
    return page.locator(f'#fix-{step.slug} details.platform[data-platform="{platform}"]')


def test_the_article_opens_on_what_do_you_see_and_is_at_most_eight_screens_long(seeded, phone: Page):
    phone.goto(seeded.url + ARTICLE)

    height = phone.evaluate("document.documentElement.scrollHeight")
    assert height <= 8 * SCREEN["height"], f"the article is {height / SCREEN['height']:.1f} screens long"
    first_choice = phone.locator("#what-do-you-see li a").first
    assert first_choice.bounding_box()["y"] < SCREEN["height"]
    assert phone.locator("h1").bounding_box()["y"] < first_choice.bounding_box()["y"]
    box = first_choice.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300, "a choice is a big tap target"
    assert phone.errors == []


def test_every_cause_page_shows_its_likeliest_fix_within_two_screens(seeded, phone: Page):
    """And a cause nothing on the visitor's side fixes (a block, TikTok down) says what is happening and what to do.

    A visitor who lands on "The other person may have blocked you" from a search reads that first, not
    "No fix steps yet".
    """
    causes = Cause.objects.filter(guide__slug="tiktok-messages").prefetch_related("cause_fixes__fix_step")
    assert causes.filter(explains=True, cause_fixes__isnull=True).exists(), "no cause is only an explanation"

    for cause in causes:
        phone.goto(seeded.url + cause.get_absolute_url())
        fixes = cause.cause_fixes.all()
        if fixes:
            best = min(fixes, key=lambda fix: (-EFFICACY[fix.efficacy], fix.order, fix.pk))
            first = phone.locator(".fix-steps > li").first
            expect(first).to_have_id(f"fix-{best.fix_step.slug}")
            assert first.bounding_box()["y"] < 2 * SCREEN["height"], cause.slug
        else:
            expect(phone.locator(".fix-steps")).to_have_count(0)  # no "No fix steps yet" for a block
        if cause.explains:
            for part in ("what-is-happening", "what-you-can-do"):
                words = phone.locator(f'section[aria-labelledby="{part}"] > .prose').first
                expect(words).to_be_visible()
                expect(words).not_to_be_empty()
                assert words.bounding_box()["y"] < 2 * SCREEN["height"], (cause.slug, part)


def test_an_android_phone_sees_its_steps_and_switches_to_iphone_for_the_rest_of_the_visit(seeded, phone: Page):
    step, cause = both_versions()
    phone.goto(seeded.url + cause.get_absolute_url())

    expect(version(phone, step, "android")).to_have_attribute("open", "")
    expect(version(phone, step, "android").locator(".prose")).to_be_visible()
    expect(version(phone, step, "iphone")).not_to_have_attribute("open", "")
    expect(version(phone, step, "iphone").locator(".prose")).to_be_hidden()
    expect(version(phone, step, "iphone").get_by_text("On iPhone")).to_be_visible()  # folded, not gone
    expect(phone.locator(f"#fix-{step.slug}").get_by_role("button", name="I have an Android phone")).to_be_hidden()

    phone.locator(f"#fix-{step.slug}").get_by_role("button", name="I have an iPhone").click()

    expect(version(phone, step, "iphone").locator(".prose")).to_be_visible()
    expect(version(phone, step, "android").locator(".prose")).to_be_hidden()
    expect(phone.locator(f"#fix-{step.slug}").get_by_role("button", name="I have an Android phone")).to_be_visible()

    phone.reload()
    expect(version(phone, step, "iphone").locator(".prose")).to_be_visible()
    expect(version(phone, step, "android").locator(".prose")).to_be_hidden()
    phone.goto(seeded.url + ARTICLE)  # the checklist's steps follow the same choice
    checklist_versions = phone.locator('.checklist details.platform[data-platform="iphone"]')
    assert checklist_versions.count() > 0
    for index in range(checklist_versions.count()):
        expect(checklist_versions.nth(index)).to_have_attribute("open", "")
    assert phone.errors == []


def test_without_javascript_both_phones_steps_are_open_and_labelled(seeded, browser: Browser):
    step, cause = both_versions()
    context = browser.new_context(viewport=SCREEN, user_agent=ANDROID, java_script_enabled=False)
    page = context.new_page()
    page.goto(seeded.url + cause.get_absolute_url())

    for platform, label in (("android", "On Android"), ("iphone", "On iPhone")):
        expect(version(page, step, platform).locator(".prose")).to_be_visible()
        expect(version(page, step, platform).get_by_text(label)).to_be_visible()
    expect(page.locator(f"#fix-{step.slug}").get_by_role("button")).to_have_count(0)  # a switch that can't work
    context.close()


def test_a_link_to_a_folded_faq_answer_opens_it(seeded, phone: Page):
    phone.goto(seeded.url + ARTICLE + "#faq-new-account-limits")

    expect(phone.locator("#faq-new-account-limits .prose")).to_be_visible()
    expect(phone.locator("#faq-why-wont-messages-send .prose")).to_be_hidden()


def test_the_article_and_a_cause_page_have_no_accessibility_violations_on_a_phone(seeded, phone: Page):
    _, cause = both_versions()
    found = {}
    for path in (ARTICLE, cause.get_absolute_url()):
        phone.goto(seeded.url + path)
        if path == ARTICLE:
            phone.get_by_text("Something else").click()  # the folded choices too
        violations = Axe().run(phone).response["violations"]
        if violations:
            found[path] = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]

    assert found == {}
