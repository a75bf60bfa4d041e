"""Unit tests for what the troubleshooter believes: evidence in, cleaned evidence and ranked causes out, no database.

The planner (which question or step comes next, and the expected cost of repair) is tested
in ``test_planner.py``; here are the priors, the posteriors after answers and failed steps,
the reasons behind them, facets, the cleaning of evidence and the checks on a model.
"""

import math
import re
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guides.engine import (
    COULDNT,
    EFFICACY,
    EFFORT_MINUTES,
    FAILED,
    LIKELIHOOD_RATIO,
    NOT_IT,
    RECOGNISED,
    SEEN,
    UNSURE,
    Answer,
    Cause,
    Effect,
    Efficacy,
    Effort,
    Kind,
    Model,
    ModelError,
    Observation,
    Question,
    Reason,
    Step,
    Strength,
    answer_for,
    clean_evidence,
    next_step,
    plan,
    question_values,
    rank,
)
from guides.engine.compiled import answer_baseline

RULES_OUT, LESS, MORE, STRONG, SIGN = Strength.RULES_OUT, Strength.LESS, Strength.MORE, Strength.STRONG, Strength.SIGN


# --------------------------------------------------------------------------------------
# Builders


def q(key, *answers, requires=None, moot_after=(), cost=2.0):
    """A question whose answers are (key, {cause or "cause/facet": strength}) or (key, effects, skips)."""
    built = []
    for answer_key, effects, *skips in answers:
        built.append(Answer(answer_key, answer_key.title(), tuple(_effects(effects)), tuple(*skips)))
    return Question(key, f"{key}?", tuple(built), requires, cost, moot_after)


def _effects(effects):
    for target, strength in effects.items():
        cause, _, facet = target.partition("/")
        yield Effect(cause, strength, facet or None)


def probabilities(model, evidence):
    return {r.cause: r.probability for r in rank(model, evidence)}


def normalised(weights):
    total = sum(weights.values())
    return {k: w / total for k, w in weights.items()}


def lr_rows(question) -> dict[str, list[float]]:
    """{cause: [LR(a, cause) for each answer a]} for the causes the question's answers mention."""
    rows = {}
    for position, answer in enumerate(question.answers):
        for effect in answer.effects:
            if effect.facet is None:
                row = rows.setdefault(effect.cause, [1.0] * len(question.answers))
                row[position] *= LIKELIHOOD_RATIO[effect.strength]
    return rows


def z(question, cause) -> float:
    """Z_c = Σ_a LR(a, c) · q(a), q the question's baseline: what an answer's ratio for the cause is divided by."""
    rows = lr_rows(question)
    baseline = answer_baseline(list(rows.values()), len(question.answers))
    return sum(lr * share for lr, share in zip(rows[cause], baseline, strict=True))


THREE = (Cause("a", 1), Cause("b", 2), Cause("c", 4))


# --------------------------------------------------------------------------------------
# The numbers behind the words


def test_words_become_the_documented_numbers():
    assert LIKELIHOOD_RATIO == {RULES_OUT: 0.05, LESS: 0.5, MORE: 2.0, STRONG: 8.0, Strength.SIGN: 32.0}
    assert EFFICACY == {
        Efficacy.ALMOST_ALWAYS: 0.9,
        Efficacy.OFTEN: 0.6,
        Efficacy.SOMETIMES: 0.3,
        Efficacy.RARELY: 0.1,
    }
    assert EFFORT_MINUTES == {Effort.QUICK_LOOK: 0.5, Effort.IN_APP: 2.0, Effort.ASK_SOMEONE: 15.0}
    assert all(0 < e < 1 for e in EFFICACY.values())  # never 1: a failed cure must not bury its cause


def test_plain_words_are_accepted_and_unknown_words_refused():
    assert Effect("a", "strong").strength is STRONG
    assert Step("s", 1, kind="wait").kind is Kind.WAIT
    assert Step("s", 1).kind is Kind.DO_NOW
    with pytest.raises(ValueError):
        Effect("a", "very_strong")
    with pytest.raises(ValueError):
        Step("s", 1, kind="later")


def test_lists_are_accepted_where_tuples_are_expected():
    model = Model(
        [Cause("a", 1, ["f"]), Cause("b", 1)],
        [
            Question(
                "q",
                "?",
                [Answer("yes", "Yes", [Effect("a", "strong")], ["s"]), Answer("no", "No")],
                ["q0", "x"],
                moot_after=[["q0", "y"], "s"],
            ),
            Question("q0", "?", [Answer("x", "X"), Answer("y", "Y")]),
        ],
        [Step("s", 1, {"a": 0.9})],
    )

    question = model.questions[0]
    assert isinstance(model.causes, tuple) and model.causes[0].facets == ("f",)
    assert isinstance(question.answers, tuple) and question.answers[0].skips == ("s",)
    assert question.requires == ("q0", "x")
    assert question.moot_after == (("q0", "y"), "s")
    assert isinstance(model.steps, tuple)
    model.validate()


# --------------------------------------------------------------------------------------
# Priors and posteriors


def test_without_evidence_the_ranking_follows_the_prior_weights():
    ranking = rank(Model(THREE), [])

    assert [r.cause for r in ranking] == ["c", "b", "a"]
    assert [r.probability for r in ranking] == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    assert all(r.reasons == () and r.facet is None and r.facets == () for r in ranking)


def test_answers_multiply_the_weights_by_their_likelihood_ratios_over_z():
    q1 = q("q1", ("yes", {"a": STRONG, "c": LESS}), ("no", {}))
    q2 = q("q2", ("yes", {}), ("no", {"b": MORE, "c": RULES_OUT}))
    model = Model(THREE, (q1, q2))
    # a: 1 * 8; b: 2 * 2; c: 4 * 0.5 * 0.05; each ratio divided by the cause's Z for that question.
    expected = {"a": 1 * 8 / z(q1, "a"), "b": 2 * 2 / z(q2, "b"), "c": 4 * 0.5 / z(q1, "c") * 0.05 / z(q2, "c")}

    ranking = rank(model, [("q1", "yes"), ("q2", "no")])

    assert [r.cause for r in ranking] == ["a", "b", "c"]
    assert {r.cause: r.probability for r in ranking} == pytest.approx(normalised(expected))


def test_where_the_words_add_up_an_answer_multiplies_by_about_the_word():
    # 8 q + 0.05 (1 - q) = 1 at q = 0.1195: "yes" can be eight times likelier, "no" 20 times less.
    question = q("q1", ("yes", {"a": STRONG}), ("no", {"a": RULES_OUT}))
    model = Model((Cause("a", 1), Cause("b", 1)), (question,))

    assert z(question, "a") == pytest.approx(1.0, rel=0.02)
    assert probabilities(model, [("q1", "yes")]) == pytest.approx(normalised({"a": 8, "b": 1}), rel=0.02)
    assert probabilities(model, [("q1", "no")]) == pytest.approx(normalised({"a": 0.05, "b": 1}), rel=0.02)


def test_where_the_words_cannot_add_up_z_keeps_the_answers_a_distribution():
    # "yes" strongly for a, "no" silent: 8 q + (1 - q) cannot be 1 for any q > 0, so a's answers are scaled.
    question = q("q1", ("yes", {"a": STRONG}), ("no", {}))
    rows = lr_rows(question)
    baseline = answer_baseline(list(rows.values()), 2)

    assert z(question, "a") > 1
    assert sum(baseline) == pytest.approx(1.0)
    # P(a | cause a) = q(a) * LR(a, a) / Z over the answers adds up to one.
    assert sum(share * lr / z(question, "a") for share, lr in zip(baseline, rows["a"], strict=True)) == (
        pytest.approx(1.0)
    )


def test_a_failed_step_lowers_each_cause_it_could_fix_by_its_efficacy():
    model = Model(THREE, steps=(Step("s", 5, {"c": 0.9, "b": 0.3}), Step("t", 5, {"a": 0.6})))

    # a: 1; b: 2 * (1 - 0.3) = 1.4; c: 4 * (1 - 0.9) = 0.4.
    assert probabilities(model, [(FAILED, "s")]) == pytest.approx(normalised({"a": 1, "b": 1.4, "c": 0.4}))
    # And t: a: 1 * 0.4 = 0.4.
    both = probabilities(model, [(FAILED, "s"), (FAILED, "t")])
    assert both == pytest.approx(normalised({"a": 0.4, "b": 1.4, "c": 0.4}))


def test_answers_and_failed_steps_combine():
    q1 = q("q1", ("yes", {"c": STRONG, "a": LESS}), ("no", {}))
    model = Model(THREE, (q1,), (Step("s", 5, {"c": 0.6}),))
    # a: 1 * 0.5; b: 2; c: 4 * 8 * (1 - 0.6).
    expected = normalised({"a": 0.5 / z(q1, "a"), "b": 2, "c": 4 * 8 / z(q1, "c") * 0.4})

    assert probabilities(model, [("q1", "yes"), (FAILED, "s")]) == pytest.approx(expected)


ORDERED = Model(
    THREE,
    (
        q("q1", ("yes", {"a": STRONG}), ("no", {})),
        q("q2", ("yes", {"c": RULES_OUT}), ("no", {"b": LESS})),
        q("q3", ("yes", {"b": MORE, "a": LESS}), ("no", {})),
    ),
    (Step("s", 5, {"c": 0.9}), Step("t", 5, {"a": 0.3, "b": 0.6})),
)


@given(st.permutations([("q1", "yes"), ("q2", "no"), ("q3", "yes"), (FAILED, "s"), (COULDNT, "t")]))
def test_the_order_of_the_evidence_does_not_change_the_beliefs(evidence):
    expected = probabilities(ORDERED, [("q1", "yes"), ("q2", "no"), ("q3", "yes"), (FAILED, "s"), (COULDNT, "t")])

    assert probabilities(ORDERED, evidence) == pytest.approx(expected)


def test_causes_with_equal_probability_keep_their_content_order():
    causes = (Cause("x", 2), Cause("y", 1), Cause("z", 2))
    assert [r.cause for r in rank(Model(causes), [])] == ["x", "z", "y"]
    # The same answers about x and z keep them level: x first, as in the content.
    model = Model(causes, (q("q1", ("yes", {"x": MORE, "z": MORE}), ("no", {"x": LESS, "z": LESS})),))
    ranking = rank(model, [("q1", "no")])
    assert [r.cause for r in ranking] == ["y", "x", "z"]
    assert ranking[1].probability == ranking[2].probability
    # z: 2 * (1 - 0.5) = 1, level with y despite rounding in the logarithms: content order again.
    model = Model(causes, steps=(Step("s", 1, {"z": 0.5}),))
    assert [r.cause for r in rank(model, [(FAILED, "s")])] == ["x", "y", "z"]


def test_a_rule_out_answer_drops_a_cause_out_of_the_running_but_not_to_zero():
    causes = (Cause("common", 8), Cause("other", 4), Cause("rare", 1))
    q1 = q("q1", ("yes", {"common": RULES_OUT}), ("no", {"common": MORE}))
    model = Model(causes, (q1,))

    p = probabilities(model, [("q1", "yes")])

    # common: 8 * 0.05 = 0.4 (over Z), now below even the rare cause.
    assert p == pytest.approx(normalised({"common": 8 * 0.05 / z(q1, "common"), "other": 4, "rare": 1}))
    assert [r.cause for r in rank(model, [("q1", "yes")])] == ["other", "rare", "common"]
    assert p["common"] > 0


def test_two_strong_answers_bring_a_ruled_out_cause_back():
    mistake = q("mistake", ("yes", {"true": RULES_OUT}), ("no", {"true": MORE}))
    s1 = q("s1", ("yes", {"true": STRONG}), ("no", {"true": RULES_OUT}))
    s2 = q("s2", ("yes", {"true": STRONG}), ("no", {"true": RULES_OUT}))
    model = Model((Cause("true", 1), Cause("rival", 1)), (mistake, s1, s2))

    after_one = rank(model, [("mistake", "yes"), ("s1", "yes")])
    assert after_one[0].cause == "rival"  # 0.05 * 8 = 0.4 < 1
    after_two = rank(model, [("mistake", "yes"), ("s1", "yes"), ("s2", "yes")])
    assert after_two[0].cause == "true"  # 0.05 * 8 * 8 = 3.2 > 1
    weight = 0.05 / z(mistake, "true") * 8 / z(s1, "true") * 8 / z(s2, "true")
    assert after_two[0].probability == pytest.approx(weight / (weight + 1))


def test_a_failed_cure_does_not_rule_its_cause_out():
    model = Model((Cause("a", 8), Cause("b", 1)), steps=(Step("cure", 5, {"a": EFFICACY[Efficacy.ALMOST_ALWAYS]}),))

    p = probabilities(model, [(FAILED, "cure")])

    assert p == pytest.approx(normalised({"a": 0.8, "b": 1}))
    assert p["a"] > 0.4


def test_a_step_the_visitor_could_not_do_changes_no_belief_but_is_not_offered_again():
    model = Model(THREE, steps=(Step("s", 5, {"c": 0.9}), Step("t", 10, {"b": 0.6})))

    assert rank(model, [(COULDNT, "s")]) == rank(model, [])
    assert plan(model, []).steps == ("s", "t")
    assert plan(model, [(COULDNT, "s")]).steps == ("t",)
    assert plan(model, [(FAILED, "s")]).steps == ("t",)


def test_an_unsure_answer_changes_nothing_in_the_ranking():
    model = Model(THREE, (q("q1", ("yes", {"a": STRONG}), ("no", {"c": STRONG})), q("q2", ("yes", {"b": STRONG}))))

    assert rank(model, [("q2", "yes"), ("q1", UNSURE)]) == rank(model, [("q2", "yes")])


def test_an_unsure_answer_still_counts_as_asked():
    model = Model(
        (Cause("a", 1), Cause("b", 1)),
        (
            q("q1", ("yes", {"a": STRONG}), ("no", {"b": STRONG})),
            q("q2", ("yes", {"b": STRONG}), ("no", {"a": STRONG})),
        ),
        (Step("sa", 30, {"a": 0.9}), Step("sb", 40, {"b": 0.9})),
    )

    assert clean_evidence(model, [("q1", UNSURE), ("q1", "yes")]) == (("q1", UNSURE),)
    assert set(question_values(model, [])) == {"q1", "q2"}
    assert set(question_values(model, [("q1", UNSURE)])) == {"q2"}
    # q2 is worth asking after the "not sure", unless only one question is allowed: the "not sure" used it up.
    assert next_step(model, [("q1", UNSURE)]).question.key == "q2"
    assert next_step(model, [("q1", UNSURE)], max_questions=1).kind == "step"


def test_reasons_list_the_answers_and_the_failed_steps_that_moved_each_cause():
    model = Model(
        THREE,
        (
            q("q1", ("yes", {"a": STRONG, "c": LESS}), ("no", {})),
            q("q2", ("yes", {"a": LESS}), ("no", {})),
            q("q3", ("yes", {"b": MORE}), ("no", {})),
        ),
        (Step("s", 5, {"a": 0.6, "c": 0.1}), Step("t", 5, {"b": 0.3}), Step("u", 5, {"c": 0.9})),
    )
    evidence = [("q1", "yes"), (FAILED, "s"), ("q3", UNSURE), (COULDNT, "t"), ("q2", "yes"), ("q3", "no")]

    ranking = {r.cause: r for r in rank(model, evidence)}

    assert ranking["a"].reasons == (
        Reason("q1", "yes", STRONG),
        Reason(step="s", efficacy=0.6),
        Reason("q2", "yes", LESS),
    )
    assert ranking["c"].reasons == (Reason("q1", "yes", LESS), Reason(step="s", efficacy=0.1))
    assert ranking["b"].reasons == ()  # neither "not sure" nor a step they could not do is a reason
    assert [r.raised for r in ranking["a"].reasons] == [True, False, False]


# --------------------------------------------------------------------------------------
# Facets


FACETED = (Cause("spam", 4, ("content", "rate")), Cause("net", 4, ("signal", "dns", "proxy")))


def test_facet_is_none_without_facet_evidence():
    model = Model(FACETED, (q("q1", ("yes", {"spam": STRONG}), ("no", {})),))

    assert all(r.facet is None and r.facets == () for r in rank(model, [("q1", "yes")]))


def test_facet_evidence_ranks_facets_within_their_cause():
    model = Model(
        FACETED,
        (
            q("notice", ("too-fast", {"spam": STRONG, "spam/rate": STRONG}), ("link", {"spam/content": MORE})),
            q("vpn", ("yes", {"net/proxy": MORE, "net/signal": LESS}), ("no", {})),
        ),
    )

    ranking = {r.cause: r for r in rank(model, [("notice", "too-fast"), ("vpn", "yes")])}

    assert ranking["spam"].facet == "rate"
    assert dict(ranking["spam"].facets) == pytest.approx({"rate": 8 / 9, "content": 1 / 9})
    # Uniform prior over net's three facets: proxy 2, dns 1, signal 0.5.
    assert ranking["net"].facet == "proxy"
    assert [f for f, _ in ranking["net"].facets] == ["proxy", "dns", "signal"]
    assert dict(ranking["net"].facets) == pytest.approx({"proxy": 2 / 3.5, "dns": 1 / 3.5, "signal": 0.5 / 3.5})
    # Facet effects are not reasons for the cause itself.
    assert ranking["spam"].reasons == (Reason("notice", "too-fast", STRONG),)
    assert ranking["net"].reasons == ()


def test_facet_effects_do_not_change_the_cause_probability():
    model = Model(FACETED, (q("q1", ("yes", {"spam/rate": STRONG, "net/dns": RULES_OUT}), ("no", {})),))

    assert probabilities(model, [("q1", "yes")]) == pytest.approx({"spam": 0.5, "net": 0.5})
    ranking = {r.cause: r for r in rank(model, [("q1", "yes")])}
    assert ranking["spam"].facet == "rate"
    assert ranking["net"].facet == "signal"  # dns ruled out: the tie between the others goes to facet order


def test_a_facet_only_question_is_worth_nothing():
    model = Model(FACETED, (q("q1", ("yes", {"spam/rate": STRONG}), ("no", {})),), (Step("s", 5, {"spam": 0.6}),))

    assert question_values(model, []) == {}  # it cannot change which cause is behind it


# --------------------------------------------------------------------------------------
# Cleaning the evidence


FOLLOW_UP = Model(
    THREE,
    (
        q("notice", ("yes", {"a": MORE}), ("no", {"b": MORE})),
        q("which", ("fast", {"a": STRONG}), ("spam", {"c": STRONG}), requires=("notice", "yes")),
        q("other", ("yes", {"c": MORE}), ("no", {"c": LESS}, ["update"])),
        q("hi", ("sent", {"b": MORE}), ("failed", {"b": LESS}), moot_after=[("notice", "no"), "update"]),
    ),
    (
        Step("update", 5, {"a": 0.9}),
        Step("restart", 2, {"b": 0.6, "c": 0.1}),
        Step("support", 2880, kind=Kind.HAND_OFF),
    ),
)


def test_usable_evidence_is_kept_in_order():
    evidence = [("other", "yes"), (FAILED, "restart"), ("notice", "yes"), ("which", UNSURE), (COULDNT, "update")]

    assert clean_evidence(FOLLOW_UP, evidence) == tuple(evidence)


def test_unknown_questions_answers_and_steps_are_dropped():
    evidence = [
        ("nope", "yes"),
        ("notice", "maybe"),
        ("other", "YES"),
        (FAILED, "no-such-step"),
        (COULDNT, ""),
        ("failed ", "restart"),
        ("other", "yes"),
    ]

    assert clean_evidence(FOLLOW_UP, evidence) == (("other", "yes"),)


def test_the_first_answer_to_a_question_is_kept():
    assert clean_evidence(FOLLOW_UP, [("notice", "no"), ("notice", "yes")]) == (("notice", "no"),)
    assert clean_evidence(FOLLOW_UP, [("notice", UNSURE), ("notice", "yes")]) == (("notice", UNSURE),)


def test_a_step_reported_twice_is_kept_once():
    assert clean_evidence(FOLLOW_UP, [(FAILED, "restart"), (FAILED, "restart")]) == ((FAILED, "restart"),)
    assert clean_evidence(FOLLOW_UP, [(COULDNT, "restart"), (FAILED, "restart")]) == ((COULDNT, "restart"),)
    assert clean_evidence(FOLLOW_UP, [(FAILED, "restart"), (COULDNT, "restart")]) == ((FAILED, "restart"),)


def test_the_hand_off_is_never_evidence():
    # Trying it ends the troubleshooting: there is nothing to learn from it having "failed".
    assert clean_evidence(FOLLOW_UP, [(FAILED, "support"), (COULDNT, "support"), ("other", "no")]) == (("other", "no"),)


def test_a_follow_up_needs_its_required_answer_first():
    assert clean_evidence(FOLLOW_UP, [("which", "fast"), ("notice", "yes")]) == (("notice", "yes"),)
    assert clean_evidence(FOLLOW_UP, [("notice", "no"), ("which", "fast")]) == (("notice", "no"),)
    assert clean_evidence(FOLLOW_UP, [("notice", UNSURE), ("which", "fast")]) == (("notice", UNSURE),)
    assert clean_evidence(FOLLOW_UP, [("notice", "yes"), ("which", "fast")]) == (("notice", "yes"), ("which", "fast"))


def test_an_answer_that_makes_a_question_moot_drops_a_later_answer_to_it():
    assert clean_evidence(FOLLOW_UP, [("notice", "no"), ("hi", "sent")]) == (("notice", "no"),)
    # Another answer to the same question does not.
    assert clean_evidence(FOLLOW_UP, [("notice", "yes"), ("hi", "sent")]) == (("notice", "yes"), ("hi", "sent"))
    # Evidence is read in order: an answer given before the question became moot stays.
    assert clean_evidence(FOLLOW_UP, [("hi", "sent"), ("notice", "no")]) == (("hi", "sent"), ("notice", "no"))


def test_a_tried_step_that_makes_a_question_moot_drops_a_later_answer_to_it():
    assert clean_evidence(FOLLOW_UP, [(FAILED, "update"), ("hi", "sent")]) == ((FAILED, "update"),)
    assert clean_evidence(FOLLOW_UP, [(FAILED, "restart"), ("hi", "sent")]) == ((FAILED, "restart"), ("hi", "sent"))


def test_moot_questions_are_not_worth_asking():
    assert "hi" in question_values(FOLLOW_UP, [])
    assert "hi" not in question_values(FOLLOW_UP, [("notice", "no")])
    assert "hi" not in question_values(FOLLOW_UP, [(FAILED, "update")])
    assert "which" not in question_values(FOLLOW_UP, [])
    assert "which" in question_values(FOLLOW_UP, [("notice", "yes")])


def test_an_answer_that_skips_a_step_keeps_it_out_of_the_plan_without_changing_beliefs():
    skipped = [("other", "no")]
    other = next(question for question in FOLLOW_UP.questions if question.key == "other")
    answers = tuple(Answer(a.key, a.text, a.effects) for a in other.answers)
    questions = tuple(replace(x, answers=answers) if x is other else x for x in FOLLOW_UP.questions)
    without_skips = replace(FOLLOW_UP, questions=questions)

    assert "update" in plan(FOLLOW_UP, []).steps
    assert "update" not in plan(FOLLOW_UP, skipped).steps
    assert "update" in plan(without_skips, skipped).steps
    assert "update" in plan(FOLLOW_UP, [("other", "yes")]).steps
    assert rank(FOLLOW_UP, skipped) == rank(without_skips, skipped)


def test_garbage_is_ignored():
    garbage = [
        None,
        42,
        "notice",
        "ab",
        ("notice",),
        ("notice", "yes", "extra"),
        (1, 2),
        ("other", None),
        (FAILED, None),
        (FAILED, 3),
        (None, "restart"),
        b"xy",
        ({"other": "yes"}, "no"),
        ["other", "yes"],
        [FAILED, "restart"],
    ]

    assert clean_evidence(FOLLOW_UP, garbage) == (("other", "yes"), (FAILED, "restart"))
    assert clean_evidence(FOLLOW_UP, None) == ()
    assert clean_evidence(FOLLOW_UP, "notice") == ()
    assert clean_evidence(FOLLOW_UP, b"notice") == ()
    assert clean_evidence(FOLLOW_UP, 7) == ()
    assert clean_evidence(FOLLOW_UP, iter([("other", "yes")])) == (("other", "yes"),)


def test_every_function_cleans_its_evidence():
    messy = [("which", "fast"), ("notice", "yes"), ("notice", "no"), ("bogus", "x"), (FAILED, "support")]
    messy += [(FAILED, "restart"), (FAILED, "restart"), ("hi", "sent")]
    clean = [("notice", "yes"), (FAILED, "restart"), ("hi", "sent")]

    assert clean_evidence(FOLLOW_UP, messy) == tuple(clean)
    assert rank(FOLLOW_UP, messy) == rank(FOLLOW_UP, clean)
    assert plan(FOLLOW_UP, messy) == plan(FOLLOW_UP, clean)
    assert question_values(FOLLOW_UP, messy) == question_values(FOLLOW_UP, clean)
    assert next_step(FOLLOW_UP, messy) == next_step(FOLLOW_UP, clean)
    assert next_step(FOLLOW_UP, messy).evidence == tuple(clean)


# --------------------------------------------------------------------------------------
# Content mistakes are reported, not guessed around


ONE = (Cause("a", 1),)


@pytest.mark.parametrize(
    ("causes", "questions", "steps", "message"),
    [
        ((), (), (), "at least one cause"),
        ((Cause("a", 1), Cause("a", 2)), (), (), "duplicate cause 'a'"),
        ((Cause("a", 0),), (), (), "cause 'a': weight must be a positive number"),
        ((Cause("a", math.inf),), (), (), "cause 'a': weight must be a positive number"),
        ((Cause("a", 1, ("f", "f")),), (), (), "cause 'a': duplicate facet"),
        (ONE, (), (Step("s", 1, {"zzz": 0.6}),), "step 's': unknown cause 'zzz'"),
        (ONE, (), (Step("s", 1, {"a": 1.0}),), "step 's': efficacy for 'a' must be at least 0 and below 1"),
        (ONE, (), (Step("s", 1, {"a": 1.5}),), "step 's': efficacy for 'a' must be at least 0 and below 1"),
        (ONE, (), (Step("s", 1, {"a": -0.1}),), "step 's': efficacy for 'a' must be at least 0 and below 1"),
        (ONE, (), (Step("s", 0, {"a": 0.6}),), "step 's': cost must be a positive number of minutes"),
        (ONE, (), (Step("s", math.nan),), "step 's': cost must be a positive number of minutes"),
        (ONE, (), (Step("s", 1), Step("s", 2)), "duplicate or empty step key 's'"),
        (ONE, (), (Step("", 1),), "duplicate or empty step key ''"),
        (
            ONE,
            (),
            (Step("h1", 60, kind=Kind.HAND_OFF), Step("h2", 60, kind=Kind.HAND_OFF)),
            "only one hand-off step",
        ),
        (ONE, (q("q", ("yes", {"zzz": MORE})),), (), "question 'q'/yes: unknown cause 'zzz'"),
        ((Cause("a", 1, ("f",)),), (q("q", ("yes", {"a/g": MORE})),), (), "cause 'a' has no facet 'g'"),
        (ONE, (q("q", ("yes", {})), q("q", ("no", {}))), (), "duplicate question 'q'"),
        (ONE, (q("q", ("yes", {}), ("yes", {})),), (), "question 'q': duplicate answer 'yes'"),
        (ONE, (q("q", (UNSURE, {})),), (), "the answer key 'unsure' is reserved"),
        (ONE, (Question("q", "?", ()),), (), "question 'q' has no answers"),
        (ONE, (q("q", ("yes", {}), cost=0),), (), "question 'q': cost must be a positive number of minutes"),
        (ONE, (q("q", ("yes", {}), requires=("q0", "yes")),), (), "question 'q' names an unknown answer q0/yes"),
        (ONE, (q("q", ("yes", {}), requires=("q", "no")),), (), "question 'q' names an unknown answer q/no"),
        (ONE, (q("q", ("yes", {}), moot_after=[("q0", "y")]),), (), "names an unknown answer q0/y"),
        (ONE, (q("q", ("yes", {}), moot_after=["zzz"]),), (Step("s", 1),), "names an unknown step 'zzz'"),
        (ONE, (q("q", ("yes", {}, ["zzz"])),), (Step("s", 1),), "question 'q'/yes: skips unknown step 'zzz'"),
    ],
)
def test_an_inconsistent_model_raises_a_clear_model_error(causes, questions, steps, message):
    model = Model(causes, questions, steps)

    with pytest.raises(ModelError, match=re.escape(message)):
        model.validate()
    with pytest.raises(ModelError, match=re.escape(message)):
        rank(model, [])  # the engine checks a model on first use


def test_a_consistent_model_with_every_feature_validates():
    FOLLOW_UP.validate()
    Model(ONE, steps=(Step("s", 1, {"a": 0.0}),)).validate()  # efficacy 0: linked but never fixes it


# --------------------------------------------------------------------------------------
# What the visitor saw: a symptom they tapped on the guide, given unasked


def seen_model(*observations):
    """THREE with one question about a, a cure for each cause, and the given observations (key, {cause: strength})."""
    return Model(
        THREE,
        (q("q", ("yes", {"a": STRONG}), ("no", {"a": RULES_OUT})),),
        (Step("sa", 5, {"a": 0.9}), Step("sb", 5, {"b": 0.9}), Step("sc", 5, {"c": 0.9})),
        tuple(Observation(key, key.title(), tuple(_effects(effects))) for key, effects in observations),
    )


NOTICE = ("notice", {"a": STRONG, "b": STRONG})


def test_a_symptom_multiplies_each_cause_it_points_to_by_exactly_the_strong_ratio():
    model = seen_model(NOTICE)
    before, after = probabilities(model, []), probabilities(model, [(SEEN, "notice")])

    # "Strongly points to it": eight times likelier than a cause it does not point to. Nothing
    # is fitted (no Z_c): the visitor is never asked, so there is no other answer to balance.
    assert after["a"] / after["c"] == pytest.approx(8 * before["a"] / before["c"], rel=1e-12)
    assert after["b"] / after["c"] == pytest.approx(8 * before["b"] / before["c"], rel=1e-12)
    assert after["a"] / after["b"] == pytest.approx(before["a"] / before["b"], rel=1e-12)
    assert [r.cause for r in rank(model, [(SEEN, "notice")])][:2] == ["b", "a"]


def test_two_symptoms_and_an_answer_each_count_once():
    model = seen_model(NOTICE, ("slow", {"c": STRONG}))
    evidence = [(SEEN, "notice"), ("q", "yes"), (SEEN, "slow")]
    expected = normalised(
        {"a": 1 * 8 * 8 / z(model.questions[0], "a"), "b": 2 * 8, "c": 4 * 8}
    )  # a: the symptom, then the answer (over its Z); b: the symptom; c: the other symptom

    assert probabilities(model, evidence) == pytest.approx(expected, rel=1e-12)
    assert probabilities(model, [*evidence, (SEEN, "notice")]) == pytest.approx(expected, rel=1e-12)


def test_reasons_name_the_symptom_that_raised_a_cause():
    ranking = {r.cause: r for r in rank(seen_model(NOTICE), [(SEEN, "notice"), ("q", "yes")])}

    assert ranking["a"].reasons == (Reason(seen="notice", strength=STRONG), Reason("q", "yes", STRONG))
    assert ranking["b"].reasons == (Reason(seen="notice", strength=STRONG),)
    assert ranking["c"].reasons == ()
    assert ranking["b"].reasons[0].raised


def test_symptoms_are_kept_at_any_point_each_once_and_unknown_ones_are_dropped():
    model = seen_model(NOTICE, ("slow", {"c": STRONG}))
    evidence = [
        ("q", "no"),
        (SEEN, "notice"),
        (FAILED, "sa"),
        (SEEN, "nope"),
        (SEEN, "notice"),
        (SEEN, "slow"),
        (SEEN, ""),
        ("seen ", "slow"),
    ]

    assert clean_evidence(model, evidence) == (("q", "no"), (SEEN, "notice"), (FAILED, "sa"), (SEEN, "slow"))
    assert clean_evidence(seen_model(), [(SEEN, "notice")]) == ()  # a guide without symptoms ignores them


def test_a_symptom_with_facet_effects_ranks_facets_without_moving_the_cause():
    model = Model(
        FACETED, (), (Step("s", 5, {"spam": 0.6}),), (Observation("fast", "Fast", (Effect("spam", STRONG, "rate"),)),)
    )
    ranking = {r.cause: r for r in rank(model, [(SEEN, "fast")])}

    assert ranking["spam"].facet == "rate"
    assert ranking["spam"].probability == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("observations", "message"),
    [
        ((Observation("x", "X", (Effect("zzz", STRONG),)),), "observation 'x': unknown cause 'zzz'"),
        ((Observation("x", "X", (Effect("a", STRONG, "g"),)),), "observation 'x': cause 'a' has no facet 'g'"),
        ((Observation("x", "X"), Observation("x", "Y")), "duplicate or empty observation 'x'"),
        ((Observation("", "X"),), "duplicate or empty observation ''"),
    ],
)
def test_an_inconsistent_symptom_raises_a_clear_model_error(observations, message):
    model = Model((Cause("a", 1, ("f",)),), observations=observations)

    with pytest.raises(ModelError, match=re.escape(message)):
        rank(model, [])


@pytest.mark.parametrize(
    ("settles", "message"),
    [
        ((("zzz", "yes"),), "observation 'x' settles an unknown answer zzz/yes"),
        ((("q", "maybe"),), "observation 'x' settles an unknown answer q/maybe"),
        ((("q", UNSURE),), "observation 'x' settles an unknown answer q/unsure"),
        ((("q", "yes"), ("q", "no")), "observation 'x' settles question 'q' twice"),
    ],
)
def test_a_symptom_can_only_settle_a_known_answer_once(settles, message):
    model = Model(ONE, (q("q", ("yes", {}), ("no", {})),), observations=(Observation("x", "X", settles=settles),))

    with pytest.raises(ModelError, match=re.escape(message)):
        rank(model, [])


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"floor": 0}, "long-shot floor must be above 0 and at most 0.5"),
        ({"floor": 0.6}, "long-shot floor must be above 0 and at most 0.5"),
        ({"floor": math.nan}, "long-shot floor must be above 0 and at most 0.5"),
        ({"max_screens": 0}, "max_screens must be a whole number, at least 1"),
        ({"max_screens": 2.5}, "max_screens must be a whole number, at least 1"),
    ],
)
def test_the_long_shot_floor_and_the_screen_cap_must_make_sense(limits, message):
    with pytest.raises(ModelError, match=re.escape(message)):
        Model(ONE, **limits).validate()
    Model(ONE, floor=0.5, max_screens=1).validate()


# --------------------------------------------------------------------------------------
# "No, that's not it" on an explanation, and answers a symptom settles


EXPLAINED = Model(
    (Cause("a", 1), Cause("blocked", 2, explains=True), Cause("c", 4)),
    (q("notice", ("yes", {"a": STRONG}), ("no", {"a": RULES_OUT}, ["sa"])), q("which", ("x", {}), ("y", {}))),
    (Step("sa", 5, {"a": 0.9}), Step("sc", 5, {"c": 0.9})),
    (
        Observation("banner", "Banner", (Effect("a", SIGN),), settles=(("notice", "yes"),)),
        Observation("no-banner", "No banner", (Effect("c", SIGN),), settles=(("notice", "no"),)),
    ),
)


def test_not_it_multiplies_its_cause_by_one_minus_recognised_and_says_so():
    before, after = probabilities(EXPLAINED, []), probabilities(EXPLAINED, [(NOT_IT, "blocked")])

    # Like a failed step that fixes "blocked" RECOGNISED (0.9) of the time: the cause keeps a tenth.
    assert after["blocked"] / after["c"] == pytest.approx(before["blocked"] / before["c"] * (1 - RECOGNISED))
    assert after["a"] / after["c"] == pytest.approx(before["a"] / before["c"])
    reasons = {r.cause: r.reasons for r in rank(EXPLAINED, [(NOT_IT, "blocked")])}
    assert reasons["blocked"] == (Reason(not_it="blocked", efficacy=RECOGNISED),)
    assert not reasons["blocked"][0].raised


def test_not_it_is_kept_once_and_only_for_a_known_explanation_cause():
    evidence = [(NOT_IT, "a"), (NOT_IT, "zzz"), (NOT_IT, "blocked"), (NOT_IT, "blocked"), (NOT_IT, "")]

    assert clean_evidence(EXPLAINED, evidence) == ((NOT_IT, "blocked"),)


def test_a_settled_answer_counts_as_given_but_is_not_weighed_again():
    seen = probabilities(EXPLAINED, [(SEEN, "banner")])
    weight = {"a": 1 * LIKELIHOOD_RATIO[SIGN], "blocked": 2, "c": 4}

    # Only the symptom's own ratio (sign, 32) moved a: the settled "yes" (strong, 8) is the same news.
    assert seen == pytest.approx(normalised(weight), rel=1e-12)
    # Its question is answered: a later answer to it is dropped, whatever it says.
    assert clean_evidence(EXPLAINED, [(SEEN, "banner"), ("notice", "no"), ("which", "x")]) == (
        (SEEN, "banner"),
        ("which", "x"),
    )
    assert "notice" not in question_values(EXPLAINED, [(SEEN, "banner")])


def test_a_settled_answer_meets_a_follow_ups_requires_and_applies_its_skips():
    model = Model(
        THREE,
        (q("notice", ("yes", {"a": MORE}), ("no", {}, ["sa"])),
         q("which", ("x", {"a": STRONG}), requires=("notice", "yes"))),
        (Step("sa", 5, {"a": 0.9}), Step("sb", 5, {"b": 0.9})),
        (Observation("banner", "Banner", settles=(("notice", "yes"),)),
         Observation("plain", "Plain", settles=(("notice", "no"),))),
    )  # fmt: skip

    assert clean_evidence(model, [("which", "x")]) == ()
    assert clean_evidence(model, [(SEEN, "banner"), ("which", "x")]) == ((SEEN, "banner"), ("which", "x"))
    assert "sa" not in plan(model, [(SEEN, "plain")]).steps
    assert "sa" in plan(model, []).steps


def test_an_explicit_answer_before_the_symptom_stands():
    # The visitor answered first, then tapped a symptom that settles the same question: the answer given stays.
    evidence = [("notice", "no"), (SEEN, "banner")]

    assert clean_evidence(EXPLAINED, evidence) == tuple(evidence)
    assert "sa" not in plan(EXPLAINED, evidence).steps  # "no" skips sa and rules a out


def test_a_tapped_symptom_is_a_reason_that_raised_its_cause():
    reasons = {r.cause: r.reasons for r in rank(EXPLAINED, [(SEEN, "banner")])}

    assert reasons["a"] == (Reason(seen="banner", strength=SIGN),)
    assert reasons["a"][0].raised


# --------------------------------------------------------------------------------------
# Any evidence is safe


texts = st.text(alphabet="abcnoyesurtdfil-", max_size=8)
GUIDE = Model(
    (Cause("a", 1, ("f1", "f2")), Cause("b", 2), Cause("c", 4, explains=True), Cause("d", 8)),
    (
        q("yes", ("yes", {"a": STRONG, "a/f1": MORE}), ("no", {"a": RULES_OUT, "b": MORE}, ["s2"])),
        q("no", ("yes", {"c": LESS}), ("no", {"d": LESS, "a/f2": STRONG}), moot_after=["s1"]),
        q("a", ("a", {"b": STRONG}), ("b", {"c": STRONG}), ("c", {"d": STRONG}), requires=("yes", "yes")),
        q("b", ("yes", {"d": RULES_OUT}), ("no", {}), requires=("a", "c"), moot_after=[("no", "yes")]),
    ),
    (
        Step("s1", 5, {"a": 0.9, "b": 0.1}),
        Step("s2", 2, {"c": 0.6}),
        Step("s3", 30, {"d": 0.3, "a": 0.3}),
        Step("support", 2880, kind=Kind.HAND_OFF),
    ),
)
keys = st.sampled_from(["yes", "no", "a", "b", "c", UNSURE, FAILED, COULDNT, NOT_IT, SEEN, "zzz"]) | texts
values = st.sampled_from(["yes", "no", "a", "b", "c", "d", UNSURE, "s1", "s2", "s3", "support", "zzz"]) | texts


@given(st.lists(st.one_of(st.tuples(keys, values), st.none(), st.integers(), texts), max_size=14))
def test_any_evidence_is_safe_and_the_probabilities_sum_to_one(pairs):
    cleaned = clean_evidence(GUIDE, pairs)

    assert clean_evidence(GUIDE, cleaned) == cleaned
    assert set(cleaned) <= {p for p in pairs if isinstance(p, tuple)}
    answers = [k for k, _ in cleaned if k not in (FAILED, COULDNT, NOT_IT)]
    steps = [v for k, v in cleaned if k in (FAILED, COULDNT)]
    assert len(set(answers)) == len(answers) and len(set(steps)) == len(steps)
    assert [v for k, v in cleaned if k == NOT_IT] in ([], ["c"])  # the one explanation cause, once
    assert "support" not in steps
    ranking = rank(GUIDE, pairs)
    assert ranking == rank(GUIDE, cleaned)
    assert sorted(r.cause for r in ranking) == ["a", "b", "c", "d"]
    assert math.fsum(r.probability for r in ranking) == pytest.approx(1.0, abs=1e-12)
    probs = [r.probability for r in ranking]
    assert probs == sorted(probs, reverse=True)
    assert all(p > 0 for p in probs)
    for ranked in ranking:
        if ranked.facets:
            assert math.fsum(p for _, p in ranked.facets) == pytest.approx(1.0)
            assert ranked.facet == ranked.facets[0][0]


# --------------------------------------------------------------------------------------
# The answer someone with a cause gives


def test_someone_with_a_cause_gives_the_answer_pointing_to_it_most_strongly():
    question = Question(
        "q",
        "Which?",
        (
            Answer("hint", "A hint", (Effect("a", MORE),)),
            Answer("clear", "Clearly", (Effect("a", STRONG), Effect("b", RULES_OUT))),
            Answer("other", "Other", (Effect("b", STRONG),)),
            Answer("also", "Also clearly", (Effect("b", STRONG), Effect("a", LESS))),
        ),
    )

    assert answer_for(question, "a") == "clear"
    assert answer_for(question, "b") == "other"  # a tie goes to the first answer
    assert answer_for(question, "c") == UNSURE  # no answer leans towards it


def test_someone_with_a_cause_is_unsure_when_answers_only_speak_against_it_or_about_its_facets():
    question = Question(
        "q",
        "Which?",
        (
            Answer("no", "No", (Effect("a", LESS),)),
            Answer("kind", "This kind", (Effect("a", STRONG, "f"),)),
            Answer("neither", "Neither"),
        ),
    )

    assert answer_for(question, "a") == UNSURE
