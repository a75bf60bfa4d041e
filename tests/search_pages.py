"""Search as a visitor reads it: the page for a query, its sections and links, and what people type."""

import re

from django.urls import reverse

SEARCH = reverse("guides:search")

# (what people type, the cause it describes), or the app no guide covers.
PHRASINGS = [
    # The four the issue found failing.
    ("tiktok says sending too fast", "spam-detection"),
    ("messages stuck sending", "network-connectivity"),
    ("im 15 cant message", "age-and-family-pairing"),
    ("instagram dm", "no guide: Instagram"),
    # Words from the screen.
    ("it says I'm sending messages too fast", "spam-detection"),
    ("no message button on her profile", "privacy-settings"),
    ("messages stuck with a red exclamation mark", "network-connectivity"),
    ("message stuck on sending forever", "network-connectivity"),
    ("tiktok crashes when I open my inbox", "app-glitches"),
    ("my chats won't load", "network-connectivity"),  # the symptom says: "Check your connection first, then the app"
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
    ("dms broke after the update", "app-glitches"),  # the symptom: "A new bug or old temporary files"
    ("my 15 year old son has no direct messages", "age-and-family-pairing"),
    ("family pairing blocks my daughter's messages", "age-and-family-pairing"),
    ("can only message people who follow me back", "privacy-settings"),
    ("messaging stopped after I followed lots of people", "account-restrictions"),
    ("DNS problem", "network-connectivity"),
    ("clear cache", "app-glitches"),
    # Chat spelling and missing apostrophes.
    ("tik tok says im sending messages too quickly", "spam-detection"),
    ("msgs wont send on school wifi", "network-connectivity"),
    ("it says my msg cant be sent bc it looks like spam", "spam-detection"),
    ("red exclamation mark next to my dm", "network-connectivity"),
    ("tiktok keeps crashing when i open my dms", "app-glitches"),
    ("cant find the message button on his profile", "privacy-settings"),
    ("my dm settings are greyed out", "age-and-family-pairing"),
    ("my mom set up family pairing and now i cant dm", "age-and-family-pairing"),
    ("account suspended cant send msgs", "temporary-bans"),
    ("pls help dms stopped working after the update", "app-glitches"),
    ("tiktok wont update on my old phone", "app-glitches"),  # its facet "Your phone's system is too old"
    ("outdated tiktok version", "software-updates"),
    ("i cant send links in msgs", "spam-detection"),
    ("friends say they cant message me", "privacy-settings"),
    ("inbox wont load", "network-connectivity"),
    ("videos slow to load and dms fail", "network-connectivity"),
    ("msgs work on wifi but not on data", "network-connectivity"),
    ("dms dont send when my vpn is on", "network-connectivity"),
    ("followed lots of ppl now i cant message", "account-restrictions"),
    ("my 13 year old cant dm", "age-and-family-pairing"),
    ("message went thru but they didnt see it", "privacy-settings"),
    ("ur app keeps asking me to update", "software-updates"),
    ("notice says my account is restricted", "account-restrictions"),
    # Someone else's block, and TikTok's own outage: nothing on the visitor's side fixes them.
    ("she blocked me", "blocked-by-them"),
    ("i think he blocked me on tiktok", "blocked-by-them"),
    ("did someone block me", "blocked-by-them"),
    ("tiktok server problem", "tiktok-down"),
    ("is tiktok down", "tiktok-down"),
    # Spelling slips.
    ("my freind never gets my mesages", "privacy-settings"),
    ("messsages stuck on sendng", "network-connectivity"),
    ("comunity guidlines strike", "community-guidelines"),
    ("acount restricted from messaging", "account-restrictions"),
    ("just made a new acount and cant dm anyone", "account-restrictions"),
    ("tiktok temporarly banned me from dms", "temporary-bans"),
    # Apps no guide covers.
    ("snapchat messages not sending", "no guide: Snapchat"),
    ("whatsapp wont send msgs", "no guide: WhatsApp"),
    ("discord dms not working", "no guide: Discord"),
    ("cant message anyone on insta", "no guide: Instagram"),
    ("youtube comments wont post", "no guide: YouTube"),
]


def search_page(client, query: str) -> str:
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, heading_id: str) -> str:
    found = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', page, re.S)
    return found.group(1) if found else ""


def cause_links(page: str) -> list[str]:
    """The cause pages the "Likely causes" list links to, in order."""
    return re.findall(r'<li><a href="([^"#]+)"', section(page, "result-causes"))


def fix_step_links(page: str) -> list[str]:
    """The slugs of the fix steps shown, in order."""
    return re.findall(r'<li><a href="[^"]*#fix-([a-z0-9-]+)"', section(page, "result-fixes"))
