"""The simulated visitors behave as specified, so the bench's comparisons mean something.

Why: ``bench.diagnosis`` ranks strategies by what simulated visitors go through. If the
visitors were not reproducible, were fixed at the wrong rate or answered off-distribution,
the ranking would be noise. These check each property on models where the right rate is known.
"""

import math
import random

import pytest

from bench import baseline
from bench.guide_model import model_from_content, read
from guides.engine import (
    EXPLAIN_MINUTES,
    FAILED,
    NOT_IT,
    RECOGNISED,
    SEEN,
    UNSURE,
    Answer,
    Cause,
    Effect,
    Model,
    Observation,
    Question,
    Step,
)
from guides.engine import simulator as sim

TIKTOK = read("tiktok-messages")


def within_3_sigma(observed: float, p: float, n: int) -> bool:
    return abs(observed - p) <= 3 * math.sqrt(p * (1 - p) / n)


def test_the_same_seed_gives_the_same_visits_and_another_seed_others():
    model = model_from_content(TIKTOK)
    planner = sim.memoised(sim.planner_strategy)  # deterministic: sharing its decisions changes nothing
    first = sim.run(planner, model, visitors=100, seed=3, wrong=0.1, unsure=0.1)
    again = sim.run(planner, model, visitors=100, seed=3, wrong=0.1, unsure=0.1)
    other = sim.run(planner, model, visitors=100, seed=4, wrong=0.1, unsure=0.1)
    assert first == again
    assert [v.evidence for v in first] != [v.evidence for v in other]


def test_strategies_meet_the_same_visitors():
    """A visitor's cause, answers and luck do not depend on the strategy guiding them."""
    model = model_from_content(TIKTOK)
    world = sim.World(model)
    for index in range(50):
        one, two = sim.Visitor(world, 9, index), sim.Visitor(world, 9, index)
        assert one.cause == two.cause
        for question in model.questions:
            assert one.answer(question.key) == two.answer(question.key)
        for step in model.steps:
            assert one.fixed_by(step.key) == two.fixed_by(step.key)


ONE_CAUSE = Model(
    (Cause("only", 1),),
    (),
    (Step("cure", 2.0, {"only": 0.9}), Step("help", 100.0, {}, "hand_off")),
)


@pytest.mark.parametrize("strategy", [sim.checklist_strategy(["cure"]), sim.planner_strategy])
def test_visitors_are_fixed_at_the_rate_of_the_efficacy(strategy):
    n = 3000
    visits = sim.run(strategy, ONE_CAUSE, visitors=n, seed=1)
    metrics = sim.summarise(visits)
    assert within_3_sigma(metrics.fixed_share, 0.9, n)
    assert metrics.first_step_share == metrics.fixed_share
    # Fixed: one screen and 2 minutes; not: the step, then the hand-off's 100 minutes and screen.
    assert metrics.mean_minutes == pytest.approx(2 + 100 * (1 - metrics.fixed_share))
    assert metrics.mean_screens == pytest.approx(1 + (1 - metrics.fixed_share))
    handed_off = [v for v in visits if not v.fixed]
    assert handed_off
    assert all(v.minutes == 102 and v.screens == 2 and v.evidence == ((FAILED, "cure"),) for v in handed_off)


def test_a_less_effective_true_model_fixes_fewer():
    true = Model(ONE_CAUSE.causes, (), (Step("cure", 2.0, {"only": 0.3}), ONE_CAUSE.steps[1]))
    metrics = sim.summarise(sim.run(sim.planner_strategy, ONE_CAUSE, true, visitors=3000, seed=2))
    assert within_3_sigma(metrics.fixed_share, 0.3, 3000)


ASKED = Model(
    (Cause("x", 1), Cause("y", 1)),
    (
        Question(
            "q",
            "Q?",
            (
                Answer("yes", "Yes", (Effect("x", "strong"), Effect("x", "strong"), Effect("y", "less"))),
                Answer("no", "No", (Effect("y", "more"),)),
                Answer("maybe", "Maybe", ()),
            ),
        ),
    ),
    (Step("s", 1.0, {"x": 0.5, "y": 0.5}),),
)


def answer_shares(wrong: float, unsure: float, n: int = 4000):
    world = sim.World(ASKED)
    counts = {"yes": 0, "no": 0, "maybe": 0, UNSURE: 0}
    visitors = [sim.Visitor(world, 5, i, wrong=wrong, unsure=unsure) for i in range(n)]
    xs = [v for v in visitors if v.cause == "x"]
    for visitor in xs:
        counts[visitor.answer("q")] += 1
    return {k: c / len(xs) for k, c in counts.items()}, len(xs)


@pytest.mark.parametrize(("wrong", "unsure"), [(0.0, 0.0), (0.3, 0.0), (0.1, 0.2)])
def test_answers_follow_the_likelihood_ratios_with_the_asked_for_mistakes(wrong, unsure):
    # For cause x: LR(yes) = 8 * 8, LR(no) = 1, LR(maybe) = 1, so P(a | x) = (64, 1, 1) / 66; a wrong
    # answer moves to one of the two others at random; "unsure" comes first and replaces the answer.
    right = {"yes": 64 / 66, "no": 1 / 66, "maybe": 1 / 66}
    expected = {a: (1 - unsure) * ((1 - wrong) * p + wrong * (1 - p) / 2) for a, p in right.items()}
    expected[UNSURE] = unsure
    shares, n = answer_shares(wrong, unsure)
    for answer, p in expected.items():
        if p == 0:
            assert shares[answer] == 0
        else:
            assert within_3_sigma(shares[answer], p, n), (answer, shares[answer], p)


def test_a_cause_no_answer_mentions_answers_uniformly():
    world = sim.World(ASKED)
    assert world.answer_distribution("q", "y") == pytest.approx([0.5 / 3.5, 2 / 3.5, 1 / 3.5])
    lonely = Model((*ASKED.causes, Cause("z", 1)), ASKED.questions, ASKED.steps)
    assert sim.World(lonely).answer_distribution("q", "z") == pytest.approx([1 / 3] * 3)


def test_perturbed_moves_priors_by_three_and_efficacies_by_a_fifth_within_bounds():
    model = Model(
        (Cause("a", 1), Cause("b", 4), Cause("c", 8)),
        (),
        (Step("s", 1.0, {"a": 0.9, "b": 0.1, "c": 0.6}), Step("t", 3.0, {"a": 0.3})),
    )
    seen_up = seen_down = False
    for seed in range(20):
        true = sim.perturbed(model, random.Random(seed))
        for old, new in zip(model.causes, true.causes, strict=True):
            assert new.key == old.key
            assert new.weight == pytest.approx(old.weight * 3) or new.weight == pytest.approx(old.weight / 3)
        for old, new in zip(model.steps, true.steps, strict=True):
            assert new.fixes.keys() == old.fixes.keys() and new.cost == old.cost
            for cause, efficacy in old.fixes.items():
                shifted = new.fixes[cause]
                assert shifted in (pytest.approx(min(0.99, efficacy + 0.2)), pytest.approx(max(0.01, efficacy - 0.2)))
                seen_up |= shifted > efficacy
                seen_down |= shifted < efficacy
        true.validate()
    assert seen_up and seen_down


def test_a_strategy_that_repeats_itself_is_stopped():
    with pytest.raises(sim.StrategyError):
        sim.run(lambda model, evidence: ("step", "cure"), ONE_CAUSE, visitors=5, seed=1)


def test_todays_flow_asks_then_walks_the_top_cause_first():
    """Strategy (b): no informative question here, so straight to the old result page's order."""
    model = Model(
        (Cause("big", 8), Cause("small", 1)),
        (),
        (
            Step("slow-for-big", 10.0, {"big": 0.9}),
            Step("shared", 2.0, {"big": 0.3, "small": 0.9}),
            Step("small-only", 1.0, {"small": 0.6}),
            Step("help", 60.0, {}, "hand_off"),
        ),
    )
    # big's steps by Σ p / minutes: shared (1/2) before slow-for-big (8/9/10); then small's, skipping shared.
    assert baseline.result_steps(model, ()) == ("shared", "slow-for-big", "small-only")
    assert baseline.todays_flow(model, ((FAILED, "shared"),)) == ("step", "slow-for-big")
    assert baseline.todays_flow(model, tuple((FAILED, s) for s in ("shared", "slow-for-big", "small-only"))) == (
        "hand_off",
        None,
    )


def test_the_planner_beats_the_checklist_on_the_tiktok_guide():
    model = model_from_content(TIKTOK)
    checklist = sim.checklist_strategy(TIKTOK["checklist"])
    a = sim.summarise(sim.run(checklist, model, visitors=500, seed=11))
    c = sim.summarise(sim.run(sim.planner_strategy, model, visitors=500, seed=11))
    assert c.mean_minutes < a.mean_minutes


def test_the_planners_answer_model_is_available_too():
    """``BASELINE`` visitors answer as the planner predicts: P(a | c) proportional to LR(a, c) · q(a)."""
    answers = (Answer("yes", "Yes", (Effect("x", "strong"),)), Answer("no", "No"), Answer("maybe", "Maybe"))
    model = Model((Cause("x", 1), Cause("y", 1)), (Question("q", "Q?", answers),), ASKED.steps)
    world = sim.World(model, answers=sim.BASELINE)
    q = world.answer_distribution("q", "y")
    assert sum(q) == pytest.approx(1.0)
    assert q[0] < 0.05 and q[1] == pytest.approx(q[2])  # "yes" is 8 times likelier from x: rare from y
    weighted = [8 * q[0], q[1], q[2]]
    assert world.answer_distribution("q", "x") == pytest.approx([w / sum(weighted) for w in weighted])
    with pytest.raises(ValueError):
        sim.World(model, answers="psychic")


# --------------------------------------------------------------------------------------
# Issue 15's visitors: explanations, the long-shots screen, a cause the model lacks.

EXPLAINED = Model(
    (Cause("blocked", 2, explains=True), Cause("glitch", 2)),
    (
        Question(
            "hi",
            "Does a plain hi send?",
            (Answer("works", "Yes", (Effect("blocked", "rules_out"),)), Answer("fails", "No"), Answer("x", "Other")),
        ),
    ),
    (
        Step("restart", 3.0, {"glitch": 0.5}),
        Step("reinstall", 10.0, {"glitch": 0.9}),
        Step("help", 100.0, {}, "hand_off"),
    ),
)


def explain_then_hand_off(model, evidence):
    """Explain "blocked" first; after a "No, that's not it", hand off."""
    if (NOT_IT, "blocked") in evidence:
        return ("hand_off", None)
    return ("explain", "blocked", (1, 2))


def test_a_visitor_whose_cause_is_explained_says_yes_that_explains_it_at_the_recognised_rate():
    n = 3000
    visits = sim.run(explain_then_hand_off, EXPLAINED, visitors=n, seed=7, among=("blocked",))
    explained = [v for v in visits if v.outcome == "explained"]
    assert within_3_sigma(len(explained) / n, RECOGNISED, n)
    # "Yes" ends the visit on that one screen, as a success, at the explanation's minute of reading.
    assert all(v.fixed and v.screens == 1 and v.minutes == EXPLAIN_MINUTES and v.explanations == 1 for v in explained)
    # "No" is evidence against the cause, and the visit goes on (here to the hand-off).
    rest = [v for v in visits if v.outcome != "explained"]
    assert rest and all(v.evidence == ((NOT_IT, "blocked"),) and not v.fixed and v.screens == 2 for v in rest)
    assert all(v.spans == ((1, 2),) for v in explained)


def test_nobody_recognises_an_explanation_of_another_cause():
    visits = sim.run(explain_then_hand_off, EXPLAINED, visitors=300, seed=7, among=("glitch",))
    assert all(v.outcome == "hand_off" and v.evidence == ((NOT_IT, "blocked"),) for v in visits)


def long_shots_now(model, evidence):
    return ("long_shots", ("restart", "reinstall"))


def test_the_long_shots_screen_is_one_screen_and_a_listed_step_can_fix_it():
    visits = sim.run(long_shots_now, EXPLAINED, visitors=400, seed=3, among=("glitch",))
    # restart fixes half of them, reinstall 90% of the rest: tried in the listed order, on one screen.
    by_restart = [v for v in visits if v.fixed and v.steps == 1]
    by_reinstall = [v for v in visits if v.fixed and v.steps == 2]
    unfixed = [v for v in visits if not v.fixed]
    assert by_restart and by_reinstall and unfixed
    assert all(v.outcome == "long_shots" and v.screens == 1 for v in visits)
    assert {v.minutes for v in by_restart} == {3.0} and {v.minutes for v in by_reinstall} == {13.0}
    # Nothing listed worked: the hand-off's minutes, as if the hand-off had come.
    assert {v.minutes for v in unfixed} == {113.0}


def test_a_visitor_whose_cause_the_model_lacks_is_never_fixed_and_ends_at_the_long_shots_or_the_hand_off():
    model = model_from_content(TIKTOK)
    visits = sim.run(sim.planner_strategy, model, visitors=200, seed=5, among=(sim.UNKNOWN,))
    assert all(v.cause == sim.UNKNOWN for v in visits)
    assert all(not v.fixed and v.outcome in ("long_shots", "hand_off") for v in visits)
    # They say "No" to every explanation shown, and answer as for a cause no answer mentions.
    world = sim.World(model)
    assert world.answer_distribution("age", sim.UNKNOWN) == pytest.approx([1 / 4] * 4)
    scripted = sim.run(explain_then_hand_off, EXPLAINED, visitors=200, seed=5, among=(sim.UNKNOWN,))
    assert all(v.outcome == "hand_off" and (NOT_IT, "blocked") in v.evidence for v in scripted)


def test_a_step_or_explanation_the_visitors_answers_ruled_out_is_caught():
    def ask_then_explain(model, evidence):
        return (
            ("question", "hi") if not evidence else ("explain", "blocked") if len(evidence) == 1 else ("hand_off", None)
        )

    visits = sim.run(ask_then_explain, EXPLAINED, visitors=300, seed=2)
    told_it_works = [v for v in visits if v.evidence[0] == ("hi", "works")]
    others = [v for v in visits if v.evidence[0] != ("hi", "works")]
    assert told_it_works and others
    assert all(v.ruled_out for v in told_it_works)
    assert not any(v.ruled_out for v in others)


@pytest.mark.parametrize(
    ("span", "left", "held"),
    [
        ((3, 6), 3, True),
        ((3, 6), 6, True),
        ((3, 6), 7, False),
        ((3, 6), 2, False),
        ((4, 4), 5, True),  # "about 4": within one
        ((4, 4), 6, False),
        ((2, 4), 1, False),  # "about 3": 2 to 4
        ((2, 3), 4, False),  # "about 2 or 3": 4 is 1.5 from the middle
        ((2, 3), 2, True),
        (None, 1, False),  # no estimate shown is a miss
    ],
)
def test_a_progress_range_holds_when_the_screens_left_fall_in_it(span, left, held):
    assert sim.span_holds(span, left) is held


def test_calibration_counts_each_screen_against_the_screens_actually_left():
    visit = sim.Visit("c", 1.0, 3, 1, 2, True, False, (), "fixed", 0, ((3, 3), (1, 1), None))
    # Screen 1: 3 left, "about 3" holds; screen 2: 2 left, "about 1" holds; screen 3: no estimate.
    assert sim.calibration([visit], 4) == [(1, 1), (1, 1), (0, 1), (0, 0)]


def test_perturbed_keeps_what_the_planner_reads_besides_the_numbers():
    model = Model(
        EXPLAINED.causes,
        EXPLAINED.questions,
        (Step("reinstall", 10.0, {"glitch": 0.9}, risky=True), EXPLAINED.steps[2]),
        floor=0.05,
        max_screens=6,
    )
    true = sim.perturbed(model, random.Random(1))
    assert [c.explains for c in true.causes] == [True, False]
    assert true.steps[0].risky and (true.floor, true.max_screens) == (0.05, 6)


def test_with_the_planner_a_visitor_whose_cause_is_explained_mostly_ends_explained():
    visits = sim.run(sim.planner_strategy, EXPLAINED, visitors=500, seed=8, among=("blocked",))
    explained = [v for v in visits if v.outcome == "explained"]
    assert len(explained) / len(visits) >= 0.85
    # Nobody is told "restart" or "reinstall" fixes a block: no step fixes it, so none is shown first.
    assert all(v.fixed and v.steps == 0 for v in explained)


TAPPED = Model(
    EXPLAINED.causes,
    EXPLAINED.questions,
    EXPLAINED.steps,
    (
        Observation("hi-fails", "Even a plain hi fails", (Effect("blocked", "sign"),), (("hi", "fails"),)),
        Observation("crashes", "The app crashes", (Effect("glitch", "sign"),)),
    ),
)


def test_a_visitor_who_taps_a_symptom_arrives_with_one_of_their_causes_symptoms():
    world = sim.World(TAPPED)
    visitors = [sim.Visitor(world, 4, i, taps=True) for i in range(200)]
    assert {v.symptom for v in visitors if v.cause == "blocked"} == {"hi-fails"}
    assert {v.symptom for v in visitors if v.cause == "glitch"} == {"crashes"}
    assert all(sim.Visitor(world, 4, i).symptom is None for i in range(20))  # only when asked to tap
    visits = sim.run(long_shots_now, TAPPED, visitors=50, seed=4, taps=True)
    assert all(v.evidence[0] in ((SEEN, "hi-fails"), (SEEN, "crashes")) and v.screens == 1 for v in visits)


def test_asking_what_the_tapped_symptom_already_answered_is_caught():
    def ask_hi(model, evidence):
        return ("question", "hi") if len(evidence) == 1 else ("hand_off", None)

    visits = sim.run(ask_hi, TAPPED, visitors=100, seed=4, taps=True)
    assert all(v.ruled_out == (v.cause == "blocked") for v in visits)
    assert any(v.ruled_out for v in visits) and not all(v.ruled_out for v in visits)
