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
from guides.engine import FAILED, UNSURE, Answer, Cause, Effect, Model, Question, Step
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
