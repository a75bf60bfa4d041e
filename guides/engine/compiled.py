"""The tables derived from a model once, so that each visitor's step only does arithmetic.

Causes, questions and steps become integer positions; answers and observations become sparse
lists of (cause position, log likelihood ratio); steps become (cause position, efficacy). Each
explanation cause (``Cause.explains``) becomes one more step after the guide's own, keyed
``explain:<cause>``: its screen "fixes" (ends the visit for) its cause with ``RECOGNISED`` at a
screen of reading, so the planner weighs "this is why, and it isn't on your side" against fix
steps and questions with the same arithmetic as any step. The
tables are built on first use of a ``Model`` object and kept while it lives (weakly, so a
replaced content snapshot frees them); keep one model object per content version.
"""

from __future__ import annotations

import math
import weakref

from guides.engine.model import (
    DEFAULT_HANDOFF_MINUTES,
    EXPLAIN_MINUTES,
    LIKELIHOOD_RATIO,
    RECOGNISED,
    SCREEN_MINUTES,
    Kind,
    Model,
    Step,
    Strength,
)

# The key of the engine-made step that explains a cause: never a staff key, which has no colon.
EXPLAIN_PREFIX = "explain:"


class CompiledAnswer:
    __slots__ = ("baseline", "cause_lr", "facet_effects", "key", "log_lr", "reasons", "rules_out", "skips")

    def __init__(self, key, log_lr, cause_lr, facet_effects, reasons, skips, baseline, rules_out=frozenset()):
        self.key = key
        self.baseline = baseline  # P(this answer | a cause the question does not mention)
        self.log_lr = log_lr  # ((cause_pos, log ratio), ...) for every cause the question mentions
        self.cause_lr = cause_lr  # {cause_pos: P(a | c) / baseline}
        self.facet_effects = facet_effects  # ((cause_pos, facet_pos, log LR), ...)
        self.reasons = reasons  # ((cause_pos, facet key or None, strength), ...)
        self.skips = skips  # frozenset of step positions
        self.rules_out = rules_out  # frozenset of the cause positions it rules out whole (strength rules_out)


class CompiledQuestion:
    __slots__ = ("answer_pos", "answers", "cost", "key", "moot_answers", "moot_steps", "position", "question",
                 "requires", "speaks", "z")  # fmt: skip

    def __init__(self, position, question, answers, z, moot_answers, moot_steps):
        self.position = position
        self.question = question
        self.key = question.key
        self.cost = question.cost + SCREEN_MINUTES
        self.requires = question.requires
        self.answers = answers
        self.answer_pos = {a.key: i for i, a in enumerate(answers)}
        # {cause_pos: Σ_a LR(a, c) · baseline(a)} for the causes some answer mentions.
        self.z = z
        self.speaks = bool(z)
        self.moot_answers = moot_answers  # {(question key, answer key), ...}
        self.moot_steps = moot_steps  # {step position, ...}


class CompiledObservation:
    __slots__ = ("facet_effects", "key", "log_lr", "reasons", "settles")

    def __init__(self, key, log_lr, facet_effects, reasons, settles=()):
        self.key = key
        self.settles = settles  # ((question key, CompiledAnswer), ...): the answers it gives by itself
        self.log_lr = log_lr  # ((cause_pos, log ratio), ...): the words' own ratios, see ``_observation``
        self.facet_effects = facet_effects  # ((cause_pos, facet_pos, log LR), ...)
        self.reasons = reasons  # ((cause_pos, facet key or None, strength), ...)


class CompiledStep:
    __slots__ = ("cause", "cost", "fixes", "key", "kind", "position", "risky", "step")

    def __init__(self, position, step, fixes, cause=None):
        self.position = position
        self.step = step
        self.key = step.key
        self.cost = float(step.cost) + SCREEN_MINUTES
        self.kind = step.kind
        self.risky = step.risky
        self.fixes = fixes  # ((cause_pos, efficacy), ...) with efficacy > 0
        self.cause = cause  # for an explanation (kind EXPLAIN): the cause key it explains; else None


class Compiled:
    __slots__ = ("__weakref__", "cause_keys", "cause_pos", "cause_steps", "causes", "explain_by_key", "explain_of",
                 "facets", "fixes_causes", "hand_off", "hand_off_cost", "last_screens", "log_prior", "model",
                 "observation_by_key", "question_by_key", "questions", "step_by_key", "step_costs", "step_fixes",
                 "steps")  # fmt: skip

    def __init__(self, model: Model):
        model.validate()
        self.model = model
        self.causes = model.causes
        self.cause_keys = [c.key for c in model.causes]
        cause_pos = self.cause_pos = {key: i for i, key in enumerate(self.cause_keys)}
        facet_pos = [{f: j for j, f in enumerate(c.facets)} for c in model.causes]
        self.facets = [c.facets for c in model.causes]
        self.log_prior = [math.log(c.weight) for c in model.causes]

        self._compile_steps(model, cause_pos)
        self.last_screens: dict[tuple[int, ...], tuple[float, list[float]]] = {}  # the planner's cache
        self.questions = [
            _question(position, question, cause_pos, facet_pos, self.step_by_key)
            for position, question in enumerate(model.questions)
        ]
        self.question_by_key = {info.key: info for info in self.questions}
        self.observation_by_key = {
            o.key: _observation(o, cause_pos, facet_pos, self.question_by_key) for o in model.observations
        }

    def _compile_steps(self, model: Model, cause_pos: dict[str, int]) -> None:
        self.steps: list[CompiledStep] = []
        self.step_by_key: dict[str, CompiledStep] = {}
        self.hand_off: CompiledStep | None = None
        for position, step in enumerate(model.steps):
            fixes = tuple((cause_pos[c], float(e)) for c, e in step.fixes.items() if e > 0)
            info = CompiledStep(position, step, fixes)
            self.steps.append(info)
            self.step_by_key[step.key] = info
            if step.kind == Kind.HAND_OFF:
                self.hand_off = info
        # The explanations, after the guide's steps, so that a fix step and an explanation of equal
        # value keep staff order (the step first). Not in ``step_by_key``: a visitor never reports
        # one as tried; "No, that's not it" is evidence of its own (``NOT_IT``).
        self.explain_of: dict[int, CompiledStep] = {}  # by cause position
        for ci, cause in enumerate(model.causes):
            if cause.explains:
                step = Step(EXPLAIN_PREFIX + cause.key, EXPLAIN_MINUTES, {cause.key: RECOGNISED}, Kind.EXPLAIN)
                info = CompiledStep(len(self.steps), step, ((ci, RECOGNISED),), cause.key)
                self.steps.append(info)
                self.explain_of[ci] = info
        self.explain_by_key = {info.key: info for info in self.explain_of.values()}
        self.hand_off_cost = self.hand_off.cost if self.hand_off else float(DEFAULT_HANDOFF_MINUTES) + SCREEN_MINUTES
        # The same, as flat lists by step position, for the planner's inner loop.
        self.step_costs = [step.cost for step in self.steps]
        self.step_fixes = [step.fixes for step in self.steps]
        # The causes each step can fix, as a set: a step is ruled out when all of them are.
        self.fixes_causes = [frozenset(ci for ci, _ in step.fixes) for step in self.steps]
        # For each cause, the steps that can fix it: ((step position, efficacy), ...); the hand-off is not one.
        self.cause_steps: list[list[tuple[int, float]]] = [[] for _ in model.causes]
        for step in self.steps:
            if step is not self.hand_off:
                for ci, efficacy in step.fixes:
                    self.cause_steps[ci].append((step.position, efficacy))


def _question(position, question, cause_pos, facet_pos, step_by_key) -> CompiledQuestion:
    """A question's answers as ratios against the baseline fitted to them (see ``answer_baseline``)."""
    lr_rows: dict[int, list[float]] = {}
    collected = []
    for a_pos, answer in enumerate(question.answers):
        cause_lr: dict[int, float] = {}
        facet_effects, reasons = [], []
        for effect in answer.effects:
            ci = cause_pos[effect.cause]
            ratio = LIKELIHOOD_RATIO[effect.strength]
            if effect.facet is None:
                cause_lr[ci] = cause_lr.get(ci, 1.0) * ratio
            else:
                facet_effects.append((ci, facet_pos[ci][effect.facet], math.log(ratio)))
            reasons.append((ci, effect.facet, effect.strength))
        for ci, lr in cause_lr.items():
            lr_rows.setdefault(ci, [1.0] * len(question.answers))[a_pos] = lr
        collected.append((answer, facet_effects, reasons))
    baseline = answer_baseline(list(lr_rows.values()), len(question.answers))
    z = {ci: sum(lr * q for lr, q in zip(row, baseline, strict=True)) for ci, row in lr_rows.items()}
    answers = []
    for a_pos, (answer, facet_effects, reasons) in enumerate(collected):
        # P(a | c) / P(a | a cause the question does not mention) = LR(a, c) / Z_c.
        ratios = {ci: row[a_pos] / z[ci] for ci, row in lr_rows.items()}
        answers.append(
            CompiledAnswer(
                answer.key,
                tuple((ci, math.log(r)) for ci, r in ratios.items()),
                ratios,
                tuple(facet_effects),
                tuple(reasons),
                frozenset(step_by_key[s].position for s in answer.skips),
                baseline[a_pos],
                frozenset(ci for ci, facet, strength in reasons if facet is None and strength == Strength.RULES_OUT),
            )
        )
    moot_answers = {m for m in question.moot_after if not isinstance(m, str)}
    moot_steps = {step_by_key[m].position for m in question.moot_after if isinstance(m, str)}
    return CompiledQuestion(position, question, tuple(answers), z, moot_answers, moot_steps)


def _observation(observation, cause_pos, facet_pos, question_by_key) -> CompiledObservation:
    """An observation's effects as log ratios: the words exactly, with no baseline to fit.

    An answer's ratios are divided by Z_c (see ``answer_baseline``) so that the planner can predict
    which answer comes and what it is worth. An observation is only ever reported, never asked or
    predicted, and the only other thing the visitor could have told us, "I don't see that", is never
    said: P(seen | c) / P(seen | a cause it is not linked to) is all that moves the beliefs, and that
    ratio is the symptom's own word (``sign``: 32, see the model's docstring).
    """
    log_lr: dict[int, float] = {}
    facet_effects, reasons = [], []
    for effect in observation.effects:
        ci = cause_pos[effect.cause]
        ratio = math.log(LIKELIHOOD_RATIO[effect.strength])
        if effect.facet is None:
            log_lr[ci] = log_lr.get(ci, 0.0) + ratio
        else:
            facet_effects.append((ci, facet_pos[ci][effect.facet], ratio))
        reasons.append((ci, effect.facet, effect.strength))
    settles = []
    for question_key, answer_key in observation.settles:
        question = question_by_key[question_key]
        settles.append((question_key, question.answers[question.answer_pos[answer_key]]))
    return CompiledObservation(
        observation.key, tuple(log_lr.items()), tuple(facet_effects), tuple(reasons), tuple(settles)
    )


# Exponentiated-gradient steps used at most to fit a question's baseline, and when to call it done.
_FIT_STEPS = 200
_FIT_RATE = 0.5
_FIT_DONE = 1e-5
# How strongly the fit holds on to "every answer equally likely" where the words leave it free.
_FIT_PULL = 0.1
# No answer is ever treated as impossible for a cause the question does not mention.
_MIN_BASELINE = 0.01


def answer_baseline(rows: list[list[float]], n: int) -> list[float]:
    """How likely each answer is from someone whose cause the question does not mention.

    Staff's words are likelihood ratios against that person: "strongly points to it" means
    eight times likelier from someone who has the cause. For the words to be a coherent
    probability model, each mentioned cause's answers must add up: Σ_a LR(a, c) · q(a) = 1.
    This fits the baseline q (a distribution over the answers) to those equations by least
    squares, pulled gently towards "every answer equally likely" where the words leave it
    free (a small penalty on its divergence from uniform). Where the words cannot all hold at
    once, the engine divides by Z_c = Σ_a LR(a, c) · q(a), which keeps beliefs, predicted
    answers and the value of each question one consistent model (a question never looks
    worth more, on average, than what its answers can actually tell).
    """
    q = [1.0 / n] * n
    if not rows:
        return q
    for t in range(_FIT_STEPS):
        gradient = [_FIT_PULL * (math.log(n * qa) + 1.0) for qa in q]
        for row in rows:
            error = sum(lr * qa for lr, qa in zip(row, q, strict=True)) - 1.0
            for a in range(n):
                gradient[a] += 2.0 * error * row[a] / len(rows)
        # Exponentiated gradient: no answer's share moves by more than a factor e^0.5, less and less so.
        rate = _FIT_RATE / max(max(abs(g) for g in gradient), 1e-12) / (1.0 + t / 5.0)
        moved = [max(qa * math.exp(-rate * g), _MIN_BASELINE) for qa, g in zip(q, gradient, strict=True)]
        total = sum(moved)
        moved = [qa / total for qa in moved]
        if max(abs(a - b) for a, b in zip(moved, q, strict=True)) < _FIT_DONE:
            return moved
        q = moved
    return q


# Keyed by identity: hashing a frozen model would walk all of it on every call.
_COMPILED: dict[int, tuple[weakref.ref, Compiled]] = {}


def compiled(model: Model) -> Compiled:
    """Return the derived tables of ``model``, building them on first use."""
    key = id(model)
    hit = _COMPILED.get(key)
    if hit is not None and hit[0]() is model:
        return hit[1]
    tables = Compiled(model)
    ref = weakref.ref(model, lambda _ref, key=key, tables=_COMPILED: tables.pop(key, None))
    _COMPILED[key] = (ref, tables)
    return tables
