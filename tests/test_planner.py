"""The planner's promises, checked against arithmetic done here, not against the planner's own code.

Why these tests: the planner is trusted to order fix steps and to decide when a question is
worth the visitor's time. Its claims (p/c order is optimal for independent steps, evidence
updates are exact likelihood products, nothing tried or moot is offered again) are each
checked on models small enough to compute by hand or by brute force. No database needed.
"""

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bench.generated import generated_model
from bench.guide_model import model_from_content, read
from guides import engine
from guides.engine import COULDNT, FAILED, UNSURE, Answer, Cause, Effect, Model, Question, Step

# --------------------------------------------------------------------------------------
# (i) The order of fix steps, against brute force.


@st.composite
def independent_models(draw):
    """A single-fault model, no questions, 1-7 steps, each cause linked to at most one step.

    Each step gets 1-2 causes of its own; up to two more causes no step fixes. Weights,
    efficacies in (0, 1), step minutes and the hand-off's minutes are all random.
    """
    n_steps = draw(st.integers(1, 7))
    weight = st.floats(0.1, 10.0)
    causes, steps = [], []
    for i in range(n_steps):
        fixes = {}
        for j in range(draw(st.integers(1, 2))):
            key = f"c{i}-{j}"
            causes.append(Cause(key, draw(weight)))
            fixes[key] = draw(st.floats(0.01, 0.99))
        steps.append(Step(f"s{i}", draw(st.floats(0.1, 100.0)), fixes))
    for j in range(draw(st.integers(0, 2))):
        causes.append(Cause(f"unfixable-{j}", draw(weight)))
    hand_off = draw(st.floats(1.0, 5000.0))
    steps.append(Step("hand-off", hand_off, {}, "hand_off"))
    # No step is a long shot here (the floor is tiny): the claim is about the order of the steps walked.
    return Model(tuple(causes), (), tuple(steps), floor=NO_FLOOR)


# A floor below every chance these models draw: no step is a long shot.
NO_FLOOR = 1e-12


def chances(model):
    """P(step fixes it) now, for each fix step: Σ_c prior(c) · efficacy(s, c)."""
    total = sum(c.weight for c in model.causes)
    prior = {c.key: c.weight / total for c in model.causes}
    return {s.key: sum(prior[c] * e for c, e in s.fixes.items()) for s in model.steps if s.kind != "hand_off"}


# Every screen costs the visitor this much on top of its own minutes (see guides/engine/model.py).
SCREEN = engine.SCREEN_MINUTES


def hand_off_cost(model):
    return next(s.cost for s in model.steps if s.kind == "hand_off") + SCREEN


def ecr(model, order):
    """Expected minutes of trying ``order`` then handing off; steps independent, so failures add up."""
    chance = chances(model)
    cost = {s.key: s.cost + SCREEN for s in model.steps}
    remaining, total = 1.0, 0.0
    for key in order:
        total += cost[key] * remaining
        remaining -= chance[key]
    return total + hand_off_cost(model) * remaining


def brute_force_optimum(model):
    """The least ECR over every order of every subset of the fix steps, followed by the hand-off.

    A depth-first walk over the tree of ordered subsets: each node is one order (the path to
    it), costed as "these steps, then hand off", so all Σ_k n!/(n-k)! orders are enumerated.
    """
    chance = chances(model)
    cost = {s.key: s.cost + SCREEN for s in model.steps}
    handoff = hand_off_cost(model)
    best = math.inf

    def walk(left, spent, remaining):
        nonlocal best
        best = min(best, spent + handoff * remaining)
        for key in left:
            walk(left - {key}, spent + cost[key] * remaining, remaining - chance[key])

    walk(frozenset(chance), 0.0, 1.0)
    return best


# A plan that kept a step only if chance / minutes >= 1 / hand-off minutes, with the chance
# counted before earlier steps fail, can drop a step worth trying once earlier ones failed;
# this model was such a case before screens had a cost, and stays among the examples.
UNDERCOUNTED_TAIL = Model(
    (Cause("a", 50.0), Cause("b", 1.0), Cause("x", 49.0)),
    (),
    (Step("A", 1.0, {"a": 0.99}), Step("B", 1.5, {"b": 0.99}), Step("h", 100.0, {}, "hand_off")),
    floor=NO_FLOOR,
)


@settings(max_examples=250, deadline=None)
@given(independent_models())
@example(UNDERCOUNTED_TAIL)
def test_the_plan_order_is_the_brute_force_optimum_for_independent_steps(model):
    plan = engine.plan(model, [])
    best = brute_force_optimum(model)

    assert math.isclose(ecr(model, plan.steps), best, rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(plan.ecr, best, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(independent_models(), st.randoms(use_true_random=False))
def test_the_reported_expected_cost_of_any_order_is_our_own_arithmetic(model, rng):
    keys = [s.key for s in model.steps if s.kind != "hand_off"]
    order = rng.sample(keys, rng.randint(0, len(keys)))

    assert math.isclose(engine.expected_cost(model, [], order), ecr(model, order), rel_tol=1e-9, abs_tol=1e-9)


# --------------------------------------------------------------------------------------
# (ii) Evidence: what a failed step, a step the visitor could not do and an answer change.

FOUR = Model(
    (Cause("a", 4.0), Cause("b", 2.0), Cause("c", 1.0), Cause("d", 1.0)),
    (
        Question(
            "q",
            "Is it a?",
            (Answer("yes", "Yes", (Effect("a", "strong"),)), Answer("no", "No", (Effect("a", "rules_out"),))),
        ),
    ),
    (
        Step("s1", 2.0, {"a": 0.9, "b": 0.3}),
        Step("s2", 3.0, {"b": 0.6}),
        Step("s3", 5.0, {"c": 0.6}),
        Step("help", 60.0, {}, "hand_off"),
    ),
)


def probabilities(model, evidence):
    return {r.cause: r.probability for r in engine.rank(model, evidence)}


def test_a_failed_step_lowers_exactly_the_causes_it_could_fix_by_one_minus_its_efficacy():
    before = probabilities(FOUR, [])
    after = probabilities(FOUR, [(FAILED, "s1")])

    # Ratios between causes are what a likelihood update fixes; normalising changes none of them.
    assert math.isclose(after["a"] / after["d"], before["a"] / before["d"] * (1 - 0.9))
    assert math.isclose(after["b"] / after["d"], before["b"] / before["d"] * (1 - 0.3))
    assert math.isclose(after["c"] / after["d"], before["c"] / before["d"])


def test_a_step_the_visitor_could_not_do_changes_nothing_but_is_not_offered_again():
    before = probabilities(FOUR, [])
    after = probabilities(FOUR, [(COULDNT, "s1")])

    assert all(math.isclose(before[c], after[c]) for c in before)
    assert "s1" not in engine.plan(FOUR, [(COULDNT, "s1")]).steps
    decision = engine.next_step(FOUR, [(COULDNT, "s1")])
    assert decision.kind != "step" or decision.step.key != "s1"


def test_an_answer_that_adds_up_multiplies_by_its_likelihood_ratio():
    # Yes: strong (8), no: rules out (0.05) adds up for a with baseline 0.1195 / 0.8805 (Z_a ≈ 1).
    before = probabilities(FOUR, [])
    after = probabilities(FOUR, [("q", "yes")])
    ratio = (after["a"] / after["b"]) / (before["a"] / before["b"])

    assert 7.8 < ratio < 8.2
    assert math.isclose(after["b"] / after["c"], before["b"] / before["c"])


def test_a_step_already_tried_is_never_offered_again():
    evidence = []
    offered = []
    for _ in range(10):
        decision = engine.next_step(FOUR, evidence)
        if decision.kind == "hand_off":
            break
        if decision.kind == "question":
            evidence.append((decision.question.key, UNSURE))
            continue
        offered.append(decision.step.key)
        evidence.append((FAILED, decision.step.key))

    assert len(offered) == len(set(offered)) == 3


@pytest.mark.parametrize(
    "model", [model_from_content(read("tiktok-messages")), generated_model()], ids=["tiktok", "generated"]
)
def test_walking_on_unsure_never_offers_a_step_twice_and_ends_at_the_last_screen_within_the_cap(model):
    evidence, seen = [], []
    for _ in range(400):
        decision = engine.next_step(model, evidence)
        if decision.kind in ("hand_off", "long_shots"):
            break
        if decision.kind == "question":
            assert decision.question.key not in {key for key, _ in evidence}
            evidence.append((decision.question.key, UNSURE))
        elif decision.kind == "explain":
            seen.append(f"explain:{decision.cause}")
            evidence.append((engine.NOT_IT, decision.cause))
        else:
            seen.append(decision.step.key)
            evidence.append((FAILED, decision.step.key))

    assert decision.kind in ("hand_off", "long_shots")
    assert len(evidence) <= model.max_screens
    assert len(seen) == len(set(seen))
    assert not {step.key for step, _ in decision.long_shots} & set(seen)


def b_or_c(**question):
    """A question telling b from c, with the given requires / moot_after."""
    return Question(
        "which",
        "b or c?",
        (Answer("b", "B", (Effect("b", "strong"), Effect("c", "rules_out"))),
         Answer("c", "C", (Effect("c", "strong"), Effect("b", "rules_out")))),
        cost=0.5,
        **question,
    )  # fmt: skip


def three_way(which: Question) -> Model:
    """b and c equally likely, each with its own slow cure: knowing which saves a lot."""
    return Model(
        (Cause("a", 1.0), Cause("b", 4.0), Cause("c", 4.0)),
        (Question("q0", "Zero?", (Answer("x", "X", (Effect("a", "more"),)), Answer("y", "Y", (Effect("a", "less"),)))),
         which),
        (Step("sa", 1.0, {"a": 0.9}), Step("sb", 30.0, {"b": 0.9}), Step("sc", 30.0, {"c": 0.9}),
         Step("help", 600.0, {}, "hand_off")),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("moot", "evidence"),
    [((("q0", "x"),), [("q0", "x"), (FAILED, "sa")]), (("sa",), [(FAILED, "sa")])],
    ids=["after an answer", "after a tried step"],
)
def test_a_moot_question_is_never_asked(moot, evidence):
    # Without moot_after the question is the best next move here, so only mootness keeps it back.
    asked = engine.next_step(three_way(b_or_c()), evidence)
    assert (asked.kind, asked.question.key) == ("question", "which")
    model = three_way(b_or_c(moot_after=moot))
    decision = engine.next_step(model, evidence)
    assert decision.kind != "question" or decision.question.key != "which"
    # Nor is a late answer to it believed.
    assert engine.clean_evidence(model, [*evidence, ("which", "b")]) == tuple(evidence)


def test_requires_is_respected():
    model = three_way(b_or_c(requires=("q0", "y")))
    for evidence in ([(FAILED, "sa")], [("q0", "x"), (FAILED, "sa")]):
        decision = engine.next_step(model, evidence)
        assert decision.kind != "question" or decision.question.key != "which"
    decision = engine.next_step(model, [("q0", "y"), (FAILED, "sa")])
    assert (decision.kind, decision.question.key) == ("question", "which")
    assert engine.clean_evidence(model, [("which", "b"), ("q0", "y")]) == (("q0", "y"),)


def test_the_hand_off_comes_when_no_step_with_any_chance_is_left():
    decision = engine.next_step(FOUR, [("q", "no"), (FAILED, "s1"), (COULDNT, "s2"), (FAILED, "s3")])
    assert decision.kind == "hand_off"
    assert decision.step.key == "help"
    assert decision.nothing_left
    # A step linked to no cause has no chance either.
    lonely = Model((Cause("a", 1),), (), (Step("s", 1.0, {}), Step("help", 60.0, {}, "hand_off")))
    decision = engine.next_step(lonely, [])
    assert (decision.kind, decision.nothing_left) == ("hand_off", True)


def two_way(question_cost: float) -> Model:
    """Causes a and b alike, a 0.9 cure each (10 min), a hand-off of 1000 min, one question telling them apart."""
    answers = (Answer("is-a", "A", (Effect("b", "rules_out"),)), Answer("is-b", "B", (Effect("a", "rules_out"),)))
    return Model(
        (Cause("a", 1), Cause("b", 1)),
        (Question("which", "A or B?", answers, cost=question_cost),),
        (Step("sa", 10.0, {"a": 0.9}), Step("sb", 10.0, {"b": 0.9}), Step("help", 1000.0, {}, "hand_off")),
    )


# By hand, every screen costing SCREEN on top. Now: p = (½, ½), both steps have chance 0.45:
# try sa, then sb, then hand off.
STEP, HELP = 10 + SCREEN, 1000 + SCREEN
ECR_NOW = STEP + STEP * (1 - 0.45) + HELP * (1 - 0.45 - 0.45)
# After "is-a": p(a) = 1 / 1.05, p(b) = 0.05 / 1.05; P("is-a") = ½ (1/1.05) + ½ (0.05/1.05) = ½, and
# "is-b" is the mirror image, so the expected ECR after asking is the ECR after "is-a".
P_A = 1 / 1.05
ECR_AFTER = STEP + STEP * (1 - 0.9 * P_A) + HELP * (1 - 0.9 * P_A - 0.9 * (1 - P_A))
SAVING = ECR_NOW - ECR_AFTER  # 0.407 · STEP: about 4.7 minutes with a 1.5-minute screen


def test_the_hand_worked_example_is_what_the_engine_computes():
    decision = engine.next_step(two_way(2.0), [])
    assert decision.ecr == pytest.approx(ECR_NOW, rel=1e-12)
    assert decision.ecr_question == pytest.approx(2.0 + SCREEN + ECR_AFTER, rel=1e-12)
    assert SAVING > SCREEN  # a question can be worth its screen here


@pytest.mark.parametrize(
    ("cost", "asked"),
    [(0.5, True), (SAVING - SCREEN - 0.01, True), (SAVING - SCREEN + 0.01, False), (15.0, False)],
)
def test_a_question_is_asked_only_when_its_cost_plus_expected_ecr_after_is_lower(cost, asked):
    decision = engine.next_step(two_way(cost), [])
    assert (decision.kind == "question") is asked
    if not asked:
        assert (decision.kind, decision.step.key) == ("step", "sa")
        assert decision.ecr == pytest.approx(ECR_NOW, rel=1e-12)


# --------------------------------------------------------------------------------------
# (v) What the visitor saw: a symptom tapped on the guide is evidence, never a question.


def seen_three_way(which: Question) -> Model:
    """``three_way`` with two symptoms: one pointing to b and c alike, one to a alone."""
    model = three_way(which)
    observations = (
        engine.Observation("b-or-c", "B or C", (Effect("b", "strong"), Effect("c", "strong"))),
        engine.Observation("only-a", "Only A", (Effect("a", "strong"),)),
    )
    return Model(model.causes, model.questions, model.steps, observations)


def test_a_symptom_does_not_use_up_the_questions_allowed():
    model = seen_three_way(b_or_c())
    evidence = [(engine.SEEN, "b-or-c"), (engine.SEEN, "only-a"), ("q0", "y")]

    # One question allowed, one answered: no more. The two symptoms count for nothing here: the
    # question is still weighed after them (a cheap likely step may come before it), not after q0.
    assert engine.next_step(model, evidence[:2], max_questions=1).ecr_question is not None
    assert engine.next_step(model, evidence[:2]).ecr_question is not None
    assert engine.next_step(model, evidence, max_questions=1).ecr_question is None
    assert engine.next_step(model, evidence, max_questions=1).kind == "step"


def test_a_symptom_brings_the_cures_of_its_causes_forward():
    model = seen_three_way(b_or_c())

    # a's one-minute cure comes first while a is 1 in 9; after a symptom of b or c, a is 1 in 65.
    assert engine.plan(model, []).steps[0] == "sa"
    assert engine.plan(model, [(engine.SEEN, "b-or-c")]).steps[:2] == ("sb", "sc")
    assert engine.plan(model, [(engine.SEEN, "b-or-c"), ("which", "c")]).steps[0] == "sc"


SEEN_PAIRS = [
    (engine.SEEN, "b-or-c"), (engine.SEEN, "only-a"), (engine.SEEN, "nope"), ("q0", "x"), ("q0", "y"),
    ("which", "b"), ("which", UNSURE), (FAILED, "sa"), (FAILED, "sb"), (COULDNT, "sc"),
]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(SEEN_PAIRS), max_size=7))
def test_symptoms_are_never_offered_never_moot_a_question_and_never_change_what_may_be_asked(evidence):
    model = seen_three_way(b_or_c(moot_after=(("q0", "y"),)))
    without = [pair for pair in evidence if pair[0] != engine.SEEN]
    cleaned = engine.clean_evidence(model, evidence)

    # Every symptom is kept, whatever came before it, and the rest is cleaned as if it were not there.
    assert [p for p in cleaned if p[0] != engine.SEEN] == list(engine.clean_evidence(model, without))
    assert {v for k, v in cleaned if k == engine.SEEN} == {v for k, v in evidence if k == engine.SEEN} - {"nope"}
    # The same questions may be asked with or without them; none of them is ever offered.
    assert set(engine.question_values(model, evidence)) == set(engine.question_values(model, without))
    decision = engine.next_step(model, evidence)
    assert decision.kind != "question" or decision.question.key in {"q0", "which"}


# --------------------------------------------------------------------------------------
# (vi) Explanations, risky steps, ruled-out and settled answers, long shots and the screen cap.

NOT_IT, SEEN = engine.NOT_IT, engine.SEEN
FRIENDS = Question(
    "friends",
    "Do your friends' messages fail too?",
    (Answer("yes", "Yes", (Effect("outage", "strong"),)), Answer("no", "No", (Effect("outage", "rules_out"),))),
    cost=0.5,
)


def explained(*, risky: bool = True) -> Model:
    """A glitch most people have, cured by a quick (risky) reinstall, and two causes nothing on their side fixes."""
    return Model(
        (Cause("glitch", 8), Cause("outage", 1, explains=True), Cause("blocked", 1, explains=True)),
        (FRIENDS,),
        (Step("reinstall", 0.5, {"glitch": 0.9}, risky=risky), Step("help", 2880.0, {}, "hand_off")),
    )


def test_an_explanation_is_offered_on_its_own_screen_and_ends_the_visit_of_someone_it_explains():
    model = explained()
    decision = engine.next_step(model, [("friends", "yes")])
    p = probabilities(model, [("friends", "yes")])

    assert (decision.kind, decision.cause, decision.step) == ("explain", "outage", None)
    assert decision.chance == pytest.approx(p["outage"] * engine.RECOGNISED)
    screens = engine.truthful_walk(model, "outage")
    assert screens[-1] == ("explained", "outage")
    assert len(screens) <= 3
    # The glitch's own visitor says "No" to any explanation shown and is fixed by the reinstall.
    assert engine.truthful_walk(model, "glitch")[-1] == ("fixed", "reinstall")


def test_an_explanation_rejected_is_never_offered_again():
    model = explained()
    offered = [d.cause for _, d in engine.visit(model, lambda question: UNSURE) if d.kind == "explain"]

    assert sorted(offered) == ["blocked", "outage"]  # each once, then on to the rest
    decision = engine.next_step(model, [(NOT_IT, "outage"), (NOT_IT, "blocked")])
    assert (decision.kind, decision.step.key) == ("step", "reinstall")


def test_a_risky_step_waits_while_an_explanation_is_plausible():
    # Without the flag the quick reinstall is the best value by far: only riskiness holds it back.
    assert engine.next_step(explained(risky=False), []).step.key == "reinstall"
    model = explained()

    first = engine.next_step(model, [])
    second = engine.next_step(model, [(NOT_IT, first.cause)])
    assert {first.cause, second.cause} == {"outage", "blocked"}
    assert first.kind == second.kind == "explain"
    # Once no explanation is plausible (the friends' messages go through: no outage), the reinstall comes.
    assert engine.next_step(model, [("friends", "no"), (NOT_IT, "blocked")]).step.key == "reinstall"


def test_on_the_long_shots_screen_risky_steps_come_last_while_an_explanation_is_plausible():
    def listed(risky: bool) -> list[str]:
        model = Model(
            (Cause("glitch", 8), Cause("outage", 1, explains=True)),
            (),
            (Step("reinstall", 0.5, {"glitch": 0.3}, risky=risky), Step("restart", 3.0, {"glitch": 0.3}),
             Step("look", 1.0, {}), Step("help", 2880.0, {}, "hand_off")),
            max_screens=1,
        )  # fmt: skip
        # The one screen allowed is spent (a step they could not do): the next is the last screen,
        # with the outage still plausible.
        decision = engine.next_step(model, [(engine.COULDNT, "look")])
        assert (decision.kind, decision.cause) == ("long_shots", "outage") or decision.kind == "long_shots"
        return [step.key for step, _ in decision.long_shots]

    # The quick reinstall is the better value, but it loses a login for nothing if TikTok is down.
    assert listed(risky=False) == ["reinstall", "restart"]
    assert listed(risky=True) == ["restart", "reinstall"]


def ruled_out_model(**limits) -> Model:
    """The message box: a plain "hi" that fails too rules out the link; no Message button skips the box steps."""
    return Model(
        (Cause("link", 4), Cause("net", 4), Cause("box", 2), Cause("both", 1)),
        (
            Question("plain-hi", "Does a plain hi fail too?",
                     (Answer("fails", "Yes", (Effect("link", "rules_out"),)), Answer("works", "No", ()))),
            Question("button", "Is there a Message button?",
                     (Answer("none", "No", (Effect("both", "strong"),), ("clear-box",)),
                      Answer("there", "Yes", (Effect("both", "less"),)))),
        ),
        (Step("without-link", 1.0, {"link": 0.9}), Step("switch", 3.0, {"net": 0.6, "both": 0.3}),
         Step("link-or-both", 2.0, {"link": 0.6, "both": 0.6}), Step("clear-box", 1.0, {"box": 0.6}),
         Step("help", 2880.0, {}, "hand_off")),
        **limits,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("answers", "never"),
    [
        ([("plain-hi", "fails")], {"without-link"}),
        ([("button", "none")], {"clear-box"}),
        ([("plain-hi", "fails"), ("button", "none")], {"without-link", "clear-box"}),
    ],
)
def test_a_step_the_answers_ruled_out_is_never_offered_not_even_as_a_long_shot(answers, never):
    model = ruled_out_model()
    offered = set()
    for _, decision in engine.visit(model, lambda question: UNSURE, evidence=answers):
        offered |= {decision.step.key} if decision.kind == "step" else set()
        offered |= {step.key for step, _ in decision.long_shots}
    assert not offered & never
    # A step that also fixes a cause nobody ruled out is still offered.
    assert "link-or-both" in offered


def test_a_question_a_tapped_symptom_settled_is_never_asked_and_its_skips_apply():
    base = ruled_out_model()
    no_button = engine.Observation("no-button", "There is no Message button", settles=(("button", "none"),))
    model = Model(base.causes, base.questions, base.steps, (no_button,))
    asked, offered = set(), set()
    for _, decision in engine.visit(model, lambda question: UNSURE, evidence=[(SEEN, "no-button")]):
        asked |= {decision.question.key} if decision.kind == "question" else set()
        offered |= {decision.step.key} if decision.kind == "step" else set()
        offered |= {step.key for step, _ in decision.long_shots}

    assert "button" not in asked
    assert "clear-box" not in offered
    # Without the symptom the same question is worth asking: only the settled answer kept it back.
    assert "button" in engine.question_values(model, [])


def long_shots_model(n: int, **limits) -> Model:
    """One likely cause and n rare ones, each with a long-shot step, ordered from worst value to best."""
    causes = [Cause("likely", 100)] + [Cause(f"rare-{i}", 1) for i in range(n)]
    steps = [Step("likely-fix", 5.0, {"likely": 0.6})]
    steps += [Step(f"shot-{i}", 10.0 - i / 2, {f"rare-{i}": 0.5}) for i in range(n)]
    return Model(tuple(causes), (), (*steps, Step("help", 2880.0, {}, "hand_off")), **limits)


def test_long_shots_are_listed_together_once_no_likely_step_is_left():
    model = long_shots_model(9)
    first = engine.next_step(model, [])
    # Each rare cause is 1 in 109 (1 in 49 once the likely fix failed) and its step works half the
    # time: 1 % at most, under the floor of 1 in 50.
    assert (first.kind, first.step.key) == ("step", "likely-fix")
    assert first.plan.steps == ("likely-fix",)

    last = engine.next_step(model, [(FAILED, "likely-fix")])
    assert last.kind == "long_shots"
    assert last.step.key == "help"
    assert [step.key for step, _ in last.long_shots] == [f"shot-{i}" for i in (8, 7, 6, 5, 4, 3)]
    assert all(0 < chance < model.floor for _, chance in last.long_shots)
    assert engine.truthful_walk(model, "rare-0") == [("step", "likely-fix"), ("long_shots", "")]


def test_the_hand_off_comes_when_nothing_is_left_not_even_a_long_shot():
    model = long_shots_model(2)
    evidence = [(FAILED, "likely-fix"), (FAILED, "shot-0"), (FAILED, "shot-1")]
    decision = engine.next_step(model, evidence)

    assert (decision.kind, decision.nothing_left, decision.long_shots) == ("hand_off", True, ())


def test_the_last_screen_costs_the_long_shots_tried_best_first_then_the_hand_off():
    model = Model(
        (Cause("a", 90), Cause("l1", 1), Cause("l2", 1), Cause("x", 8)),
        (),
        (Step("sa", 8.5, {"a": 0.9}), Step("L1", 0.5, {"l1": 0.9}), Step("L2", 1.5, {"l2": 0.5}),
         Step("help", 1000.0, {}, "hand_off")),
    )  # fmt: skip
    # By hand (every screen 1.5 minutes on top): try sa (10), then the last screen, where L1 (2) and
    # L2 (3) are tried in that order (better value first), then the hand-off (1001.5).
    after_sa = {"a": 0.9 * 0.1, "l1": 0.01, "l2": 0.01, "x": 0.08}
    last = {
        "a": 2 + 3 + 1001.5,
        "x": 2 + 3 + 1001.5,
        "l1": 2 + 3 * 0.1 + 1001.5 * 0.1,
        "l2": 2 + 3 + 1001.5 * 0.5,
    }
    by_hand = 10 + sum(after_sa[c] * last[c] for c in last)
    decided = engine.plan(model, [])

    assert decided.steps == ("sa",)
    assert decided.ecr == pytest.approx(by_hand, rel=1e-12)


def test_after_the_screen_cap_the_last_screen_comes_whatever_is_left():
    model = ruled_out_model(max_screens=2)
    evidence = [(SEEN, "nothing"), ("plain-hi", "works"), (FAILED, "without-link")]
    decision = engine.next_step(model, evidence)

    # Two screens seen (a symptom tapped is none): no more questions or single steps, even likely ones.
    assert decision.kind == "long_shots"
    assert {"switch", "link-or-both"} <= {step.key for step, _ in decision.long_shots}
    assert engine.next_step(model, evidence[:2]).kind in ("question", "step")


def test_every_decision_carries_the_progress_range_for_its_state():
    from guides.engine.progress import span_of

    model = ruled_out_model(max_screens=3)
    for evidence, decision in engine.visit(model, lambda question: UNSURE):
        low, high = decision.span
        assert decision.span == span_of(decision, model)
        assert 1 <= low <= high
        # The screens to come never exceed those left before the cap, and the last screen.
        assert decision.remaining <= model.max_screens - len(evidence) + 1


def test_a_question_is_worth_asking_when_the_screen_cap_would_cut_an_explanation_off():
    """Six quick cures and an outage: the outage's explanation is worth least, so it comes seventh."""
    causes = (*(Cause(f"c{i}", 2) for i in range(6)), Cause("outage", 1, explains=True))
    cures = tuple(Step(f"s{i}", 0.5, {f"c{i}": 0.9}) for i in range(6))
    walks = {}
    for cap in (8, 4):
        model = Model(causes, (FRIENDS,), (*cures, Step("help", 1000.0, {}, "hand_off")), max_screens=cap)
        walks[cap] = engine.truthful_walk(model, "outage")
        asked = engine.question_values(model, [])["friends"] > 0
        assert asked is (cap == 4)

    # With room for every cure first, asking is not worth its minutes; with four screens the
    # explanation would be cut off (the long-shots screen lists steps, not explanations), so the
    # question is asked in time (after one quick cure: acting first costs less, see the next test).
    assert walks[8][-1] == walks[4][-1] == ("explained", "outage")
    assert len(walks[8]) == 7
    assert ("question", "friends") in walks[4]
    assert walks[4][-2:] == [("question", "friends"), ("explained", "outage")]
    assert len(walks[4]) <= 4


# A question that only helps a rare cause: its answer can lift "set the clock" above the floor, so
# asking it first saves minutes against the hand-off (myopic value > 0). But "too young to message"
# is likely and its explanation costs 2.5 minutes; asking after it fails loses nothing.
CLOCK = Question(
    "changed-date",
    "Did you change your phone's date?",
    (Answer("yes", "Yes", (Effect("clock", "strong"),)), Answer("no", "No", (Effect("clock", "rules_out"),))),
    cost=0.5,
)


def young_or_clock() -> Model:
    causes = (Cause("young", 45, explains=True), Cause("other", 54), Cause("clock", 1))
    steps = (
        Step("other-fix", 20.0, {"other": 0.5}),
        Step("set-clock", 10.0, {"clock": 0.9}),
        Step("help", 1000.0, {}, "hand_off"),
    )
    return Model(causes, (CLOCK,), steps)


def test_a_cheap_likely_explanation_comes_before_a_question_that_only_helps_the_tail():
    model = young_or_clock()
    decision = engine.next_step(model, [])

    # Asking first beats acting with no more questions, yet explaining first and asking after beats both.
    assert engine.question_values(model, [])["changed-date"] > 1.0
    assert decision.ecr_question < decision.ecr
    assert (decision.kind, decision.cause) == ("explain", "young")
    assert engine.truthful_walk(model, "young") == [("explained", "young")]
    # The rare cause's visitor is still asked, and fixed.
    walk = engine.truthful_walk(model, "clock")
    assert ("question", "changed-date") in walk
    assert walk[-1] == ("fixed", "set-clock")
