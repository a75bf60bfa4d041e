"""An editor's round trip in a real browser: sign in, edit with the live preview, save, see it on the site."""

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect
from reversion.models import Version

from guides.models import Cause, FAQEntry, Guide


@pytest.fixture
def editor(seeded):
    """An editor on the shared site, removed again after the test."""
    user = User.objects.create_user("edna", password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    yield user
    user.delete()


@pytest.fixture
def entry(seeded):
    """A FAQ entry of the bundled guide, its answer put back after the test for the other browser tests."""
    entry = FAQEntry.objects.filter(guide__slug="tiktok-messages").first()
    answer = entry.answer
    yield entry
    entry.answer = answer
    entry.save()


def sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/admin/")
    page.get_by_label("Username").fill("edna")
    page.get_by_label("Password").fill("a-long-editor-password")
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_editor_edits_a_faq_answer_with_live_preview_and_sees_it_on_the_article(seeded, editor, entry, page: Page):
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(page, seeded.url)
    page.goto(f"{seeded.url}/admin/guides/faqentry/{entry.pk}/change/")
    page.wait_for_function("() => window.htmx !== undefined")

    answer = page.locator("textarea[name=answer]")
    answer.fill("Open **Settings and privacy** first. <script>alert('x')</script>")
    preview = page.locator(".markdown-preview-body")
    expect(preview.locator("strong")).to_have_text("Settings and privacy")
    expect(preview).not_to_contain_text("alert")

    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(f"{seeded.url}/guides/tiktok-messages/")
    faq = page.locator(f"#faq-{entry.slug}")
    expect(faq.locator("strong")).to_have_text("Settings and privacy")
    expect(faq).not_to_contain_text("alert")
    assert errors == [], errors


@pytest.mark.browser
def test_pressing_save_without_an_edit_changes_no_text_and_adds_no_history(seeded, editor, page: Page):
    """The browser sends every text area with CR LF line ends and the inlines' order as its scripts set it."""
    guide = Guide.objects.get(slug="tiktok-messages")
    cause = guide.causes.exclude(facets=None).first()
    faq = {entry.pk: entry.answer for entry in guide.faq_entries.all()}
    facets = {facet.pk: facet.explanation for facet in cause.facets.all()}
    versions = Version.objects.count()
    sign_in(page, seeded.url)

    for url in (f"/admin/guides/guide/{guide.pk}/change/", f"/admin/guides/cause/{cause.pk}/change/"):
        page.goto(f"{seeded.url}{url}")
        page.get_by_role("button", name="Save", exact=True).first.click()
        expect(page.locator(".messagelist")).to_be_visible()

    assert Guide.objects.get(pk=guide.pk).introduction == guide.introduction
    assert Cause.objects.get(pk=cause.pk).explanation == cause.explanation
    assert {entry.pk: entry.answer for entry in FAQEntry.objects.filter(guide=guide)} == faq
    assert {facet.pk: facet.explanation for facet in Cause.objects.get(pk=cause.pk).facets.all()} == facets
    assert Version.objects.count() == versions
