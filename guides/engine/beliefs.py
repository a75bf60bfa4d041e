"""What the visitor has told us so far, and how likely each cause is after it.

Evidence is an ordered tuple of pairs, exactly as the troubleshooter's address holds it:

* ``(question, answer)``: an answer; ``answer`` may be ``UNSURE``, which changes nothing;
* ``(FAILED, step)``: the visitor tried the step and it did not fix the problem;
* ``(COULDNT, step)``: the visitor could not do the step, which changes nothing either,
  but the step is not offered again;
* ``(SEEN, observation)``: something the visitor saw and told us unasked (a symptom they
  tapped on the guide). It moves the beliefs like an answer, by its words' own ratios (see
  ``compiled._observation``), but it is no question: it is never asked, never counts toward
  ``max_questions`` and never makes a question moot. Several may be given, each once. A symptom
  that ``settles`` answers gives them by itself (see below);
* ``(NOT_IT, cause)``: "No, that's not it" on the explanation of an explanation cause. Someone
  whose cause it is recognises it ``RECOGNISED`` (0.9) of the time, so the cause's weight is
  multiplied by 1 - 0.9, exactly as a failed step with that efficacy would; the explanation is
  never offered again.

An answer can also show that some steps were already done, or cannot help (``Answer.skips``):
they are not offered. What the answer says about the causes is in its words (its effects);
the skips do not move the beliefs again, which would count the same news twice. Likewise a step
all of whose causes a given answer ruled out (strength ``rules_out`` on the whole cause) is not
offered: its chance is not zero (a rule-out is 0.05, for a mistaken answer), but offering
"send it without the link" to someone whose plain "hi" fails too contradicts what they told us.

A symptom that settles answers (``Observation.settles``: a notice about sending too fast says a
notice shows, and which) counts each settled answer as given: its question is never asked, a
later answer to it is dropped, questions that require it may follow and its skips apply. Its
effects are not weighed again: the symptom's own words already moved the causes, and the settled
answer is the same news.

The belief is P(c | evidence) ∝ weight(c) · Π P(answer | c) · Π (1 - efficacy(step, c)) over the
failed steps: a step that failed lowers exactly the causes it could have fixed, each by the
chance it would have worked. An answer multiplies each cause by its likelihood ratio, the word
staff chose, divided by Z_c where the question's words do not quite add up for that cause (see
``compiled.answer_baseline``); where they do, Z_c is 1 and the ratio is exactly the word's.
Weights are kept as logarithms, so nothing underflows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from guides.engine.compiled import Compiled, compiled
from guides.engine.model import RECOGNISED, UNSURE, Model, Strength

__all__ = ["COULDNT", "FAILED", "NOT_IT", "SEEN", "Belief", "Ranked", "Reason", "clean_evidence", "rank"]

FAILED = "failed"
COULDNT = "couldnt"
SEEN = "seen"
NOT_IT = "not_it"  # (NOT_IT, cause): "No, that's not it" on the explanation of that cause

# Log-weights are rounded to this many decimals before ordering causes, so causes with the
# same evidence tie exactly (and fall back to content order) despite rounding in the logs.
_RANK_DECIMALS = 9


@dataclass(frozen=True, slots=True)
class Reason:
    """Something the visitor said or tried that moved a cause.

    For an answer: ``question``, ``answer`` and ``strength``. For a failed step: ``step`` and
    the ``efficacy`` it had for the cause (the cause's weight was multiplied by 1 - efficacy).
    For something the visitor saw: ``seen`` (the observation) and ``strength``. For "No, that's
    not it" on the cause's explanation: ``not_it`` (the cause) and ``efficacy`` (``RECOGNISED``).
    ``raised`` says the reason made the cause likelier: an answer pointing to it, or a symptom
    the guide lists under it (a tapped symptom is never a reason against its own cause).
    """

    question: str = ""
    answer: str = ""
    strength: Strength | None = None
    step: str = ""
    efficacy: float = 0.0
    seen: str = ""
    not_it: str = ""

    @property
    def raised(self) -> bool:
        return self.strength in (Strength.MORE, Strength.STRONG, Strength.SIGN)


@dataclass(frozen=True, slots=True)
class Ranked:
    """A cause, its probability, what moved it, and its facets when any answer spoke about them."""

    cause: str
    probability: float
    reasons: tuple[Reason, ...]
    facet: str | None = None
    facets: tuple[tuple[str, float], ...] = ()


class Belief:
    """The cleaned evidence and the log-weights of the causes after it."""

    __slots__ = ("answered", "done", "evidence", "facet_log_weight", "given", "log_weight", "rejected", "ruled_out",
                 "screens", "seen", "settled", "tables", "tried")  # fmt: skip

    def __init__(self, tables: Compiled, evidence: tuple[tuple[str, str], ...]):
        self.tables = tables
        self.evidence: tuple[tuple[str, str], ...] = ()
        self.log_weight = list(tables.log_prior)
        self.facet_log_weight: dict[int, list[float]] = {}
        self.given: set[tuple[str, str]] = set()
        self.answered: set[str] = set()
        self.done: set[int] = set()  # step positions tried, impossible, or made pointless by an answer
        self.tried: set[int] = set()  # step positions tried without success
        self.seen: set[str] = set()  # observations given
        self.settled: set[str] = set()  # questions a symptom answered: in ``answered``, but never asked
        self.rejected: set[str] = set()  # explanation causes the visitor said were not it
        self.ruled_out: set[int] = set()  # cause positions a given answer ruled out whole
        self.screens = 0  # screens the visitor has seen: every piece of evidence but a symptom
        for key, value in evidence:
            self.add(key, value)

    def copy(self) -> Belief:
        """An independent copy, to look ahead from without replaying the evidence."""
        twin = Belief.__new__(Belief)
        twin.tables, twin.evidence, twin.screens = self.tables, self.evidence, self.screens
        twin.log_weight = list(self.log_weight)
        twin.facet_log_weight = {ci: list(weights) for ci, weights in self.facet_log_weight.items()}
        for name in ("answered", "done", "given", "rejected", "ruled_out", "seen", "settled", "tried"):
            setattr(twin, name, set(getattr(self, name)))
        return twin

    def add(self, key: str, value: str) -> None:
        """Take one more piece of (already cleaned) evidence into account."""
        tables = self.tables
        self.evidence = (*self.evidence, (key, value))
        self.screens += key != SEEN
        if key == FAILED:
            step = tables.step_by_key[value]
            self.done.add(step.position)
            self.tried.add(step.position)
            for ci, efficacy in step.fixes:
                self.log_weight[ci] += math.log1p(-efficacy)
        elif key == COULDNT:
            self.done.add(tables.step_by_key[value].position)
        elif key == SEEN:
            self.seen.add(value)
            observation = tables.observation_by_key[value]
            self._weigh(observation)
            for question, answer in observation.settles:
                if question not in self.answered:
                    self.settled.add(question)
                    self._give(question, answer)
        elif key == NOT_IT:
            self.rejected.add(value)
            ci = tables.cause_pos[value]
            self.done.add(tables.explain_of[ci].position)
            self.log_weight[ci] += math.log1p(-RECOGNISED)
        elif value == UNSURE:
            self.given.add((key, value))
            self.answered.add(key)
        else:
            question = tables.question_by_key[key]
            answer = question.answers[question.answer_pos[value]]
            self._give(key, answer)
            self._weigh(answer)

    def _give(self, question: str, answer) -> None:
        """Count ``answer`` (a CompiledAnswer) as given: what it skips or rules out is not offered."""
        self.given.add((question, answer.key))
        self.answered.add(question)
        self.done |= answer.skips
        fresh = answer.rules_out - self.ruled_out
        if fresh:
            self.ruled_out |= fresh
            fixes_causes = self.tables.fixes_causes
            for ci in fresh:
                for pos, _ in self.tables.cause_steps[ci]:
                    if fixes_causes[pos] <= self.ruled_out:
                        self.done.add(pos)

    def _weigh(self, news) -> None:
        """Multiply in what an answer or an observation says about the causes and their facets."""
        for ci, log_lr in news.log_lr:
            self.log_weight[ci] += log_lr
        for ci, fi, log_lr in news.facet_effects:
            weights = self.facet_log_weight.get(ci)
            if weights is None:
                weights = self.facet_log_weight[ci] = [0.0] * len(self.tables.facets[ci])
            weights[fi] += log_lr

    def probabilities(self) -> list[float]:
        return probabilities_of(self.log_weight)

    def askable(self, question) -> bool:
        """Whether ``question`` (a CompiledQuestion) may be asked now: not answered, allowed, not moot."""
        if question.key in self.answered:
            return False
        if question.requires is not None and question.requires not in self.given:
            return False
        if question.moot_steps & self.tried:
            return False
        return not (question.moot_answers and question.moot_answers & self.given)


def probabilities_of(log_weights: list[float]) -> list[float]:
    top = max(log_weights)
    weights = [math.exp(w - top) for w in log_weights]
    total = sum(weights)
    return [w / total for w in weights]


def _clean(tables: Compiled, pairs) -> Belief:
    """The belief after the usable evidence, in order: anything unknown, repeated, not allowed yet or moot is out."""
    belief = Belief(tables, ())
    if pairs is None or isinstance(pairs, str | bytes):
        return belief
    try:
        iterator = iter(pairs)
    except TypeError:
        return belief
    tried: set[str] = set()
    for pair in iterator:
        if isinstance(pair, str | bytes):
            continue
        try:
            key, value = pair
        except (TypeError, ValueError):
            continue
        if not (isinstance(key, str) and isinstance(value, str)):
            continue
        if key in (FAILED, COULDNT):
            step = tables.step_by_key.get(value)
            if step is None or step is tables.hand_off or value in tried:
                continue
            tried.add(value)
        elif key == SEEN:
            if value not in tables.observation_by_key or value in belief.seen:
                continue
        elif key == NOT_IT:
            ci = tables.cause_pos.get(value)
            if ci is None or ci not in tables.explain_of or value in belief.rejected:
                continue
        else:
            question = tables.question_by_key.get(key)
            if question is None or not belief.askable(question):
                continue
            if value != UNSURE and value not in question.answer_pos:
                continue
        belief.add(key, value)
    return belief


def clean_evidence(model: Model, pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Keep the usable evidence in order: known, first per question or step, allowed, not moot.

    Drops unknown questions, answers, steps and observations, a second answer to a question, a
    step or an observation reported twice, answers whose ``requires`` was not met earlier,
    answers to questions an earlier answer or step made moot, an answer to a question an earlier
    symptom settled, a "not it" for a cause that is unknown, has no explanation or was already
    rejected, and anything that is not a pair of strings. Never raises.
    """
    return _clean(compiled(model), pairs).evidence


def belief_for(model: Model, pairs) -> Belief:
    """The belief after the cleaned evidence: cleaning builds it as it goes, so it is built once."""
    return _clean(compiled(model), pairs)


def ranking(belief: Belief, p: list[float]) -> tuple[Ranked, ...]:
    """Every cause, most likely first (ties keep content order), with what moved it."""
    tables = belief.tables
    reasons: dict[int, list[Reason]] = {}
    for key, value in belief.evidence:
        if key == FAILED:
            step = tables.step_by_key[value]
            for ci, efficacy in step.fixes:
                reasons.setdefault(ci, []).append(Reason(step=value, efficacy=efficacy))
        elif key == SEEN:
            for ci, facet, strength in tables.observation_by_key[value].reasons:
                if facet is None:
                    reasons.setdefault(ci, []).append(Reason(seen=value, strength=strength))
        elif key == NOT_IT:
            reasons.setdefault(tables.cause_pos[value], []).append(Reason(not_it=value, efficacy=RECOGNISED))
        elif key != COULDNT and value != UNSURE:
            question = tables.question_by_key[key]
            answer = question.answers[question.answer_pos[value]]
            for ci, facet, strength in answer.reasons:
                if facet is None:
                    reasons.setdefault(ci, []).append(Reason(question=key, answer=value, strength=strength))
    log_weight = belief.log_weight
    order = sorted(range(len(p)), key=lambda ci: (-round(log_weight[ci], _RANK_DECIMALS), ci))
    ranked = []
    for ci in order:
        facet, facets = None, ()
        facet_log_weight = belief.facet_log_weight.get(ci)
        if facet_log_weight is not None:
            names = tables.facets[ci]
            facet_p = probabilities_of(facet_log_weight)
            facet_order = sorted(range(len(names)), key=lambda fi: (-round(facet_log_weight[fi], _RANK_DECIMALS), fi))
            facets = tuple((names[fi], facet_p[fi]) for fi in facet_order)
            facet = facets[0][0]
        ranked.append(Ranked(tables.cause_keys[ci], p[ci], tuple(reasons.get(ci, ())), facet, facets))
    return tuple(ranked)


def rank(model: Model, pairs) -> tuple[Ranked, ...]:
    """Return every cause, most likely first, after the evidence."""
    belief = belief_for(model, pairs)
    return ranking(belief, belief.probabilities())
