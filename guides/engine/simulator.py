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
* on the explanation of their own cause says "Yes, that explains it" with probability
  ``RECOGNISED`` (the visit ends *explained*, a success like a fix); otherwise, and on any other
  cause's explanation, "No, that's not it" (``(NOT_IT, cause)`` evidence);
* on the long-shots screen tries the listed steps in the listed order (best value first) until
  one works: that screen is one screen, each step tried costs its minutes, and when one works
  the visit ends fixed; when none does, the hand-off's minutes are added and the visit ends
  not fixed, as after the hand-off. So a long-shots screen costs exactly what the hand-off did,
  plus the minutes of the long shots tried: the cost definitions are the same as before the
  long-shots screen existed, and before/after figures compare;
* stops at the hand-off: it costs its minutes and one screen, and the visit counts as not
  fixed before the hand-off.

A visitor can also be drawn from some causes only (``among``): the bench's "kinds" of visitor
(explanation causes, TikTok's side) and the visitor whose cause the model does not have at all
(``UNKNOWN``: no answer mentions it, so they answer as for any unmentioned cause; no step fixes
it; they say "No" to every explanation).

Every random draw of visitor ``i`` comes from its own stream keyed by (seed, i, what is
drawn), so a visitor gives the same answer to the same question and has the same luck with
the same step whichever strategy guides them: the strategies are compared on the very same
visitors (common random numbers), and differences are not sampling noise between groups.

A strategy is any callable ``(model, evidence) -> action`` where ``evidence`` is the engine's
evidence tuple and ``action`` is ``("question", key)``, ``("step", key)``, ``("explain", cause)``,
``("long_shots", (step keys listed, best first))`` or ``("hand_off", None)``; it may carry a
third item, the progress range ``(low, high)`` the screen shows (``Decision.span``), which the
visit records per screen so the bench can measure how often it holds. Strategies must be
deterministic in the evidence: ``run`` memoises them per evidence state, which makes thousands
of visitors cheap (most visitors walk the same few paths). Provided here:
``checklist_strategy`` (a fixed list, then the hand-off) and ``planner_strategy``
(``engine.next_step``); the information-gain flow lives in ``bench.baseline.todays_flow`` so
that the site's package never imports the bench.

Plain Python, no Django, seeded ``random.Random`` only.

This module is long because the visitor, the visit and the measures taken over visits
(minutes, progress ranges that held) are one definition: split, a change to how a screen is
counted could reach one of them and not the others.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from guides.engine.beliefs import COULDNT, FAILED, NOT_IT, SEEN
from guides.engine.model import (
    DEFAULT_HANDOFF_MINUTES,
    EXPLAIN_MINUTES,
    LIKELIHOOD_RATIO,
    RECOGNISED,
    UNSURE,
    Kind,
    Model,
    Strength,
)
from guides.engine.planner import EXPLAIN, HAND_OFF, LONG_SHOTS, QUESTION, STEP, next_step

__all__ = [
    "BASELINE",
    "RATIOS",
    "UNKNOWN",
    "Metrics",
    "StrategyError",
    "Visit",
    "Visitor",
    "World",
    "action_of",
    "calibration",
    "checklist_strategy",
    "memoised",
    "perturbed",
    "planner_strategy",
    "run",
    "simulated_visit",
    "span_holds",
    "summarise",
]

Evidence = tuple[tuple[str, str], ...]
Action = tuple  # (kind, key) or (kind, key, span); see the module docstring
Span = tuple[int, int]

# The cause of a visitor whom the model does not describe at all (``Visitor(among=(UNKNOWN,))``).
UNKNOWN = "(unknown)"

# How a visit ended (``Visit.outcome``).
FIXED = "fixed"
EXPLAINED = "explained"
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
        self.explains = {c.key for c in model.causes if c.explains}
        # The symptoms (observations) each cause shows, and what each symptom settles by itself.
        self.symptoms: dict[str, list[str]] = {}
        for observation in model.observations:
            for effect in observation.effects:
                if effect.facet is None and observation.key not in self.symptoms.get(effect.cause, ()):
                    self.symptoms.setdefault(effect.cause, []).append(observation.key)
        self.settles = {o.key: tuple(o.settles) for o in model.observations}
        # What each answer rules out, to catch a step offered against the visitor's own words:
        # {(question, answer): (causes ruled out whole, steps skipped)}.
        self.rules_out: dict[tuple[str, str], tuple[frozenset[str], frozenset[str]]] = {
            (q.key, a.key): (
                frozenset(e.cause for e in a.effects if e.strength == Strength.RULES_OUT and e.facet is None),
                frozenset(a.skips),
            )
            for q in model.questions
            for a in q.answers
        }
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

    def ruled_out(self, evidence: Evidence, kind: str, key: str) -> bool:
        """Whether the visitor's answers so far rule out this step (or this cause's explanation).

        A step is ruled out when an answer skipped it, or when every cause it fixes was ruled
        out whole by an answer; an explanation when its cause was ruled out. The answers a tapped
        symptom settles count as given.
        """
        causes: set[str] = set()
        skipped: set[str] = set()
        for what, value in evidence:
            for pair in self.settles.get(value, ()) if what == SEEN else ((what, value),):
                found = self.rules_out.get(pair)
                if found:
                    causes |= found[0]
                    skipped |= found[1]
        if kind == EXPLAIN:
            return key in causes
        fixes = [c for c, e in self.steps[key].fixes.items() if e > 0.0]
        return key in skipped or bool(fixes and all(c in causes for c in fixes))


class Visitor:
    """One simulated visitor of ``world``: their cause, their answers and their luck, all seeded."""

    __slots__ = ("cause", "index", "seed", "symptom", "unsure", "world", "wrong")

    def __init__(
        self,
        world: World,
        seed: int,
        index: int,
        *,
        unsure: float = 0.0,
        wrong: float = 0.0,
        among: Sequence[str] | None = None,
        taps: bool = False,
    ):
        self.world = world
        self.seed = seed
        self.index = index
        self.unsure = unsure
        self.wrong = wrong
        if among is None:
            self.cause = self._rng("cause").choices(world.causes, world.weights)[0]
        else:  # by the true priors among these causes; a cause the model lacks weighs 1
            weight = dict(zip(world.causes, world.weights, strict=True))
            self.cause = self._rng("cause").choices(list(among), [weight.get(c, 1.0) for c in among])[0]
        # ``taps``: they arrive from a symptom of their cause on the guide's page (one at random), if it has any.
        shown = world.symptoms.get(self.cause) if taps else None
        self.symptom = self._rng("symptom").choice(shown) if shown else None

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

    def recognises(self, cause: str) -> bool:
        """ "Yes, that explains it": only for their own cause, and then ``RECOGNISED`` of the time."""
        return cause == self.cause and self._rng(f"explain/{cause}").random() < RECOGNISED


@dataclass(frozen=True, slots=True)
class Visit:
    """How one visit went. ``minutes`` and ``screens`` run until fixed or explained, or through the hand-off.

    ``fixed`` is a success before the hand-off: a fix (a step, or a long shot on the long-shots
    screen) or an explanation the visitor recognised. ``outcome`` says which ending it was:
    "fixed", "explained", "long_shots" (that screen was reached; ``fixed`` says whether a listed
    step worked) or "hand_off". ``spans`` has the progress range each screen showed (None when
    the strategy gives none), one per screen; ``ruled_out`` says a step or explanation was
    offered that the visitor's own answers had ruled out, or a question was asked that the
    symptom they tapped had already answered (``evidence`` then starts with that symptom).
    """

    cause: str
    minutes: float
    screens: int
    questions: int
    steps: int
    fixed: bool
    first_step_fixed: bool  # the first fix step (or explanation) shown was the one that ended it
    evidence: Evidence
    outcome: str = "hand_off"
    explanations: int = 0
    spans: tuple[Span | None, ...] = ()
    ruled_out: bool = False


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
    """Guide one visitor with ``strategy`` (which sees ``model``) until fixed, explained or handed off.

    Every question, fix step and explanation is one screen; the long-shots screen and the
    hand-off are one more (see the module docstring for how a long-shots screen is scored).
    """
    world = visitor.world
    evidence: Evidence = ((SEEN, visitor.symptom),) if visitor.symptom else ()
    settled = {question for question, _ in world.settles.get(visitor.symptom, ())}
    minutes = 0.0
    questions = steps = explanations = 0
    spans: list[Span | None] = []
    seen: set[tuple[str, str | None]] = set()
    ruled_out = False

    def ended(outcome: str, success: bool, first: bool, extra_screens: int = 0) -> Visit:
        screens = questions + steps + explanations + extra_screens
        return Visit(
            visitor.cause, minutes, screens, questions, steps, success, first, evidence,
            outcome, explanations, tuple(spans), ruled_out,
        )  # fmt: skip

    for _ in range(len(world.question_cost) + len(world.steps) + len(world.explains) + 1):
        action = strategy(model, evidence)
        kind, key = action[0], action[1]
        spans.append(action[2] if len(action) > 2 else None)
        if kind == STEP and key == world.hand_off_key:
            kind = HAND_OFF
        if kind == HAND_OFF:
            minutes += world.hand_off_cost
            return ended(HAND_OFF, False, False, 1)
        if kind == LONG_SHOTS:
            return _long_shots(world, visitor, evidence, tuple(key or ()), ended, minutes, steps, ruled_out)
        if (kind, key) in seen:
            raise StrategyError(f"{kind} {key!r} offered twice")
        seen.add((kind, key))
        if kind == QUESTION and key in world.question_cost:
            ruled_out |= key in settled  # their symptom already answered it
            minutes += world.question_cost[key]
            questions += 1
            evidence = (*evidence, (key, visitor.answer(key)))
        elif kind == STEP and key in world.steps:
            ruled_out |= world.ruled_out(evidence, STEP, key)
            minutes += world.steps[key].cost
            steps += 1
            if visitor.fixed_by(key):
                return ended(FIXED, True, steps + explanations == 1)
            evidence = (*evidence, (FAILED, key))
        elif kind == EXPLAIN and key in world.explains:
            ruled_out |= world.ruled_out(evidence, EXPLAIN, key)
            minutes += EXPLAIN_MINUTES
            explanations += 1
            if visitor.recognises(key):
                return ended(EXPLAINED, True, steps + explanations == 1)
            evidence = (*evidence, (NOT_IT, key))
        else:
            raise StrategyError(f"unknown action {kind!r} {key!r}")
    raise StrategyError("the visit never ended")


def _long_shots(world: World, visitor: Visitor, evidence: Evidence, listed, ended, minutes, steps, ruled_out):
    """The long-shots screen: the listed steps tried in order until one works, else the hand-off's minutes."""
    for key in listed:
        if key not in world.steps:
            raise StrategyError(f"unknown long shot {key!r}")
        ruled_out |= world.ruled_out(evidence, STEP, key)
    for key in listed:
        minutes += world.steps[key].cost
        steps += 1
        if visitor.fixed_by(key):
            break
    else:
        minutes += world.hand_off_cost
        key = None
    # One screen, whatever the number of long shots tried on it; they count as steps tried.
    return replace(ended(LONG_SHOTS, key is not None, False, 1), minutes=minutes, steps=steps, ruled_out=ruled_out)


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
    among: Sequence[str] | None = None,
    taps: bool = False,
) -> list[Visit]:
    """Guide ``visitors`` visitors drawn from ``true_model`` (default: ``model``) with ``strategy``.

    The same seed gives the same visitors to every strategy. Pass a ``memoised`` strategy to
    keep (and inspect) its decisions; a bare one is memoised for this run only. ``answers``
    is the answer model (``RATIOS`` or ``BASELINE``, see ``World``); ``among`` draws every
    visitor's cause from these causes only (``UNKNOWN`` for a cause the model lacks); with
    ``taps`` each visitor arrives from one symptom of their cause, as from the guide's page.
    """
    world = World(true_model if true_model is not None else model, answers=answers)
    if not hasattr(strategy, "cache"):
        strategy = memoised(strategy)
    return [
        simulated_visit(strategy, model, Visitor(world, seed, i, unsure=unsure, wrong=wrong, among=among, taps=taps))
        for i in range(visitors)
    ]


def span_holds(span: Span | None, left: int) -> bool:
    """Whether a screen's progress range was true: ``left`` screens (this one included) fall in it.

    A narrow range (high - low <= 2, shown as "about N") holds within ±1 of its middle; a screen
    that showed no range is a miss.
    """
    if span is None:
        return False
    low, high = span
    if high - low <= 2:
        return abs(left - (low + high) / 2) <= 1
    return low <= left <= high


def calibration(visits: Iterable[Visit], screens: int) -> list[tuple[int, int]]:
    """(held, shown) for each screen index 1..``screens``: how often the progress range was true there."""
    counts = [[0, 0] for _ in range(screens)]
    for visit in visits:
        for index, span in enumerate(visit.spans[:screens]):
            counts[index][0] += span_holds(span, visit.screens - index)
            counts[index][1] += 1
    return [(held, shown) for held, shown in counts]


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
    """Strategy (c): whatever ``engine.next_step`` says, with the progress range it shows."""
    decision = next_step(model, evidence)
    return action_of(decision)


def action_of(decision) -> Action:
    """The simulator's action for a planner ``Decision`` (its ``span`` as the third item)."""
    span = decision.span
    if decision.kind == QUESTION:
        return QUESTION, decision.question.key, span
    if decision.kind == STEP:
        return STEP, decision.step.key, span
    if decision.kind == EXPLAIN:
        return EXPLAIN, decision.cause, span
    if decision.kind == LONG_SHOTS:
        return LONG_SHOTS, tuple(step.key for step, _ in decision.long_shots), span
    return HAND_OFF, None, span


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
        replace(c, weight=c.weight * (prior_factor if rng.random() < 0.5 else 1.0 / prior_factor)) for c in model.causes
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
        steps.append(replace(step, fixes=fixes))
    return replace(model, causes=causes, steps=tuple(steps))
