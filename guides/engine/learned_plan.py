"""The model a guide set to "use learned numbers" plans with: bounded learned numbers, only where they help.

Why a check: under the guide's bound (two words by default) some learned numbers are corrected and
others held at the bound, and a plan built on such a mix can order the steps worse than staff's
plan did: in ``bench.learning`` the clamped numbers cost visitors up to a fifth of a screen more
than staff's own in three of fifteen cells, and on another seed (3) up to two thirds of a screen
in six. The clamp keeps each number near staff's word; it
says nothing about the plan.

So each bounded candidate (``learned_words.bounded``: every sure move clamped at the bound; every
sure move shrunk alike until the furthest is at the bound; only the commonness moves; only the
step moves) is tried against staff's numbers on the same ``VISITORS`` simulated visitors (common
random numbers), drawn from **worlds the learned numbers leave plausible**: ``WORLDS`` draws from
their posterior (each number a Beta with its learned mean and interval), unbounded, because that
is the best account of the visitors we have, uncertainty included. A candidate is planned with
only if it saves screens there by more than ``MARGIN`` standard errors of the paired difference;
of those, the one that saves most; otherwise staff's numbers stand. Screens, because the issue's
targets are in screens and the planner already minimises minutes. Drawing the worlds, rather than
using the learned means alone, mattered: with the means alone the check refused moves that helped
(bench.learning, seed 20240611, one word: 29 % of the gap closed after 1,000 visitors, against
45 % with the draws; never worse than staff's either way).

The check is deterministic (a fixed seed), so every process building the snapshot plans with the
same numbers, and it needs no stored verdict: ``applied`` runs it, about half a second of CPU for
the TikTok guide when some number is sure enough to move (nothing otherwise), paid once per
snapshot build. A caller that would rather pay at relearning stores ``choice()``'s answer (one
word per guide and bound) and passes it back as ``applied(..., verdict=...)``.
"""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import replace

from guides.engine.learned_words import bounded, learned_weights
from guides.engine.model import Model
from guides.engine.simulator import memoised, planner_strategy, run

__all__ = ["CANDIDATES", "MARGIN", "STAFF", "VISITORS", "WORLDS", "applied", "choice", "learned_world"]

VISITORS = 400  # simulated visitors per candidate (paired standard errors of 0.02 to 0.1 screens measured)
MARGIN = 1.0  # standard errors a candidate must save beyond
WORLDS = 8  # worlds drawn from the learned numbers' posterior, the visitors split evenly among them
SEED = 17  # any fixed seed: the same visitors for every candidate and every build


def learned_world(model: Model, learned, rng: random.Random | None = None) -> Model:
    """Every number at its learned value, unbounded (numbers not learned stay staff's).

    With ``rng``, each number is drawn from its posterior instead (a Beta with the estimate's mean
    and the spread of its 90 % interval): one world the visitors so far leave plausible.
    """

    def value(estimate) -> float:
        return estimate.value if rng is None else _drawn(estimate, rng)

    weights = learned_weights(model, {key: value(e) for key, e in learned.priors.items()})
    causes = tuple(replace(c, weight=weights[c.key]) if c.key in weights else c for c in model.causes)
    steps = []
    for step in model.steps:
        fixes = {}
        for cause, efficacy in step.fixes.items():
            estimate = learned.efficacies.get((step.key, cause))
            fixes[cause] = value(estimate) if estimate is not None and efficacy > 0 else efficacy
        steps.append(replace(step, fixes=fixes))
    return replace(model, causes=causes, steps=tuple(steps))


def _drawn(estimate, rng: random.Random) -> float:
    """A draw from the Beta with the estimate's mean whose standard deviation matches its 90 % interval."""
    mean = min(0.99, max(0.01, estimate.value))
    sd = max(1e-4, (estimate.high - estimate.low) / (2 * 1.645))
    concentration = mean * (1 - mean) / (sd * sd) - 1
    if concentration <= 0.5:
        concentration = 0.5
    return min(0.99, max(0.01, rng.betavariate(mean * concentration, (1 - mean) * concentration)))


def _screens(model: Model, worlds: list[Model], visitors: int) -> list[float]:
    """Screens per visitor, ``visitors`` split evenly among ``worlds``; one plan (and its cache) for all of them."""
    strategy = memoised(planner_strategy)
    each = max(1, visitors // len(worlds))
    screens = []
    for k, world in enumerate(worlds):
        screens += [float(v.screens) for v in run(strategy, model, world, visitors=each, seed=SEED + k)]
    return screens


# The candidates, by the name a stored verdict gives (``choice``): how ``bounded`` builds each.
CANDIDATES: dict[str, dict] = {
    "clamped": {},
    "shrunk": {"shrink": True},
    "commonness": {"efficacies": False},
    "steps": {"priors": False},
}
STAFF = "staff"


def choice(model: Model, learned, *, max_words: int = 1, sure_only: bool = True, visitors: int = VISITORS) -> str:
    """Which candidate to plan with (a ``CANDIDATES`` name, or ``STAFF``): the check, for a caller to store.

    A few tenths of a second for the TikTok guide; ``applied(..., verdict=...)`` then builds the
    chosen model without simulating anything.
    """
    found: dict[str, Model] = {}
    for name, kind in CANDIDATES.items():
        candidate = bounded(model, learned, max_words=max_words, sure_only=sure_only, **kind)
        if candidate != model and all(candidate != other for other in found.values()):
            found[name] = candidate
    if not found:
        return STAFF
    rng = random.Random(SEED)
    worlds = [learned_world(model, learned, rng) for _ in range(WORLDS)]
    staff = _screens(model, worlds, visitors)
    best, best_saving = STAFF, 0.0
    for name, candidate in found.items():
        diffs = [s - c for s, c in zip(staff, _screens(candidate, worlds, visitors), strict=True)]
        saving, se = statistics.fmean(diffs), statistics.stdev(diffs) / math.sqrt(len(diffs))
        if saving > MARGIN * se and saving > best_saving:
            best, best_saving = name, saving
    return best


def applied(
    model: Model,
    learned,
    *,
    max_words: int = 1,
    sure_only: bool = True,
    checked: bool = True,
    verdict: str | None = None,
) -> Model:
    """The model to plan with: the best bounded candidate that saves screens in the learned world, else staff's.

    ``verdict``: what ``choice()`` said for these numbers and this bound, stored at relearning;
    without one the check runs here. ``checked=False`` gives the plain bounded model (every sure
    move, clamped), unchecked.
    """
    if not checked:
        return bounded(model, learned, max_words=max_words, sure_only=sure_only)
    if verdict is None:
        verdict = choice(model, learned, max_words=max_words, sure_only=sure_only)
    if verdict not in CANDIDATES:
        return model
    return bounded(model, learned, max_words=max_words, sure_only=sure_only, **CANDIDATES[verdict])
