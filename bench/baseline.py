"""The information-gain flow: the baseline the decision-theoretic planner is measured against.

It asks the question that tells the most about the cause until a stop rule fires, then leads
the visitor through the likeliest cause's fix steps on one result page. ``bench.diagnosis``
runs it as strategy (b), "today's flow", to put a number on how much sooner the planner
(``guides.engine.planner``) gets visitors fixed. It reads the planner's ``engine.Model`` and
only what the bench needs. Do not use it on the site.

Questions
---------
P(c | answers) ∝ weight(c) · Π LR(answer, c), LR = 1 for causes an answer does not mention,
"I'm not sure" changes nothing. The next question is the allowed one with the largest
expected information gain I(C; A) = H(A) - Σ_c p(c) H(A | c) under P(a | c) =
LR(a, c) / Σ_a' LR(a', c); gains within ``TIE_TOLERANCE`` tie and staff order wins. Facets
and the ``moot_after``/``skips``/effort fields are ignored: this flow has no use for them.

Stopping, in this order: the top cause reaches ``THRESHOLD`` (0.75); ``MAX_QUESTIONS`` (8)
questions were answered, "I'm not sure" included; no allowed question gains more than
``MIN_INFORMATION_GAIN``.

The result page
---------------
It shows the most likely cause's fix steps, ordered by (Σ probability of every cause the
step is linked to) / minutes, and one "Did this fix it?"; "No" moves to the next most likely
cause not yet shown, skipping steps already shown. Failed steps never change the ranking.
``todays_flow`` replays it one step at a time (a visitor stops at the first step that works);
the hand-off comes only after every linked step of every cause, and is never listed among a
cause's steps: the kindest reading of the page for this flow.
"""

from __future__ import annotations

import math
import weakref

from guides import engine
from guides.engine import COULDNT, FAILED, LIKELIHOOD_RATIO, UNSURE, Kind, Model

__all__ = ["MAX_QUESTIONS", "MIN_INFORMATION_GAIN", "THRESHOLD", "next_question", "result_steps", "todays_flow"]

THRESHOLD = 0.75
MAX_QUESTIONS = 8
# In nats. A yes/no question whose only effect is one "more" on a 2%-likely cause is worth
# 0.0011 nats, and one that rules out a 1%-likely cause 0.005.
MIN_INFORMATION_GAIN = 1e-3
TIE_TOLERANCE = 1e-9
_THRESHOLD_SLACK = 1e-12  # 0.75 computed as 0.7499999999999999 still reaches 0.75


class _BaselineQuestion:
    __slots__ = ("answer_log_lr", "answer_pos", "inv_n", "key", "log_n", "mentioned", "n", "requires", "spread")

    def __init__(self, question: engine.Question, cause_pos: dict[str, int]):
        n = len(question.answers)
        self.key = question.key
        self.requires = question.requires
        self.answer_pos = {a.key: i for i, a in enumerate(question.answers)}
        self.n = n
        self.inv_n = 1.0 / n
        self.log_n = math.log(n)
        lr_by_cause: dict[int, list[float]] = {}
        self.answer_log_lr = []  # per answer: ((cause_idx, log LR), ...)
        for a_idx, answer in enumerate(question.answers):
            lrs: dict[int, float] = {}
            for effect in answer.effects:
                if effect.facet is None:
                    ci = cause_pos[effect.cause]
                    lrs[ci] = lrs.get(ci, 1.0) * LIKELIHOOD_RATIO[effect.strength]
            for ci, lr in lrs.items():
                lr_by_cause.setdefault(ci, [1.0] * n)[a_idx] = lr
            self.answer_log_lr.append(tuple((ci, math.log(lr)) for ci, lr in lrs.items()))
        self.mentioned = []  # (cause_idx, 1/Z_c, H(A|c))
        self.spread = []  # (answer_idx, cause_idx, (LR - 1)/Z_c)
        for ci in sorted(lr_by_cause):
            lrs = lr_by_cause[ci]
            z = sum(lrs)
            self.mentioned.append((ci, 1.0 / z, -sum((lr / z) * math.log(lr / z) for lr in lrs)))
            self.spread.extend((a_idx, ci, (lr - 1.0) / z) for a_idx, lr in enumerate(lrs) if lr != 1.0)


class _Index:
    __slots__ = ("__weakref__", "by_key", "log_prior", "model", "questions")

    def __init__(self, model: Model):
        model.validate()
        self.model = model
        cause_pos = {c.key: i for i, c in enumerate(model.causes)}
        self.log_prior = [math.log(c.weight) for c in model.causes]
        self.questions = [_BaselineQuestion(q, cause_pos) for q in model.questions]
        self.by_key = {info.key: info for info in self.questions}


_INDEXES: dict[int, tuple[weakref.ref, _Index]] = {}


def _index(model: Model) -> _Index:
    key = id(model)
    hit = _INDEXES.get(key)
    if hit is not None and hit[0]() is model:
        return hit[1]
    index = _Index(model)
    # The dict is bound as a default: at interpreter exit the module's globals may already be gone.
    _INDEXES[key] = (weakref.ref(model, lambda _ref, key=key, indexes=_INDEXES: indexes.pop(key, None)), index)
    return index


def _answers(index: _Index, evidence) -> tuple[tuple[str, str], ...]:
    """The answers in ``evidence`` this flow keeps: known, first per question, allowed."""
    kept, given, answered = [], set(), set()
    for key, value in evidence:
        info = index.by_key.get(key)
        if info is None or key in answered or (value != UNSURE and value not in info.answer_pos):
            continue
        if info.requires is not None and info.requires not in given:
            continue
        kept.append((key, value))
        given.add((key, value))
        answered.add(key)
    return tuple(kept)


def _probabilities(index: _Index, answers) -> list[float]:
    log_weight = list(index.log_prior)
    for key, value in answers:
        if value != UNSURE:
            info = index.by_key[key]
            for ci, log_lr in info.answer_log_lr[info.answer_pos[value]]:
                log_weight[ci] += log_lr
    top = max(log_weight)
    weights = [math.exp(w - top) for w in log_weight]
    total = sum(weights)
    return [w / total for w in weights]


def _gain(info: _BaselineQuestion, p: list[float]) -> float:
    """I(C; A) in nats; causes no answer mentions (P(a|c) = 1/n) are summed once, not per answer."""
    mass = spread_base = conditional = 0.0
    for ci, inv_z, entropy in info.mentioned:
        mass += p[ci]
        spread_base += p[ci] * inv_z
        conditional += p[ci] * entropy
    rest = max(0.0, 1.0 - mass)
    predicted = [rest * info.inv_n + spread_base] * info.n
    for a_idx, ci, coefficient in info.spread:
        predicted[a_idx] += p[ci] * coefficient
    entropy = -sum(pa * math.log(pa) for pa in predicted if pa > 0.0)
    return entropy - rest * info.log_n - conditional


def next_question(model: Model, evidence) -> str | None:
    """The key of the question this flow asks next, or None once a stop rule fires."""
    index = _index(model)
    answers = _answers(index, evidence)
    p = _probabilities(index, answers)
    if max(p) >= THRESHOLD - _THRESHOLD_SLACK or len(answers) >= MAX_QUESTIONS:
        return None
    answered = {key for key, _ in answers}
    given = set(answers)
    scored = [
        (info.key, _gain(info, p))
        for info in index.questions
        if info.mentioned and info.key not in answered and (info.requires is None or info.requires in given)
    ]
    best = max((gain for _, gain in scored), default=0.0)
    if best <= MIN_INFORMATION_GAIN:
        return None
    return next(key for key, gain in scored if gain >= best - TIE_TOLERANCE)


def result_steps(model: Model, evidence) -> tuple[str, ...]:
    """Every fix step in the order the result page leads a visitor through them.

    Causes most likely first (ties in content order); within a cause, its linked steps by
    (Σ probability of the causes the step is linked to) / minutes, ties in content order;
    a step already shown under an earlier cause is skipped. The hand-off is not included.
    """
    index = _index(model)
    p = _probabilities(index, _answers(index, evidence))
    cause_pos = {c.key: i for i, c in enumerate(model.causes)}
    steps = [s for s in model.steps if s.kind != Kind.HAND_OFF]
    value = {s.key: sum(p[cause_pos[c]] for c, e in s.fixes.items() if e > 0) / s.cost for s in steps}
    order: list[str] = []
    shown: set[str] = set()
    for ci in sorted(range(len(p)), key=lambda ci: (-p[ci], ci)):
        cause = model.causes[ci].key
        linked = [(-value[s.key], i, s.key) for i, s in enumerate(steps) if s.fixes.get(cause, 0) > 0]
        for *_, key in sorted(linked):
            if key not in shown:
                shown.add(key)
                order.append(key)
    return tuple(order)


def todays_flow(model: Model, evidence) -> tuple[str, str | None]:
    """Strategy (b) for ``guides.engine.simulator``: questions to the stop rule, then the result page.

    Each step on the result page is one action (and one screen), tried in the page's order
    until one works; after the last, the hand-off.
    """
    index = _index(model)
    answers = _answers(index, evidence)
    question = next_question(model, answers)
    if question is not None:
        return "question", question
    order = result_steps(model, answers)
    tried = {value for kind, value in evidence if kind in (FAILED, COULDNT)}
    for step in order:
        if step not in tried:
            return "step", step
    return "hand_off", None
