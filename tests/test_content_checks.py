"""The content checks find each kind of problem, and only that kind, in a guide broken on purpose."""

import dataclasses

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guides import engine
from guides.authoring.checks import ERROR, KINDS, WARNING, Problem, check_guide
from guides.diagnose.snapshot import build_snapshot
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
    StepKind,
    Symptom,
)
from tests.builders import guide_data, questions_for


def healthy(slug="tiny", causes=2, **kwargs) -> dict:
    """A guide with no problem: each cause has its cure ("almost always"), worth asking about (10+ minutes)."""
    data = guide_data(slug=slug, causes=causes, questions=questions_for(causes), efficacy="almost_always", **kwargs)
    for n, step in enumerate(data["fix_steps"]):
        step["minutes"] = 10 + 5 * n
    return data


def fix_step(slug, kind="do_now", minutes=5) -> dict:
    return {
        "slug": slug,
        "title": slug.replace("-", " ").capitalize(),
        "kind": kind,
        "minutes": minutes,
        "instructions": "Do it.",
        "reviewed": "2026-01-01",
    }


def kinds(problems: list[Problem]) -> set[str]:
    return {problem.kind for problem in problems}


def besides_worth(problems: list[Problem]) -> list[Problem]:
    """The problems other than "never worth asking", which often follows from another one."""
    return [problem for problem in problems if problem.kind != "never_worth_asking"]


@pytest.fixture
def tiny(load) -> Guide:
    load(healthy())
    return Guide.objects.get(slug="tiny")


@pytest.fixture
def other(load) -> Guide:
    """A second, healthy guide with the same slugs inside, to link into by mistake."""
    load(healthy(slug="other"))
    return Guide.objects.get(slug="other")


def add_question(guide, slug, answers, asked_after=None, order=50, effort="in_app") -> Question:
    """Add a question through the ORM: `answers` maps answer slug to {cause slug(/facet slug): strength}."""
    question = Question.objects.create(
        guide=guide, slug=slug, text=f"Question {slug}?", asked_after=asked_after, order=order, effort=effort
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


def test_the_bundled_guide_has_no_errors(seed_guide):
    problems = check_guide(seed_guide)

    assert [p.message for p in problems if p.level == ERROR] == []


def test_the_bundled_guide_has_no_warnings(seed_guide):
    problems = check_guide(seed_guide)

    assert [p.message for p in problems if p.level == WARNING] == []


def test_kinds_lists_the_troubleshooter_checks_and_not_the_old_ones():
    new = {"not_fixed_before_hand_off", "no_strong_fix", "step_fixes_nothing", "second_hand_off", "never_worth_asking"}

    assert new <= set(KINDS)
    assert "never_first" not in KINDS
    assert len(set(KINDS)) == len(KINDS)


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
    data["fix_steps"].pop()  # fix-1, now linked to nothing
    data["checklist"].pop()
    load(data)
    cause = Cause.objects.get(guide__slug="tiny", slug="cause-1")

    problems = check_guide(Guide.objects.get(slug="tiny"))

    # Asking about a cause nothing fixes cannot change which fix comes first: a warning follows from it.
    assert kinds(problems) == {"no_fix_step", "never_worth_asking"}
    assert [p for p in problems if p.level == ERROR] == [
        Problem(
            ERROR,
            "“Cause 1” has no fix step, so the troubleshooter can end without telling people what to do.",
            cause,
            "no_fix_step",
        )
    ]


def test_a_cause_no_answer_speaks_about_is_a_warning_once(load):
    data = healthy()
    data["questions"] = questions_for(1)  # nothing about cause-1
    load(data)

    problems = check_guide(Guide.objects.get(slug="tiny"))

    assert kinds(problems) == {"cause_without_effect"}  # one cause, one warning
    assert [(p.level, p.obj.slug) for p in problems] == [(WARNING, "cause-1")]


def test_a_guide_without_questions_gets_one_warning_not_one_per_cause(load):
    load(guide_data(causes=3, efficacy="often"))

    problems = check_guide(Guide.objects.get(slug="tiny"))

    assert [(p.level, p.kind) for p in problems] == [(WARNING, "no_questions")]


# --------------------------------------------------------------------------------------
# Fix steps and the hand-off


def test_a_cause_whose_cure_comes_after_the_hand_off_is_an_error(load):
    # Cause 1's cure is a one-day wait, but support answers within the hour: the hand-off comes first.
    data = healthy()
    data["fix_steps"][1].update(kind="wait", minutes=24 * 60)
    data["fix_steps"].append(fix_step("ask-support", kind="hand_off", minutes=60))
    load(data)
    cause = Cause.objects.get(guide__slug="tiny", slug="cause-1")

    problems = check_guide(Guide.objects.get(slug="tiny"))

    found = [p for p in problems if p.kind == "not_fixed_before_hand_off" and p.obj == cause]
    assert found == [
        Problem(
            ERROR,
            "Someone who has “Cause 1” and answers every question truthfully reaches the list of long shots "
            "before the troubleshooter offers the step that fixes it. Make the answers that point to it stronger, "
            "add a question that asks about it, or make its cure's efficacy higher.",
            cause,
            "not_fixed_before_hand_off",
        )
    ]
    # So does someone who tapped its symptom.
    symptom = cause.symptoms.get()
    assert next(p.message for p in problems if p.obj == symptom).startswith(
        "Someone who taps “Symptom 1.0” and has “Cause 1” and answers every question truthfully reaches the list"
    )
    # A question about a cause that is never offered a fix cannot change the plan: that follows from it.
    assert kinds(problems) <= {"not_fixed_before_hand_off", "never_worth_asking"}


def test_the_same_cure_before_a_slower_hand_off_is_fine(load):
    data = healthy()
    data["fix_steps"][1].update(kind="wait", minutes=24 * 60)
    data["fix_steps"].append(fix_step("ask-support", kind="hand_off", minutes=7 * 24 * 60))
    load(data)

    assert "not_fixed_before_hand_off" not in kinds(check_guide(Guide.objects.get(slug="tiny")))


def max_questions_guide(max_questions: int) -> dict:
    """A very common cause with a quick cure, and three rare ones whose cures take long.

    A rare cure is worth trying only after its own question raised the cause, so someone
    with cause-3 needs three questions (q-1 to q-3; the question about the common cause
    changes nothing, as its quick cure comes first anyway).
    """
    data = healthy(causes=4)
    data["max_questions"] = max_questions
    for cause, commonness in zip(data["causes"], ["very_common", "rare", "rare", "rare"], strict=True):
        cause["commonness"] = commonness
    for step, minutes in zip(data["fix_steps"], [10, 1000, 1000, 1000], strict=True):
        step["minutes"] = minutes
    return data


def test_the_truthful_visitor_stops_at_max_questions(load):
    load(max_questions_guide(1))

    problems = besides_worth(check_guide(Guide.objects.get(slug="tiny")))

    assert kinds(problems) == {"not_fixed_before_hand_off"}
    assert [p.obj.slug for p in problems] == ["cause-2", "cause-3"]


def test_enough_questions_get_every_truthful_visitor_fixed(load):
    load(max_questions_guide(3))

    assert besides_worth(check_guide(Guide.objects.get(slug="tiny"))) == []


def test_a_cause_without_a_step_that_fixes_it_often_is_a_warning(load):
    data = healthy()
    data["causes"][1]["fixes"] = {"fix-1": "sometimes", "fix-0": "rarely"}
    load(data)
    cause = Cause.objects.get(guide__slug="tiny", slug="cause-1")

    problems = besides_worth(check_guide(Guide.objects.get(slug="tiny")))

    assert [(p.level, p.kind, p.obj) for p in problems] == [(WARNING, "no_strong_fix", cause)]
    assert "No fix step of “Cause 1” fixes it “often” or “almost always”" in problems[0].message


def test_a_link_from_a_file_without_efficacies_is_not_a_cure(load):
    load(guide_data(causes=1))  # `fixes: [fix-0]`: "sometimes"

    problems = check_guide(Guide.objects.get(slug="tiny"))

    assert ("no_strong_fix", "cause-0") in [(p.kind, p.obj.slug) for p in problems]


def test_the_hand_off_is_not_a_cure(load):
    data = healthy()
    data["fix_steps"].append(fix_step("ask-support", kind="hand_off", minutes=60))
    data["causes"][1]["fixes"] = {"fix-1": "sometimes", "ask-support": "almost_always"}
    load(data)

    problems = check_guide(Guide.objects.get(slug="tiny"))

    assert [(p.kind, p.obj.slug) for p in problems if p.kind == "no_strong_fix"] == [("no_strong_fix", "cause-1")]


def test_a_step_linked_to_no_cause_is_a_warning_but_the_hand_off_is_not(load):
    data = healthy()
    data["fix_steps"] += [fix_step("lonely"), fix_step("ask-support", kind="hand_off", minutes=2880)]
    load(data)
    lonely = FixStep.objects.get(guide__slug="tiny", slug="lonely")

    problems = check_guide(Guide.objects.get(slug="tiny"))

    assert problems == [
        Problem(
            WARNING,
            "“Lonely” is not linked to any cause, so the troubleshooter never offers it. "
            "Add it to the causes it fixes.",
            lonely,
            "step_fixes_nothing",
        )
    ]


def test_a_second_hand_off_is_an_error_and_the_troubleshooter_still_runs(load, client):
    data = healthy()
    data["fix_steps"] += [
        fix_step("ask-support", kind="hand_off", minutes=2880),
        fix_step("email-support", minutes=2880),
    ]
    load(data)  # a file with two hand-offs is refused; a second can still be made in the admin
    second = FixStep.objects.get(guide__slug="tiny", slug="email-support")
    second.kind = StepKind.HAND_OFF
    second.save()

    problems = check_guide(Guide.objects.get(slug="tiny"))

    assert [(p.level, p.kind, p.obj) for p in problems] == [(ERROR, "second_hand_off", second)]
    assert "“Email support” is a second hand-off to support; a guide has one." in problems[0].message
    assert client.get(reverse("guides:diagnose", args=["tiny"])).status_code == 200


def test_a_question_never_worth_asking_is_a_warning(tiny):
    # Asking someone else takes 15 minutes; a hint about one cause never saves that much.
    question = add_question(tiny, "weak", {"yes": {"cause-0": "more"}, "no": {"cause-0": "less"}}, effort="ask_someone")

    problems = check_guide(tiny)

    assert [(p.level, p.kind, p.obj) for p in problems] == [(WARNING, "never_worth_asking", question)]
    assert "“Question weak?” is never worth asking" in problems[0].message
    assert "(its effort)" in problems[0].message


def test_a_question_made_worth_asking_is_not_reported(tiny):
    add_question(tiny, "clear", {"yes": {"cause-0": "strong"}, "no": {"cause-0": "rules_out"}}, effort="quick_look")

    assert check_guide(tiny) == []


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


def useful_question(guide, slug, cause, asked_after=None) -> Question:
    """A question worth asking, were it asked: quick to answer, and its answers say a lot."""
    answers = {"yes": {cause: "strong"}, "no": {cause: "rules_out"}}
    return add_question(guide, slug, answers, asked_after=asked_after, effort="quick_look")


def never_asked(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.kind == "never_asked"]


def test_questions_waiting_for_each_other_are_never_asked(tiny):
    first = useful_question(tiny, "first", "cause-0")
    second = useful_question(tiny, "second", "cause-1")
    Question.objects.filter(pk=first.pk).update(asked_after=second.answers.get(slug="yes"))
    Question.objects.filter(pk=second.pk).update(asked_after=first.answers.get(slug="yes"))

    problems = never_asked(check_guide(tiny))

    assert [(p.level, p.obj) for p in problems] == [(ERROR, first), (ERROR, second)]
    assert "in a circle" in problems[0].message


def test_a_question_never_asked_is_reported_once(tiny):
    first = useful_question(tiny, "first", "cause-0")
    second = useful_question(tiny, "second", "cause-1")
    Question.objects.filter(pk=first.pk).update(asked_after=second.answers.get(slug="yes"))
    Question.objects.filter(pk=second.pk).update(asked_after=first.answers.get(slug="yes"))

    assert kinds(check_guide(tiny)) == {"never_asked"}


def test_a_question_waiting_for_itself_is_never_asked(tiny):
    question = useful_question(tiny, "selfish", "cause-0")
    Question.objects.filter(pk=question.pk).update(asked_after=question.answers.get(slug="yes"))

    problems = never_asked(check_guide(tiny))

    assert [(p.level, p.kind, p.obj) for p in problems] == [(ERROR, "never_asked", question)]
    assert "asked only after an answer to itself" in problems[0].message


def test_a_question_after_one_that_is_never_asked_is_never_asked(tiny):
    first = useful_question(tiny, "first", "cause-0")
    second = useful_question(tiny, "second", "cause-1")
    third = useful_question(tiny, "third", "cause-1", asked_after=second.answers.first())
    Question.objects.filter(pk=first.pk).update(asked_after=second.answers.get(slug="yes"))
    Question.objects.filter(pk=second.pk).update(asked_after=first.answers.get(slug="yes"))

    problems = never_asked(check_guide(tiny))

    assert [(p.kind, p.obj) for p in problems] == [
        ("never_asked", first),
        ("never_asked", second),
        ("never_asked", third),
    ]
    assert "which is never asked itself" in problems[2].message


def test_a_question_after_a_question_that_changes_nothing_is_never_asked(tiny):
    pointless = add_question(tiny, "pointless", {"yes": {}, "no": {}})
    after = useful_question(tiny, "after", "cause-0", asked_after=pointless.answers.first())

    problems = [p for p in check_guide(tiny) if p.level == ERROR]

    assert [(p.kind, p.obj) for p in problems] == [("question_changes_nothing", pointless), ("never_asked", after)]


def test_a_question_after_an_answer_of_another_guide_is_never_asked(tiny, other):
    elsewhere = useful_question(other, "elsewhere", "cause-0")
    question = useful_question(tiny, "stray", "cause-0")
    Question.objects.filter(pk=question.pk).update(asked_after=elsewhere.answers.first())

    problems = [p for p in check_guide(tiny) if p.level == ERROR]

    assert [(p.level, p.obj) for p in never_asked(problems)] == [(ERROR, question)]
    assert "a question of another guide (“Guide other”)" in never_asked(problems)[0].message
    # Whether the engine also refuses the unknown answer depends on how the snapshot treats it:
    # a second error then, as a consequence, and nothing else.
    assert kinds(problems) - {"troubleshooter_broken"} == {"never_asked"}
    assert check_guide(other) == []


def test_a_follow_up_question_is_fine(load):
    # "notice" tells causes 0 and 1 from cause 2; "which", asked after a notice, tells 0 from 1.
    data = healthy(causes=3)
    data["questions"] = [
        {
            "slug": "notice",
            "text": "Did a notice show?",
            "effort": "quick_look",
            "answers": [
                {"slug": "yes", "text": "Yes", "effects": {"cause-0": "strong", "cause-1": "strong"}},
                {"slug": "no", "text": "No", "effects": {"cause-0": "rules_out", "cause-1": "rules_out"}},
            ],
        },
        {
            "slug": "which",
            "text": "Which notice?",
            "effort": "quick_look",
            "asked_after": "notice/yes",
            "answers": [
                {"slug": "a", "text": "A", "effects": {"cause-0": "strong", "cause-0/facet-0": "more"}},
                {"slug": "b", "text": "B", "effects": {"cause-1": "strong"}},
            ],
        },
        *questions_for(3)[2:],
    ]
    load(data)

    assert check_guide(Guide.objects.get(slug="tiny")) == []


# --------------------------------------------------------------------------------------
# Links into another guide


def _effect(guide, question="q-0", answer="yes"):
    return AnswerEffect.objects.get(answer__question__guide=guide, answer__question__slug=question, answer__slug=answer)


def _break_facet_of_another_cause(tiny, other):
    # A second effect, so the answer's own strong effect still counts: only the broken link is reported.
    (effect,) = AnswerEffect.objects.bulk_create(  # past the models' guards, as in a database from before them
        [
            AnswerEffect(
                answer=_effect(tiny).answer,
                cause=tiny.causes.get(slug="cause-0"),
                facet=Facet.objects.get(cause__guide=tiny, cause__slug="cause-1", slug="facet-0"),
                strength="more",
            )
        ]
    )
    return effect, "speaks about “Facet 0” as a kind of “Cause 0”, but it is a kind of “Cause 1”"


def _break_effect_on_cause_of_another_guide(tiny, other):
    (effect,) = AnswerEffect.objects.bulk_create(
        [AnswerEffect(answer=_effect(tiny).answer, cause=other.causes.get(slug="cause-0"), strength="less")]
    )
    return effect, "speaks about “Cause 0”, a cause of another guide (“Guide other”)"


def _break_symptom_of_another_guide(tiny, other):
    symptom = tiny.symptoms.get(slug="symptom-0-0")
    Symptom.causes.through.objects.create(symptom=symptom, cause=other.causes.get(slug="cause-1"))
    return symptom, "points to “Cause 1”, a cause of another guide (“Guide other”)"


def _break_fix_step_of_another_guide(tiny, other):
    (cause_fix,) = CauseFix.objects.bulk_create(
        [CauseFix(cause=tiny.causes.get(slug="cause-0"), fix_step=other.fix_steps.get(slug="fix-1"), order=5)]
    )
    return cause_fix, "lists the fix step “Fix number 1” of another guide (“Guide other”)"


def _break_checklist_step_of_another_guide(tiny, other):
    (item,) = ChecklistItem.objects.bulk_create(
        [ChecklistItem(guide=tiny, fix_step=other.fix_steps.get(slug="fix-0"), order=5)]
    )
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

    assert [(p.level, p.kind, p.obj) for p in problems] == [(ERROR, "troubleshooter_broken", tiny)]
    assert "weight must be a positive number" in problems[0].message


def test_an_unknown_strength_is_an_error_not_a_crash(tiny):
    AnswerEffect.objects.filter(pk=_effect(tiny).pk).update(strength="maybe")

    problems = check_guide(tiny)

    assert [(p.level, p.kind) for p in problems] == [(ERROR, "troubleshooter_broken")]


def test_errors_come_before_warnings(tiny):
    Guide.objects.filter(pk=tiny.pk).update(introduction="")
    FixStep.objects.filter(guide=tiny, slug="fix-0").update(instructions="")

    problems = check_guide(Guide.objects.get(pk=tiny.pk))

    assert [p.level for p in problems] == [ERROR, WARNING]


# --------------------------------------------------------------------------------------
# Queries


# --------------------------------------------------------------------------------------
# Symptoms: what the article's "What do you see?" list leads to


def test_a_symptom_that_points_to_no_cause_is_a_warning(tiny):
    symptom = tiny.symptoms.get(slug="symptom-0-0")
    symptom.causes.clear()  # the only symptom of cause-0, so cause-0 is left without one too

    problems = check_guide(tiny)

    assert [(p.level, p.kind, p.obj) for p in problems] == [
        (WARNING, "symptom_without_cause", symptom),
        (WARNING, "cause_without_symptom", tiny.causes.get(slug="cause-0")),
    ]
    assert "“Symptom 0.0” points to no cause" in problems[0].message


def test_a_symptom_with_no_cause_is_a_warning_even_when_the_troubleshooter_cannot_run(tiny):
    Cause.objects.filter(guide=tiny, slug="cause-0").update(commonness=0)  # the engine refuses a weight of 0
    symptom = tiny.symptoms.get(slug="symptom-1-0")
    symptom.causes.clear()

    problems = check_guide(tiny)

    assert [(p.level, p.kind, p.obj) for p in problems] == [
        (ERROR, "troubleshooter_broken", tiny),
        (WARNING, "symptom_without_cause", symptom),
        (WARNING, "cause_without_symptom", tiny.causes.get(slug="cause-1")),
    ]


def test_a_cause_that_lost_its_symptom_links_is_a_warning(tiny):
    """As a cause deleted and recovered comes back: the symptoms still point to other causes, none to it."""
    tiny.symptoms.get(slug="symptom-1-0").causes.set([tiny.causes.get(slug="cause-0")])
    cause = tiny.causes.get(slug="cause-1")

    problems = check_guide(tiny)

    assert [(p.level, p.kind, p.obj) for p in problems] == [(WARNING, "cause_without_symptom", cause)]
    assert "No symptom points to “Cause 1”" in problems[0].message


def test_check_guides_prints_the_symptom_with_no_cause(tiny, capsys):
    tiny.symptoms.get(slug="symptom-0-0").causes.clear()

    call_command("check_guides", "tiny")

    out = capsys.readouterr().out
    assert "WARNING: The symptom “Symptom 0.0” points to no cause" in out
    assert "WARNING: No symptom points to “Cause 0”" in out


def test_a_symptom_whose_troubleshooter_names_another_cause_first_is_a_warning(load, monkeypatch):
    # At the symptom's own ratio (32) a linked cause always outranks the commonest other one (8 to 1),
    # so this can only happen if the numbers change: check that the check would say so.
    monkeypatch.setitem(engine.LIKELIHOOD_RATIO, engine.Strength.SIGN, 8.0)
    data = healthy(causes=3)
    rare, common = data["causes"][:2], data["causes"][2]
    for cause in rare:
        cause["commonness"] = "rare"
    common["commonness"] = "very_common"
    data["causes"] = [common, *rare]  # first, so it wins a tie with the rare ones a symptom lifts eightfold
    data["symptoms"].append(
        {"slug": "vague", "title": "Something vague", "description": "S.", "causes": ["cause-0", "cause-1"]}
    )
    load(data)

    problems = [p for p in check_guide(Guide.objects.get(slug="tiny")) if p.kind.startswith("symptom")]

    # Symptoms of one rare cause tie too, but the article links them to their cause's page: no warning.
    assert [(p.level, p.kind, p.obj.slug) for p in problems] == [(WARNING, "symptom_names_another_cause", "vague")]
    assert "starts the troubleshooter with “Cause 2” named as the likeliest cause" in problems[0].message


def test_a_question_named_like_the_symptom_parameter_is_left_out_and_reported(tiny):
    question = add_question(tiny, "seen", {"yes": {"cause-0": "strong"}, "no": {"cause-0": "rules_out"}})

    problems = check_guide(tiny)

    assert (ERROR, "never_asked", question) in [(p.level, p.kind, p.obj) for p in problems]
    assert "seen" not in build_snapshot(tiny).questions  # the troubleshooter runs without it


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

    # Twelve for the content, twelve for the troubleshooter built from it (symptoms and settled answers included).
    assert len(small.captured_queries) == len(big.captured_queries) <= 24


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


# --------------------------------------------------------------------------------------
# Explanation causes, settled answers and the truthful walks' promises


def explained(data: dict, n: int = 1, text: str = "They blocked you.") -> dict:
    """Make cause ``n`` an explanation cause with no fix step (its step stays, linked to nothing)."""
    data["causes"][n] |= {"explains": True, "what_is_happening": text, "fixes": []}
    data["fix_steps"] = [step for step in data["fix_steps"] if step["slug"] != f"fix-{n}"]
    data["checklist"] = [slug for slug in data["checklist"] if slug != f"fix-{n}"]
    return data


def test_an_explanation_cause_needs_no_fix_step_and_checks_clean(load):
    load(explained(healthy()))

    # A one-minute explanation is cheaper to show than a question (the warning says so; that is not about it).
    assert besides_worth(check_guide(Guide.objects.get(slug="tiny"))) == []


def test_an_explanation_cause_without_what_is_happening_is_an_error(load):
    load(explained(healthy(), text=""))
    cause = Cause.objects.get(guide__slug="tiny", slug="cause-1")

    problems = besides_worth(check_guide(Guide.objects.get(slug="tiny")))

    assert [(p.level, p.kind, p.obj) for p in problems] == [(ERROR, "explanation_without_text", cause)]
    assert problems[0].message == (
        "“Cause 1” is marked as a cause nothing on the visitor's side fixes, but it has no “What is happening” "
        "text, so its explanation screen would be empty. Say what is going on in a few short sentences."
    )


def test_a_symptom_settling_an_answer_of_another_guide_is_an_error(tiny, other):
    symptom = tiny.symptoms.get(slug="symptom-0-0")
    foreign = Answer.objects.get(question__guide=other, question__slug="q-0", slug="yes")
    Symptom.settles.through.objects.create(symptom=symptom, answer=foreign)  # past the admin's checks

    problems = check_guide(tiny)

    assert [(p.level, p.kind, p.obj) for p in problems] == [(ERROR, "cross_guide", symptom)]
    assert problems[0].message == (
        "The symptom “Symptom 0.0” settles the answer “Yes” to “Is it cause 0?”, a question of another guide "
        "(“Guide other”). Pick answers to this guide's questions."
    )


def test_a_symptom_giving_two_answers_to_one_question_is_an_error(tiny):
    symptom = tiny.symptoms.get(slug="symptom-0-0")
    for answer in Answer.objects.filter(question__guide=tiny, question__slug="q-0"):
        Symptom.settles.through.objects.create(symptom=symptom, answer=answer)

    problems = check_guide(tiny)

    assert (ERROR, "settles_two_answers", symptom) in [(p.level, p.kind, p.obj) for p in problems]
    message = next(p.message for p in problems if p.kind == "settles_two_answers")
    assert message.startswith("The symptom “Symptom 0.0” gives two answers to “Is it cause 0?” (“Yes” and “No”)")


def test_a_cause_whose_explanation_comes_after_the_screen_cap_is_an_error(load):
    data = healthy(causes=4)
    for cause, commonness in zip(data["causes"], ["very_common", "very_common", "very_common", "rare"], strict=True):
        cause["commonness"] = commonness
    data = explained(data, n=3)
    # No question can single the rare cause out, and three likely quick fixes come first, one a screen:
    # its explanation would be the fourth.
    data["questions"] = []
    for step in data["fix_steps"]:
        step["minutes"] = 2
    data["max_screens"] = 3
    load(data)
    cause = Cause.objects.get(guide__slug="tiny", slug="cause-3")

    problems = [p for p in check_guide(Guide.objects.get(slug="tiny")) if p.obj == cause and p.level == ERROR]

    assert [p.kind for p in problems] == ["not_fixed_before_hand_off"]
    assert problems[0].message.startswith(
        "Someone who has “Cause 3” and answers every question truthfully reaches the hand-off to support before "
        "the troubleshooter offers its explanation."
    )


def test_every_cause_and_symptom_walk_of_a_healthy_guide_ends_within_its_screens(load):
    data = explained(max_questions_guide(3), n=3)
    load(data)
    guide = Guide.objects.get(slug="tiny")

    problems = check_guide(guide)

    assert not {"not_fixed_before_hand_off", "too_many_screens"} & kinds(problems)
    model = build_snapshot(guide).model
    walks = [engine.truthful_walk(model, c.key, max_questions=3) for c in model.causes]
    walks += [
        engine.truthful_walk(model, e.cause, seen=(o.key,), max_questions=3)
        for o in model.observations
        for e in o.effects
    ]
    assert len(walks) == 8  # it found its cases: four causes, four symptom-and-cause pairs
    assert all(walk[-1][0] in ("fixed", "explained") and len(walk) <= guide.max_screens for walk in walks)


def scripted(walks: dict):
    """A truthful walk that follows a script by (cause, symptoms tapped); the engine's own otherwise."""
    real = engine.truthful_walk

    def walk(model, cause, *, seen=(), max_questions=None):
        return walks.get((cause, tuple(seen))) or real(model, cause, seen=seen, max_questions=max_questions)

    return walk


def test_a_walk_longer_than_the_screen_cap_is_an_error(tiny, monkeypatch):
    Guide.objects.filter(pk=tiny.pk).update(max_screens=3)
    long_walk = [("question", "q-0"), ("question", "q-1"), ("step", "fix-1"), ("fixed", "fix-0")]
    monkeypatch.setattr(engine, "truthful_walk", scripted({("cause-0", ()): long_walk}))
    cause = tiny.causes.get(slug="cause-0")

    problems = [p for p in check_guide(Guide.objects.get(pk=tiny.pk)) if p.kind == "too_many_screens"]

    assert [(p.level, p.obj) for p in problems] == [(ERROR, cause)]
    assert problems[0].message == (
        "Someone who has “Cause 0” and answers every question truthfully sees 4 screens before the step that fixes "
        "it; the guide allows 3. Add a question that points to it sooner, or make the answers that point to it "
        "stronger."
    )


def test_a_step_offered_after_an_answer_that_rules_out_all_it_fixes_is_an_error(tiny, monkeypatch):
    # Someone with cause 1 answers "Yes" to "Is it cause 1?", which rules out cause 0: fix-0 fixes only cause 0.
    yes = Answer.objects.get(question__guide=tiny, question__slug="q-1", slug="yes")
    AnswerEffect.objects.create(answer=yes, cause=tiny.causes.get(slug="cause-0"), strength="rules_out")
    assert "ruled_out_step_offered" not in kinds(check_guide(tiny))  # the troubleshooter keeps the promise
    walk = [("question", "q-1"), ("step", "fix-0"), ("fixed", "fix-1")]
    monkeypatch.setattr(engine, "truthful_walk", scripted({("cause-1", ()): walk}))

    problems = [p for p in check_guide(tiny) if p.kind == "ruled_out_step_offered"]

    assert [(p.level, p.obj) for p in problems] == [(ERROR, tiny.fix_steps.get(slug="fix-0"))]
    assert problems[0].message == (
        "“Fix number 0” is offered to someone who answered “Yes” to “Is it cause 1?”, which rules out every cause "
        "it fixes. Check what that answer says about the causes this step fixes, and what it skips."
    )


def test_a_step_offered_after_an_answer_that_skips_it_is_an_error(tiny, monkeypatch):
    Answer.objects.get(question__guide=tiny, question__slug="q-1", slug="yes").skips.add(
        tiny.fix_steps.get(slug="fix-0")
    )
    assert "ruled_out_step_offered" not in kinds(check_guide(tiny))
    walk = [("question", "q-1"), ("step", "fix-0"), ("fixed", "fix-1")]
    monkeypatch.setattr(engine, "truthful_walk", scripted({("cause-1", ()): walk}))

    problems = [p for p in check_guide(tiny) if p.kind == "ruled_out_step_offered"]

    assert [p.message for p in problems] == [
        "“Fix number 0” is offered to someone who answered “Yes” to “Is it cause 1?”, which says this step is done "
        "already or cannot help. Check what that answer says about the causes this step fixes, and what it skips."
    ]


def test_a_question_asked_after_the_symptom_that_answers_it_is_an_error(tiny, monkeypatch):
    symptom = tiny.symptoms.get(slug="symptom-1-0")
    symptom.settles.add(Answer.objects.get(question__guide=tiny, question__slug="q-1", slug="yes"))
    assert "settled_question_asked" not in kinds(check_guide(tiny))  # the troubleshooter never asks it
    walk = [("question", "q-1"), ("fixed", "fix-1")]
    monkeypatch.setattr(engine, "truthful_walk", scripted({("cause-1", ("symptom-1-0",)): walk}))

    problems = [p for p in check_guide(tiny) if p.kind == "settled_question_asked"]

    assert [(p.level, p.obj) for p in problems] == [(ERROR, symptom)]
    assert problems[0].message == (
        "Someone who taps “Symptom 1.0” is still asked “Is it cause 1?”, although the symptom already answers it "
        "(“Yes”). Check the answers this symptom settles."
    )


def test_a_long_shot_listed_after_answers_that_together_rule_out_all_it_fixes_is_an_error(load, monkeypatch):
    data = healthy(causes=3)
    for question in data["questions"][:2]:
        question["answers"][1]["effects"]["cause-2"] = "more"  # so someone with cause 2 answers "No" to both
    data["fix_steps"].append(fix_step("fix-both"))
    data["causes"][0]["fixes"]["fix-both"] = data["causes"][1]["fixes"]["fix-both"] = "sometimes"
    load(data)
    guide = Guide.objects.get(slug="tiny")
    assert "ruled_out_step_offered" not in kinds(check_guide(guide))
    walk = [("question", "q-0"), ("question", "q-1"), ("long_shots", "")]
    monkeypatch.setattr(engine, "truthful_walk", scripted({("cause-2", ()): walk}))
    real = engine.next_step

    def listing_fix_both(model, evidence, **kwargs):
        decision = real(model, evidence, **kwargs)
        both = next(step for step in model.steps if step.key == "fix-both")
        return dataclasses.replace(decision, long_shots=((both, 0.01),)) if ("q-1", "no") in evidence else decision

    monkeypatch.setattr(engine, "next_step", listing_fix_both)

    problems = [p for p in check_guide(guide) if p.kind == "ruled_out_step_offered"]

    assert [(p.level, p.obj) for p in problems] == [(ERROR, guide.fix_steps.get(slug="fix-both"))]
    assert problems[0].message == (
        "“Fix both” is offered to someone who answered “No” to “Is it cause 0?” and “No” to “Is it cause 1?”, which "
        "rule out every cause it fixes. Check what those answers say about the causes this step fixes, and what "
        "they skip."
    )
