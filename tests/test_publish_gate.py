"""Check where the editor is: its problems after every save, no publishing with errors, warnings asked about once."""

import io
import re
from html import unescape

import pytest
import reversion
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse

from guides.models import CauseFix, Guide
from tests.admin_forms import admin_form, admin_url, form_errors, save_change
from tests.builders import troubleshooter_data

CHANGELIST = reverse("admin:guides_guide_changelist")


def messages_on(response) -> list[str]:
    """The admin's messages at the top of the page, as the editor reads them (links as "text [url]")."""
    items = re.findall(r'<ul class="messagelist">(.*?)</ul>', response.content.decode(), re.S)
    found = re.findall(r"<li[^>]*>(.*?)</li>", "".join(items[:1]), re.S)
    return [unescape(re.sub(r'<a href="([^"]+)">([^<]+)</a>', r"\2 [\1]", text)).strip() for text in found]


@pytest.fixture
def draft(load) -> Guide:
    """A draft that Check finds nothing wrong with."""
    data = troubleshooter_data("draft", causes=3, published=False)
    with reversion.create_revision():
        load(data)
    return Guide.objects.get(slug="draft")


def with_an_error(guide: Guide):
    """Cause 1 loses its only fix step: Check's "has no fix step" error."""
    cause = guide.causes.get(slug="cause-1")
    CauseFix.objects.filter(cause=cause).delete()
    return cause


def with_a_warning(guide: Guide):
    Guide.objects.filter(pk=guide.pk).update(conclusion="")


def tick_published(client, guide, follow=True, **changes):
    url = admin_url(guide)
    data = admin_form(client.get(url).content.decode(), "guide_form")
    data["published"] = ["on"]
    for name, value in changes.items():
        data[name] = [value]
    return client.post(url, data, follow=follow)


def test_a_clean_draft_is_published_by_its_box(editor_client, draft):
    response = tick_published(editor_client, draft)

    draft.refresh_from_db()
    assert draft.published
    assert "Published. Visitors can see “Guide draft” now." in messages_on(response)


def test_the_published_box_is_refused_with_the_list_of_errors_and_the_rest_is_saved(editor_client, client, draft):
    cause = with_an_error(draft)

    response = tick_published(editor_client, draft, summary="A new summary.")

    draft.refresh_from_db()
    assert not draft.published
    assert draft.summary == "A new summary."
    shown = messages_on(response)
    assert any(m.startswith("“Guide draft” was not published: it has 1 error") for m in shown), shown
    no_fix = "“Cause 1” has no fix step, so the troubleshooter can end without telling people what to do."
    assert f"{no_fix} Open it [{admin_url(cause)}]" in shown
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_the_history_does_not_say_published_when_publishing_was_refused(editor_client, draft):
    with_an_error(draft)

    tick_published(editor_client, draft, summary="A new summary.")

    entry = LogEntry.objects.filter(object_id=str(draft.pk)).latest("action_time")
    assert "Summary" in entry.get_change_message()
    assert "Published" not in entry.get_change_message()


def test_the_publish_action_refuses_a_guide_with_errors_and_lists_them(editor_client, draft):
    with_an_error(draft)

    response = editor_client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]}, follow=True
    )  # fmt: skip

    draft.refresh_from_db()
    assert not draft.published
    shown = messages_on(response)
    assert any(m.startswith("“Guide draft” was not published: it has 1 error") for m in shown), shown
    assert any("“Cause 1” has no fix step" in m and "Open it [" in m for m in shown), shown


def test_warnings_ask_once_then_publish_and_do_not_ask_again(editor_client, draft):
    with_a_warning(draft)

    response = tick_published(editor_client, draft, follow=False)
    confirm_url = reverse("admin:guides_guide_publish", args=[draft.pk])
    assert response.status_code == 302 and response.url == confirm_url
    draft.refresh_from_db()
    assert not draft.published

    page = editor_client.get(confirm_url)
    html = unescape(page.content.decode())
    assert "Check found 1 warning." in html
    assert "The guide has no conclusion" in html
    assert 'value="Publish with these warnings"' in html

    confirmed = editor_client.post(confirm_url, admin_form(page.content.decode(), "publish-confirm"), follow=True)
    draft.refresh_from_db()
    assert draft.published
    assert confirmed.redirect_chain[-1][0] == admin_url(draft)

    again = save_change(editor_client, draft, summary="Edited after publishing.")
    assert again.url != confirm_url
    draft.refresh_from_db()
    assert draft.published and draft.summary == "Edited after publishing."


def test_a_confirmation_for_other_warnings_asks_again(editor_client, draft):
    with_a_warning(draft)
    confirm_url = reverse("admin:guides_guide_publish", args=[draft.pk])

    response = editor_client.post(confirm_url, {"confirm": "not-these-warnings"})

    draft.refresh_from_db()
    assert not draft.published
    assert response.status_code == 200
    assert "The guide has no conclusion" in unescape(response.content.decode())


def test_the_confirmation_page_refuses_a_guide_that_gained_an_error(editor_client, draft):
    with_a_warning(draft)
    confirm_url = reverse("admin:guides_guide_publish", args=[draft.pk])
    form = admin_form(editor_client.get(confirm_url).content.decode(), "publish-confirm")
    with_an_error(draft)

    response = editor_client.post(confirm_url, form, follow=True)

    draft.refresh_from_db()
    assert not draft.published
    assert any(m.startswith("“Guide draft” was not published") for m in messages_on(response))


def test_the_publish_action_asks_once_about_warnings(editor_client, draft):
    with_a_warning(draft)

    first = editor_client.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert first.status_code == 200 and not draft.published
    assert "The guide has no conclusion" in unescape(first.content.decode())

    second = editor_client.post(CHANGELIST, admin_form(first.content.decode(), "publish-confirm"), follow=True)
    draft.refresh_from_db()
    assert draft.published
    assert "Published. Visitors can see “Guide draft” now." in messages_on(second)


def test_every_save_shows_the_guides_problems_with_open_it_links_and_still_saves(editor_client, draft):
    cause = with_an_error(draft)
    other = draft.causes.get(slug="cause-2")

    response = save_change(editor_client, other, title="Cause two, renamed")
    shown = messages_on(editor_client.get(response.url))

    other.refresh_from_db()
    assert other.title == "Cause two, renamed"
    assert shown[0].startswith("The cause “Cause two, renamed [")
    assert any(m.startswith("Check found 1 error") and "in “Guide draft”. Errors break" in m for m in shown), shown
    assert any("“Cause 1” has no fix step" in m and f"Open it [{admin_url(cause)}]" in m for m in shown), shown


def test_a_save_of_a_clean_guides_content_says_check_found_nothing(editor_client, draft):
    response = save_change(editor_client, draft.fix_steps.first(), title="A better step title")

    assert "Check found no problems in “Guide draft”." in messages_on(editor_client.get(response.url))


def test_check_guides_still_reports_the_same_problems(draft):
    with_an_error(draft)
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 error to fix"):
        call_command("check_guides", "draft", stdout=out, stderr=out)

    assert "“Cause 1” has no fix step" in out.getvalue()


def test_a_refused_save_shows_no_check_messages(editor_client, draft):
    url = admin_url(draft)
    data = admin_form(editor_client.get(url).content.decode(), "guide_form")
    data["title"] = [""]

    response = editor_client.post(url, data)

    assert response.status_code == 200 and form_errors(response)
    assert not messages_on(response)


def test_a_guide_added_with_its_box_ticked_is_checked_before_it_is_published(editor_client, client):
    url = reverse("admin:guides_guide_add")
    data = admin_form(editor_client.get(url).content.decode(), "guide_form")
    data.update(title=["A new guide"], slug=["a-new-guide"], summary=["Short."], published=["on"])

    response = editor_client.post(url, data, follow=True)

    guide = Guide.objects.get(slug="a-new-guide")
    assert not guide.published
    shown = messages_on(response)
    assert any(m.startswith("“A new guide” was not published: it has") for m in shown), shown
    assert any("The troubleshooter cannot run" in m for m in shown), shown
    assert client.get(guide.get_absolute_url()).status_code == 404


def test_the_publish_page_of_a_guide_with_errors_lists_them_and_offers_no_button(editor_client, draft):
    cause = with_an_error(draft)

    html = unescape(editor_client.get(reverse("admin:guides_guide_publish", args=[draft.pk])).content.decode())

    assert "Not ready to publish" in html
    assert "It has 1 error, so it cannot be published." in html
    assert f'telling people what to do. <a href="{admin_url(cause)}">Open it</a>' in html
    assert 'type="submit"' not in html.split('id="content-main"')[1]
