"""STUB of h-learn-engine's module (CONTRACT-17's signatures), replaced by `git merge h-learn-engine`.

One pass, no per-source cap: enough for the Django side to be written and tested against.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from guides.engine.model import EFFICACY, Model

COMMONNESS = (1.0, 2.0, 4.0, 8.0)


@dataclass(frozen=True)
class Record:
    evidence: tuple[tuple[str, str], ...]
    outcome: str
    key: str
    source: str = ""


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float
    visitors: float


@dataclass(frozen=True)
class Learned:
    priors: dict[str, Estimate]
    efficacies: dict[tuple[str, str], Estimate]
    records: int


def _estimate(hits: float, total: float) -> Estimate:
    value = hits / total if total else 0.0
    spread = 1.645 * (value * (1 - value) / max(total, 1.0)) ** 0.5
    return Estimate(value, max(value - spread, 0.0), min(value + spread, 1.0), total)


def learn(
    model: Model, records: Sequence[Record], *, strength: float = 20.0, max_share: float = 0.05, iterations: int = 30
) -> Learned:
    weights = {c.key: c.weight for c in model.causes}
    total_weight = sum(weights.values())
    cause_counts = {key: strength * w / total_weight for key, w in weights.items()}
    links = {}
    for step in model.steps:
        for cause, efficacy in step.fixes.items():
            links[step.key, cause] = [strength * efficacy, strength]
    steps = {s.key: s for s in model.steps}
    for record in records:
        if record.outcome in ("fixed", "not_fixed") and record.key in steps:
            fixes = steps[record.key].fixes
            fixed = record.outcome == "fixed"
            shares = {c: weights[c] * (e if fixed else 1 - e) for c, e in fixes.items()}
            whole = sum(shares.values()) or 1.0
            for cause, share in shares.items():
                link = links[record.key, cause]
                link[0] += share / whole if fixed else 0.0
                link[1] += share / whole
                if fixed:
                    cause_counts[cause] += share / whole
        elif record.outcome == "explained" and record.key in cause_counts:
            cause_counts[record.key] += 1.0
    whole = sum(cause_counts.values())
    priors = {key: _estimate(n, whole) for key, n in cause_counts.items()}
    efficacies = {key: _estimate(hits, total) for key, (hits, total) in links.items()}
    return Learned(priors, efficacies, len(records))


def _nearest(scale: Sequence[float], value: float) -> int:
    return min(range(len(scale)), key=lambda i: abs(scale[i] - value))


def _prior_weight(model: Model, share: float) -> float:
    return share * sum(c.weight for c in model.causes)


def applied(model: Model, learned: Learned, *, max_words: int = 1) -> Model:
    efficacy_scale = sorted(EFFICACY.values())
    causes = []
    for cause in model.causes:
        estimate = learned.priors.get(cause.key)
        if estimate is None:
            causes.append(cause)
            continue
        i = _nearest(COMMONNESS, cause.weight)
        low, high = COMMONNESS[max(i - max_words, 0)], COMMONNESS[min(i + max_words, 3)]
        causes.append(replace(cause, weight=min(max(_prior_weight(model, estimate.value), low), high)))
    steps = []
    for step in model.steps:
        fixes = {}
        for cause, value in step.fixes.items():
            estimate = learned.efficacies.get((step.key, cause))
            if estimate is None:
                fixes[cause] = value
                continue
            i = _nearest(efficacy_scale, value)
            low, high = efficacy_scale[max(i - max_words, 0)], efficacy_scale[min(i + max_words, 3)]
            fixes[cause] = min(max(estimate.value, low), high)
        steps.append(replace(step, fixes=fixes))
    return replace(model, causes=tuple(causes), steps=tuple(steps))


def word_moves(model: Model, learned: Learned) -> dict:
    efficacy_scale = sorted(EFFICACY.values())
    moves = {}
    for cause in model.causes:
        if cause.key in learned.priors:
            staff = _nearest(COMMONNESS, cause.weight)
            near = _nearest(COMMONNESS, _prior_weight(model, learned.priors[cause.key].value))
            moves[cause.key] = (staff, near, abs(near - staff))
    for step in model.steps:
        for cause, value in step.fixes.items():
            if (step.key, cause) in learned.efficacies:
                staff = _nearest(efficacy_scale, value)
                near = _nearest(efficacy_scale, learned.efficacies[step.key, cause].value)
                moves[step.key, cause] = (staff, near, abs(near - staff))
    return moves
