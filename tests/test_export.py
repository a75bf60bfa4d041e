"""A guide exported from the database is a content file that loads back to the same guide."""

import io
import re

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from guides.authoring.export import dump_content, export_data, export_guide
from guides.authoring.loader import load_guide
from guides.authoring.schema import content_files
from guides.models import (
    Answer,
    AnswerEffect,
    CauseFix,
    ChecklistItem,
    Facet,
    FAQEntry,
    FixStep,
    Guide,
    LoadedContent,
    Question,
)  # fmt: skip
from tests.builders import guide_data
from tests.conftest import SEED_SLUG

QUESTIONS = [
    {
        "slug": "which-one",
        "text": "Which one: this or that?",
        "help": "",
        "answers": [
            # YAML 1.1 reads a bare yes/no/on/off as a boolean, so the export has to quote these slugs.
            {"slug": "yes", "text": "Yes", "effects": {"cause-0": "strong", "cause-1/facet-1": "less"}},
            {"slug": "no", "text": "No: not at all", "effects": {"cause-0": "rules_out", "cause-1": "more"}},
        ],
    },
    {
        "slug": "follow-up",
        "text": "# Not a comment?",
        "help": "Look under “Settings” > \u2018Privacy\u2019.",  # curly single quotes
        "asked_after": "which-one/yes",
        "answers": [
            {"slug": "on", "text": "On", "effects": {"cause-1/facet-0": "more", "cause-1": "more"}},
            {"slug": "off", "text": "null", "effects": {}},
        ],
    },
]

ODD_TEXT = {
    "title": "#1 reason: it's “odd”",
    "summary": "Note: a colon and a space, \u2018curly\u2019 quotes, and a trailing space ",
    "introduction": "# A heading, not a comment\n\nA line with trailing spaces   \nand\ta tab.\n",
    "conclusion": "",
    "cause explanation": "    Indented first line\nthen text\n\n\n",
    "facet explanation": "",
    "faq question": "yes",
    "faq answer": "- starts like a list\n# and a heading\nkey: value\n\n",  # kept blank line: a `|+` block
    "second faq question": "2026-01-01",
    "second faq answer": "Line ends from a browser\r\nform\r\n",
    "where": 'Settings: Privacy > "Direct messages"',
    "android": "No final newline\n- a list item",
    "iphone": "'Quoted' on iPhone\n",
    "symptom description": "   leading spaces and ünïcödé — “quotes”,\u2028a line separator",
}


def odd_guide_data() -> dict:
    """A small guide with a questionnaire and text that YAML finds awkward."""
    data = guide_data(slug="odd", causes=2, facets=2, faq=2, questions=QUESTIONS)
    data["title"], data["summary"] = ODD_TEXT["title"], ODD_TEXT["summary"]
    data["introduction"], data["conclusion"] = ODD_TEXT["introduction"], ODD_TEXT["conclusion"]
    data["causes"][0]["explanation"] = ODD_TEXT["cause explanation"]
    data["causes"][1]["facets"][0]["explanation"] = ODD_TEXT["facet explanation"]
    data["faq"][0] = {"slug": "first", "question": ODD_TEXT["faq question"], "answer": ODD_TEXT["faq answer"]}
    data["faq"][1] = {
        "slug": "second",
        "question": ODD_TEXT["second faq question"],
        "answer": ODD_TEXT["second faq answer"],
    }
    data["fix_steps"][0]["where"] = ODD_TEXT["where"]
    data["fix_steps"][0]["android"] = ODD_TEXT["android"]
    data["fix_steps"][1]["iphone"] = ODD_TEXT["iphone"]
    data["symptoms"][0]["description"] = ODD_TEXT["symptom description"]
    return data


def reload_from(text: str, slug: str) -> Guide:
    """Delete the guide and what the loader remembers of it, then load it from `text` alone."""
    Guide.objects.filter(slug=slug).delete()
    LoadedContent.objects.filter(key=slug).delete()
    LoadedContent.objects.filter(key__startswith=f"{slug}/").delete()
    load_guide(yaml.safe_load(text))
    return Guide.objects.get(slug=slug)


def content_counts(guide: Guide) -> dict[str, int]:
    return {
        "causes": guide.causes.count(),
        "facets": Facet.objects.filter(cause__guide=guide).count(),
        "cause fixes": CauseFix.objects.filter(cause__guide=guide).count(),
        "related causes": sum(cause.related.count() for cause in guide.causes.all()),
        "symptoms": guide.symptoms.count(),
        "symptom causes": sum(symptom.causes.count() for symptom in guide.symptoms.all()),
        "fix steps": FixStep.objects.filter(guide=guide).count(),
        "faq": FAQEntry.objects.filter(guide=guide).count(),
        "checklist": ChecklistItem.objects.filter(guide=guide).count(),
        "questions": Question.objects.filter(guide=guide).count(),
        "follow-up questions": Question.objects.filter(guide=guide, asked_after__isnull=False).count(),
        "answers": Answer.objects.filter(question__guide=guide).count(),
        "effects": AnswerEffect.objects.filter(answer__question__guide=guide).count(),
        "facet effects": AnswerEffect.objects.filter(answer__question__guide=guide, facet__isnull=False).count(),
    }


def key_layout(value, path=""):
    """Every mapping's keys in order, by where it sits. Effects map free-form targets, so they are left out."""
    if isinstance(value, dict):
        yield path, list(value)
        for key, item in value.items():
            if key != "effects":
                yield from key_layout(item, f"{path}/{key}")
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from key_layout(item, f"{path}/{position}")


def troubleshooter_guide_data() -> dict:
    """A guide using every troubleshooter field: efficacies, step kinds, efforts, "not after" and skips."""
    data = guide_data(slug="features", causes=2, facets=2, questions=QUESTIONS)
    data["causes"][0]["fixes"] = {"fix-0": "almost_always", "fix-1": "rarely"}
    data["causes"][1]["fixes"] = {"fix-1": "often", "ask-support": "sometimes"}
    data["fix_steps"][1].update(kind="wait", minutes=24 * 60)
    data["fix_steps"].append(
        {
            "slug": "ask-support",
            "title": "Ask support",
            "kind": "hand_off",
            "minutes": 30 * 24 * 60,  # the longest a step may take
            "instructions": "Report a problem.",
            "reviewed": "2026-01-01",
        }
    )
    which_one, follow_up = data["questions"]
    which_one["effort"] = "quick_look"
    which_one["answers"][1]["skips"] = ["fix-1", "fix-0"]  # exported sorted
    follow_up["effort"] = "ask_someone"
    follow_up["not_after"] = ["which-one/no", "fix-1"]  # exported sorted: steps and answers together
    data["questions"].append(
        {
            "slug": "plain",
            "text": "Plain?",
            "answers": [
                {"slug": "a", "text": "A", "effects": {"cause-0": "more"}},
                {"slug": "b", "text": "B", "effects": {}},
            ],
        }
    )  # effort left out: "in_app"
    return data


def explanation_guide_data() -> dict:
    """The troubleshooter guide with an explanation cause, a risky step, settled answers and its own screen cap."""
    data = troubleshooter_guide_data()
    data |= {"max_screens": 5, "long_shot_odds": 20}
    data["causes"][1] |= {
        "explains": True,
        "what_is_happening": "They **blocked** you.\n",
        "what_you_can_do": "Ask them another way.\n",
        "where_to_get_help": "Support cannot undo a block.",
    }
    data["causes"][0]["where_to_get_help"] = "Appeal in the app.\n"
    data["fix_steps"][0]["risky"] = True
    data["symptoms"][0]["settles"] = ["which-one/yes", "follow-up/off"]  # exported sorted
    return data


def test_the_bundled_file_is_its_own_export(seed_guide):
    path = next(p for p in content_files() if p.stem == SEED_SLUG)

    assert export_guide(seed_guide) == path.read_text(encoding="utf-8")


def test_bundled_guide_round_trips_byte_identically(seed_guide):
    before = export_data(seed_guide)
    text = export_guide(seed_guide)

    guide = reload_from(text, SEED_SLUG)

    assert export_data(guide) == before
    assert export_guide(guide) == text


def test_odd_text_and_a_questionnaire_round_trip_byte_identically(load):
    load(odd_guide_data())
    guide = Guide.objects.get(slug="odd")
    before = export_data(guide)
    text = export_guide(guide)

    guide = reload_from(text, "odd")

    assert export_data(guide) == before
    assert export_guide(guide) == text


def test_troubleshooter_fields_round_trip_byte_identically(load):
    load(troubleshooter_guide_data())
    guide = Guide.objects.get(slug="features")
    before = export_data(guide)
    text = export_guide(guide)

    guide = reload_from(text, "features")

    assert export_data(guide) == before
    assert export_guide(guide) == text


def test_troubleshooter_fields_reach_the_database_through_the_export(load):
    load(troubleshooter_guide_data())

    guide = reload_from(export_guide(Guide.objects.get(slug="features")), "features")

    links = CauseFix.objects.filter(cause__guide=guide).order_by("cause__order", "order")
    assert [(link.cause.slug, link.fix_step.slug, link.efficacy) for link in links] == [
        ("cause-0", "fix-0", "almost_always"),
        ("cause-0", "fix-1", "rarely"),
        ("cause-1", "fix-1", "often"),
        ("cause-1", "ask-support", "sometimes"),
    ]
    steps = guide.fix_steps.order_by("pk")
    assert [(step.slug, step.kind, step.minutes) for step in steps] == [
        ("fix-0", "do_now", 1),
        ("fix-1", "wait", 24 * 60),
        ("ask-support", "hand_off", 30 * 24 * 60),
    ]
    questions = {question.slug: question for question in guide.questions.all()}
    assert {slug: q.effort for slug, q in questions.items()} == {
        "which-one": "quick_look",
        "follow-up": "ask_someone",
        "plain": "in_app",
    }
    follow_up = questions["follow-up"]
    assert [(a.question.slug, a.slug) for a in follow_up.not_after_answers.all()] == [("which-one", "no")]
    assert [step.slug for step in follow_up.not_after_steps.all()] == ["fix-1"]
    assert not questions["plain"].not_after_answers.exists() and not questions["plain"].not_after_steps.exists()
    skips = {a.slug: sorted(s.slug for s in a.skips.all()) for a in questions["which-one"].answers.all()}
    assert skips == {"yes": [], "no": ["fix-0", "fix-1"]}


def test_troubleshooter_fields_are_written_where_the_hand_written_files_have_them(load):
    load(troubleshooter_guide_data())

    text = export_guide(Guide.objects.get(slug="features"))

    assert "confidence_threshold" not in text
    assert "\n    fixes: {fix-0: almost_always, fix-1: rarely}\n" in text
    assert "\n    fixes: {fix-1: often, ask-support: sometimes}\n" in text  # in the cause's order, not sorted
    # A step's kind comes after its title, and only when it is not "do now".
    assert "\n  - slug: fix-0\n    title: Fix number 0\n    minutes: 1\n" in text
    assert "\n  - slug: fix-1\n    title: Fix number 1\n    kind: wait\n    minutes: 1440\n" in text
    assert "\n  - slug: ask-support\n    title: Ask support\n    kind: hand_off\n    minutes: 43200\n" in text
    # A question's effort comes after its help, always; "not after" and skips are sorted lists on one line.
    assert '\n    help: ""\n    effort: quick_look\n    answers:\n' in text
    assert "\n    effort: ask_someone\n    asked_after: which-one/yes\n    not_after: [fix-1, which-one/no]\n" in text
    assert '\n  - slug: plain\n    text: Plain?\n    help: ""\n    effort: in_app\n    answers:\n' in text
    assert "\n        skips: [fix-0, fix-1]\n" in text
    assert text.count("skips:") == 1 and text.count("not_after:") == 1


def test_explanation_fields_round_trip_byte_identically(load):
    load(explanation_guide_data())
    guide = Guide.objects.get(slug="features")
    before = export_data(guide)
    text = export_guide(guide)

    guide = reload_from(text, "features")

    assert export_data(guide) == before
    assert export_guide(guide) == text
    assert (guide.max_screens, guide.long_shot_odds) == (5, 20)
    assert [c.slug for c in guide.causes.filter(explains=True)] == ["cause-1"]
    assert [s.slug for s in guide.fix_steps.filter(risky=True)] == ["fix-0"]
    settled = guide.symptoms.get(slug="symptom-0-0").settles.order_by("question__slug")
    assert [(a.question.slug, a.slug) for a in settled] == [("follow-up", "off"), ("which-one", "yes")]


def test_explanation_fields_are_written_only_where_they_say_something(load):
    load(explanation_guide_data())

    text = export_guide(Guide.objects.get(slug="features"))

    # The guide's screen cap and odds always, after max_questions: a file leaving them out leaves them alone.
    assert "\nmax_questions: 8\nmax_screens: 5\nlong_shot_odds: 20\n" in text
    # A cause's explanation ending after its explanation, and only the parts it has.
    assert (
        "\n    explanation: Explanation 1.\n    explains: true\n    what_is_happening: |\n      They **blocked** you.\n"
        "    what_you_can_do: |\n      Ask them another way.\n    where_to_get_help: Support cannot undo a block.\n"
        "    facets:\n" in text
    )
    assert (
        "\n    explanation: Explanation 0.\n    where_to_get_help: |\n      Appeal in the app.\n    facets:\n" in text
    )
    assert text.count("explains:") == 1 and text.count("what_is_happening:") == 1
    # "risky" after the kind's place, only on a risky step; settled answers sorted, on one line.
    assert "\n  - slug: fix-0\n    title: Fix number 0\n    risky: true\n    minutes: 1\n" in text
    assert text.count("risky:") == 1
    assert "\n    causes: [cause-0]\n    settles: [follow-up/off, which-one/yes]\n" in text
    assert text.count("settles:") == 1


def test_odd_text_reaches_the_database_unchanged_through_the_export(load):
    load(odd_guide_data())

    guide = reload_from(export_guide(Guide.objects.get(slug="odd")), "odd")

    cause, step = guide.causes.get(slug="cause-0"), guide.fix_steps.get(slug="fix-0")
    faq = list(guide.faq_entries.all())
    assert (guide.title, guide.summary) == (ODD_TEXT["title"], ODD_TEXT["summary"])
    assert (guide.introduction, guide.conclusion) == (ODD_TEXT["introduction"], "")
    assert cause.explanation == ODD_TEXT["cause explanation"]
    assert guide.causes.get(slug="cause-1").facets.get(slug="facet-0").explanation == ""
    assert [(e.question, e.answer) for e in faq] == [
        (ODD_TEXT["faq question"], ODD_TEXT["faq answer"]),
        (ODD_TEXT["second faq question"], "Line ends from a browser\nform\n"),  # saved with one kind of line end
    ]
    assert (step.where, step.android) == (ODD_TEXT["where"], ODD_TEXT["android"])
    assert guide.fix_steps.get(slug="fix-1").iphone == ODD_TEXT["iphone"]
    assert guide.symptoms.get(slug="symptom-0-0").description == ODD_TEXT["symptom description"]
    follow_up = guide.questions.get(slug="follow-up")
    assert (follow_up.asked_after.question.slug, follow_up.asked_after.slug) == ("which-one", "yes")
    assert {a.slug for a in Answer.objects.filter(question__guide=guide)} == {"yes", "no", "on", "off"}


def test_export_loaded_into_an_empty_database_reproduces_the_same_content(seed_guide):
    counts = content_counts(seed_guide)
    text = export_guide(seed_guide)
    Guide.objects.all().delete()
    LoadedContent.objects.all().delete()
    assert not Guide.objects.exists()

    report = load_guide(yaml.safe_load(text))

    guide = Guide.objects.get(slug=SEED_SLUG)
    assert all(counts.values()), counts
    assert content_counts(guide) == counts
    assert not (report.updated or report.unchanged or report.kept_edits)


def test_loading_the_export_over_its_own_guide_changes_nothing(seed_guide):
    report = load_guide(yaml.safe_load(export_guide(seed_guide)))

    assert report.unchanged
    assert not (report.created or report.updated or report.kept_edits)


def test_export_of_a_guide_edited_by_staff_carries_the_edit(seed_guide):
    entry = seed_guide.faq_entries.all()[1]
    entry.answer = "Edited by staff: “check” this first.\n\nThen the rest.\n"
    entry.save()

    text = export_guide(seed_guide)

    assert yaml.safe_load(text)["faq"][1]["answer"] == entry.answer
    guide = reload_from(text, SEED_SLUG)
    assert guide.faq_entries.all()[1].answer == entry.answer


def test_export_uses_the_keys_and_layout_of_the_hand_written_file(seed_guide, seed_data):
    text = export_guide(seed_guide)

    assert list(key_layout(yaml.safe_load(text))) == list(key_layout(seed_data))
    assert text.startswith(f"slug: {SEED_SLUG}\ntitle: {seed_data['title']}\n")
    assert (
        f"\npublished: true\nmax_questions: {seed_guide.max_questions}\nmax_screens: {seed_guide.max_screens}\n"
        f"long_shot_odds: {seed_guide.long_shot_odds}\n\nintroduction: |\n  When a TikTok" in text
    )
    assert "confidence_threshold" not in text
    for section in ("conclusion", "causes", "symptoms", "fix_steps", "faq", "checklist", "questions"):
        assert f"\n\n{section}:" in text, section
    assert "\ncauses:\n  - slug: account-restrictions\n" in text
    assert "\n\n  - slug: network-connectivity\n" in text  # a blank line between causes
    assert "\n    reviewed: 2026-11-26\n" in text
    # Every cause's fix steps are a one-line mapping of step slugs to efficacy words ({} for an explanation cause).
    fixes = re.findall(r"^    fixes: (.*)$", text, re.M)
    assert len(fixes) == seed_guide.causes.count()
    link = r"[a-z0-9-]+: (almost_always|often|sometimes|rarely)"
    assert all(re.fullmatch(rf"\{{({link}(, {link})*)?\}}", line) for line in fixes), fixes
    assert re.search(r"^    fixes: \{[^}]*\bupdate-app: [a-z_]+", text, re.M)
    # Every question says its effort, right after its help.
    assert len(re.findall(r"^    help: .*\n    effort: (quick_look|in_app|ask_someone)$", text, re.M)) == len(
        re.findall(r"^  - slug: .*\n    text: ", text, re.M)
    )
    assert '\n    where: ""\n' in text
    assert "\n    asked_after: error-notice/yes-notice\n" in text
    assert "\n          spam-detection/rate-limiting: strong\n" in text


def test_text_a_block_cannot_hold_exactly_is_quoted_instead(load):
    load(odd_guide_data())

    text = export_guide(Guide.objects.get(slug="odd"))

    assert re.search(r'^introduction: "# A heading, not a comment\\n\\nA line with trailing spaces   \\n', text, re.M)
    assert "    answer: |\n      Line ends from a browser\n      form\n" in text  # \r\n was normalised on save
    assert "    android: |-\n      No final newline\n      - a list item\n" in text
    assert '\n      - slug: "yes"\n' in text


def test_export_takes_the_same_number_of_queries_however_big_the_guide(load):
    load(guide_data(slug="small", causes=2, facets=2, faq=1, questions=QUESTIONS[:1]))
    load(guide_data(slug="big", causes=9, facets=4, symptoms_per_cause=3, faq=7, questions=QUESTIONS))
    small, big = Guide.objects.get(slug="small"), Guide.objects.get(slug="big")

    with CaptureQueriesContext(connection) as small_queries:
        export_guide(small)
    with CaptureQueriesContext(connection) as big_queries:
        export_guide(big)

    # One query per kind of row: the guide, its checklist, fix steps, causes, facets, cause fixes, related
    # causes, symptoms, their causes and settled answers, FAQ, questions, "not after" answers and steps,
    # answers, skips, effects; and one per kind of link that could point into another guide (11), checked first.
    assert len(big_queries) == len(small_queries) <= 17 + 11


# Plain random text seldom hits YAML's corners; the second alphabet aims at them.
AWKWARD_TEXT = st.one_of(st.text(), st.text(st.sampled_from(list("a #:-'\"\\|>\n\n\t\r\x85\u2028\u2029\xa0“é"))))


@settings(max_examples=300, deadline=None)
@given(text=AWKWARD_TEXT)
def test_any_text_survives_the_trip_through_the_yaml(text):
    data = {
        "slug": "s",
        "introduction": text,
        "causes": [{"slug": "c", "facets": [{"explanation": text}], "fixes": []}, {"slug": "d", "summary": text}],
        "faq": [{"question": text, "answer": text}, {"question": "q", "answer": text}],
    }

    assert yaml.safe_load(dump_content(data)) == data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=AWKWARD_TEXT.filter(lambda text: "\x00" not in text))
@example(text="\r\r\n")  # a CR before a CR LF: one pass of CR LF -> LF left a CR LF behind
def test_any_markdown_text_survives_export_and_reload(load, text):
    data = guide_data(slug="any", causes=1, facets=1, faq=1)
    data["conclusion"] = text
    data["causes"][0]["facets"][0]["explanation"] = text
    load(data)

    guide = reload_from(export_guide(Guide.objects.get(slug="any")), "any")

    saved = text.replace("\r\n", "\n").replace("\r", "\n")  # Markdown is saved with LF line ends only
    assert guide.conclusion == saved
    assert Facet.objects.get(cause__guide=guide).explanation == saved


SETTLEABLE = ["which-one/yes", "which-one/no", "follow-up/on", "follow-up/off"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=AWKWARD_TEXT.filter(lambda text: "\x00" not in text),
    explains=st.booleans(),
    risky=st.booleans(),
    settles=st.lists(st.sampled_from(SETTLEABLE), unique_by=lambda name: name.partition("/")[0]),
    max_screens=st.integers(3, 30),
    long_shot_odds=st.integers(5, 1000),
)
def test_any_explanation_ending_risky_step_settled_answers_and_screen_cap_round_trip_byte_identically(
    load, text, explains, risky, settles, max_screens, long_shot_odds
):
    data = troubleshooter_guide_data()
    data |= {"max_screens": max_screens, "long_shot_odds": long_shot_odds}
    data["causes"][1] |= {"explains": explains, "what_is_happening": text, "what_you_can_do": text}
    data["causes"][0]["where_to_get_help"] = text
    data["fix_steps"][1]["risky"] = risky
    data["symptoms"][1]["settles"] = settles
    load(data, overwrite=True)
    text_before = export_guide(Guide.objects.get(slug="features"))

    guide = reload_from(text_before, "features")

    assert export_guide(guide) == text_before
    assert (guide.max_screens, guide.long_shot_odds) == (max_screens, long_shot_odds)
    assert guide.causes.get(slug="cause-1").explains == explains
    assert guide.fix_steps.get(slug="fix-1").risky == risky
    settled = guide.symptoms.get(slug="symptom-1-0").settles.all()
    assert sorted(f"{a.question.slug}/{a.slug}" for a in settled) == sorted(settles)
    saved = text.replace("\r\n", "\n").replace("\r", "\n")
    assert guide.causes.get(slug="cause-0").where_to_get_help == saved


def test_command_writes_the_export_to_a_file(seed_guide, tmp_path):
    path = tmp_path / "exported.yaml"
    out = io.StringIO()

    call_command("export_guide", SEED_SLUG, "-o", str(path), stdout=out)

    assert path.read_text(encoding="utf-8") == export_guide(seed_guide)
    assert str(path) in out.getvalue()


def test_command_prints_the_export_without_a_file(seed_guide):
    out = io.StringIO()

    call_command("export_guide", SEED_SLUG, stdout=out)

    assert out.getvalue() == export_guide(seed_guide)


def test_command_refuses_an_unknown_slug_naming_it_and_the_known_guides(seed_guide):
    with pytest.raises(CommandError, match=rf"No guide with slug 'no-such-guide'\. Known guides: .*{SEED_SLUG}"):
        call_command("export_guide", "no-such-guide", stdout=io.StringIO())
