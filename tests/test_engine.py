"""Unit tests for the questionnaire engine: plain data in, plain data out, no database."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guides.engine import (
    LIKELIHOOD_RATIO,
    MIN_INFORMATION_GAIN,
    UNSURE,
    Answer,
    Cause,
    Diagnosis,
    Effect,
    Question,
    Questionnaire,
    QuestionnaireError,
    Reason,
    Strength,
    answer_for,
    askable,
    clean_answers,
    consistent_answers,
    diagnose,
    information_gains,
    next_question,
    rank,
)

RULES_OUT, LESS, MORE, STRONG = Strength.RULES_OUT, Strength.LESS, Strength.MORE, Strength.STRONG


# --------------------------------------------------------------------------------------
# Builders


def q(key, *answers, requires=None):
    """Build a question whose answers are (key, {cause or "cause/facet": strength}) pairs."""
    built = []
    for answer_key, effects in answers:
        built.append(Answer(answer_key, answer_key.title(), tuple(_effects(effects))))
    return Question(key, f"{key}?", tuple(built), requires)


def _effects(effects):
    for target, strength in effects.items():
        cause, _, facet = target.partition("/")
        yield Effect(cause, strength, facet or None)


def probabilities(questionnaire, answers):
    return {r.cause: r.probability for r in rank(questionnaire, answers)}


def normalised(weights):
    total = sum(weights.values())
    return {k: w / total for k, w in weights.items()}


def dense_gain(questionnaire, answers, question_key):
    """Compute I(C; A) the slow way, answer by answer and cause by cause."""
    p = probabilities(questionnaire, answers)
    question = next(x for x in questionnaire.questions if x.key == question_key)
    conditional = {}
    for cause in questionnaire.causes:
        ratios = []
        for answer in question.answers:
            ratio = 1.0
            for effect in answer.effects:
                if effect.cause == cause.key and effect.facet is None:
                    ratio *= LIKELIHOOD_RATIO[effect.strength]
            ratios.append(ratio)
        conditional[cause.key] = [r / sum(ratios) for r in ratios]
    predicted = [sum(p[c] * conditional[c][i] for c in p) for i in range(len(question.answers))]

    def entropy(dist):
        return -sum(x * math.log(x) for x in dist if x > 0)

    return entropy(predicted) - sum(p[c] * entropy(conditional[c]) for c in p)


THREE = (Cause("a", 1), Cause("b", 2), Cause("c", 4))


# --------------------------------------------------------------------------------------
# The numbers


def test_effect_accepts_the_plain_strength_word():
    assert Effect("a", "strong").strength is STRONG
    with pytest.raises(ValueError):
        Effect("a", "very_strong")


# --------------------------------------------------------------------------------------
# Ranking


def test_rank_without_answers_follows_the_prior_weights():
    questionnaire = Questionnaire(THREE, ())
    ranking = rank(questionnaire, [])
    assert [r.cause for r in ranking] == ["c", "b", "a"]
    assert [r.probability for r in ranking] == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    assert all(r.reasons == () and r.facet is None for r in ranking)


def test_rank_after_answers_matches_posteriors_computed_by_hand():
    questionnaire = Questionnaire(
        THREE,
        (
            q("q1", ("yes", {"a": STRONG, "c": LESS}), ("no", {})),
            q("q2", ("yes", {}), ("no", {"b": MORE, "c": RULES_OUT})),
        ),
    )
    # a: 1 * 8 = 8; b: 2 * 2 = 4; c: 4 * 0.5 * 0.05 = 0.1.
    expected = normalised({"a": 8, "b": 4, "c": 0.1})
    ranking = rank(questionnaire, [("q1", "yes"), ("q2", "no")])
    assert [r.cause for r in ranking] == ["a", "b", "c"]
    assert {r.cause: r.probability for r in ranking} == pytest.approx(expected)


def test_answer_order_does_not_change_the_posterior():
    questionnaire = Questionnaire(
        THREE,
        (q("q1", ("yes", {"a": STRONG}), ("no", {})), q("q2", ("yes", {"c": RULES_OUT}), ("no", {}))),
    )
    forward = probabilities(questionnaire, [("q1", "yes"), ("q2", "yes")])
    backward = probabilities(questionnaire, [("q2", "yes"), ("q1", "yes")])
    assert forward == pytest.approx(backward)


def test_causes_with_equal_probability_keep_their_cause_order():
    causes = (Cause("x", 2), Cause("y", 1), Cause("z", 2))
    questionnaire = Questionnaire(causes, (q("q1", ("yes", {"y": MORE, "x": MORE, "z": MORE}), ("no", {})),))
    assert [r.cause for r in rank(questionnaire, [])] == ["x", "z", "y"]
    # x: 2 * 2 * 0.5 = 2, equal to z's untouched 2: still x first.
    questionnaire = Questionnaire(causes, (q("q1", ("yes", {"x": MORE})), q("q2", ("yes", {"x": LESS}), ("no", {}))))
    ranking = rank(questionnaire, [("q1", "yes"), ("q2", "yes")])
    assert [r.cause for r in ranking] == ["x", "z", "y"]
    assert ranking[0].probability == ranking[1].probability


def test_rule_out_answer_drops_cause_out_of_the_running_but_not_to_zero():
    causes = (Cause("common", 8), Cause("other", 4), Cause("rare", 1))
    questionnaire = Questionnaire(causes, (q("q1", ("yes", {"common": RULES_OUT}), ("no", {})),))
    p = probabilities(questionnaire, [("q1", "yes")])
    # common: 8 * 0.05 = 0.4, now below even the rare cause.
    assert p == pytest.approx(normalised({"common": 0.4, "other": 4, "rare": 1}))
    assert [r.cause for r in rank(questionnaire, [("q1", "yes")])] == ["other", "rare", "common"]
    assert p["common"] > 0


def test_two_strong_answers_bring_a_ruled_out_cause_back():
    causes = (Cause("true", 1), Cause("rival", 1))
    questionnaire = Questionnaire(
        causes,
        (
            q("mistake", ("yes", {"true": RULES_OUT}), ("no", {})),
            q("s1", ("yes", {"true": STRONG}), ("no", {})),
            q("s2", ("yes", {"true": STRONG}), ("no", {})),
        ),
    )
    after_one = rank(questionnaire, [("mistake", "yes"), ("s1", "yes")])
    assert after_one[0].cause == "rival"  # 0.05 * 8 = 0.4 < 1
    after_two = rank(questionnaire, [("mistake", "yes"), ("s1", "yes"), ("s2", "yes")])
    assert after_two[0].cause == "true"
    assert after_two[0].probability == pytest.approx(3.2 / 4.2)


def test_unsure_answer_changes_nothing_in_the_ranking():
    questionnaire = Questionnaire(
        THREE, (q("q1", ("yes", {"a": STRONG}), ("no", {"c": STRONG})), q("q2", ("yes", {"b": STRONG}), ("no", {})))
    )
    before = rank(questionnaire, [("q2", "yes")])
    after = rank(questionnaire, [("q2", "yes"), ("q1", UNSURE)])
    assert after == before


def test_unsure_answer_still_counts_as_asked():
    questionnaire = Questionnaire(
        THREE, (q("q1", ("yes", {"a": STRONG}), ("no", {})), q("q2", ("yes", {"b": STRONG}), ("no", {})))
    )
    assert [x.key for x in askable(questionnaire, [("q1", UNSURE)])] == ["q2"]
    assert next_question(questionnaire, [("q1", UNSURE)]).key == "q2"


def test_reasons_list_the_answers_that_raised_or_lowered_each_cause():
    questionnaire = Questionnaire(
        THREE,
        (
            q("q1", ("yes", {"a": STRONG, "c": LESS}), ("no", {})),
            q("q2", ("yes", {"a": LESS}), ("no", {})),
            q("q3", ("yes", {"b": MORE}), ("no", {})),
        ),
    )
    ranking = {r.cause: r for r in rank(questionnaire, [("q1", "yes"), ("q3", UNSURE), ("q2", "yes")])}
    assert ranking["a"].reasons == (Reason("q1", "yes", STRONG), Reason("q2", "yes", LESS))
    assert ranking["c"].reasons == (Reason("q1", "yes", LESS),)
    assert ranking["b"].reasons == ()  # "not sure" is never a reason


# --------------------------------------------------------------------------------------
# Facets


FACETED = (Cause("spam", 4, ("content", "rate")), Cause("net", 4, ("signal", "dns", "proxy")))


def test_facet_is_none_without_facet_evidence():
    questionnaire = Questionnaire(FACETED, (q("q1", ("yes", {"spam": STRONG}), ("no", {})),))
    ranking = rank(questionnaire, [("q1", "yes")])
    assert all(r.facet is None and r.facets == () for r in ranking)


def test_facet_evidence_ranks_facets_within_their_cause():
    questionnaire = Questionnaire(
        FACETED,
        (
            q("notice", ("too-fast", {"spam": STRONG, "spam/rate": STRONG}), ("link", {"spam/content": MORE})),
            q("vpn", ("yes", {"net/proxy": MORE, "net/signal": LESS}), ("no", {})),
        ),
    )
    ranking = {r.cause: r for r in rank(questionnaire, [("notice", "too-fast"), ("vpn", "yes")])}
    assert ranking["spam"].facet == "rate"
    assert dict(ranking["spam"].facets) == pytest.approx({"rate": 8 / 9, "content": 1 / 9})
    # Uniform prior over net's three facets: proxy 2, dns 1, signal 0.5.
    assert ranking["net"].facet == "proxy"
    assert [f for f, _ in ranking["net"].facets] == ["proxy", "dns", "signal"]
    assert dict(ranking["net"].facets) == pytest.approx({"proxy": 2 / 3.5, "dns": 1 / 3.5, "signal": 0.5 / 3.5})
    assert ranking["net"].facet_reasons == (
        Reason("vpn", "yes", MORE, "proxy"),
        Reason("vpn", "yes", LESS, "signal"),
    )
    assert ranking["spam"].reasons == (Reason("notice", "too-fast", STRONG),)


def test_facet_effects_do_not_change_the_cause_probability():
    questionnaire = Questionnaire(FACETED, (q("q1", ("yes", {"spam/rate": STRONG, "net/dns": RULES_OUT}), ("no", {})),))
    assert probabilities(questionnaire, [("q1", "yes")]) == pytest.approx({"spam": 0.5, "net": 0.5})
    ranking = {r.cause: r for r in rank(questionnaire, [("q1", "yes")])}
    assert ranking["spam"].facet == "rate"
    assert ranking["net"].facet == "signal"  # dns ruled out: the tie between the others goes to facet order


def test_facet_only_question_is_never_informative_about_the_cause():
    questionnaire = Questionnaire(FACETED, (q("q1", ("yes", {"spam/rate": STRONG}), ("no", {})),))
    assert information_gains(questionnaire, []) == {"q1": 0.0}
    assert diagnose(questionnaire, []).stop_reason == "no_informative_question"


# --------------------------------------------------------------------------------------
# Choosing the next question


def test_next_question_is_the_most_informative_even_when_listed_last():
    causes = (Cause("a", 4), Cause("b", 4), Cause("rare", 1))
    questionnaire = Questionnaire(
        causes,
        (
            q("about-rare", ("yes", {"rare": STRONG}), ("no", {"rare": LESS})),
            q("weak-split", ("yes", {"a": MORE}), ("no", {"b": MORE})),
            q("clean-split", ("yes", {"a": STRONG, "b": RULES_OUT}), ("no", {"b": STRONG, "a": RULES_OUT})),
        ),
    )
    gains = information_gains(questionnaire, [])
    assert list(gains) == ["about-rare", "weak-split", "clean-split"]
    for key, gain in gains.items():
        assert gain == pytest.approx(dense_gain(questionnaire, [], key), abs=1e-12)
    assert max(gains, key=gains.get) == "clean-split"
    assert next_question(questionnaire, []).key == "clean-split"


def test_equally_informative_questions_go_to_staff_order():
    causes = (Cause("a", 1), Cause("b", 1))
    mirror = (
        q("second-listed-first", ("yes", {"b": STRONG}), ("no", {})),
        q("first-listed-second", ("yes", {"a": STRONG}), ("no", {})),
    )
    assert next_question(Questionnaire(causes, mirror), []).key == "second-listed-first"
    assert next_question(Questionnaire(causes, mirror[::-1]), []).key == "first-listed-second"


def test_next_question_is_deterministic():
    def build():
        causes = tuple(Cause(f"c{i}", 1 + i % 4) for i in range(12))
        questions = tuple(
            q(f"q{j}", ("yes", {f"c{j % 12}": STRONG, f"c{(j * 5) % 12}": LESS}), ("no", {f"c{(j + 3) % 12}": MORE}))
            for j in range(20)
        )
        return Questionnaire(causes, questions)

    first, second = build(), build()
    answers = [("q3", "no"), ("q7", "yes")]
    keys = {next_question(x, answers).key for x in (first, second, first, second)}
    assert len(keys) == 1
    assert diagnose(first, answers) == diagnose(second, answers)


def test_answer_effects_are_what_a_question_is_worth():
    questionnaire = Questionnaire(THREE, (q("q1", ("yes", {"a": MORE}), ("no", {})),))
    assert information_gains(questionnaire, [])["q1"] == pytest.approx(dense_gain(questionnaire, [], "q1"))


# --------------------------------------------------------------------------------------
# Stopping


def test_stops_confident_when_the_top_cause_reaches_the_threshold():
    causes = (Cause("a", 1), Cause("b", 1))
    questions = (q("q1", ("yes", {"a": STRONG}), ("no", {})), q("q2", ("yes", {"b": STRONG}), ("no", {})))
    questionnaire = Questionnaire(causes, questions, threshold=0.8)
    assert diagnose(questionnaire, []).stop_reason is None
    # a: 8 / 9 ≈ 0.89 >= 0.8
    diagnosis = diagnose(questionnaire, [("q1", "yes")])
    assert (diagnosis.question, diagnosis.stop_reason, diagnosis.remaining) == (None, "confident", 0)
    assert next_question(questionnaire, [("q1", "yes")]) is None


def test_reaching_the_threshold_exactly_counts_as_confident():
    causes = (Cause("a", 3), Cause("b", 1))
    questionnaire = Questionnaire(causes, (q("q1", ("yes", {"b": STRONG}), ("no", {})),), threshold=0.75)
    assert diagnose(questionnaire, []).stop_reason == "confident"


def test_stops_at_max_questions_counting_unsure_answers():
    causes = tuple(Cause(k, 1) for k in "abcd")
    questions = tuple(q(f"q{k}", ("yes", {k: MORE}), ("no", {k: LESS})) for k in "abcd")
    questionnaire = Questionnaire(causes, questions, max_questions=2)
    assert diagnose(questionnaire, [("qa", "yes")]).stop_reason is None
    diagnosis = diagnose(questionnaire, [("qa", "yes"), ("qb", UNSURE)])
    assert (diagnosis.question, diagnosis.stop_reason, diagnosis.remaining) == (None, "max_questions", 0)
    assert next_question(questionnaire, [("qa", UNSURE), ("qb", UNSURE)]) is None


def test_stops_when_no_question_is_informative():
    causes = (Cause("a", 1), Cause("b", 1))
    questions = (
        q("no-effects", ("yes", {}), ("no", {})),
        q("same-for-all", ("yes", {"a": MORE, "b": MORE}), ("no", {"a": MORE, "b": MORE})),
        q("only-split", ("yes", {"a": STRONG}), ("no", {"b": STRONG})),
    )
    questionnaire = Questionnaire(causes, questions, threshold=0.99)
    assert next_question(questionnaire, []).key == "only-split"
    diagnosis = diagnose(questionnaire, [("only-split", UNSURE)])
    assert diagnosis.stop_reason == "no_informative_question"
    assert max(information_gains(questionnaire, [("only-split", UNSURE)]).values()) <= MIN_INFORMATION_GAIN


def test_stops_when_every_question_is_answered():
    questionnaire = Questionnaire(THREE, (q("q1", ("yes", {"a": MORE}), ("no", {})),))
    assert diagnose(questionnaire, [("q1", "no")]).stop_reason == "no_informative_question"


def test_diagnosis_while_asking_estimates_the_questions_to_come():
    causes = tuple(Cause(k, 1) for k in "abcdefgh")
    questions = tuple(q(f"q{k}", ("yes", {k: STRONG}), ("no", {k: LESS})) for k in "abcdefgh")
    questionnaire = Questionnaire(causes, questions, max_questions=5)
    diagnosis = diagnose(questionnaire, [])
    assert diagnosis.stop_reason is None
    assert diagnosis.question is not None
    assert 1 <= diagnosis.remaining <= 5
    later = diagnose(questionnaire, [("qa", "no"), ("qb", "no"), ("qc", "no")])
    assert 1 <= later.remaining <= 2


# --------------------------------------------------------------------------------------
# Follow-up questions and cleaning


FOLLOW_UP = Questionnaire(
    THREE,
    (
        q("notice", ("yes", {"a": MORE}), ("no", {"b": MORE})),
        q("which", ("fast", {"a": STRONG}), ("spam", {"c": STRONG}), requires=("notice", "yes")),
        q("other", ("yes", {"c": MORE}), ("no", {"c": LESS})),
    ),
)


def test_follow_up_is_not_askable_until_its_required_answer():
    assert [x.key for x in askable(FOLLOW_UP, [])] == ["notice", "other"]
    assert [x.key for x in askable(FOLLOW_UP, [("notice", "no")])] == ["other"]
    assert [x.key for x in askable(FOLLOW_UP, [("notice", UNSURE)])] == ["other"]
    assert [x.key for x in askable(FOLLOW_UP, [("notice", "yes")])] == ["which", "other"]


def test_clean_answers_keeps_usable_answers_in_order():
    answers = [("other", "no"), ("notice", "yes"), ("which", UNSURE)]
    assert clean_answers(FOLLOW_UP, answers) == (("other", "no"), ("notice", "yes"), ("which", UNSURE))


def test_clean_answers_drops_unknown_questions_and_answers():
    answers = [("nope", "yes"), ("notice", "maybe"), ("other", "YES"), ("other", "yes")]
    assert clean_answers(FOLLOW_UP, answers) == (("other", "yes"),)


def test_clean_answers_keeps_the_first_answer_to_a_question():
    assert clean_answers(FOLLOW_UP, [("notice", "no"), ("notice", "yes")]) == (("notice", "no"),)
    assert clean_answers(FOLLOW_UP, [("notice", UNSURE), ("notice", "yes")]) == (("notice", UNSURE),)


def test_clean_answers_drops_a_follow_up_given_before_its_required_answer():
    assert clean_answers(FOLLOW_UP, [("which", "fast"), ("notice", "yes")]) == (("notice", "yes"),)
    assert clean_answers(FOLLOW_UP, [("notice", "no"), ("which", "fast")]) == (("notice", "no"),)


def test_clean_answers_ignores_garbage():
    garbage = [
        None,
        42,
        "notice",
        "ab",
        ("notice",),
        ("notice", "yes", "extra"),
        (1, 2),
        ("other", None),
        b"xy",
        ["other", "yes"],
    ]
    assert clean_answers(FOLLOW_UP, garbage) == (("other", "yes"),)
    assert clean_answers(FOLLOW_UP, None) == ()
    assert clean_answers(FOLLOW_UP, "notice") == ()
    assert clean_answers(FOLLOW_UP, 7) == ()


def test_every_function_cleans_its_answers():
    messy = [("which", "fast"), ("notice", "yes"), ("notice", "no"), ("bogus", "x")]
    clean = [("notice", "yes")]
    assert rank(FOLLOW_UP, messy) == rank(FOLLOW_UP, clean)
    assert askable(FOLLOW_UP, messy) == askable(FOLLOW_UP, clean)
    assert next_question(FOLLOW_UP, messy) == next_question(FOLLOW_UP, clean)
    assert diagnose(FOLLOW_UP, messy) == diagnose(FOLLOW_UP, clean)
    assert diagnose(FOLLOW_UP, messy).answers == (("notice", "yes"),)


# --------------------------------------------------------------------------------------
# Content mistakes are reported, not guessed around


@pytest.mark.parametrize(
    ("causes", "questions", "message"),
    [
        ((), (), "at least one cause"),
        ((Cause("a", 1), Cause("a", 2)), (), "duplicate cause"),
        ((Cause("a", 0),), (), "positive"),
        ((Cause("a", 1),), (q("q", ("yes", {"zzz": MORE})),), "unknown cause"),
        ((Cause("a", 1, ("f",)),), (q("q", ("yes", {"a/g": MORE})),), "no facet"),
        ((Cause("a", 1),), (q("q", ("yes", {})), q("q", ("no", {}))), "duplicate question"),
        ((Cause("a", 1),), (q("q", ("yes", {}), ("yes", {})),), "duplicate answer"),
        ((Cause("a", 1),), (q("q", (UNSURE, {})),), "reserved"),
        ((Cause("a", 1),), (Question("q", "?", ()),), "no answers"),
        ((Cause("a", 1),), (q("q", ("yes", {}), requires=("q0", "yes")),), "requires unknown"),
    ],
)
def test_inconsistent_questionnaire_raises(causes, questions, message):
    with pytest.raises(QuestionnaireError, match=message):
        rank(Questionnaire(causes, questions), [])


def test_lists_are_accepted_where_tuples_are_expected():
    questionnaire = Questionnaire(
        [Cause("a", 1, ["f"]), Cause("b", 1)],
        [Question("q", "?", [Answer("yes", "Yes", [Effect("a", "strong")]), Answer("no", "No")], ["q0", "x"])],
    )
    assert isinstance(questionnaire.questions[0].answers, tuple)
    assert questionnaire.questions[0].requires == ("q0", "x")
    hash(questionnaire)


# --------------------------------------------------------------------------------------
# Properties


texts = st.text(alphabet="abcnoyesurt-", max_size=8)
GUIDE = Questionnaire(
    (Cause("a", 1, ("f1", "f2")), Cause("b", 2), Cause("c", 4), Cause("d", 8)),
    (
        q("yes", ("yes", {"a": STRONG, "a/f1": MORE}), ("no", {"a": RULES_OUT, "b": MORE})),
        q("no", ("yes", {"c": LESS}), ("no", {"d": LESS, "a/f2": STRONG})),
        q("a", ("a", {"b": STRONG}), ("b", {"c": STRONG}), ("c", {"d": STRONG}), requires=("yes", "yes")),
        q("b", ("yes", {"d": RULES_OUT}), ("no", {}), requires=("a", "c")),
    ),
    max_questions=3,
)
keys = st.sampled_from(["yes", "no", "a", "b", "c", UNSURE, "zzz"]) | texts


@given(st.lists(st.tuples(keys, keys), max_size=12))
def test_any_list_of_text_pairs_is_safe_and_probabilities_sum_to_one(pairs):
    cleaned = clean_answers(GUIDE, pairs)
    assert len({k for k, _ in cleaned}) == len(cleaned)
    assert clean_answers(GUIDE, cleaned) == cleaned
    diagnosis = diagnose(GUIDE, pairs)
    assert isinstance(diagnosis, Diagnosis)
    assert diagnosis.answers == cleaned
    assert sorted(r.cause for r in diagnosis.ranking) == ["a", "b", "c", "d"]
    assert math.fsum(r.probability for r in diagnosis.ranking) == pytest.approx(1.0, abs=1e-12)
    probs = [r.probability for r in diagnosis.ranking]
    assert probs == sorted(probs, reverse=True)
    assert (diagnosis.question is None) == (diagnosis.stop_reason is not None)
    assert (diagnosis.remaining == 0) == (diagnosis.question is None)
    for ranked in diagnosis.ranking:
        if ranked.facets:
            assert math.fsum(p for _, p in ranked.facets) == pytest.approx(1.0)


@st.composite
def questionnaires(draw):
    n_causes = draw(st.integers(1, 6))
    causes = tuple(Cause(f"c{i}", draw(st.sampled_from([1, 2, 4, 8])), ("f", "g")) for i in range(n_causes))
    questions = []
    for j in range(draw(st.integers(1, 5))):
        answers = []
        for k in range(draw(st.integers(2, 5))):
            effects = draw(
                st.lists(
                    st.builds(
                        Effect,
                        st.sampled_from([c.key for c in causes]),
                        st.sampled_from(list(Strength)),
                        st.sampled_from([None, None, "f", "g"]),
                    ),
                    max_size=4,
                )
            )
            answers.append(Answer(f"a{k}", "", tuple(effects)))
        questions.append(Question(f"q{j}", "", tuple(answers)))
    return Questionnaire(causes, tuple(questions))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(questionnaires(), st.data())
def test_sparse_information_gain_equals_the_dense_formula(questionnaire, data):
    keys = [x.key for x in questionnaire.questions]
    asked = data.draw(st.lists(st.sampled_from(keys), unique=True, max_size=len(keys) - 1))
    answers = []
    for key in asked:
        question = next(x for x in questionnaire.questions if x.key == key)
        answers.append((key, data.draw(st.sampled_from([a.key for a in question.answers] + [UNSURE]))))
    p = probabilities(questionnaire, answers)
    assert math.fsum(p.values()) == pytest.approx(1.0)
    gains = information_gains(questionnaire, answers)
    for key, gain in gains.items():
        assert gain == pytest.approx(dense_gain(questionnaire, answers, key), abs=1e-9)
        assert gain >= -1e-12
    chosen = next_question(questionnaire, answers)
    if chosen is not None:
        assert gains[chosen.key] == pytest.approx(max(gains.values()), abs=1e-9)


def test_someone_with_a_cause_gives_the_answer_pointing_to_it_most_strongly():
    question = Question(
        "q",
        "Which?",
        (
            Answer("hint", "A hint", (Effect("a", MORE),)),
            Answer("clear", "Clearly", (Effect("a", STRONG), Effect("b", RULES_OUT))),
            Answer("other", "Other", (Effect("b", STRONG),)),
        ),
    )

    assert answer_for(question, "a") == "clear"
    assert answer_for(question, "b") == "other"
    assert answer_for(question, "c") == UNSURE  # no answer leans towards it


def test_a_consistent_visitor_answers_until_the_engine_stops():
    questionnaire = Questionnaire(
        (Cause("a", 1), Cause("b", 1)),
        (
            Question(
                "q1", "One?", (Answer("y", "Yes", (Effect("a", STRONG),)), Answer("n", "No", (Effect("b", STRONG),)))
            ),
            Question("q2", "Two?", (Answer("y", "Yes", (Effect("a", MORE),)), Answer("n", "No", (Effect("b", MORE),)))),
        ),
        threshold=0.75,
    )

    assert consistent_answers(questionnaire, "a") == (("q1", "y"),)  # 8:1 is past 75 %: it stops
    assert consistent_answers(questionnaire, "b", limit=1) == (("q1", "n"),)
    assert rank(questionnaire, consistent_answers(questionnaire, "b"))[0].cause == "b"
