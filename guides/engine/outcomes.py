"""Simulated visits as the step outcomes the site stores, and simulated visitors walking while the guide learns.

Why here, beside the simulator: the learning bench and the learning tests need the same two
things, and both must be Django-free. ``records_of`` turns one simulated visit into the records
the site would have stored for it: one "didn't fix it" per failed step, one "not it" per
rejected explanation, each with the evidence before its screen, and the ending ("fixed" with the
step that fixed it, on its own screen or picked on the long-shots screen; "explained" with the
cause). A long-shots screen where nothing worked, the hand-off and "couldn't do it" leave no
record, as on the site.

``learning_walk`` lets visitors walk one after another while the guide relearns every ``every``
visitors from all the records so far, planning with ``learning.applied``: what a guide set to
"use learned numbers" would do, with the relearning command run from cron.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from guides.engine.beliefs import FAILED, NOT_IT
from guides.engine.learning import Learned, Record, applied, learn
from guides.engine.model import Model
from guides.engine.simulator import (
    EXPLAINED,
    FIXED,
    RATIOS,
    Visit,
    Visitor,
    World,
    memoised,
    planner_strategy,
    simulated_visit,
)

__all__ = ["Checkpoint", "learning_walk", "records_of"]


def records_of(visit: Visit, visitor: Visitor, strategy, model: Model, source: str = "") -> list[Record]:
    """The records the site would hold for ``visit`` (guided by ``strategy`` on ``model``)."""
    records = []
    before: tuple = ()
    for key, value in visit.evidence:
        if key == FAILED:
            records.append(Record(before, "not_fixed", value, source))
        elif key == NOT_IT:
            records.append(Record(before, NOT_IT, value, source))
        before = (*before, (key, value))
    if visit.outcome in (FIXED, EXPLAINED):
        action = strategy(model, visit.evidence)
        records.append(Record(visit.evidence, visit.outcome, action[1], source))
    return records


@dataclass(frozen=True)
class Checkpoint:
    """What had been learned after ``visitors`` visitors, and the model planned with from then on."""

    visitors: int
    learned: Learned | None
    model: Model


def learning_walk(
    model: Model,
    true_model: Model,
    *,
    visitors: int,
    seed: int,
    every: int = 100,
    checkpoints: Sequence[int] = (),
    wrong: float = 0.0,
    answers: str = RATIOS,
    strength: float = 20.0,
    max_words: int = 1,
    iterations: int = 30,
    warm_iterations: int = 5,
) -> tuple[list[Visit], list[Checkpoint]]:
    """Visitors from ``true_model`` walk in turn; every ``every`` visitors the guide relearns from all records so far.

    Returns the visits and, for each N in ``checkpoints``, what had been learned after N visitors.
    Each relearning starts from the last (``learn(start=...)``) with ``warm_iterations`` rounds of EM.
    """
    world = World(true_model, answers=answers)
    records: list[Record] = []
    visits: list[Visit] = []
    learned, planning = None, model
    strategy = memoised(planner_strategy)
    kept = []
    for i in range(visitors):
        if i and i % every == 0:
            rounds = iterations if learned is None else warm_iterations
            learned = learn(model, records, strength=strength, iterations=rounds, start=learned)
            fresh = applied(model, learned, max_words=max_words)
            if moved(planning, fresh):  # otherwise the plan keeps its decisions: thousands of visitors stay cheap
                planning, strategy = fresh, memoised(planner_strategy)
        if i in checkpoints:
            kept.append(Checkpoint(i, learned, planning))
        visitor = Visitor(world, seed, i, wrong=wrong)
        visit = simulated_visit(strategy, planning, visitor)
        visits.append(visit)
        records.extend(records_of(visit, visitor, strategy, planning))
    if visitors in checkpoints:
        learned = learn(model, records, strength=strength, iterations=warm_iterations, start=learned)
        kept.append(Checkpoint(visitors, learned, applied(model, learned, max_words=max_words)))
    return visits, kept


# How far a number must move before the walk plans with the new numbers (see ``moved``): below the
# words' own spacing (0.3 apart, and each commonness word a doubling), so no visible change is missed.
EFFICACY_STEP = 0.05
WEIGHT_STEP = 0.25  # in doublings: about 19 %


def moved(old: Model, new: Model) -> bool:
    """Whether any number of ``new`` is at least a step away from ``old``'s (same guide, same links).

    Relearning every 100 visitors moves most numbers a little; planning afresh for each little move
    would re-decide every screen for nothing, and the walk would take many times as long.
    """
    for a, b in zip(old.causes, new.causes, strict=True):
        if abs(math.log2(a.weight) - math.log2(b.weight)) >= WEIGHT_STEP:
            return True
    for a, b in zip(old.steps, new.steps, strict=True):
        if any(abs(e - b.fixes.get(c, 0.0)) >= EFFICACY_STEP for c, e in a.fixes.items()):
            return True
    return False
