"""An editor who typed something and clicks away is asked first: an afternoon's writing is not lost to a stray click."""

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page

from guides.models import Guide

pytestmark = pytest.mark.browser

PASSWORD = "plum orbit kettle season"


@pytest.fixture
def signed_in(seeded, page: Page):
    user = User.objects.create_user("wren", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    page.goto(f"{seeded.url}/admin/login/")
    page.fill("#id_username", "wren")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    yield page
    user.delete()


def guide_page(seeded, page: Page) -> None:
    guide = Guide.objects.get(slug="tiktok-messages")
    page.goto(f"{seeded.url}/admin/guides/guide/{guide.pk}/change/")


def test_leaving_a_form_with_unsaved_changes_asks_first(seeded, signed_in: Page):
    asked = []
    signed_in.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    guide_page(seeded, signed_in)
    signed_in.fill("#id_summary", "A summary typed and not saved yet.")

    signed_in.click(".breadcrumbs a[href$='/admin/']")

    assert asked == ["beforeunload"]
    assert signed_in.url.endswith("/change/")  # the editor chose to stay: the text is still there
    assert signed_in.input_value("#id_summary") == "A summary typed and not saved yet."


def test_saving_or_leaving_an_untouched_form_asks_nothing(seeded, signed_in: Page):
    asked = []
    signed_in.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    guide_page(seeded, signed_in)

    signed_in.click(".breadcrumbs a[href$='/admin/']")
    signed_in.wait_for_url("**/admin/")
    guide_page(seeded, signed_in)
    signed_in.fill("#id_summary", signed_in.input_value("#id_summary") + " ")
    signed_in.fill("#id_summary", signed_in.input_value("#id_summary").rstrip())
    signed_in.click("input[name=_continue]")
    signed_in.wait_for_load_state()

    assert asked == []
