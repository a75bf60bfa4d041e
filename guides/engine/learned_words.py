"""Learned numbers measured in staff's words: how far each moved, and the model that moves them at most so far.

Why words: staff wrote words, not numbers, and a learned number an editor has not accepted must
never stray further from their word than the guide allows (``Guide.learned_max_words``, two words
by default). So both scales are read as positions, one per word:

* **efficacy** (``EFFICACY``): rarely 0.1 = 0, sometimes 0.3 = 1, often 0.6 = 2, almost always
  0.9 = 3, linear between words and, past the ends, at the slope of the end's last gap (0.01 is
  position -0.45, 0.99 is 3.3). Values stay within [0.01, 0.99], as ``simulator.perturbed``'s.
* **commonness** (``Cause.weight``): rare 1 = 0, uncommon 2 = 1, common 4 = 2, very common 8 = 3:
  the position is log2 of the weight, each word a doubling, and the scale goes on doubling past its
  ends. Learned shares become weights on the staff's own footing: scaled so that their geometric
  mean ratio to the staff's weights is one, because only ratios between causes mean anything and
  "every cause twice as common" says nothing.

``applied`` moves each number to its learned value, clamped to ``max_words`` positions either side
of the staff's word. ``word_moves`` says, per number, the staff's word, the word nearest the learned
value, how many words apart they are and whether the move needs an editor (it goes beyond the bound).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from guides.engine.model import EFFICACY, Efficacy, Model

__all__ = ["COMMONNESS", "WordMove", "bounded", "commonness_position", "efficacy_position", "word_moves"]

# Commonness words as the content files spell them, by weight (guides.models.Commonness values).
COMMONNESS: dict[str, float] = {"rare": 1.0, "uncommon": 2.0, "common": 4.0, "very_common": 8.0}
_EFFICACY_WORDS = sorted(EFFICACY.items(), key=lambda item: item[1])  # rarely first
_EFFICACY_VALUES = [value for _, value in _EFFICACY_WORDS]
LOWEST, HIGHEST = 0.01, 0.99


@dataclass(frozen=True)
class WordMove:
    """One number in words: ``words`` = learned word's place minus staff's (signed); ``steps`` the exact distance."""

    staff_word: str
    learned_word: str
    words: int
    steps: float
    needs_editor: bool  # beyond ``max_words``: applied() holds it at the bound until an editor accepts it


def efficacy_position(value: float) -> float:
    values = _EFFICACY_VALUES
    if value <= values[0]:
        return (value - values[0]) / (values[1] - values[0])
    for i in range(1, len(values)):
        if value <= values[i]:
            return i - 1 + (value - values[i - 1]) / (values[i] - values[i - 1])
    return len(values) - 1 + (value - values[-1]) / (values[-1] - values[-2])


def efficacy_value(position: float) -> float:
    values = _EFFICACY_VALUES
    last = len(values) - 1
    if position <= 0:
        value = values[0] + position * (values[1] - values[0])
    elif position >= last:
        value = values[-1] + (position - last) * (values[-1] - values[-2])
    else:
        i = int(position)
        value = values[i] + (position - i) * (values[i + 1] - values[i])
    return min(HIGHEST, max(LOWEST, value))


def commonness_position(weight: float) -> float:
    return math.log2(weight)


def _nearest(position: float, words: list[str]) -> tuple[int, str]:
    index = min(len(words) - 1, max(0, round(position)))
    return index, words[index]


def learned_weights(model: Model, shares: dict[str, float]) -> dict[str, float]:
    """Learned shares as weights on the staff's footing (geometric mean ratio to the staff's weights = 1)."""
    logs = [math.log(c.weight) - math.log(shares[c.key]) for c in model.causes if shares.get(c.key, 0) > 0]
    scale = math.exp(sum(logs) / len(logs)) if logs else 1.0
    return {key: share * scale for key, share in shares.items() if share > 0}


def _bounded(position: float, staff_position: float, max_words: float) -> float:
    return min(staff_position + max_words, max(staff_position - max_words, position))


# How far outside its 90 % interval staff's value must lie before the plan moves: twice the interval's
# reach from the learned value (about 99.9 % for a normal). The intervals treat each number alone and
# run narrow (about three quarters cover the truth), and one number moved by chance cost a guide whose
# words were right a third of a screen per visitor in the simulator.
SURE = 2.0


def _consistent(estimate, staff: float) -> bool:
    """Whether the visitors so far are consistent with staff's value (see ``SURE``)."""
    low = estimate.value - SURE * (estimate.value - estimate.low)
    high = estimate.value + SURE * (estimate.high - estimate.value)
    return low <= staff <= high


def bounded(
    model: Model,
    learned,
    *,
    max_words: int = 1,
    sure_only: bool = True,
    priors: bool = True,
    efficacies: bool = True,
    shrink: bool = False,
) -> Model:
    """The model with each learned number, never more than ``max_words`` words from the staff's; clamped at the bound.

    With ``sure_only`` (the default) a number moves only when its learned interval, stretched to ``SURE``
    times its reach, leaves staff's value out: where the visitors so far are consistent with staff's
    word, staff's word stands. Without it,
    a guide whose words were right was planned with numbers a little off by chance, and its visitors
    needed more screens (bench.learning, the "right" world). Numbers not learned keep the staff's value;
    links are never added or removed. ``priors`` / ``efficacies`` False keep that kind of number staff's.
    With ``shrink`` every move is scaled down alike until the furthest is at the bound, instead of each
    clamped alone: the same direction as the learned numbers, so their ratios to one another keep their
    order. These are candidates: ``learned_plan.applied`` plans with one only when it does not cost visitors.
    """
    moves = _moves(model, learned, sure_only, priors, efficacies)
    furthest = max((abs(to - start) for start, to in moves.values()), default=0.0)
    scale = min(1.0, max_words / furthest) if shrink and furthest > 0 else 1.0

    def position(key) -> float:
        start, to = moves[key]
        return start + scale * (to - start) if shrink else _bounded(to, start, max_words)

    causes = tuple(replace(c, weight=2.0 ** position(c.key)) if c.key in moves else c for c in model.causes)
    steps = []
    for step in model.steps:
        fixes = {
            cause: efficacy_value(position((step.key, cause))) if (step.key, cause) in moves else efficacy
            for cause, efficacy in step.fixes.items()
        }
        steps.append(replace(step, fixes=fixes))
    return replace(model, causes=causes, steps=tuple(steps))


def _moves(model: Model, learned, sure_only: bool, priors: bool, efficacies: bool) -> dict:
    """Per number that moves: (staff's position, the learned position), on its word scale."""
    moves = {}
    total = sum(c.weight for c in model.causes)
    weights = learned_weights(model, {key: e.value for key, e in learned.priors.items()}) if priors else {}
    for cause in model.causes:
        estimate = learned.priors.get(cause.key)
        if cause.key in weights and not (sure_only and _consistent(estimate, cause.weight / total)):
            moves[cause.key] = (commonness_position(cause.weight), commonness_position(weights[cause.key]))
    for step in model.steps:
        for cause, efficacy in step.fixes.items():
            estimate = learned.efficacies.get((step.key, cause)) if efficacies else None
            if estimate is None or efficacy <= 0 or (sure_only and _consistent(estimate, efficacy)):
                continue
            moves[step.key, cause] = (efficacy_position(efficacy), efficacy_position(estimate.value))
    return moves


def _move(staff_position: float, learned_position: float, words: list[str], max_words: float) -> WordMove:
    staff_index, staff_word = _nearest(staff_position, words)
    learned_index, learned_word = _nearest(learned_position, words)
    steps = learned_position - staff_position
    return WordMove(staff_word, learned_word, learned_index - staff_index, steps, abs(steps) > max_words + 1e-9)


def word_moves(model: Model, learned, *, max_words: int = 1) -> dict:
    """Per number: a ``WordMove``. Keys: a cause key for its commonness, (step key, cause key) for a link."""
    moves: dict = {}
    commonness_words = list(COMMONNESS)
    weights = learned_weights(model, {key: e.value for key, e in learned.priors.items()})
    for cause in model.causes:
        if cause.key in weights:
            staff, position = commonness_position(cause.weight), commonness_position(weights[cause.key])
            moves[cause.key] = _move(staff, position, commonness_words, max_words)
    efficacy_words = [Efficacy(word).value for word, _ in _EFFICACY_WORDS]
    for step in model.steps:
        for cause, efficacy in step.fixes.items():
            estimate = learned.efficacies.get((step.key, cause))
            if estimate is not None and efficacy > 0:
                staff, position = efficacy_position(efficacy), efficacy_position(estimate.value)
                moves[step.key, cause] = _move(staff, position, efficacy_words, max_words)
    return moves
