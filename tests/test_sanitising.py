"""Whatever staff type into a content field, no script reaches a visitor's browser."""

import json
import re

import pytest
from django.urls import reverse

from guides.markup import render_markdown

HOSTILE = (
    "Hello <script>alert('x')</script>\n\n"
    '[click me](javascript:alert(1)) <a href="https://ok.example" onclick="steal()">link</a>\n\n'
    '<img src=x onerror=alert(2)> <iframe src="https://evil.example"></iframe>\n\n'
    '<div style="position:fixed">overlay</div> [data](data:text/html;base64,PHNjcmlwdD4=)'
)
HOSTILE_TEXT = "<script>alert('title')</script>"


def assert_harmless(html: str) -> None:
    lowered = html.lower()
    assert "<script>alert" not in lowered
    assert "javascript:" not in lowered
    assert "onclick" not in lowered and "onerror" not in lowered
    assert "<iframe" not in lowered and "<img" not in lowered
    assert 'style="position' not in lowered
    assert "data:text/html" not in lowered


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("guide", "introduction"),
        ("guide", "conclusion"),
        ("guide", "support"),
        ("cause", "explanation"),
        ("facet", "explanation"),
        ("symptom", "description"),
        ("fix_step", "instructions"),
        ("fix_step", "android"),
        ("fix_step", "iphone"),
        ("faq", "answer"),
    ],
)
def test_hostile_markdown_in_any_field_is_neutralised_on_every_page(client, seed_guide, model, field):
    cause = seed_guide.causes.get(slug="network-connectivity")
    step = cause.fix_steps.first()
    checklist_step = seed_guide.checklist_items.first().fix_step
    objects = {
        "guide": [seed_guide],
        "cause": [cause],
        "facet": [cause.facets.first()],
        "symptom": [cause.symptoms.first()],
        "fix_step": [step, checklist_step],
        "faq": [seed_guide.faq_entries.first()],
    }[model]
    if (model, field) == ("guide", "support"):
        # The hand-off shows the likeliest cause's own help when it has one; without any, the guide's support.
        seed_guide.causes.update(where_to_get_help="", where_to_get_help_html="")
    for obj in objects:
        setattr(obj, field, HOSTILE)
        obj.save()

    pages = [
        reverse("guides:article", args=[seed_guide.slug]),
        cause.get_absolute_url(),
        reverse("guides:search") + "?q=hello+overlay+click",
        # Every fix step tried: the hand-off screen, which shows the guide's support text (see above).
        reverse("guides:diagnose", args=[seed_guide.slug])
        + "?failed="
        + "&failed=".join(seed_guide.fix_steps.values_list("slug", flat=True)),
    ]
    for url in pages:
        response = client.get(url, follow=True)  # the troubleshooter's address loses the hand-off step first
        assert response.status_code == 200
        assert_harmless(response.content.decode())
    assert "Hello" in "".join(client.get(url, follow=True).content.decode() for url in pages)


def test_plain_text_fields_are_escaped(client, seed_guide):
    cause = seed_guide.causes.first()
    cause.title = HOSTILE_TEXT
    cause.save()
    symptom = cause.symptoms.first()
    symptom.title = HOSTILE_TEXT
    symptom.save()

    for url in (reverse("guides:article", args=[seed_guide.slug]), cause.get_absolute_url()):
        page = client.get(url).content.decode()
        assert HOSTILE_TEXT not in page
        assert "&lt;script&gt;" in page


def test_json_ld_cannot_be_closed_by_content(client, seed_guide):
    entry = seed_guide.faq_entries.first()
    entry.question = "</script><script>alert(1)</script> & more"
    entry.save()

    page = client.get(reverse("guides:article", args=[seed_guide.slug])).content.decode()

    assert "</script><script>alert(1)" not in page
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    questions = [q["name"] for q in json.loads(block)[0]["mainEntity"]]
    assert entry.question in questions  # the text survives, escaped only for the page


def test_json_ld_holds_plain_text_not_html_entities(client, seed_guide):
    entry = seed_guide.faq_entries.first()
    entry.answer = "Open **Settings and privacy > Privacy** & check it."
    entry.save()

    page = client.get(reverse("guides:article", args=[seed_guide.slug])).content.decode()

    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    answers = [q["acceptedAnswer"]["text"] for q in json.loads(block)[0]["mainEntity"]]
    assert "Open Settings and privacy > Privacy & check it." in answers


def test_renderer_keeps_ordinary_formatting():
    html = render_markdown("1. Open **Settings and privacy**\n2. Tap *Privacy*\n\n[Help](https://support.example/)")

    assert "<ol>" in html and "<strong>Settings and privacy</strong>" in html and "<em>Privacy</em>" in html
    assert '<a href="https://support.example/" rel="nofollow noopener noreferrer">Help</a>' in html


def test_renderer_returns_nothing_for_blank_text():
    assert render_markdown("  \n") == ""


def test_table_alignment_survives_sanitising_without_inline_styles():
    html = render_markdown("| Step | Minutes |\n|:-----|--------:|\n| Restart | 2 |")

    assert '<td align="right">2</td>' in html
    assert "style=" not in html
