"""The content checks find each kind of problem, and only that kind, in a guide broken on purpose."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guides.content_checks import ERROR, KINDS, WARNING, Problem, check_guide
from guides.models import (
    Answer,
    AnswerEffect,
    Cause,
    CauseFix,
    ChecklistItem,
    Facet,
    FAQEntry,
    FixStep,
    Guide,
    Question,
)
from tests.builders import guide_data


def questions_for(causes: int) -> list[dict]:
    """One yes/no question per cause: "yes" points strongly to it, "no" rules it out."""
    return [
        {
            "slug": f"q-{n}",
            "text": f"Is it cause {n}?",
            "answers": [
                {"slug": "yes", "text": "Yes", "effects": {f"cause-{n}": "strong"}},
                {"slug": "no", "text": "No", "effects": {f"cause-{n}": "rules_out"}},
            ],
        }
        for n in range(causes)
    ]


def healthy(slug="tiny", causes=2, **kwargs) -> dict:
    return guide_data(slug=slug, causes=causes, questions=questions_for(causes), **kwargs)


def kinds(problems: list[Problem]) -> set[str]:
    return {problem.kind for problem in problems}


@pytest.fixture
def tiny(load) -> Guide:
    load(healthy())
    return Guide.objects.get(slug="tiny")


@pytest.fixture
def other(load) -> Guide:
    """A second, healthy guide with the same slugs inside, to link into by mistake."""
    load(healthy(slug="other"))
    return Guide.objects.get(slug="other")


def add_question(guide, slug, answers, asked_after=None, order=50) -> Question:
    """Add a question through the ORM: `answers` maps answer slug to {cause slug(/facet slug): strength}."""
    question = Question.objects.create(
        guide=guide, slug=slug, text=f"Question {slug}?", asked_after=asked_after, order=order
    )
    for position, (answer_slug, effects) in enumerate(answers.items()):
        answer = Answer.objects.create(question=question, slug=answer_slug, text=answer_slug.title(), order=position)
        for target, strength in effects.items():
            cause_slug, _, facet_slug = target.partition("/")
            cause = guide.causes.get(slug=cause_slug)
            facet = cause.facets.get(slug=facet_slug) if facet_slug else None
            AnswerEffect.objects.create(answer=answer, cause=cause, facet=facet, strength=strength)
    return question


# --------------------------------------------------------------------------------------
# Healthy guides


def test_a_healthy_guide_has_no_problems(tiny):
    assert check_guide(tiny) == []


def test_the_bundled_guide_has_no_errors_and_no_warnings(seed_guide):
    problems = check_guide(seed_guide)

    assert [p.message for p in problems if p.level == ERROR] == []
    assert [p.message for p in problems if p.level == WARNING] == []


def test_every_problem_has_a_known_kind_and_level(load):
    load(guide_data(slug="bare", causes=2, questions=[]))
    Guide.objects.filter(slug="bare").update(introduction="")

    problems = check_guide(Guide.objects.get(slug="bare"))

    assert problems
    assert all(p.kind in KINDS and p.level in {ERROR, WARNING} and p.message for p in problems)


# --------------------------------------------------------------------------------------
# Causes


def test_a_cause_without_fix_step_is_an_error(load):
    data = healthy()
    data["causes"][1]["fixes"] = []
    load(data)
    cause = Cause.objects.get(guide__slug="tiny", slug="cause-1")

    problems = check_guide(Guide.objects.get(slug="tiny"))

    assert problems == [
        Problem(
            ERROR,
            "“Cause 1” has no fix step, so the questionnaire can end without telling people what to do.",
            cause,
            "no_fix_step",
        )
    ]


def test_a_cause_no_answer_speaks_about_is_a_warning_once(load):
    data = healthy()
    data["questions"] = questions_for(1)  # nothing about cause-1
    load(data)

    problems = check_guide(Guide.objects.get(slug="tiny"))

    assert kinds(problems) == {"cause_without_effect"}  # not also "never first": one cause, one warning
    assert [(p.level, p.obj.slug) for p in problems] == [(WARNING, "cause-1")]


def test_a_guide_without_questions_gets_one_warning_not_one_per_cause(load):
    load(guide_data(causes=3))

    problems = check_guide(Guide.objects.get(slug="tiny"))

    assert [(p.level, p.kind) for p in problems] == [(WARNING, "no_questions")]


def rare_against_very_common(this: dict, that: dict) -> dict:
    """cause-0 very common (8), cause-1 rare (1), cause-2 common (4) with a question of its own."""
    data = guide_data(causes=3)
    for cause, commonness in zip(data["causes"], ["very_common", "rare", "common"], strict=True):
        cause["commonness"] = commonness
    which = {
        "slug": "which",
        "text": "Which one?",
        "answers": [
            {"slug": "this", "text": "This", "effects": this},
            {"slug": "that", "text": "That", "effects": that},
        ],
    }
    data["questions"] = [which, *questions_for(3)[2:]]
    return data


def test_a_cause_the_questionnaire_never_ranks_first_is_a_warning(load):
    # "more" (x2) cannot lift a rare cause (weight 1) above a very common one (weight 8).
    load(rare_against_very_common({"cause-1": "more"}, {"cause-0": "more", "cause-1": "less"}))

    problems = check_guide(Guide.objects.get(slug="tiny"))

    assert kinds(problems) == {"never_first"}
    assert [(p.level, p.obj.slug) for p in problems] == [(WARNING, "cause-1")]
    assert "never puts “Cause 1” first" in problems[0].message


def test_a_strong_enough_answer_brings_a_rare_cause_first(load):
    load(rare_against_very_common({"cause-1": "strong", "cause-0": "less"}, {"cause-0": "more", "cause-1": "less"}))

    assert check_guide(Guide.objects.get(slug="tiny")) == []


def test_a_cause_too_rare_for_the_questionnaire_to_start_is_never_first(load):
    # 8 against 1 is 89% before any answer: over the 75% threshold, so no question is ever asked.
    data = guide_data(causes=2)
    data["causes"][0]["commonness"], data["causes"][1]["commonness"] = "very_common", "rare"
    data["questions"] = questions_for(2)
    load(data)

    problems = check_guide(Guide.objects.get(slug="tiny"))

    assert [(p.kind, p.obj.slug) for p in problems] == [("never_first", "cause-1")]


def test_the_simulated_visitor_stops_at_max_questions(load):
    data = healthy(causes=4)
    data["max_questions"] = 2  # cause-2 and cause-3 have their questions third and fourth
    load(data)

    problems = check_guide(Guide.objects.get(slug="tiny"))

    assert kinds(problems) == {"never_first"}
    assert sorted(p.obj.slug for p in problems) == ["cause-2", "cause-3"]


# --------------------------------------------------------------------------------------
# Questions


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ({"yes": {}, "no": {}}, "makes any cause more or less likely"),
        ({"yes": {"cause-0/facet-0": "strong"}, "no": {"cause-0/facet-0": "less"}}, "only speak about kinds"),
        ({"yes": {"cause-0": "strong"}}, "only one answer"),
        ({"yes": {"cause-0": "more"}, "no": {"cause-0": "more"}}, "says the same about each cause"),
        ({}, "has no answers"),
    ],
    ids=["no-effects", "only-facet-effects", "one-answer", "same-effects", "no-answers"],
)
def test_a_question_whose_answers_change_nothing_is_an_error(tiny, answers, words):
    question = add_question(tiny, "pointless", answers)

    problems = check_guide(tiny)

    found = [p for p in problems if p.kind == "question_changes_nothing"]
    assert [(p.level, p.obj) for p in found] == [(ERROR, question)]
    assert words in found[0].message
    assert kinds(problems) == {"question_changes_nothing"}


def test_questions_waiting_for_each_other_are_never_asked(tiny):
    first = add_question(tiny, "first", {"yes": {"cause-0": "more"}, "no": {}})
    second = add_question(tiny, "second", {"yes": {"cause-1": "more"}, "no": {}})
    Question.objects.filter(pk=first.pk).update(asked_after=second.answers.get(slug="yes"))
    Question.objects.filter(pk=second.pk).update(asked_after=first.answers.get(slug="yes"))

    problems = check_guide(tiny)

    assert kinds(problems) == {"never_asked"}
    assert [(p.level, p.obj) for p in problems] == [(ERROR, first), (ERROR, second)]
    assert "in a circle" in problems[0].message


def test_a_question_waiting_for_itself_is_never_asked(tiny):
    question = add_question(tiny, "selfish", {"yes": {"cause-0": "more"}, "no": {}})
    Question.objects.filter(pk=question.pk).update(asked_after=question.answers.get(slug="yes"))

    problems = check_guide(tiny)

    assert [(p.level, p.kind, p.obj) for p in problems] == [(ERROR, "never_asked", question)]


def test_a_question_after_one_that_is_never_asked_is_never_asked(tiny):
    first = add_question(tiny, "first", {"yes": {"cause-0": "more"}, "no": {}})
    second = add_question(tiny, "second", {"yes": {"cause-1": "more"}, "no": {}})
    third = add_question(tiny, "third", {"yes": {"cause-1": "more"}, "no": {}}, asked_after=second.answers.first())
    Question.objects.filter(pk=first.pk).update(asked_after=second.answers.get(slug="yes"))
    Question.objects.filter(pk=second.pk).update(asked_after=first.answers.get(slug="yes"))

    problems = check_guide(tiny)

    assert [(p.kind, p.obj) for p in problems] == [
        ("never_asked", first),
        ("never_asked", second),
        ("never_asked", third),
    ]
    assert "which is never asked itself" in problems[2].message


def test_a_question_after_a_question_that_changes_nothing_is_never_asked(tiny):
    pointless = add_question(tiny, "pointless", {"yes": {}, "no": {}})
    after = add_question(tiny, "after", {"yes": {"cause-0": "more"}, "no": {}}, asked_after=pointless.answers.first())

    problems = check_guide(tiny)

    assert [(p.kind, p.obj) for p in problems] == [("question_changes_nothing", pointless), ("never_asked", after)]


def test_a_question_after_an_answer_of_another_guide_is_never_asked(tiny, other):
    elsewhere = add_question(other, "elsewhere", {"yes": {"cause-0": "more"}, "no": {}})
    question = add_question(tiny, "stray", {"yes": {"cause-0": "more"}, "no": {}})
    Question.objects.filter(pk=question.pk).update(asked_after=elsewhere.answers.first())

    problems = check_guide(tiny)

    never_asked = [p for p in problems if p.kind == "never_asked"]
    assert [(p.level, p.obj) for p in never_asked] == [(ERROR, question)]
    assert "a question of another guide (“Guide other”)" in never_asked[0].message
    # Whether the engine also refuses the unknown answer depends on how the snapshot treats it:
    # a second error then, as a consequence, and nothing else.
    assert kinds(problems) - {"questionnaire_broken"} == {"never_asked"}
    assert check_guide(other) == []


def test_a_follow_up_question_is_fine(tiny):
    parent = Question.objects.get(guide=tiny, slug="q-0")
    add_question(
        tiny, "follow-up", {"yes": {"cause-0/facet-0": "more", "cause-0": "more"}, "no": {}}, parent.answers.first()
    )

    assert check_guide(tiny) == []


# --------------------------------------------------------------------------------------
# Links into another guide


def _effect(guide, question="q-0", answer="yes"):
    return AnswerEffect.objects.get(answer__question__guide=guide, answer__question__slug=question, answer__slug=answer)


def _break_facet_of_another_cause(tiny, other):
    effect = _effect(tiny)
    AnswerEffect.objects.filter(pk=effect.pk).update(
        facet=Facet.objects.get(cause__guide=tiny, cause__slug="cause-1", slug="facet-0")
    )
    return effect, "speaks about “Facet 0” as a kind of “Cause 0”, but it is a kind of “Cause 1”"


def _break_effect_on_cause_of_another_guide(tiny, other):
    effect = _effect(tiny)
    AnswerEffect.objects.filter(pk=effect.pk).update(cause=other.causes.get(slug="cause-0"))
    return effect, "speaks about “Cause 0”, a cause of another guide (“Guide other”)"


def _break_symptom_of_another_guide(tiny, other):
    symptom = tiny.symptoms.get(slug="symptom-0-0")
    symptom.causes.add(other.causes.get(slug="cause-1"))
    return symptom, "points to “Cause 1”, a cause of another guide (“Guide other”)"


def _break_fix_step_of_another_guide(tiny, other):
    cause_fix = CauseFix.objects.create(
        cause=tiny.causes.get(slug="cause-0"), fix_step=other.fix_steps.get(slug="fix-1"), order=5
    )
    return cause_fix, "lists the fix step “Fix number 1” of another guide (“Guide other”)"


def _break_checklist_step_of_another_guide(tiny, other):
    item = ChecklistItem.objects.create(guide=tiny, fix_step=other.fix_steps.get(slug="fix-0"), order=5)
    return item, "The checklist lists the fix step “Fix number 0” of another guide (“Guide other”)"


@pytest.mark.parametrize(
    "breaker",
    [
        _break_facet_of_another_cause,
        _break_effect_on_cause_of_another_guide,
        _break_symptom_of_another_guide,
        _break_fix_step_of_another_guide,
        _break_checklist_step_of_another_guide,
    ],
    ids=["facet-of-another-cause", "effect-on-other-guide", "symptom", "cause-fix-step", "checklist-step"],
)
def test_a_link_into_another_cause_or_guide_is_an_error(tiny, other, breaker):
    obj, words = breaker(tiny, other)

    problems = check_guide(tiny)

    assert [(p.level, p.kind, p.obj) for p in problems] == [(ERROR, "cross_guide", obj)]
    assert words in problems[0].message
    assert check_guide(other) == []


# --------------------------------------------------------------------------------------
# Empty Markdown


@pytest.mark.parametrize(
    ("model", "lookup", "field", "level"),
    [
        (Guide, {"slug": "tiny"}, "introduction", WARNING),
        (Guide, {"slug": "tiny"}, "conclusion", WARNING),
        (Cause, {"guide__slug": "tiny", "slug": "cause-1"}, "explanation", WARNING),
        (Facet, {"cause__guide__slug": "tiny", "cause__slug": "cause-0"}, "explanation", WARNING),
        (FixStep, {"guide__slug": "tiny", "slug": "fix-0"}, "instructions", ERROR),
        (FAQEntry, {"guide__slug": "tiny", "order": 1}, "answer", ERROR),
    ],
    ids=["introduction", "conclusion", "cause", "facet", "fix-step", "faq-answer"],
)
def test_empty_markdown_is_reported(tiny, model, lookup, field, level):
    model.objects.filter(**lookup).update(**{field: "  \n "})
    obj = model.objects.get(**lookup)

    problems = check_guide(Guide.objects.get(slug="tiny"))

    assert [(p.level, p.kind, p.obj) for p in problems] == [(level, "empty_text", obj)]


# --------------------------------------------------------------------------------------
# A questionnaire the engine refuses


def test_a_questionnaire_the_engine_refuses_is_an_error_not_a_crash(tiny):
    Cause.objects.filter(guide=tiny, slug="cause-0").update(commonness=0)  # a weight of 0

    problems = check_guide(tiny)

    assert [(p.level, p.kind, p.obj) for p in problems] == [(ERROR, "questionnaire_broken", tiny)]
    assert "weight must be a positive number" in problems[0].message


def test_an_unknown_strength_is_an_error_not_a_crash(tiny):
    AnswerEffect.objects.filter(pk=_effect(tiny).pk).update(strength="maybe")

    problems = check_guide(tiny)

    assert [(p.level, p.kind) for p in problems] == [(ERROR, "questionnaire_broken")]


def test_errors_come_before_warnings(tiny):
    Guide.objects.filter(pk=tiny.pk).update(introduction="")
    FixStep.objects.filter(guide=tiny, slug="fix-0").update(instructions="")

    problems = check_guide(Guide.objects.get(pk=tiny.pk))

    assert [p.level for p in problems] == [ERROR, WARNING]


# --------------------------------------------------------------------------------------
# Queries


def test_the_number_of_queries_does_not_grow_with_the_guide(load):
    load(healthy(slug="small", causes=2, facets=1, symptoms_per_cause=1, faq=1))
    large = healthy(slug="large", causes=12, facets=4, symptoms_per_cause=3, faq=9)
    large["questions"].append(
        {
            "slug": "follow-up",
            "text": "And then?",
            "asked_after": "q-0/yes",
            "answers": [
                {"slug": "a", "text": "A", "effects": {"cause-0/facet-1": "more", "cause-0": "more"}},
                {"slug": "b", "text": "B", "effects": {"cause-0/facet-2": "more"}},
            ],
        }
    )
    load(large)
    small_guide, large_guide = Guide.objects.get(slug="small"), Guide.objects.get(slug="large")

    with CaptureQueriesContext(connection) as small:
        check_guide(small_guide)
    with CaptureQueriesContext(connection) as big:
        check_guide(large_guide)

    assert len(small.captured_queries) == len(big.captured_queries) <= 20


def test_the_bundled_guide_is_checked_in_as_many_queries_as_a_tiny_one(seed_guide, tiny):
    with CaptureQueriesContext(connection) as small:
        check_guide(tiny)
    with CaptureQueriesContext(connection) as seed:
        check_guide(seed_guide)

    assert len(seed.captured_queries) == len(small.captured_queries)


# --------------------------------------------------------------------------------------
# The command


def test_check_guides_passes_on_the_bundled_guide(seed_guide, capsys):
    call_command("check_guides", "tiktok-messages")

    out = capsys.readouterr().out
    assert seed_guide.title in out
    assert "Checked 1 guide: 0 errors" in out
    assert "ERROR" not in out


def test_check_guides_fails_on_a_broken_guide_and_prints_each_problem(tiny, capsys):
    FixStep.objects.filter(guide=tiny, slug="fix-0").update(instructions="")
    Guide.objects.filter(pk=tiny.pk).update(conclusion="")

    with pytest.raises(CommandError, match="1 error"):
        call_command("check_guides", "tiny")

    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("Guide tiny")
    assert lines[1].startswith("  ERROR: The fix step “Fix number 0” has no instructions")
    assert lines[2].startswith("  WARNING: The guide has no conclusion")
    assert "Checked 1 guide: 1 error, 1 warning." in out


def test_check_guides_passes_with_warnings_only(tiny, capsys):
    Guide.objects.filter(pk=tiny.pk).update(conclusion="")

    call_command("check_guides", "tiny")

    assert "Checked 1 guide: 0 errors, 1 warning." in capsys.readouterr().out


def test_check_guides_checks_every_guide_by_default(tiny, capsys):
    FixStep.objects.filter(guide=tiny, slug="fix-0").update(instructions="")

    with pytest.raises(CommandError):
        call_command("check_guides")

    out = capsys.readouterr().out
    assert "Guide tiny" in out and "tiktok-messages" in out
    assert f"Checked {Guide.objects.count()} guides: 1 error" in out


def test_check_guides_refuses_an_unknown_slug(db):
    with pytest.raises(CommandError, match="no-such-guide"):
        call_command("check_guides", "no-such-guide")


# --------------------------------------------------------------------------------------
# The admin page


def test_the_admin_check_page_lists_errors_first_with_links_and_no_inline_code(admin_client, tiny):
    Guide.objects.filter(pk=tiny.pk).update(conclusion="")
    step = FixStep.objects.get(guide=tiny, slug="fix-0")
    FixStep.objects.filter(pk=step.pk).update(instructions="")

    response = admin_client.get(reverse("admin:guides_guide_check", args=[tiny.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "1 error and 1 warning" in page
    error = page.index('<li class="error">The fix step “Fix number 0” has no instructions')
    warning = page.index('<li class="warning">The guide has no conclusion')
    assert error < warning
    assert f'<a href="{reverse("admin:guides_fixstep_change", args=[step.pk])}">Open it</a>' in page
    assert f'<a href="{reverse("admin:guides_guide_change", args=[tiny.pk])}">Open it</a>' in page
    assert "style=" not in page and "<style" not in page and "<script>" not in page


def test_the_admin_check_page_of_the_bundled_guide_says_all_is_well(admin_client, seed_guide):
    response = admin_client.get(reverse("admin:guides_guide_check", args=[seed_guide.pk]))

    assert response.status_code == 200
    assert '<li class="success">No problems found' in response.content.decode()
