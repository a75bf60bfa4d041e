"""'Was this page helpful?' in a real phone-sized browser: one tap with htmx, a plain form and a redirect without.

With JavaScript the block at the end of the page is swapped for the real vote form only once it scrolls
into view, Yes records at once, and the thanks take its place (and the focus) without a page load, under
the strict Content-Security-Policy and with no accessibility violations. Without JavaScript the same
buttons lead to a vote page, and its POST redirects to a thank-you page.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from guides.models import Cause, PageVote

ARTICLE = "/guides/tiktok-messages/"
PHONE = {"width": 390, "height": 844}


def violations(page: Page) -> list:
    found = Axe().run(page).response["violations"]
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in found]


def watch_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    return errors


@pytest.mark.browser
def test_with_javascript_yes_is_one_tap_once_the_block_is_in_view(seeded, page: Page):
    errors = watch_errors(page)
    page.set_viewport_size(PHONE)
    page.goto(seeded.url + ARTICLE)
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__marker = 1")  # gone if the browser loads a whole new page
    block = page.locator("#helpful")
    expect(block.locator('form[method="get"]')).to_be_attached()  # far down the page: not fetched yet

    block.scroll_into_view_if_needed()
    expect(block.locator('form[method="post"]')).to_be_attached()  # the real form, with its tokens
    block.get_by_role("button", name="Yes").click()

    heading = page.locator("#helpful-heading")
    expect(heading).to_have_text("Thanks for telling us")
    expect(heading).to_be_focused()
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of the block being swapped"
    assert list(PageVote.objects.values_list("cause_slug", "helpful", "reason")) == [("", True, "")]
    assert violations(page) == []
    assert errors == [], "console errors (CSP violations included)"


@pytest.mark.browser
def test_with_javascript_no_asks_why_in_place(seeded, page: Page):
    errors = watch_errors(page)
    cause = Cause.objects.filter(guide__slug="tiktok-messages").order_by("order", "id").first()
    page.set_viewport_size(PHONE)
    page.goto(seeded.url + cause.get_absolute_url())
    page.wait_for_function("() => window.htmx !== undefined")
    block = page.locator("#helpful")
    block.scroll_into_view_if_needed()
    expect(block.locator('form[method="post"]')).to_be_attached()

    block.get_by_role("button", name="No").click()
    expect(page.locator("#helpful-heading")).to_have_text("Thanks. What was wrong with this page?")
    expect(page.locator("#helpful-heading")).to_be_focused()
    assert violations(page) == []
    page.get_by_role("radio", name="It's hard to follow").check()
    page.get_by_role("button", name="Send").click()

    expect(page.locator("#helpful-heading")).to_have_text("Thanks for telling us")
    assert list(PageVote.objects.values_list("cause_slug", "helpful", "reason")) == [
        (cause.slug, False, "hard_to_follow")
    ]
    assert violations(page) == []
    assert errors == [], "console errors (CSP violations included)"


@pytest.mark.browser
def test_without_javascript_a_vote_is_a_form_a_post_and_a_thank_you_page(seeded, browser, page: Page):
    cause = Cause.objects.filter(guide__slug="tiktok-messages").order_by("order", "id").first()
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    plain = context.new_page()
    try:
        plain.goto(seeded.url + cause.get_absolute_url())
        plain.locator("#helpful").get_by_role("button", name="No").click()
        expect(plain.get_by_role("heading", level=1)).to_have_text("Was this page helpful?")
        assert not PageVote.objects.exists()  # following the button only shows the form
        vote_page = plain.url

        plain.get_by_role("radio", name="It didn't fix my problem").check()
        plain.get_by_role("button", name="Send my answer").click()  # a POST, then a redirect

        expect(plain.get_by_role("heading", level=1)).to_have_text("Thanks for telling us")
        thanks_page = plain.url
        assert thanks_page.endswith("/was-this-helpful/thanks/?answer=no")
        plain.get_by_role("link", name=f"Back to “{cause.title}”").click()
        expect(plain.get_by_role("heading", level=1)).to_have_text(cause.title)
    finally:
        context.close()

    assert list(PageVote.objects.values_list("cause_slug", "helpful", "reason")) == [(cause.slug, False, "didnt_fix")]
    for address in (vote_page, thanks_page):  # axe needs JavaScript; these pages have none of their own
        page.goto(address)
        assert violations(page) == [], address
