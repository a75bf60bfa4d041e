"""The model a guide set to "use learned numbers" plans with: bounded learned numbers, only where they help.

Why a check: under the guide's bound (one word by default) some learned numbers are corrected and
others held at the bound, and a plan built on such a mix can order the steps worse than staff's
plan did: in ``bench.learning`` the clamped numbers cost visitors up to a fifth of a screen more
than staff's own, in three of fifteen cells. The clamp keeps each number near staff's word; it
says nothing about the plan.

So each bounded candidate (``learned_words.bounded``: every sure move clamped at the bound; every
sure move shrunk alike until the furthest is at the bound; only the commonness moves; only the
step moves) is tried against staff's numbers on the same ``VISITORS`` simulated visitors
(common random numbers), drawn from the **learned world**: every number at its learned value,
unbounded, because that is the best account of the visitors we have. A candidate is planned with
only if it saves screens there by more than ``MARGIN`` standard errors of the paired difference;
of those, the one that saves most; otherwise staff's numbers stand. The learned world is itself
an estimate, hence the margin: a candidate that is only as good as staff's there is not worth the
risk of being worse in truth.

The check is deterministic (a fixed seed), so every process building the snapshot plans with the
same numbers, and it needs no stored verdict. It costs a few tenths of a second for the TikTok
guide, paid once per snapshot build, and nothing when no learned number is sure enough to move.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import replace

from guides.engine.learned_words import bounded, learned_weights
from guides.engine.model import Model
from guides.engine.simulator import memoised, planner_strategy, run

__all__ = ["MARGIN", "VISITORS", "applied", "learned_world"]

VISITORS = 400  # simulated visitors per candidate: a paired standard error of about 0.03 screens
MARGIN = 1.0  # standard errors a candidate must save beyond
SEED = 17  # any fixed seed: the same visitors for every candidate and every build


def learned_world(model: Model, learned) -> Model:
    """Every number at its learned value, unbounded (numbers not learned stay staff's)."""
    weights = learned_weights(model, {key: e.value for key, e in learned.priors.items()})
    causes = tuple(replace(c, weight=weights[c.key]) if c.key in weights else c for c in model.causes)
    steps = []
    for step in model.steps:
        fixes = {}
        for cause, efficacy in step.fixes.items():
            estimate = learned.efficacies.get((step.key, cause))
            fixes[cause] = estimate.value if estimate is not None and efficacy > 0 else efficacy
        steps.append(replace(step, fixes=fixes))
    return replace(model, causes=causes, steps=tuple(steps))


def _screens(model: Model, world: Model, visitors: int) -> list[float]:
    visits = run(memoised(planner_strategy), model, world, visitors=visitors, seed=SEED)
    return [float(v.screens) for v in visits]


def applied(
    model: Model,
    learned,
    *,
    max_words: int = 1,
    sure_only: bool = True,
    checked: bool = True,
    visitors: int = VISITORS,
) -> Model:
    """The model to plan with: the best bounded candidate that saves screens in the learned world, else staff's.

    ``checked=False`` gives the plain bounded model (every sure move, clamped), unchecked.
    """
    everything = bounded(model, learned, max_words=max_words, sure_only=sure_only)
    if not checked or everything == model:
        return everything
    candidates = [everything]
    for kind in ({"shrink": True}, {"efficacies": False}, {"priors": False}):
        candidate = bounded(model, learned, max_words=max_words, sure_only=sure_only, **kind)
        if candidate != model and all(candidate != other for other in candidates):
            candidates.append(candidate)
    world = learned_world(model, learned)
    staff = _screens(model, world, visitors)
    best, best_saving = model, 0.0
    for candidate in candidates:
        diffs = [s - c for s, c in zip(staff, _screens(candidate, world, visitors), strict=True)]
        saving, se = statistics.fmean(diffs), statistics.stdev(diffs) / math.sqrt(len(diffs))
        if saving > MARGIN * se and saving > best_saving:
            best, best_saving = candidate, saving
    return best
