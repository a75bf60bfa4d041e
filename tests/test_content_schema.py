"""A content file is checked completely before anything is written: a bad one changes nothing and says where."""

import textwrap
import time

import pytest
from django.core.management import CommandError, call_command

from guides.authoring.export import export_data
from guides.authoring.loader import load_guide
from guides.authoring.reading import MAX_FILE_BYTES, ContentError
from guides.markup import MAX_CHARS as MAX_MARKDOWN_CHARS
from guides.models import Guide, LoadedContent
from tests.conftest import SEED_SLUG

# A small valid guide, with the line numbers the tests below point at.
TINY = """\
slug: tiny
title: Tiny
summary: A tiny guide.
published: true
causes:
  - slug: slow
    title: It is slow
    summary: Slow.
    reviewed: 2026-01-01
    fixes: [wait]
fix_steps:
  - slug: wait
    title: Wait
    reviewed: 2026-01-01
    instructions: Wait a bit.
questions:
  - slug: first
    text: First?
    answers:
      - slug: "yes"
        text: "Yes"
        effects: {slow: strong}
  - slug: second
    text: Second?
    asked_after: first/yes
    answers:
      - slug: "no"
        text: "No"
"""


def write(tmp_path, text: str, name: str = "guide.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def state() -> list:
    """Everything a load could change: each guide as its export says it, and what the loader remembers."""
    guides = [export_data(guide) for guide in Guide.objects.order_by("slug")]
    return [guides, sorted(LoadedContent.objects.values_list("key", "digest"))]


def refused(*paths) -> str:
    """Load the files, expecting a refusal that changes nothing; return its message."""
    before = state()
    with pytest.raises(CommandError) as error:
        call_command("load_guides", *map(str, paths), verbosity=0)
    assert state() == before
    return str(error.value)


def test_the_tiny_guide_loads(db, tmp_path):
    call_command("load_guides", str(write(tmp_path, TINY)), verbosity=0)

    guide = Guide.objects.get(slug="tiny")
    assert guide.questions.get(slug="second").asked_after.slug == "yes"


# Hole 1: a file that leaves sections out emptied, unpublished and deleted them.


def test_a_file_with_only_slug_title_and_summary_changes_only_those(seed_guide, tmp_path):
    before = export_data(seed_guide)
    path = write(tmp_path, f"slug: {SEED_SLUG}\ntitle: A new title\nsummary: A new summary.\n")

    call_command("load_guides", str(path), verbosity=0)

    assert export_data(seed_guide) == {**before, "title": "A new title", "summary": "A new summary."}
    seed_guide.refresh_from_db()
    assert seed_guide.published and seed_guide.introduction and seed_guide.support
    assert seed_guide.checklist_items.count() == 7


def test_a_partial_file_does_not_pass_a_staff_edit_off_as_loaded(seed_guide, tmp_path):
    """The left-out introduction is the editor's; a later full load must still keep it."""
    seed_guide.introduction = "Written by an editor."
    seed_guide.save()
    call_command("load_guides", str(write(tmp_path, f"slug: {SEED_SLUG}\npublished: true\n")), verbosity=0)

    call_command("load_guides", verbosity=0)

    seed_guide.refresh_from_db()
    assert seed_guide.introduction == "Written by an editor."


# Holes 2 and 6: wrongly typed values were taken for something else, or crashed with a traceback.


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("published: true", 'published: "false"'), "line 4: published: should be true or false, without quotes"),
        (("published: true", "max_questions: lots"), "line 4: max_questions: should be a whole number, not 'lots'"),
        (("    title: Wait\n", "    title: Wait\n    minutes: ten\n"), "line 14: fix_steps[0].minutes: should be"),
        (("reviewed: 2026-01-01\n    fixes", "reviewed: soon\n    fixes"), "line 9: causes[0].reviewed: should be"),
        (("reviewed: 2026-01-01\n    fixes", "reviewed: 2026-13-45\n    fixes"), "line 9: not valid YAML: cannot read"),
        (("title: Tiny", "title: 12"), "line 2: title: should be text, not 12: put it in quotes"),
        (("fixes: [wait]", "fixes: 3"), "line 10: causes[0].fixes: should list fix step slugs"),
        (("effects: {slow: strong}", "effects: {slow: very}"), "line 22: questions[0].answers[0].effects.slow: should"),
        (("    text: First?\n", "    text: First?\n    colour: red\n"), "line 19: questions[0].colour: is not a key"),
        (("    summary: Slow.\n", ""), "line 6: causes[0].summary: is missing"),
        (("slug: tiny", "slug: [tiny]"), "line 1: slug: should be text, not a list"),
    ],
    ids=[
        "quoted-false", "word-for-number", "word-for-minutes", "word-for-date", "impossible-date",
        "number-for-text", "number-for-fixes", "unknown-strength", "unknown-key", "missing-field", "list-for-slug",
    ],
)  # fmt: skip
def test_a_wrongly_typed_value_is_refused_with_its_line_and_path(db, tmp_path, change, message):
    old, new = change
    assert old in TINY
    text = TINY.replace(old, new, 1)

    assert f"guide.yaml, {message}" in refused(write(tmp_path, text))


def test_a_quoted_false_does_not_publish_or_unpublish_the_live_guide(seed_guide, tmp_path):
    message = refused(write(tmp_path, f'slug: {SEED_SLUG}\npublished: "false"\n'))

    assert "guide.yaml, line 2: published: should be true or false, without quotes, not 'false'" in message
    seed_guide.refresh_from_db()
    assert seed_guide.published


# Hole 3: duplicates were dropped or silently overwrote each other.


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            (
                "fix_steps:\n",
                "  - slug: slow\n    title: Again\n    summary: Again.\n    reviewed: 2026-01-01\nfix_steps:\n",
            ),
            "line 11: causes[1].slug: 'slow' is already the slug of causes[0] (line 6)",
        ),
        (
            (
                "questions:\n",
                "  - slug: wait\n    title: Again\n    reviewed: 2026-01-01\n    instructions: Again.\nquestions:\n",
            ),
            "line 16: fix_steps[1].slug: 'wait' is already the slug of fix_steps[0] (line 12)",
        ),
        (
            ("  - slug: second", "  - slug: first"),
            "line 23: questions[1].slug: 'first' is already the slug of questions[0]",
        ),
        (("fixes: [wait]", "fixes: [wait, wait]"), "line 10: causes[0].fixes: names 'wait' twice"),
        (("fixes: [wait]", "fixes: {wait: often, wait: rarely}"), "line 10: causes[0].fixes.wait: the key 'wait' is"),
        (
            ("    title: Wait\n", "    title: Wait\n    title: Hold on\n"),
            "line 14: fix_steps[0].title: the key 'title'",
        ),
        (("title: Tiny\n", "title: Tiny\ntitle: Other\n"), "line 3: title: the key 'title' is already used on line 2"),
    ],
    ids=["cause", "fix-step", "question", "fix-link", "fix-link-key", "fix-step-key", "top-level-key"],
)
def test_a_duplicate_is_refused_with_its_line(db, tmp_path, change, message):
    old, new = change
    assert old in TINY
    text = TINY.replace(old, new, 1)

    assert f"guide.yaml, {message}" in refused(write(tmp_path, text))


# Hole 4: questions asked after one another in a loop are never asked.


def test_questions_asked_after_one_another_in_a_loop_are_refused(db, tmp_path):
    text = TINY.replace("    text: First?\n", "    text: First?\n    asked_after: second/no\n")

    message = refused(write(tmp_path, text))

    assert "guide.yaml, line 19: questions[0].asked_after: questions asked after one another in a loop" in message
    assert "(first → second → first)" in message


def test_a_question_asked_after_its_own_answer_is_refused(db, tmp_path):
    text = TINY.replace("asked_after: first/yes", "asked_after: second/no")

    assert "line 25: questions[1].asked_after: questions asked after one another in a loop" in refused(
        write(tmp_path, text)
    )


# Hole 5: anchors and aliases expand to gigabytes; a huge file takes minutes to parse.

LAUGHS = """\
slug: laughs
title: Laughs
summary: Laughs.
lol: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_an_alias_bomb_is_refused_at_its_first_anchor_at_once(db, tmp_path):
    path = write(tmp_path, LAUGHS)
    started = time.perf_counter()

    message = refused(path)

    assert time.perf_counter() - started < 2
    assert "guide.yaml, line 4: YAML anchors and aliases (&a, *a) are not allowed" in message


def test_even_a_harmless_alias_is_refused(db, tmp_path):
    text = TINY.replace("title: Tiny\nsummary: A tiny guide.", "title: &t Tiny\nsummary: *t")

    assert "guide.yaml, line 2: YAML anchors and aliases (&t, *t) are not allowed" in refused(write(tmp_path, text))


def test_merge_keys_are_refused(db, tmp_path):
    text = TINY.replace("    title: Wait\n", "    title: Wait\n    <<: {minutes: 5}\n")

    assert "guide.yaml, line 14: fix_steps[0]: merge keys (<<) are not allowed" in refused(write(tmp_path, text))


def test_a_file_over_the_size_cap_is_refused_before_it_is_parsed(db, tmp_path):
    padding = "# padding\n" * (MAX_FILE_BYTES // 10)
    path = write(tmp_path, TINY + padding + "broken: [yaml\n")
    assert path.stat().st_size > MAX_FILE_BYTES

    assert "guide.yaml: is 2.0 MB; a content file may be at most 2 MB" in refused(path)


def test_a_file_just_under_the_size_cap_loads(db, tmp_path):
    path = write(tmp_path, TINY + "#" * (MAX_FILE_BYTES - len(TINY) - 1) + "\n")
    assert path.stat().st_size == MAX_FILE_BYTES

    call_command("load_guides", str(path), verbosity=0)

    assert Guide.objects.filter(slug="tiny").exists()


def test_deep_nesting_is_refused(db, tmp_path):
    text = TINY.replace("fixes: [wait]", "fixes: " + "[" * 30 + "]" * 30)

    assert "guide.yaml, line 10: nested more than 20 levels deep" in refused(write(tmp_path, text))


# Any problem in any file: every message, and nothing written.


def test_every_problem_of_every_file_is_listed_and_no_file_is_loaded(db, tmp_path):
    good = write(tmp_path, TINY.replace("slug: tiny", "slug: good"), "good.yaml")
    bad = write(tmp_path, TINY.replace("published: true", 'published: "yes"\nmax_questions: "8"'), "bad.yaml")
    worse = write(tmp_path, "slug: worse\ntitle: [Worse]\n", "worse.yaml")

    message = refused(good, bad, worse)

    assert message.startswith("Nothing was loaded. Fix these 3 problems, then load again:")
    assert "bad.yaml, line 4: published: should be true or false, without quotes, not 'yes'" in message
    assert "bad.yaml, line 5: max_questions: should be a whole number, not '8'" in message
    assert "worse.yaml, line 2: title: should be text, not a list" in message
    assert not Guide.objects.filter(slug="good").exists()


def test_a_problem_only_the_database_sees_leaves_every_file_unloaded(db, tmp_path):
    good = write(tmp_path, TINY.replace("slug: tiny", "slug: good"), "good.yaml")
    bad = write(tmp_path, TINY.replace("fixes: [wait]", "fixes: [no-such-step]"), "bad.yaml")

    message = refused(good, bad)

    assert "bad.yaml, line 10: causes[0].fixes: unknown fix step 'no-such-step'" in message
    assert not Guide.objects.filter(slug__in=["good", "tiny"]).exists()


def test_two_files_for_one_guide_are_refused(db, tmp_path):
    first, second = write(tmp_path, TINY, "first.yaml"), write(tmp_path, TINY, "second.yaml")

    assert "second.yaml: the guide 'tiny' is already loaded from first.yaml" in refused(first, second)


def test_plain_data_is_checked_too_with_the_path_of_each_problem(db):
    with pytest.raises(ContentError) as error:
        load_guide({"slug": "tiny", "published": "false", "causes": [{"slug": "a"}]})

    assert error.value.messages == [
        "published: should be true or false, without quotes, not 'false'",
        "causes[0].title: is missing",
        "causes[0].summary: is missing",
        "causes[0].reviewed: is missing",
    ]
    assert not Guide.objects.filter(slug="tiny").exists()


# Hostile or unlucky text: a file-and-line message, never a traceback.


def test_a_nul_byte_in_a_file_is_refused_with_its_line(db, tmp_path):
    path = tmp_path / "guide.yaml"
    path.write_bytes(TINY.replace("Wait a bit.", "Wait\x00 a bit.").encode())

    assert "guide.yaml, line 15: holds a NUL byte, which a content file may not: remove it" in refused(path)


def test_an_escaped_nul_in_quoted_text_is_refused_with_its_line_and_path(db, tmp_path):
    text = TINY.replace("instructions: Wait a bit.", 'instructions: "Wait\\0 a bit."')

    message = refused(write(tmp_path, text))

    assert "guide.yaml, line 15: fix_steps[0].instructions: contains a NUL character" in message


def test_the_reserved_answer_slug_unsure_is_refused_with_its_line_and_path(db, tmp_path):
    text = TINY.replace('- slug: "no"', "- slug: unsure")

    message = refused(write(tmp_path, text))

    assert "guide.yaml, line 27: questions[1].answers[0].slug: 'unsure' is reserved" in message


def test_a_second_hand_off_step_is_refused_with_its_line(db, tmp_path):
    text = TINY.replace(
        "    instructions: Wait a bit.\n",
        "    instructions: Wait a bit.\n    kind: hand_off\n"
        "  - slug: write-to-support\n    title: Write to support\n    kind: hand_off\n"
        "    reviewed: 2026-01-01\n    instructions: Write to them.\n",
    )

    message = refused(write(tmp_path, text))

    assert "guide.yaml, line 19: fix_steps[1].kind: a guide has one hand-off to the app's support" in message
    assert "fix_steps[0] (line 16) is already it" in message


def test_markdown_over_the_size_limit_is_refused_with_its_line_and_path(db, tmp_path):
    text = TINY.replace("instructions: Wait a bit.", f"instructions: '{'[' * (MAX_MARKDOWN_CHARS + 1)}'")

    message = refused(write(tmp_path, text))

    assert f"guide.yaml, line 15: fix_steps[0].instructions: is {MAX_MARKDOWN_CHARS + 1} characters long" in message


def test_pathological_markdown_at_the_size_limit_loads_in_under_two_seconds(db, tmp_path):
    text = TINY.replace("instructions: Wait a bit.", f"instructions: '{'[' * MAX_MARKDOWN_CHARS}'")
    path = write(tmp_path, text)

    started = time.perf_counter()
    call_command("load_guides", str(path), verbosity=0)

    assert time.perf_counter() - started < 2
    step = Guide.objects.get(slug="tiny").fix_steps.get(slug="wait")
    assert step.instructions_html == f"<p>{'[' * MAX_MARKDOWN_CHARS}</p>"


def test_a_hand_off_that_would_join_one_made_in_the_admin_is_refused_with_its_line(db, tmp_path):
    text = TINY.replace("    instructions: Wait a bit.\n", "    instructions: Wait a bit.\n    kind: hand_off\n")
    call_command("load_guides", str(write(tmp_path, TINY)), verbosity=0)
    Guide.objects.get(slug="tiny").fix_steps.create(
        slug="call-support", title="Call support", kind="hand_off", reviewed_on="2026-01-01", instructions="Call."
    )

    message = refused(write(tmp_path, text))

    assert "guide.yaml, line 16: fix_steps[0].kind: the guide already has a hand-off" in message
    assert "('call-support')" in message


# Explanation causes, risky steps, settled answers, the screen cap and the long-shot odds.

TINY_WITH_SYMPTOM = TINY.replace(
    "fix_steps:\n",
    "symptoms:\n  - slug: notice\n    title: A notice shows\n    causes: [slow]\n    settles: [first/yes]\n"
    "fix_steps:\n",
)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("published: true", "published: true\nmax_screens: 2"), "line 5: max_screens: should be at least 3, not 2"),
        (
            ("published: true", "published: true\nlong_shot_odds: 1001"),
            "line 5: long_shot_odds: should be at most 1000",
        ),
        (
            ("    summary: Slow.\n", '    summary: Slow.\n    explains: "true"\n'),
            "line 9: causes[0].explains: should be true or false",
        ),
        (
            ("    title: Wait\n", "    title: Wait\n    risky: yes please\n"),
            "line 19: fix_steps[0].risky: should be true or false",
        ),
        (
            ("settles: [first/yes]", "settles: [first]"),
            "line 15: symptoms[0].settles[0]: should name an answer as question-slug/answer-slug, not 'first'",
        ),
        (
            ("settles: [first/yes]", "settles: [first/maybe]"),
            "line 15: symptoms[0].settles: unknown answer 'first/maybe': no question of this guide has it",
        ),
        (
            ("settles: [first/yes]", "settles: [first/yes, first/yes]"),
            "line 15: symptoms[0].settles: names 'first/yes' twice",
        ),
        (
            ("settles: [first/yes]", "settles: [first/yes, second/no, first/no]"),
            "line 15: symptoms[0].settles: gives two answers to the question 'first'",
        ),
        (
            ("    summary: Slow.\n", "    summary: Slow.\n    what_is_happening: 12\n"),
            "line 9: causes[0].what_is_happening: should be text, not 12",
        ),
    ],
    ids=[
        "few-screens",
        "long-odds",
        "quoted-explains",
        "word-for-risky",
        "settles-without-answer",
        "settles-unknown",
        "settles-twice",
        "settles-two-answers",
        "number-for-explanation-text",
    ],
)
def test_a_wrong_explanation_risky_settles_or_screen_value_is_refused_with_its_line(db, tmp_path, change, message):
    old, new = change
    assert old in TINY_WITH_SYMPTOM
    text = TINY_WITH_SYMPTOM.replace(old, new, 1)

    assert f"guide.yaml, {message}" in refused(write(tmp_path, text))


def test_explanation_risky_settles_and_screen_keys_load(db, tmp_path):
    text = TINY_WITH_SYMPTOM.replace("published: true", "published: true\nmax_screens: 5\nlong_shot_odds: 10")
    text = text.replace(
        "    summary: Slow.\n",
        "    summary: Slow.\n    explains: true\n    what_is_happening: |\n      It is slow on their side.\n",
    )
    text = text.replace("    title: Wait\n", "    title: Wait\n    risky: true\n")

    call_command("load_guides", str(write(tmp_path, text)), verbosity=0)

    guide = Guide.objects.get(slug="tiny")
    assert (guide.max_screens, guide.long_shot_odds) == (5, 10)
    cause = guide.causes.get()
    assert cause.explains and cause.what_is_happening == "It is slow on their side.\n"
    assert guide.fix_steps.get().risky
    settled = guide.symptoms.get().settles.get()
    assert (settled.question.slug, settled.slug) == ("first", "yes")
