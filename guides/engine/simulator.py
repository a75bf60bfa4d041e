"""Simulated visitors, to measure troubleshooting strategies against each other before real ones do.

Why a simulator: the planner claims to get visitors fixed sooner than a fixed checklist or
the old "ask, then show the top cause's fixes" flow. That is a claim about averages over
visitors, so it is checked the way Heckerman et al. (1995) and the SACSO evaluations did: draw
many visitors from a model of the world, let each strategy guide the same visitors, and
compare the minutes and screens it took.

Two models take part. The strategy sees the *planning* model (the guide as staff wrote it);
the visitors come from the *true* model. When both are the same the comparison is the best
case for the planner; ``perturbed`` makes a true model that disagrees with the guide (priors
off by a factor of three, efficacies off by 0.2) so that we also see what happens when staff's
words are wrong, which they will be.

A simulated visitor

* has one true cause, drawn from the true model's priors (weights);
* answers a question by sampling from P(a | c) = LR(a, c) / Σ_a' LR(a', c), with LR = 1
  where an answer does not mention c (the plain reading of staff's words; ``BASELINE``
  instead uses the planner's fitted answer model); with probability ``unsure`` they say
  "I'm not sure", and with probability ``wrong`` they give a uniformly chosen other answer
  (people misread questions);
* is fixed by a step with probability efficacy_true(step, cause), 0 when not linked;
* stops at the hand-off: it costs its minutes and one screen, and the visit counts as not
  fixed before the hand-off.

Every random draw of visitor ``i`` comes from its own stream keyed by (seed, i, what is
drawn), so a visitor gives the same answer to the same question and has the same luck with
the same step whichever strategy guides them: the strategies are compared on the very same
visitors (common random numbers), and differences are not sampling noise between groups.

A strategy is any callable ``(model, evidence) -> action`` where ``evidence`` is the engine's
evidence tuple and ``action`` is ``("question", key)``, ``("step", key)`` or
``("hand_off", None)``. Strategies must be deterministic in the evidence: ``run`` memoises
them per evidence state, which makes thousands of visitors cheap (most visitors walk the
same few paths). Provided here: ``checklist_strategy`` (a fixed list, then the hand-off) and
``planner_strategy`` (``engine.next_step``); the information-gain flow lives in
``bench.baseline.todays_flow`` so that the site's package never imports the bench.

Plain Python, no Django, seeded ``random.Random`` only.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from guides.engine.beliefs import COULDNT, FAILED
from guides.engine.model import DEFAULT_HANDOFF_MINUTES, LIKELIHOOD_RATIO, UNSURE, Cause, Kind, Model, Step
from guides.engine.planner import HAND_OFF, QUESTION, STEP, next_step

__all__ = [
    "BASELINE",
    "RATIOS",
    "Metrics",
    "StrategyError",
    "Visit",
    "Visitor",
    "World",
    "checklist_strategy",
    "memoised",
    "perturbed",
    "planner_strategy",
    "run",
    "simulated_visit",
    "summarise",
]

Evidence = tuple[tuple[str, str], ...]
Action = tuple[str, str | None]
Strategy = Callable[[Model, Evidence], Action]


# How a visitor whose cause a question does not mention answers it (``World(answers=...)``).
RATIOS = "ratios"  # uniformly; a mentioned cause's P(a | c) = LR(a, c) / Σ_a' LR(a', c)
BASELINE = "baseline"  # as the planner assumes: the fitted baseline q(a), and LR(a, c) · q(a) / Z_c


class World:
    """The true model, read once into what a visitor needs: answer distributions, efficacies, costs.

    ``answers`` picks the answer model. ``RATIOS`` is the plain reading of the words, with
    "I'm not sure which" meaning every answer is as likely; ``BASELINE`` is the planner's own
    model (``compiled.answer_baseline``: most people without a ban say they are in good
    standing), so that "true model = content" can also mean "exactly what the planner assumes".
    """

    def __init__(self, model: Model, *, answers: str = RATIOS):
        model.validate()
        if answers not in (RATIOS, BASELINE):
            raise ValueError(f"unknown answer model {answers!r}")
        self.model = model
        self.causes = [c.key for c in model.causes]
        self.weights = [float(c.weight) for c in model.causes]
        self.steps = {s.key: s for s in model.steps}
        hand_off = next((s for s in model.steps if s.kind == Kind.HAND_OFF), None)
        self.hand_off_key = hand_off.key if hand_off else None
        self.hand_off_cost = hand_off.cost if hand_off else float(DEFAULT_HANDOFF_MINUTES)
        self.question_cost = {q.key: q.cost for q in model.questions}
        self.answer_keys = {q.key: [a.key for a in q.answers] for q in model.questions}
        # {question: {cause: [P(a | c) per answer]}} for the causes some answer mentions, and
        # {question: [P(a | c)]} for every other cause.
        self.answer_chances: dict[str, dict[str, list[float]]] = {}
        self.unmentioned: dict[str, list[float]] = {}
        for question in model.questions:
            n = len(question.answers)
            ratios: dict[str, list[float]] = {}
            for a_pos, answer in enumerate(question.answers):
                for effect in answer.effects:
                    if effect.facet is None:
                        row = ratios.setdefault(effect.cause, [1.0] * n)
                        row[a_pos] *= LIKELIHOOD_RATIO[effect.strength]
            if answers == BASELINE:
                from guides.engine.compiled import answer_baseline

                base = answer_baseline(list(ratios.values()), n)
            else:
                base = [1.0 / n] * n
            self.unmentioned[question.key] = base
            chances = {}
            for cause, row in ratios.items():
                weighted = [lr * q for lr, q in zip(row, base, strict=True)]
                chances[cause] = [w / sum(weighted) for w in weighted]
            self.answer_chances[question.key] = chances

    def answer_distribution(self, question: str, cause: str) -> list[float]:
        """P(a | cause) over the question's answers, in content order, before any "unsure" or mistake."""
        row = self.answer_chances[question].get(cause)
        return self.unmentioned[question] if row is None else row

    def efficacy(self, step: str, cause: str) -> float:
        return self.steps[step].fixes.get(cause, 0.0)


class Visitor:
    """One simulated visitor of ``world``: their cause, their answers and their luck, all seeded."""

    __slots__ = ("cause", "index", "seed", "unsure", "world", "wrong")

    def __init__(self, world: World, seed: int, index: int, *, unsure: float = 0.0, wrong: float = 0.0):
        self.world = world
        self.seed = seed
        self.index = index
        self.unsure = unsure
        self.wrong = wrong
        self.cause = self._rng("cause").choices(world.causes, world.weights)[0]

    def _rng(self, what: str) -> random.Random:
        # A string seed is hashed with SHA-512: the same stream in every run and process.
        return random.Random(f"{self.seed}/{self.index}/{what}")

    def answer(self, question: str) -> str:
        rng = self._rng(f"question/{question}")
        keys = self.world.answer_keys[question]
        if rng.random() < self.unsure:
            return UNSURE
        chosen = rng.choices(range(len(keys)), self.world.answer_distribution(question, self.cause))[0]
        if len(keys) > 1 and rng.random() < self.wrong:
            chosen = rng.choice([i for i in range(len(keys)) if i != chosen])
        return keys[chosen]

    def fixed_by(self, step: str) -> bool:
        return self._rng(f"step/{step}").random() < self.world.efficacy(step, self.cause)


@dataclass(frozen=True, slots=True)
class Visit:
    """How one visit went. ``minutes`` and ``screens`` run until fixed, or through the hand-off."""

    cause: str
    minutes: float
    screens: int
    questions: int
    steps: int
    fixed: bool  # fixed before the hand-off
    first_step_fixed: bool  # the first fix step tried was the one that fixed it
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Metrics:
    """A strategy's figures over a set of visits (shares over all visitors)."""

    visitors: int
    mean_minutes: float
    sem_minutes: float  # standard error of the mean: a hand-off of days moves small samples a lot
    p90_minutes: float
    mean_screens: float
    fixed_share: float
    first_step_share: float
    mean_questions: float


class StrategyError(RuntimeError):
    """A strategy asked for something impossible: a repeat, an unknown key, an endless visit."""


def simulated_visit(strategy: Strategy, model: Model, visitor: Visitor) -> Visit:
    """Guide one visitor with ``strategy`` (which sees ``model``) until fixed or handed off.

    Every question and every step is one screen; the hand-off is one more.
    """
    world = visitor.world
    evidence: Evidence = ()
    minutes = 0.0
    questions = steps = 0
    seen: set[tuple[str, str | None]] = set()
    for _ in range(len(world.question_cost) + len(world.steps) + 1):
        kind, key = strategy(model, evidence)
        if kind == STEP and key == world.hand_off_key:
            kind = HAND_OFF
        if kind == HAND_OFF:
            minutes += world.hand_off_cost
            return Visit(visitor.cause, minutes, questions + steps + 1, questions, steps, False, False, evidence)
        if (kind, key) in seen:
            raise StrategyError(f"{kind} {key!r} offered twice")
        seen.add((kind, key))
        if kind == QUESTION and key in world.question_cost:
            minutes += world.question_cost[key]
            questions += 1
            evidence = (*evidence, (key, visitor.answer(key)))
        elif kind == STEP and key in world.steps:
            minutes += world.steps[key].cost
            steps += 1
            if visitor.fixed_by(key):
                return Visit(visitor.cause, minutes, questions + steps, questions, steps, True, steps == 1, evidence)
            evidence = (*evidence, (FAILED, key))
        else:
            raise StrategyError(f"unknown action {kind!r} {key!r}")
    raise StrategyError("the visit never ended")


def memoised(strategy: Strategy) -> Strategy:
    """Wrap a deterministic strategy so that each evidence state is decided once.

    ``.cache`` maps each evidence state reached to the action taken (the bench times the
    planner on these states). The cache belongs to one model: another model clears it.
    """
    cache: dict[Evidence, Action] = {}
    bound: list[Model] = []

    def decide(model: Model, evidence: Evidence) -> Action:
        if not bound or bound[0] is not model:
            cache.clear()
            bound[:] = [model]
        action = cache.get(evidence)
        if action is None:
            action = cache[evidence] = strategy(model, evidence)
        return action

    decide.cache = cache  # type: ignore[attr-defined]
    return decide


def run(
    strategy: Strategy,
    model: Model,
    true_model: Model | None = None,
    *,
    visitors: int,
    seed: int,
    unsure: float = 0.0,
    wrong: float = 0.0,
    answers: str = RATIOS,
) -> list[Visit]:
    """Guide ``visitors`` visitors drawn from ``true_model`` (default: ``model``) with ``strategy``.

    The same seed gives the same visitors to every strategy. Pass a ``memoised`` strategy to
    keep (and inspect) its decisions; a bare one is memoised for this run only. ``answers``
    is the answer model (``RATIOS`` or ``BASELINE``, see ``World``).
    """
    world = World(true_model if true_model is not None else model, answers=answers)
    if not hasattr(strategy, "cache"):
        strategy = memoised(strategy)
    return [
        simulated_visit(strategy, model, Visitor(world, seed, i, unsure=unsure, wrong=wrong)) for i in range(visitors)
    ]


def summarise(visits: Sequence[Visit]) -> Metrics:
    n = len(visits)
    minutes = sorted(v.minutes for v in visits)
    return Metrics(
        visitors=n,
        mean_minutes=sum(minutes) / n,
        sem_minutes=statistics.stdev(minutes) / math.sqrt(n) if n > 1 else 0.0,
        p90_minutes=minutes[math.ceil(0.9 * n) - 1],  # nearest rank
        mean_screens=sum(v.screens for v in visits) / n,
        fixed_share=sum(v.fixed for v in visits) / n,
        first_step_share=sum(v.first_step_fixed for v in visits) / n,
        mean_questions=sum(v.questions for v in visits) / n,
    )


# --------------------------------------------------------------------------------------
# Strategies.


def checklist_strategy(steps: Iterable[str]) -> Strategy:
    """Strategy (a): the guide's checklist, in its fixed order, asking nothing; then the hand-off."""
    order = tuple(steps)

    def checklist(model: Model, evidence: Evidence) -> Action:
        tried = {value for key, value in evidence if key in (FAILED, COULDNT)}
        for key in order:
            if key not in tried:
                return STEP, key
        return HAND_OFF, None

    return checklist


def planner_strategy(model: Model, evidence: Evidence) -> Action:
    """Strategy (c): whatever ``engine.next_step`` says."""
    decision = next_step(model, evidence)
    if decision.kind == QUESTION:
        return QUESTION, decision.question.key
    if decision.kind == STEP:
        return STEP, decision.step.key
    return HAND_OFF, None


# --------------------------------------------------------------------------------------
# Misspecification.


def perturbed(model: Model, rng: random.Random, *, prior_factor: float = 3.0, efficacy_shift: float = 0.2) -> Model:
    """A true model that disagrees with ``model``: each prior x or ÷ 3, each efficacy ± 0.2.

    The direction is drawn per cause and per (step, cause) link, efficacies are clamped to
    [0.01, 0.99], and links are neither added nor removed: staff get the size of things wrong
    more often than which step fixes what. Questions and costs are kept (wrong answers are
    the simulator's ``wrong`` share).
    """
    causes = tuple(
        Cause(c.key, c.weight * (prior_factor if rng.random() < 0.5 else 1.0 / prior_factor), c.facets)
        for c in model.causes
    )
    steps = []
    for step in model.steps:
        fixes = {}
        for cause, efficacy in step.fixes.items():
            if efficacy <= 0.0:  # not a link: stays none
                fixes[cause] = efficacy
                continue
            shifted = efficacy + (efficacy_shift if rng.random() < 0.5 else -efficacy_shift)
            fixes[cause] = min(0.99, max(0.01, shifted))
        steps.append(Step(step.key, step.cost, fixes, step.kind))
    return Model(causes, model.questions, tuple(steps))
