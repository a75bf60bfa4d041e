"""Any Markdown staff can save renders in well under the time a worker has, and the guide's text renders unchanged."""

import random
import time

import pytest
from django.urls import reverse

from guides import markup
from guides.authoring.schema import content_files, read_content_file
from guides.markup import MAX_CHARS, render_markdown

N = MAX_CHARS


def _nested_list() -> str:
    lines, depth = [], 0
    while sum(len(line) for line in lines) + 4 * depth + 4 <= N:
        lines.append("    " * depth + "- x\n")
        depth += 1
    return "".join(lines)


# Each at the size limit: runs that make Python-Markdown scan from every character to the end.
PATHOLOGICAL = {
    "open brackets": "[" * N,
    "close brackets": "]" * N,
    "nested brackets": "[" * (N // 2) + "]" * (N // 2),
    "empty links": "[]" * (N // 2),
    "image openers": "![" * (N // 2),
    "footnote-like openers": "[^" * (N // 2),
    "link texts opening a destination": "[a](" * (N // 4),
    "one link text then open parens": "[a]" + "(" * (N - 3),
    "open parens": "(" * N,
    "brackets then parens": "[(" * (N // 2),
    "stars": "*" * N,
    "underscores": "_" * N,
    "stars between letters": "*a" * (N // 2),
    "double stars between letters": "**a" * (N // 3),
    "underscores between letters": "_a" * (N // 2),
    "backticks": "`" * N,
    "backticks between letters": "`a" * (N // 2),
    "angle brackets": "<" * N,
    "tag openers": "<a" * (N // 2),
    "comment openers": "<!--" * (N // 4),
    "quote markers": ">" * N,
    "quote markers with spaces": "> " * (N // 2),
    "quote lines": ">\n" * (N // 2),
    "nested lists": _nested_list(),
    "backslashes": "\\" * N,
    "ampersands": "&" * N,
    "reference definitions": "[x]\n\n" + "[x]: y\n" * (N // 7 - 1),
    "table pipes": "|" * N,
    "table rows": "|a|b|\n|-|-|\n" + "|a|b|\n" * (N // 6 - 3),
    "nested emphasis": ("*_" * 20 + "a" + "_*" * 20) * (N // 81),
    "links inside open brackets": "[[a](b)" * (N // 7),
    "pairs nested sixteen deep": ("[" * 16 + "a" + "]" * 16) * (N // 33),
    "reference openers": "[a][" * (N // 4),
    "random specials": "".join(random.Random(1).choice("[]()<>*_`\\!&|#- \n") for _ in range(N)),
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_markdown_at_the_size_limit_renders_in_under_two_seconds(text):
    assert len(text) <= MAX_CHARS
    assert len(text) > MAX_CHARS * 0.9

    for _ in range(3):  # the best of three, so a busy machine's pause is not taken for slowness
        started = time.perf_counter()
        html = render_markdown(text)
        seconds = time.perf_counter() - started
        if seconds < 2:
            break

    assert seconds < 2, f"{seconds:.1f} s"
    assert html.strip()


def test_unclosed_brackets_still_show_as_typed():
    assert render_markdown("[" * N) == f"<p>{'[' * N}</p>"
    assert render_markdown("(" * N) == f"<p>{'(' * N}</p>"
    assert render_markdown("<" * N) == f"<p>{'&lt;' * N}</p>"


def test_links_among_many_unclosed_brackets_are_still_links():
    html = render_markdown("[" * 100 + " see [the help](https://support.example/)")

    assert '<a href="https://support.example/" rel="nofollow noopener noreferrer">the help</a>' in html
    assert html.startswith("<p>" + "[" * 100)


def test_text_over_the_size_limit_is_shown_as_plain_text_quickly():
    text = "**bold** <b>x</b>\n\n" + "[" * (10 * N)

    started = time.perf_counter()
    html = render_markdown(text)

    assert time.perf_counter() - started < 2
    assert html.startswith("<p>**bold** &lt;b&gt;x&lt;/b&gt;</p>")


def test_the_bundled_guide_renders_exactly_as_python_markdown_renders_it(monkeypatch):
    texts = []

    def collect(value):
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    for path in content_files():
        collect(read_content_file(path))
    rendered = [render_markdown(text) for text in texts]
    monkeypatch.setattr(markup, "_defused", lambda text: text)  # Python-Markdown as it is, without the guard

    assert len(texts) > 500
    assert rendered == [render_markdown(text) for text in texts]


def test_a_stand_in_character_typed_by_an_editor_stays_as_typed():
    assert render_markdown("a \ufdd0 b") == "<p>a \ufdd0 b</p>"


def test_the_admin_preview_answers_a_run_of_brackets_at_the_limit_in_under_two_seconds(admin_client):
    started = time.perf_counter()
    response = admin_client.post(reverse("admin:guides_markdown_preview"), {"text": "[" * MAX_CHARS})

    assert time.perf_counter() - started < 2
    assert response.status_code == 200
    assert "[" * MAX_CHARS in response.content.decode()


def test_the_admin_preview_says_a_text_over_the_limit_is_too_long(admin_client):
    started = time.perf_counter()
    response = admin_client.post(reverse("admin:guides_markdown_preview"), {"text": "[" * 20_000})  # the audit's

    assert time.perf_counter() - started < 2
    assert response.status_code == 413
    assert "at most 10,000 characters" in response.content.decode()
