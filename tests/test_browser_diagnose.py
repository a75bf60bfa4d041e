"""The questionnaire in a real browser: one question at a time, with and without JavaScript.

With JavaScript htmx swaps only the #panel and pushes each step's address, under the
site's strict Content-Security-Policy; without it every step is a plain GET form and the
"Did this fix it?" buttons a plain POST. Either way the address holds the whole state, the
browser's Back button returns to the previous question, and the feedback is saved.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from guides.models import Resolution

DIAGNOSE = "/guides/tiktok-messages/diagnose/"

# The walk, read from guides/content/tiktok-messages.yaml's `questions:`. The engine asks
# error-notice first (largest information gain), then which-notice (asked only after
# error-notice/yes-notice), then recent-activity.
NOTICE_QUESTION = "When a message fails, does TikTok show you a notice?"
NOTICE_ANSWER = "Yes, a notice about my account, my message or the other person"
WHICH_QUESTION = "Which notice do you see?"
WHICH_ANSWER = "Something about sending messages too fast or too often"
ACTIVITY_QUESTION = "In the last day or so, have you done any of these?"
ACTIVITY_ANSWER = "Sent lots of messages quickly, or the same message to many people"

AFTER_ONE = "error-notice=yes-notice"
AFTER_TWO = f"{AFTER_ONE}&which-notice=too-fast"
AFTER_THREE = f"{AFTER_TWO}&recent-activity=many-messages"

SPAM = "TikTok's spam filter stopped your messages"  # spam-detection: the top cause on this walk
RESTRICTIONS = "Your account has limits on it"  # account-restrictions: second after two answers


def url(query: str = "") -> re.Pattern:
    """The questionnaire's address with exactly this query string (none at all for "")."""
    return re.compile(re.escape(DIAGNOSE + (f"?{query}" if query else "")) + "$")


def legend(page: Page):
    return page.locator("#panel fieldset legend").first


def answer(page: Page, label: str) -> None:
    page.get_by_role("radio", name=label, exact=True).check()
    page.get_by_role("button", name="Next").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_questionnaire_with_javascript_swaps_the_panel_and_saves_the_feedback(seeded, page: Page):
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))

    page.goto(seeded.url + DIAGNOSE)
    expect(legend(page)).to_have_text(NOTICE_QUESTION)
    expect(page.get_by_role("radio", name="I'm not sure")).to_be_visible()
    expect(page.get_by_role("link", name="Skip to my results")).to_be_visible()
    expect(page.get_by_role("link", name="Back")).to_have_count(0)  # nothing to go back to yet
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__marker = 1")  # gone if the browser loads a whole new page

    answer(page, NOTICE_ANSWER)
    expect(page).to_have_url(url(AFTER_ONE))
    expect(legend(page)).to_have_text(WHICH_QUESTION)
    expect(page.locator(".progress")).to_contain_text("Question 2")
    expect(page.get_by_role("heading", name="Most likely so far")).to_be_visible()
    expect(page.locator(".answers-so-far")).to_contain_text(NOTICE_ANSWER)
    # Focus moves to the first choice, so a screen reader reads the new question and its answers.
    expect(page.locator("#panel fieldset input[type=radio]").first).to_be_focused()
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of the panel being swapped"

    page.go_back()  # htmx asks the server for the earlier step and swaps it in
    expect(page).to_have_url(url())
    expect(legend(page)).to_have_text(NOTICE_QUESTION)
    expect(page.get_by_role("radio", name=NOTICE_ANSWER, exact=True)).to_be_visible()
    assert page.evaluate("window.__marker") == 1

    page.go_forward()
    expect(page).to_have_url(url(AFTER_ONE))
    expect(legend(page)).to_have_text(WHICH_QUESTION)

    answer(page, WHICH_ANSWER)
    expect(page).to_have_url(url(AFTER_TWO))
    expect(legend(page)).to_have_text(ACTIVITY_QUESTION)
    expect(page.locator(".progress")).to_contain_text("Question 3")

    answer(page, ACTIVITY_ANSWER)  # spam detection is now over the guide's 75% threshold: results
    expect(page).to_have_url(url(AFTER_THREE))
    heading = page.get_by_role("heading", name=f"Most likely: {SPAM}")
    expect(heading).to_be_visible()
    expect(heading).to_be_focused()
    expect(page.locator("#panel .fix-steps > li").first).to_be_visible()
    expect(page.get_by_role("group", name="Did this fix it?")).to_be_visible()
    assert page.evaluate("window.__marker") == 1

    page.get_by_role("button", name="Yes, it works now").click()
    expect(page.get_by_role("heading", name="Great, it works again")).to_be_visible()
    expect(page).to_have_url(url(f"{AFTER_THREE}&fixed=spam-detection"))
    assert page.evaluate("window.__marker") == 1

    saved = list(Resolution.objects.values_list("cause_slug", "fixed", "answers"))
    assert saved == [("spam-detection", True, AFTER_THREE)]

    page.get_by_role("link", name="Back to the guide").click()  # leaves the questionnaire: a whole new page
    expect(page).to_have_url(re.compile(r"/guides/tiktok-messages/$"))
    expect(page.locator("h1")).to_have_count(1)
    assert errors == [], "console errors (CSP violations included) during the walk"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_questionnaire_without_javascript_is_plain_forms_and_links(seeded, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(seeded.url + DIAGNOSE)
        expect(legend(page)).to_have_text(NOTICE_QUESTION)

        answer(page, NOTICE_ANSWER)
        expect(page).to_have_url(url(AFTER_ONE))
        expect(legend(page)).to_have_text(WHICH_QUESTION)
        expect(page.locator(".answers-so-far")).to_contain_text(NOTICE_ANSWER)

        page.go_back()
        expect(page).to_have_url(url())
        expect(legend(page)).to_have_text(NOTICE_QUESTION)
        page.go_forward()
        expect(page).to_have_url(url(AFTER_ONE))
        expect(legend(page)).to_have_text(WHICH_QUESTION)

        answer(page, WHICH_ANSWER)
        expect(page).to_have_url(url(AFTER_TWO))
        expect(legend(page)).to_have_text(ACTIVITY_QUESTION)

        page.get_by_role("link", name="Back", exact=True).click()  # the page's own Back link
        expect(page).to_have_url(url(AFTER_ONE))
        expect(legend(page)).to_have_text(WHICH_QUESTION)
        answer(page, WHICH_ANSWER)
        expect(page).to_have_url(url(AFTER_TWO))
        expect(legend(page)).to_have_text(ACTIVITY_QUESTION)

        page.get_by_role("link", name="Skip to my results").click()
        expect(page).to_have_url(url(f"{AFTER_TWO}&show=result"))
        expect(page.get_by_role("heading", name=f"Most likely: {SPAM}")).to_be_visible()

        page.get_by_role("button", name="No, still stuck").click()
        expect(page).to_have_url(url(f"{AFTER_TWO}&tried=spam-detection&show=result"))
        expect(page.get_by_role("heading", name=f"Next most likely: {RESTRICTIONS}")).to_be_visible()
        expect(page.locator(".ranking").get_by_text("(tried)")).to_be_visible()

        page.get_by_role("button", name="Yes, it works now").click()
        expect(page).to_have_url(url(f"{AFTER_TWO}&tried=spam-detection&fixed=account-restrictions"))
        expect(page.get_by_role("heading", name="Great, it works again")).to_be_visible()
    finally:
        context.close()

    saved = sorted(Resolution.objects.values_list("cause_slug", "fixed", "answers"))
    assert saved == [
        ("account-restrictions", True, AFTER_TWO),  # the answers only; what was tried is not kept
        ("spam-detection", False, AFTER_TWO),
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_tab_title_follows_the_step_with_javascript(seeded, page: Page):
    page.goto(seeded.url + DIAGNOSE)
    page.wait_for_function("() => window.htmx !== undefined")

    answer(page, NOTICE_ANSWER)

    expect(legend(page)).to_have_text(WHICH_QUESTION)
    expect(page).to_have_title(re.compile(r"^Question 2 · Find my cause"), timeout=2000)
