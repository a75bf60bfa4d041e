"""Words an editor understands: what each choice means and the number behind it, what the preview
leaves out, labels spelled as people spell them, and the command that makes an editor's account."""

import html
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from guides.models import Cause, FixStep, Question

PREVIEW = reverse("admin:guides_markdown_preview")


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def text(fragment: str) -> str:
    """What a reader sees of some HTML: the words, tags gone, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split()).replace(" :", ":")


def help_of(page_html: str, name: str) -> str:
    """The help Django shows under the form field called `name` (its own block, tied to it by aria-describedby)."""
    found = re.search(rf'<div class="help"[^>]*id="id_{name}_helptext"[^>]*>(.*?)</div>', page_html, re.S)
    assert found, f"no help under {name}"
    return text(found.group(1))


def listed_under_tables(page_html: str) -> str:
    """The words' meanings a table of rows lists under itself."""
    blocks = re.findall(r'<details class="word-meanings-help">(.*?)</details>', page_html, re.S)
    return " ".join(text(b) for b in blocks)


def test_a_fix_steps_kind_and_a_questions_effort_say_what_each_word_means_with_its_number(editor_client):
    step = FixStep.objects.filter(guide__slug="tiktok-messages").first()
    question = Question.objects.filter(guide__slug="tiktok-messages").first()

    kind = help_of(page(editor_client, reverse("admin:guides_fixstep_change", args=[step.pk])), "kind")
    effort = help_of(page(editor_client, reverse("admin:guides_question_change", args=[question.pk])), "effort")

    assert "Hand-off to the app's support: the app's own support: offered last" in kind
    assert "A quick look (something they know or see at a glance): counts as 0.5 minutes" in effort
    assert "Ask someone else (only another person knows): counts as 15 minutes" in effort


def test_a_causes_commonness_and_its_fix_steps_efficacy_are_explained_on_the_cause_page(editor_client):
    cause = Cause.objects.filter(guide__slug="tiktok-messages").first()

    cause_page = page(editor_client, reverse("admin:guides_cause_change", args=[cause.pk]))

    assert "Very common: counts 8 times as much as a rare cause" in help_of(cause_page, "commonness")
    # The fix steps are a table: the words are listed under it, not hidden in a column's tooltip.
    listed = listed_under_tables(cause_page)
    assert "Often: this step fixes it about 6 times in 10 when this is the cause." in listed
    assert "Rarely: this step fixes it about 1 time in 10" in listed


def test_what_an_answer_says_about_a_cause_is_explained_on_the_question_page(editor_client):
    question = Question.objects.filter(guide__slug="tiktok-messages", answers__effects__isnull=False).first()

    listed = listed_under_tables(page(editor_client, reverse("admin:guides_question_change", args=[question.pk])))

    assert "Rules it out: people who give this answer almost never have this cause: it becomes 20 times less" in listed
    assert "Strongly points to it: it becomes 8 times more likely" in listed


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("## Before you start\n\nCheck the app.", "Headings made with # or ## show as plain text"),
        ("# Big\n\nText.", "Headings made with # or ## show as plain text"),
        ("![a screenshot](https://example.com/a.png)", "Pictures are not shown"),
        ('<div class="x">Hello</div>', "HTML tags such as &lt;div&gt; are taken out"),
        ("[Open it](javascript:alert(1))", "loses its address"),
    ],
)
def test_the_preview_says_what_it_drops(editor_client, text, said):
    response = editor_client.post(PREVIEW, {"text": text})

    assert response.status_code == 200
    assert said in response.content.decode()


def test_the_preview_says_nothing_when_everything_shows(editor_client):
    text = "### Before you start\n\n1. Open **Settings**.\n2. Tap [Help](https://support.example.com).\n\n---"

    response = editor_client.post(PREVIEW, {"text": text})

    assert "Not shown as you typed it" not in response.content.decode()
    assert "<h3>Before you start</h3>" in response.content.decode()


def test_a_saved_heading_that_will_be_flattened_is_pointed_out_when_the_page_opens(editor_client):
    cause = Cause.objects.filter(guide__slug="tiktok-messages").first()
    Cause.objects.filter(pk=cause.pk).update(explanation="## Why\n\nBecause.")

    html = editor_client.get(reverse("admin:guides_cause_change", args=[cause.pk])).content.decode()

    assert "Headings made with # or ## show as plain text" in html


def test_labels_read_as_people_write_them(editor_client, seed_guide):
    step = FixStep.objects.filter(guide=seed_guide).first()

    fix_step_page = page(editor_client, reverse("admin:guides_fixstep_change", args=[step.pk]))
    guide_page = page(editor_client, reverse("admin:guides_guide_change", args=[seed_guide.pk]))

    assert re.search(r'<label for="id_iphone">iPhone:</label>', fix_step_page)
    assert "Add another FAQ entry" in guide_page
    assert "Faq Entry" not in guide_page
    crumbs = text(re.search(r'<nav aria-label="Breadcrumbs">(.*?)</nav>', guide_page, re.S).group(1))
    assert crumbs == f"Home Content Guides {seed_guide.title}"  # the separators are drawn by the stylesheet


def test_create_editor_works_in_the_environment_make_run_uses(tmp_path):
    """The README's command, as `make editor` runs it: no secret key to set up on a developer's machine."""
    database = tmp_path / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS"))}
    env |= {"DATABASE_URL": f"sqlite:///{database}", "EDITOR_PASSWORD": "plum orbit kettle season"}
    make = ["make", "-s", "editor", "NAME=alex", "EMAIL=alex@example.com", "PASSWORD_FROM_ENV=EDITOR_PASSWORD"]

    result = subprocess.run(make, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert "Created editor 'alex'" in result.stdout
    check = "from django.contrib.auth.models import User; u = User.objects.get(username='alex'); " + (
        "print(u.is_staff, [g.name for g in u.groups.all()])"
    )
    shell = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", check],
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shell.stdout.strip() == "True ['Editors']"


def test_make_editor_without_a_name_says_how_to_call_it(tmp_path):
    """Nothing is run, nothing asked: the command says what it needs."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    result = subprocess.run(["make", "-s", "editor"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True)

    assert result.returncode != 0
    assert "make editor NAME=alex" in result.stdout + result.stderr
