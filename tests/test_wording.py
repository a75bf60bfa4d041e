"""Words as people read them: durations said the way people say them, and titles never lowercased into a sentence.

A title is written once, by staff, with its own capitals ("Your TikTok app is out of date").
A page may quote it or let it stand alone; it must never fold it into a sentence of its own
("How to fix your tiktok app is out of date"). The check renders every public page and looks
for each cause, fix step and guide title case-insensitively: every match must be the title
exactly as written. Generated from the database, so it covers what staff add.
"""

import html
import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from guides import engine
from guides.diagnose.snapshot import build_snapshot
from guides.minutes import in_words, wait_words
from guides.models import Cause, FixStep, Guide

ANDROID = "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36"


# --------------------------------------------------------------------------------------
# Minutes as people say them


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (0.5, "about a minute"),
        (1, "about a minute"),
        (2, "about 2 minutes"),
        (5, "about 5 minutes"),
        (10, "about 10 minutes"),
        (12, "about 10 minutes"),
        (13, "about 15 minutes"),
        (30, "about 30 minutes"),
        (45, "about 45 minutes"),
        (55, "about an hour"),
        (60, "about an hour"),
        (89, "about an hour"),
        (90, "about 2 hours"),
        (120, "about 2 hours"),
        (300, "about 5 hours"),
        (1200, "about a day"),
        (1440, "about a day"),
        (2160, "about 2 days"),
        (2880, "about 2 days"),
        (7 * 1440, "about 7 days"),
    ],
)
def test_durations_read_as_people_say_them(minutes, words):
    assert in_words(minutes) == words


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (1, "a minute"),
        (2, "2 minutes"),
        (30, "30 minutes"),
        (60, "an hour"),
        (90, "2 hours"),
        (1440, "24 hours"),
        (2880, "2 days"),
        (4320, "3 days"),
    ],
)
def test_waits_read_exactly_enough_to_plan_by(minutes, words):
    assert wait_words(minutes) == words


# --------------------------------------------------------------------------------------
# Titles keep their own capitals on every public page


def text_of(page: str) -> str:
    """What a page says: its text, and the attributes people read or hear, with entities turned back into characters."""
    said = re.findall(r'\s(?:content|aria-label|title|alt|placeholder)="([^"]*)"', page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + "\n" + "\n".join(said))


def miscased(text: str, titles: list[str]) -> list[str]:
    """Each place where a title appears with other capitals than its own, with a little context."""
    found = []
    for title in titles:
        for match in re.finditer(re.escape(title), text, re.IGNORECASE):
            if match.group(0) != title:
                start, end = max(match.start() - 30, 0), match.end() + 20
                found.append(f"“{title}” as “…{' '.join(text[start:end].split())}…”")
    return found


def questionnaire_addresses(guide: Guide) -> list[str]:
    """Every screen a truthful visitor with each cause sees, its "fixed" screen, and each symptom's first screen."""
    snapshot = build_snapshot(guide)
    url = reverse("guides:diagnose", args=[guide.slug])
    queries = {""}
    for cause in snapshot.model.causes:
        cures = {s.key for s in snapshot.model.steps if s.fixes.get(cause.key, 0.0) >= engine.CURE}
        visit = engine.visit(
            snapshot.model, lambda q, cause=cause.key: engine.answer_for(q, cause), max_questions=guide.max_questions
        )
        for evidence, decision in visit:
            queries.add(urlencode(evidence))
            if decision.kind == engine.STEP and decision.step.key in cures:
                queries.add(urlencode([*evidence, ("fixed", decision.step.key)]))
                break
    queries |= {urlencode({"seen": slug}) for slug in snapshot.symptoms}
    return [f"{url}?{query}" if query else url for query in sorted(queries)]


SEARCHES = [
    "tiktok messages not sending",
    "sending too fast",
    "no message button",
    "restart phone",
    "dns",
    "app glitching",
    "im 15 cant message",
    "instagram dm",
]


def public_pages() -> list[str]:
    addresses = [reverse("guides:index")]
    for guide in Guide.objects.filter(published=True).order_by("slug"):
        addresses.append(guide.get_absolute_url())
        addresses += [cause.get_absolute_url() for cause in guide.causes.all()]
        addresses += questionnaire_addresses(guide)
    addresses += [f"{reverse('guides:search')}?{urlencode({'q': q})}" for q in SEARCHES]
    return addresses


def all_titles() -> list[str]:
    """Every guide, cause and fix step title, longest first."""
    titles = {
        *Guide.objects.values_list("title", flat=True),
        *Cause.objects.values_list("title", flat=True),
        *FixStep.objects.values_list("title", flat=True),
    }
    return sorted(titles, key=len, reverse=True)


def test_every_public_page_writes_each_title_with_its_own_capitals(db):
    titles = all_titles()
    client = Client(headers={"User-Agent": ANDROID})
    failures = {}
    pages = public_pages()
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200, address
        found = miscased(text_of(response.content.decode()), titles)
        if found:
            failures[address] = found

    assert len(pages) > 40  # home, the article, its cause pages, the troubleshooter's screens, searches
    assert failures == {}, "\n".join(f"{a}: {f}" for a, fs in failures.items() for f in fs)


def test_no_page_counts_time_in_bare_minutes(db):
    client = Client(headers={"User-Agent": ANDROID})
    pages = public_pages()
    assert len(pages) > 40  # home, the article, its cause pages, the questionnaire's screens, searches
    for address in pages:
        text = text_of(client.get(address).content.decode())
        assert not re.search(r"\b\d+\s*min\b", text), address


def test_the_staff_report_and_check_pages_write_each_title_with_its_own_capitals(admin_client, seed_guide):
    for name in ("admin:guides_guide_report", "admin:guides_guide_check"):
        response = admin_client.get(reverse(name, args=[seed_guide.pk]))

        assert response.status_code == 200
        assert miscased(text_of(response.content.decode()), all_titles()) == [], name
