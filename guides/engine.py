"""Rank the possible causes of a visitor's problem from their answers and pick the next question.

Plain Python on plain data: no Django, no database, so it is tested in microseconds and
can run anywhere. Views load a guide's questions into the dataclasses below and call
``diagnose(questionnaire, answers)`` after every answer.

The model
---------
* Each cause starts from its prior ``weight`` (relative: rare=1, uncommon=2, common=4,
  very_common=8); only the ratios between weights matter.
* Every answer the visitor gives multiplies the weight of each cause it mentions by the
  likelihood ratio of its strength (``LIKELIHOOD_RATIO``); a cause the answer does not
  mention is multiplied by 1, and "I'm not sure" (``UNSURE``) changes nothing. The
  posterior is the normalised product: P(c | answers) ∝ weight(c) * Π LR(answer, c).
  Weights are kept as logarithms, so no number of answers can underflow them. The numbers:

  ========== ===== =====================================================================
  strength   ratio why
  ========== ===== =====================================================================
  rules_out  0.05  Near zero but not zero: one mistaken answer must not bury the true cause
                   for good. 0.05 * 8 * 8 = 3.2, so two strong answers bring it back
                   above where it started.
  less       0.5   One halving: a hint, not a verdict.
  more       2     The mirror of ``less``.
  strong     8     Three doublings: one strong answer lifts a rare cause (weight 1) level
                   with a very common one (weight 8) that the answer does not mention.
  ========== ===== =====================================================================

* Facets (the kinds of a cause, e.g. rate limiting within spam detection) are ranked
  within their cause only: uniform prior over the cause's facets, the same ratios, and no
  effect on the cause's own probability (content lists cause-level effects separately).

Choosing the next question
--------------------------
The engine asks the allowed question with the largest expected information gain about the
cause, I(C; A) = H(A) - Σ_c p(c) H(A | c), under the predictive model
P(a | c) = LR(a, c) / Σ_a' LR(a', c) over the question's own answers (LR = 1 where an answer
does not mention c). A cause that no answer of the question mentions has P(a | c) = 1/n and
H(A | c) = log n, so it is summed once instead of answer by answer: a question costs time in
proportion to its effects, not to causes * answers. Gains within ``TIE_TOLERANCE`` of the best
are ties, won by the question that comes first in staff order. Facet effects do not count
towards the gain, so every question needs at least one cause-level effect to be asked.

Stopping
--------
In this order: the top cause has probability >= ``threshold`` ("confident"); the visitor has
answered ``max_questions`` questions, "I'm not sure" included ("max_questions"); no allowed
question would gain more than ``MIN_INFORMATION_GAIN`` ("no_informative_question").

Every public function cleans the answers it is given (see ``clean_answers``), so any list of
string pairs is safe to pass. Derived tables are built once per ``Questionnaire`` object and
kept while it lives, so keep one object per content version. A questionnaire that contradicts itself
(unknown cause or facet, duplicate key, ...) raises ``QuestionnaireError`` on first use.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "LIKELIHOOD_RATIO",
    "MIN_INFORMATION_GAIN",
    "TIE_TOLERANCE",
    "UNSURE",
    "Answer",
    "Cause",
    "Diagnosis",
    "Effect",
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "Ranked",
    "Reason",
    "Strength",
    "answer_for",
    "askable",
    "clean_answers",
    "consistent_answers",
    "diagnose",
    "information_gains",
    "next_question",
    "rank",
]


class Strength(StrEnum):
    """How strongly an answer speaks for or against a cause."""

    RULES_OUT = "rules_out"
    LESS = "less"
    MORE = "more"
    STRONG = "strong"


# The reasons for each number are in the module docstring.
LIKELIHOOD_RATIO: dict[Strength, float] = {
    Strength.RULES_OUT: 0.05,
    Strength.LESS: 0.5,
    Strength.MORE: 2.0,
    Strength.STRONG: 8.0,
}

# The answer key meaning "I'm not sure": always accepted, changes nothing, counts as asked.
UNSURE = "unsure"

# In nats. A question worth less than this is not worth the visitor's time: a yes/no question
# whose only effect is one "more" on a 2%-likely cause is worth 0.0011 nats, and one that rules
# out a 1%-likely cause 0.005.
MIN_INFORMATION_GAIN = 1e-3

# Gains (nats) this close count as equal, and the question first in staff order wins.
TIE_TOLERANCE = 1e-9

# Probabilities are compared with this much slack, so 0.75 computed as 0.7499999999999999
# still counts as reaching a threshold of 0.75.
_THRESHOLD_SLACK = 1e-12

# Log-weights are rounded to this many decimals before ordering causes, so causes with the
# same evidence tie exactly (and fall back to cause order) despite rounding in the logs.
_RANK_DECIMALS = 9


class QuestionnaireError(ValueError):
    """A questionnaire's content contradicts itself (unknown cause, duplicate key, ...)."""


def _as_tuple(value) -> tuple:
    return value if isinstance(value, tuple) else tuple(value)


@dataclass(frozen=True, slots=True)
class Effect:
    """What one answer says about one cause, or about one facet of it."""

    cause: str
    strength: Strength
    facet: str | None = None

    def __post_init__(self):
        # Loaders may pass the plain word ("strong"); an unknown word raises ValueError.
        object.__setattr__(self, "strength", Strength(self.strength))


@dataclass(frozen=True, slots=True)
class Answer:
    """One choice of a question."""

    key: str
    text: str
    effects: tuple[Effect, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "effects", _as_tuple(self.effects))


@dataclass(frozen=True, slots=True)
class Question:
    """A multiple-choice question; ``requires`` is the (question, answer) that must come first."""

    key: str
    text: str
    answers: tuple[Answer, ...]
    requires: tuple[str, str] | None = None

    def __post_init__(self):
        object.__setattr__(self, "answers", _as_tuple(self.answers))
        if self.requires is not None:
            object.__setattr__(self, "requires", _as_tuple(self.requires))


@dataclass(frozen=True, slots=True)
class Cause:
    """A possible cause; ``weight`` is its relative prior (rare=1 ... very_common=8)."""

    key: str
    weight: float
    facets: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "facets", _as_tuple(self.facets))


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Questionnaire:
    """A guide's causes and questions; questions are in staff order, which breaks ties."""

    causes: tuple[Cause, ...]
    questions: tuple[Question, ...]
    threshold: float = 0.75
    max_questions: int = 8

    def __post_init__(self):
        object.__setattr__(self, "causes", _as_tuple(self.causes))
        object.__setattr__(self, "questions", _as_tuple(self.questions))


@dataclass(frozen=True, slots=True)
class Reason:
    """An answer that raised or lowered a cause (or, with ``facet``, one of its facets)."""

    question: str
    answer: str
    strength: Strength
    facet: str | None = None


@dataclass(frozen=True, slots=True)
class Ranked:
    """A cause with its probability and the answers that moved it.

    ``facet`` is the most likely facet when any answer spoke about the cause's facets, else
    None; ``facets`` then lists every facet with its probability, most likely first, and
    ``facet_reasons`` the answers that spoke about them.
    """

    cause: str
    probability: float
    reasons: tuple[Reason, ...]
    facet: str | None
    facets: tuple[tuple[str, float], ...] = ()
    facet_reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Everything a page needs after an answer.

    ``remaining`` counts the questions still expected, the one in ``question`` included
    (0 once stopped). ``answers`` holds the cleaned answers the diagnosis was made from.
    """

    ranking: tuple[Ranked, ...]
    question: Question | None
    stop_reason: str | None
    remaining: int
    answers: tuple[tuple[str, str], ...] = ()


# --------------------------------------------------------------------------------------
# The index: everything derived from a questionnaire, built once.


class _AnswerInfo:
    __slots__ = ("cause_effects", "facet_effects", "facet_reasons", "key", "reasons")

    def __init__(self, key, cause_effects, facet_effects, reasons, facet_reasons):
        self.key = key
        self.cause_effects = cause_effects  # ((cause_idx, log_lr), ...), one per cause
        self.facet_effects = facet_effects  # ((cause_idx, facet_idx, log_lr), ...)
        self.reasons = reasons  # ((cause_idx, Reason), ...)
        self.facet_reasons = facet_reasons  # ((cause_idx, Reason), ...)


class _QuestionInfo:
    __slots__ = (
        "answer_pos",
        "answers",
        "inv_n",
        "key",
        "log_n",
        "mentioned",
        "n",
        "question",
        "requires",
        "spread",
    )

    def __init__(self, question, answers, mentioned, spread):
        n = len(answers)
        self.question = question
        self.key = question.key
        self.requires = question.requires
        self.answers = answers
        self.answer_pos = {a.key: i for i, a in enumerate(answers)}
        self.n = n
        self.inv_n = 1.0 / n
        self.log_n = math.log(n)
        # ((cause_idx, 1/Z_c, H(A|c)), ...) for the causes some answer mentions.
        self.mentioned = mentioned
        # ((answer_idx, cause_idx, (LR - 1)/Z_c), ...): how far P(a|c) sits above 1/Z_c.
        self.spread = spread


class _Index:
    __slots__ = ("by_key", "causes", "facets", "log_prior", "max_questions", "questions", "threshold")

    def __init__(self, questionnaire: Questionnaire):
        causes = questionnaire.causes
        if not causes:
            raise QuestionnaireError("a questionnaire needs at least one cause")
        cause_pos: dict[str, int] = {}
        facet_pos: list[dict[str, int]] = []
        for i, cause in enumerate(causes):
            if cause.key in cause_pos:
                raise QuestionnaireError(f"duplicate cause {cause.key!r}")
            if not (isinstance(cause.weight, int | float) and math.isfinite(cause.weight) and cause.weight > 0):
                raise QuestionnaireError(f"cause {cause.key!r}: weight must be a positive number")
            if len(set(cause.facets)) != len(cause.facets):
                raise QuestionnaireError(f"cause {cause.key!r}: duplicate facet")
            cause_pos[cause.key] = i
            facet_pos.append({f: j for j, f in enumerate(cause.facets)})
        self.causes = causes
        self.log_prior = [math.log(c.weight) for c in causes]
        self.facets = [c.facets for c in causes]
        log_ratio = {s: math.log(r) for s, r in LIKELIHOOD_RATIO.items()}

        self.questions: list[_QuestionInfo] = []
        self.by_key: dict[str, _QuestionInfo] = {}
        for question in questionnaire.questions:
            where = f"question {question.key!r}"
            if question.key in self.by_key:
                raise QuestionnaireError(f"duplicate {where}")
            if not question.answers:
                raise QuestionnaireError(f"{where} has no answers")
            answers: list[_AnswerInfo] = []
            lr_by_cause: dict[int, list[float]] = {}  # cause_idx -> LR per answer
            seen: set[str] = set()
            for a_idx, answer in enumerate(question.answers):
                if answer.key == UNSURE:
                    raise QuestionnaireError(f"{where}: the answer key {UNSURE!r} is reserved")
                if answer.key in seen:
                    raise QuestionnaireError(f"{where}: duplicate answer {answer.key!r}")
                seen.add(answer.key)
                cause_log: dict[int, float] = {}
                cause_lr: dict[int, float] = {}
                facet_effects, reasons, facet_reasons = [], [], []
                for effect in answer.effects:
                    ci = cause_pos.get(effect.cause)
                    if ci is None:
                        raise QuestionnaireError(f"{where}/{answer.key}: unknown cause {effect.cause!r}")
                    if effect.facet is None:
                        cause_log[ci] = cause_log.get(ci, 0.0) + log_ratio[effect.strength]
                        cause_lr[ci] = cause_lr.get(ci, 1.0) * LIKELIHOOD_RATIO[effect.strength]
                        reasons.append((ci, Reason(question.key, answer.key, effect.strength)))
                    else:
                        fi = facet_pos[ci].get(effect.facet)
                        if fi is None:
                            raise QuestionnaireError(
                                f"{where}/{answer.key}: cause {effect.cause!r} has no facet {effect.facet!r}"
                            )
                        facet_effects.append((ci, fi, log_ratio[effect.strength]))
                        facet_reasons.append((ci, Reason(question.key, answer.key, effect.strength, effect.facet)))
                for ci, lr in cause_lr.items():
                    lr_by_cause.setdefault(ci, [1.0] * len(question.answers))[a_idx] = lr
                answers.append(
                    _AnswerInfo(
                        answer.key,
                        tuple(cause_log.items()),
                        tuple(facet_effects),
                        tuple(reasons),
                        tuple(facet_reasons),
                    )
                )
            mentioned, spread = [], []
            for ci in sorted(lr_by_cause):
                lrs = lr_by_cause[ci]
                z = sum(lrs)
                entropy = -sum((lr / z) * math.log(lr / z) for lr in lrs)
                mentioned.append((ci, 1.0 / z, entropy))
                spread.extend((a_idx, ci, (lr - 1.0) / z) for a_idx, lr in enumerate(lrs) if lr != 1.0)
            info = _QuestionInfo(question, tuple(answers), tuple(mentioned), tuple(spread))
            self.questions.append(info)
            self.by_key[question.key] = info

        for info in self.questions:
            if info.requires is None:
                continue
            if len(info.requires) != 2:
                raise QuestionnaireError(f"question {info.key!r}: requires must be (question, answer)")
            required_q, required_a = info.requires
            target = self.by_key.get(required_q)
            if target is None or required_a not in target.answer_pos:
                raise QuestionnaireError(f"question {info.key!r} requires unknown answer {required_q}/{required_a}")
        self.threshold = questionnaire.threshold
        self.max_questions = questionnaire.max_questions


# The derived tables of each Questionnaire object, held weakly so a replaced snapshot frees them.
# Keyed by identity: hashing a frozen questionnaire would walk all of it on every call.
_INDEXES: dict[int, tuple[weakref.ref, _Index]] = {}


def _index(questionnaire: Questionnaire) -> _Index:
    key = id(questionnaire)
    hit = _INDEXES.get(key)
    if hit is not None and hit[0]() is questionnaire:
        return hit[1]
    index = _Index(questionnaire)
    ref = weakref.ref(questionnaire, lambda _ref, key=key: _INDEXES.pop(key, None))
    _INDEXES[key] = (ref, index)
    return index


# --------------------------------------------------------------------------------------
# State: the cleaned answers and the log-weights they lead to.


class _State:
    __slots__ = ("answers", "facet_log_weight", "given", "log_weight")

    def __init__(self, index: _Index, answers: tuple[tuple[str, str], ...]):
        self.answers = answers
        self.given = set(answers)
        self.log_weight = list(index.log_prior)
        self.facet_log_weight: dict[int, list[float]] = {}
        for question_key, answer_key in answers:
            if answer_key != UNSURE:
                info = index.by_key[question_key]
                self.apply(index, info.answers[info.answer_pos[answer_key]])

    def apply(self, index: _Index, answer: _AnswerInfo) -> None:
        log_weight = self.log_weight
        for ci, log_lr in answer.cause_effects:
            log_weight[ci] += log_lr
        for ci, fi, log_lr in answer.facet_effects:
            weights = self.facet_log_weight.get(ci)
            if weights is None:
                weights = self.facet_log_weight[ci] = [0.0] * len(index.facets[ci])
            weights[fi] += log_lr

    def probabilities(self) -> list[float]:
        return _normalise(self.log_weight)

    def answered(self) -> set[str]:
        return {question_key for question_key, _ in self.answers}


def _normalise(log_weights: list[float]) -> list[float]:
    top = max(log_weights)
    weights = [math.exp(w - top) for w in log_weights]
    total = sum(weights)
    return [w / total for w in weights]


def _clean(index: _Index, pairs) -> tuple[tuple[str, str], ...]:
    kept: list[tuple[str, str]] = []
    given: set[tuple[str, str]] = set()
    answered: set[str] = set()
    if pairs is None or isinstance(pairs, str | bytes):
        return ()
    try:
        iterator = iter(pairs)
    except TypeError:
        return ()
    for pair in iterator:
        if isinstance(pair, str | bytes):
            continue
        try:
            question_key, answer_key = pair
        except (TypeError, ValueError):
            continue
        if not (isinstance(question_key, str) and isinstance(answer_key, str)):
            continue
        info = index.by_key.get(question_key)
        if info is None or question_key in answered:
            continue
        if answer_key != UNSURE and answer_key not in info.answer_pos:
            continue
        if info.requires is not None and info.requires not in given:
            continue
        pair = (question_key, answer_key)
        kept.append(pair)
        given.add(pair)
        answered.add(question_key)
    return tuple(kept)


def _askable(index: _Index, state: _State) -> list[_QuestionInfo]:
    answered = state.answered()
    given = state.given
    return [
        info
        for info in index.questions
        if info.key not in answered and (info.requires is None or info.requires in given)
    ]


def _gain(info: _QuestionInfo, p: list[float]) -> tuple[float, list[float]]:
    """Return I(C; A) in nats and the predicted answer distribution P(a)."""
    mass = spread_base = conditional = 0.0
    for ci, inv_z, entropy in info.mentioned:
        pc = p[ci]
        mass += pc
        spread_base += pc * inv_z
        conditional += pc * entropy
    rest = 1.0 - mass
    if rest < 0.0:
        rest = 0.0
    # P(a) = Σ_unmentioned p(c)/n + Σ_mentioned p(c)·LR(a,c)/Z_c; LR = 1 + (LR - 1).
    predicted = [rest * info.inv_n + spread_base] * info.n
    for a_idx, ci, coefficient in info.spread:
        predicted[a_idx] += p[ci] * coefficient
    entropy = 0.0
    for pa in predicted:
        if pa > 0.0:
            entropy -= pa * math.log(pa)
    return entropy - rest * info.log_n - conditional, predicted


def _decide(index: _Index, state: _State, p: list[float]):
    """Return (question info, predicted answer distribution, stop reason)."""
    if max(p) >= index.threshold - _THRESHOLD_SLACK:
        return None, None, "confident"
    if len(state.answers) >= index.max_questions:
        return None, None, "max_questions"
    scored = [(info, *_gain(info, p)) for info in _askable(index, state) if info.mentioned]
    best = max((gain for _, gain, _ in scored), default=0.0)
    if best <= MIN_INFORMATION_GAIN:
        return None, None, "no_informative_question"
    for info, gain, predicted in scored:
        if gain >= best - TIE_TOLERANCE:
            return info, predicted, None
    raise AssertionError("unreachable: the best question is among the scored ones")


# The "about N more" estimate follows this many of the likeliest causes.
_ESTIMATE_CAUSES = 3


def _estimate_remaining(index: _Index, state: _State, info: _QuestionInfo, p: list[float]) -> int:
    """Questions still to come, averaged over the likeliest causes, weighted by their probability.

    For each of them, a visitor who has that cause answers every question the way it
    suggests (the answer with the largest likelihood ratio for it, "I'm not sure" when
    none leans its way) until a stop rule fires. Following only the likeliest answer
    overall would assume the visitor has the cause already in front.
    """
    leaders = sorted(range(len(p)), key=lambda ci: -p[ci])[:_ESTIMATE_CAUSES]
    total = sum(p[ci] for ci in leaders)
    return max(1, round(sum(p[ci] * _questions_for(index, state, info, ci) for ci in leaders) / total))


def _questions_for(index: _Index, state: _State, info: _QuestionInfo, ci: int) -> int:
    simulated = _State.__new__(_State)
    simulated.answers = state.answers
    simulated.given = set(state.given)
    simulated.log_weight = list(state.log_weight)
    simulated.facet_log_weight = {}  # facets do not steer the questions
    count = 0
    while info is not None:
        count += 1
        pair = (info.key, answer_for(info.question, index.causes[ci].key))
        simulated.answers = (*simulated.answers, pair)
        simulated.given.add(pair)
        if pair[1] != UNSURE:
            simulated.apply(index, info.answers[info.answer_pos[pair[1]]])
        info, _, _ = _decide(index, simulated, simulated.probabilities())
    return count


def _ranking(index: _Index, state: _State, p: list[float]) -> tuple[Ranked, ...]:
    reasons: dict[int, list[Reason]] = {}
    facet_reasons: dict[int, list[Reason]] = {}
    for question_key, answer_key in state.answers:
        if answer_key == UNSURE:
            continue
        info = index.by_key[question_key]
        answer = info.answers[info.answer_pos[answer_key]]
        for ci, reason in answer.reasons:
            reasons.setdefault(ci, []).append(reason)
        for ci, reason in answer.facet_reasons:
            facet_reasons.setdefault(ci, []).append(reason)
    log_weight = state.log_weight
    order = sorted(range(len(p)), key=lambda ci: (-round(log_weight[ci], _RANK_DECIMALS), ci))
    ranked = []
    for ci in order:
        facet = None
        facets: tuple[tuple[str, float], ...] = ()
        facet_log_weight = state.facet_log_weight.get(ci)
        if facet_log_weight is not None:
            names = index.facets[ci]
            facet_p = _normalise(facet_log_weight)
            facet_order = sorted(range(len(names)), key=lambda fi: (-round(facet_log_weight[fi], _RANK_DECIMALS), fi))
            facets = tuple((names[fi], facet_p[fi]) for fi in facet_order)
            facet = facets[0][0]
        ranked.append(
            Ranked(
                cause=index.causes[ci].key,
                probability=p[ci],
                reasons=tuple(reasons.get(ci, ())),
                facet=facet,
                facets=facets,
                facet_reasons=tuple(facet_reasons.get(ci, ())),
            )
        )
    return tuple(ranked)


# --------------------------------------------------------------------------------------
# Public API.

Answers = Iterable[tuple[str, str]]


def answer_for(question: Question, cause: str) -> str:
    """The answer someone who has ``cause`` gives: the one pointing to it most strongly (first on a tie).

    "I'm not sure" when no answer points towards it. Content checks, tests and the
    "questions left" estimate all imagine visitors this way.
    """
    best, best_ratio = UNSURE, 1.0
    for answer in question.answers:
        ratio = math.prod(LIKELIHOOD_RATIO[e.strength] for e in answer.effects if e.cause == cause and not e.facet)
        if ratio > best_ratio:
            best, best_ratio = answer.key, ratio
    return best


def consistent_answers(questionnaire: Questionnaire, cause: str, *, limit: int | None = None):
    """The answers someone who has ``cause`` gives to each question the engine asks, until it stops."""
    answers: list[tuple[str, str]] = []
    while limit is None or len(answers) < limit:
        question = next_question(questionnaire, answers)
        if question is None:
            break
        answers.append((question.key, answer_for(question, cause)))
    return tuple(answers)


def clean_answers(questionnaire: Questionnaire, pairs: Answers) -> tuple[tuple[str, str], ...]:
    """Keep the usable answers in order: known, first per question, and asked when allowed.

    Drops unknown questions and answer keys (``UNSURE`` is always valid), repeats of an
    answered question (the first one wins), answers whose ``requires`` was not met by an
    earlier kept answer, and anything that is not a pair of strings. Never raises on them.
    """
    return _clean(_index(questionnaire), pairs)


def rank(questionnaire: Questionnaire, answers: Answers) -> tuple[Ranked, ...]:
    """Return every cause, most likely first; ties keep the questionnaire's cause order."""
    index = _index(questionnaire)
    state = _State(index, _clean(index, answers))
    return _ranking(index, state, state.probabilities())


def askable(questionnaire: Questionnaire, answers: Answers) -> tuple[Question, ...]:
    """Return the questions not yet answered whose ``requires`` is met, in staff order."""
    index = _index(questionnaire)
    state = _State(index, _clean(index, answers))
    return tuple(info.question for info in _askable(index, state))


def information_gains(questionnaire: Questionnaire, answers: Answers) -> dict[str, float]:
    """Return the expected information gain (nats) of each askable question, in staff order."""
    index = _index(questionnaire)
    state = _State(index, _clean(index, answers))
    p = state.probabilities()
    return {info.key: _gain(info, p)[0] if info.mentioned else 0.0 for info in _askable(index, state)}


def next_question(questionnaire: Questionnaire, answers: Answers) -> Question | None:
    """Return the most informative question to ask next, or None when it is time to stop."""
    index = _index(questionnaire)
    state = _State(index, _clean(index, answers))
    info, _, _ = _decide(index, state, state.probabilities())
    return None if info is None else info.question


def diagnose(questionnaire: Questionnaire, answers: Answers) -> Diagnosis:
    """Clean the answers, rank the causes, and pick the next question or say why to stop."""
    index = _index(questionnaire)
    state = _State(index, _clean(index, answers))
    p = state.probabilities()
    info, _, stop_reason = _decide(index, state, p)
    remaining = 0 if info is None else _estimate_remaining(index, state, info, p)
    return Diagnosis(
        ranking=_ranking(index, state, p),
        question=None if info is None else info.question,
        stop_reason=stop_reason,
        remaining=remaining,
        answers=state.answers,
    )
