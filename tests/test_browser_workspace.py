"""In a real browser, a whole small guide is written on its add page and one save creates all of it."""

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from guides.models import Guide


@pytest.fixture
def editor(seeded):
    """An editor on the shared site; the guide the test adds is removed again, for the other browser tests."""
    user = User.objects.create_user("wendy", password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    yield user
    Guide.objects.filter(slug="whatsapp-workspace").delete()
    user.delete()


def add_another(page: Page, group: str) -> None:
    """Press the "Add another …" link of one inline (not of the inlines nested in it): "questions-0-answers"
    is the answers of the first question, one level down."""
    level = 1 + group.count("-") // 2
    page.locator(f"#{group}-group .djn-add-handler.djn-level-{level}").click()


@pytest.mark.browser
def test_a_guide_with_causes_steps_questions_answers_and_faq_is_made_with_one_save(seeded, editor, page: Page):
    errors: list[str] = []
    loads: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("framenavigated", lambda frame: frame == page.main_frame and loads.append(frame.url))
    page.on("request", lambda request: "hx-request" in request.headers and loads.append(request.url))

    page.goto(f"{seeded.url}/admin/")
    page.get_by_label("Username").fill("wendy")
    page.get_by_label("Password").fill("a-long-editor-password")
    page.get_by_role("button", name="Log in").click()
    page.locator("#start-here").get_by_role("link", name="Add a guide").click()

    page.locator("#id_title").fill("WhatsApp workspace")
    page.locator("#id_summary").fill("Messages stuck? Find out why.")
    expect(page.locator("#id_slug")).to_have_value("whatsapp-workspace")  # made from the title as it is typed
    for n, (title, symptoms) in enumerate([("No internet", "One clock\nNo ticks"), ("WhatsApp is down", "No ticks")]):
        add_another(page, "causes")
        page.locator(f"[name=causes-{n}-title]").fill(title)
        page.locator(f"[name=causes-{n}-summary]").fill(f"{title}, in a sentence.")
        page.locator(f"[name=causes-{n}-symptom_lines]").fill(symptoms)
    add_another(page, "fix_steps")
    page.locator("[name=fix_steps-0-title]").fill("Turn on mobile data")
    page.locator("[name=fix_steps-0-instructions]").fill("Open Settings.")
    add_another(page, "questions")
    page.locator("[name=questions-0-text]").fill("Do other apps work?")
    for n, answer in enumerate(["Yes", "No"]):
        add_another(page, "questions-0-answers")
        page.locator(f"[name=questions-0-answers-{n}-text]").fill(answer)
    add_another(page, "faq_entries")
    page.locator("[name=faq_entries-0-question]").fill("Is it my phone?")
    page.locator("[name=faq_entries-0-answer]").fill("Rarely.")
    page.get_by_role("button", name="Save and continue editing").first.click()

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    overview = page.locator("#workspace-overview")
    expect(overview).to_contain_text("2 causes · 2 symptoms · 1 fix step · 1 question · 2 answers")
    expect(overview).to_contain_text("Symptoms: One clock; No ticks")
    expect(overview).to_contain_text("Yes → says nothing about the causes yet")
    guide = Guide.objects.get(slug="whatsapp-workspace")
    assert guide.symptoms.get(title="No ticks").causes.count() == 2
    assert len(loads) == 4, loads  # the sign-in page, the home, the add page, the saved guide's page
    assert errors == [], errors
