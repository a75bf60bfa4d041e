"""People search with the words on their screen; the right cause must be in the top three."""

import pytest
from django.urls import reverse

PHRASINGS = [
    ("it says I'm sending messages too fast", "spam-detection"),
    ("no message button on her profile", "privacy-settings"),
    ("messages stuck with a red exclamation mark", "network-connectivity"),
    ("message stuck on sending forever", "network-connectivity"),
    ("tiktok crashes when I open my inbox", "app-glitches"),
    ("my chats won't load", "app-glitches"),
    ("says my account is restricted from messaging", "account-restrictions"),
    ("temporarily banned from sending messages", "temporary-bans"),
    ("got a strike for violating community guidelines", "community-guidelines"),
    ("she never gets my messages", "privacy-settings"),
    ("my message went to her message requests", "privacy-settings"),
    ("new account can't send DMs", "account-restrictions"),
    ("can't send links in dms", "spam-detection"),
    ("dms work on wifi but not on mobile data", "network-connectivity"),
    ("messages fail on school wifi with vpn", "network-connectivity"),
    ("tiktok keeps telling me to update", "software-updates"),
    ("dms broke after the update", "software-updates"),
    ("my 15 year old son has no direct messages", "age-and-family-pairing"),
    ("family pairing blocks my daughter's messages", "age-and-family-pairing"),
    ("can only message people who follow me back", "privacy-settings"),
    ("messaging stopped after I followed lots of people", "account-restrictions"),
    ("DNS problem", "network-connectivity"),
    ("clear cache", "app-glitches"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected_cause"), PHRASINGS)
def test_what_people_type_finds_the_right_cause_in_the_top_three(client, query, expected_cause):
    response = client.get(reverse("guides:search"), {"q": query})

    assert response.status_code == 200
    top_three = [hit.document.url for hit in response.context["results"].causes[:3]]
    expected_url = reverse("guides:cause", args=["tiktok-messages", expected_cause])
    assert expected_url in top_three, f"{query!r} gave {top_three}"


@pytest.mark.django_db
def test_results_link_to_cause_pages_faq_and_fix_steps(client):
    response = client.get(reverse("guides:search"), {"q": "clear the cache"})

    results = response.context["results"]
    assert results.fix_steps, "a fix step about the cache should be found"
    fix_url = results.fix_steps[0].document.url
    assert "#fix-" in fix_url and client.get(fix_url.split("#")[0]).status_code == 200


@pytest.mark.django_db
def test_empty_search_shows_the_form_without_results(client):
    response = client.get(reverse("guides:search"))

    assert response.status_code == 200
    assert response.context["results"] is None


@pytest.mark.django_db
def test_unmatched_search_says_so(client):
    response = client.get(reverse("guides:search"), {"q": "zzqqx"})

    assert "Nothing matched" in response.content.decode()


@pytest.mark.django_db
def test_overlong_search_is_refused_with_a_message(client):
    response = client.get(reverse("guides:search"), {"q": "message " * 100})

    assert response.status_code == 400
    assert "under 200 characters" in response.content.decode()


@pytest.mark.django_db
def test_search_skips_draft_guides(client, seed_guide):
    seed_guide.published = False
    seed_guide.save()

    response = client.get(reverse("guides:search"), {"q": "sending messages too fast"})

    assert not response.context["results"]
