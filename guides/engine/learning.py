"""Learning how common each cause is and how often each step fixes it, from verified step outcomes.

The model (Breese and Heckerman's case-based troubleshooter, 1996): staff's words are a prior worth
``strength`` visitors, a Dirichlet over the causes and a Beta per step-cause link, and every
verified outcome updates it. A visitor's cause is never seen, so each outcome is attributed to the
causes in proportion to their probability at the time (expectation-maximisation):

* **Links.** A record "step s fixed it / didn't", with the visit's evidence before that screen, is
  one trial of s for each cause c, weighted by q(c) = P(c | evidence, outcome) under the current
  estimate (``beliefs`` computes the evidence part). The M-step is the Beta posterior mean
  (a + Σ q·fixed) / (strength + Σ q). At the true numbers, E[q·fixed] = P(c | evidence)·e(s, c) and
  E[q] = P(c | evidence), so the update's fixed point is the true efficacy: "didn't fix it" counts,
  and the attribution "at the time" needs no later knowledge of the visit.
* **Priors.** Each visit counts once, by its last record: that record's evidence plus its outcome
  is the whole visit (the signed state carries every answer and step before it), so q(c) there is
  the cause's posterior given everything the visitor did. A "fixed" or "explained" ends a visit; a
  "didn't fix it" is the last of its visit when no record continues from it (the records after it
  would carry it in their evidence): counted per state, visitors with the same path being
  interchangeable. The M-step is the Dirichlet posterior mean.

**Influence of one source** (``Record.source``, an HMAC of the address). Per learned number, each
source's evidence (its trials of the link, or its visits for a prior) is compared with a reference
in which every source counts as one visitor at most, plus staff's prior: a source whose rate agrees
with it (within 3 standard deviations, the reference's own uncertainty included) counts in full,
however many visitors it holds, so 500 real visitors behind one carrier's address move the numbers
as 500 would. Sources that disagree share one allowance: together they count as at most
``max_share`` of the evidence of the sources that agree (staff's pseudo-visitors included), scaled
down alike. Ten addresses answering "fixed" at the allowed rate thus weigh like 5 % of the honest
evidence, whatever their volume. Bursts are not dampened as such: an outage's true outcomes come
from many addresses, each of which agrees with itself, and a source with few records (under
``SMALL_SOURCE``) or unknown ("") is never capped, since a handful of answers is no attack. What
this cannot stop is an attacker with many addresses, each below notice; that is the signed
tokens' and rate limits' job.

Intervals are 90 % Beta intervals on the capped counts; ``Estimate.visitors`` is the capped
evidence (fractional: attribution splits a visitor among causes).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from guides.engine.beliefs import FAILED, NOT_IT, belief_for
from guides.engine.intervals import beta_interval
from guides.engine.learned_words import WordMove, applied, word_moves
from guides.engine.model import RECOGNISED, Model

__all__ = ["OUTCOMES", "Estimate", "Learned", "Record", "WordMove", "applied", "learn", "word_moves"]

FIXED, NOT_FIXED, EXPLAINED = "fixed", "not_fixed", "explained"
OUTCOMES = (FIXED, NOT_FIXED, EXPLAINED, NOT_IT)
# A source with fewer records than this is never capped: a few answers from one address are no attack.
SMALL_SOURCE = 10
# How many standard deviations from the reference a source may be and still agree with it.
AGREES_WITHIN = 3.0


@dataclass(frozen=True)
class Record:
    """One verified step outcome, as the signed form carried it."""

    evidence: tuple[tuple[str, str], ...]  # the visit's evidence BEFORE this screen (engine pairs)
    outcome: str  # "fixed" | "not_fixed" | "explained" | "not_it"   ("couldnt" is never passed)
    key: str  # step key (fixed/not_fixed) or cause key (explained/not_it)
    source: str = ""  # opaque per-address key (an HMAC, never the address); "" = unknown


@dataclass(frozen=True)
class Estimate:
    value: float  # posterior mean
    low: float  # 90 % interval
    high: float
    visitors: float  # effective number of visitors' evidence behind it (after capping)


@dataclass(frozen=True)
class Learned:
    priors: dict[str, Estimate]  # cause key -> share of visitors with that cause
    efficacies: dict[tuple[str, str], Estimate]  # (step key, cause key) -> chance the step fixes it
    records: int  # records used


@dataclass
class _State:
    """A distinct evidence state: what the staff's answers say about each cause, and what was tried."""

    static: list[float]  # log-likelihood of the answers and symptoms per cause (not learned)
    failed: tuple[str, ...]  # steps that failed
    not_it: tuple[int, ...]  # cause positions whose explanation was rejected
    after: dict  # outcome pair -> the state key after it (for counting last records)


@dataclass
class _Group:
    """Records with the same state, outcome and key: their count per source (None = never capped)."""

    state: _State
    outcome: str
    key: str
    cause: int  # the cause position for explained / not_it; -1 otherwise
    counts: dict
    last: float = 1.0  # the share of these records that were the last of their visit


def _states(model: Model, records: Sequence[Record]):
    """Clean each record's evidence once per distinct evidence; group the records; count where visits went on."""
    causes = [c.key for c in model.causes]
    cause_pos = {key: i for i, key in enumerate(causes)}
    links = {s.key: s.fixes for s in model.steps}
    log_weight = [math.log(c.weight) for c in model.causes]
    states: dict[tuple, tuple[tuple, _State]] = {}
    source_records: dict[str, int] = defaultdict(int)
    for record in records:
        source_records[record.source] += 1
    groups: dict[tuple, _Group] = {}
    used = 0
    continuing: dict[tuple, int] = defaultdict(int)  # cleaned state -> records whose previous record ended there
    ending: dict[tuple, int] = defaultdict(int)  # cleaned state -> non-terminal records that ended there
    for record in records:
        if record.outcome not in OUTCOMES:
            continue
        if record.outcome in (FIXED, NOT_FIXED) and not any(e > 0 for e in links.get(record.key, {}).values()):
            continue
        if record.outcome in (EXPLAINED, NOT_IT) and record.key not in cause_pos:
            continue
        found = states.get(record.evidence)
        if found is None:
            found = states[record.evidence] = _state(model, record.evidence, log_weight, cause_pos)
        clean, state = found
        used += 1
        source = record.source if record.source and source_records[record.source] >= SMALL_SOURCE else None
        group_key = (clean, record.outcome, record.key)
        group = groups.get(group_key)
        if group is None:
            cause = cause_pos.get(record.key, -1) if record.outcome in (EXPLAINED, NOT_IT) else -1
            group = groups[group_key] = _Group(state, record.outcome, record.key, cause, defaultdict(float))
        group.counts[source] += 1.0
        last_pair = max((i for i, (k, _) in enumerate(clean) if k in (FAILED, NOT_IT)), default=-1)
        if last_pair >= 0:
            continuing[clean[: last_pair + 1]] += 1
        if record.outcome in (NOT_FIXED, NOT_IT):
            ending[(*clean, (FAILED if record.outcome == NOT_FIXED else NOT_IT, record.key))] += 1
    for (clean, outcome, key), group in groups.items():
        if outcome in (NOT_FIXED, NOT_IT):
            after = (*clean, (FAILED if outcome == NOT_FIXED else NOT_IT, key))
            total = ending[after]
            group.last = max(0.0, total - continuing.get(after, 0)) / total
    return list(groups.values()), used


def _state(model: Model, evidence, log_weight: list[float], cause_pos: dict[str, int]) -> tuple[tuple, _State]:
    """The cleaned evidence and what in it stays fixed while the numbers are learned (answers, symptoms)."""
    belief = belief_for(model, evidence)
    static = [lw - w for lw, w in zip(belief.log_weight, log_weight, strict=True)]
    failed, not_it = [], []
    steps = {s.key: s for s in model.steps}
    for key, value in belief.evidence:
        if key == FAILED:
            failed.append(value)
            for cause, efficacy in steps[value].fixes.items():
                if efficacy > 0:
                    static[cause_pos[cause]] -= math.log1p(-efficacy)
        elif key == NOT_IT:
            not_it.append(cause_pos[value])
            static[cause_pos[value]] -= math.log1p(-RECOGNISED)
    return belief.evidence, _State(static, tuple(failed), tuple(not_it), {})


def _posterior(state: _State, log_prior: list[float], log_miss: dict[str, list[float]]) -> list[float]:
    """P(cause | the state's evidence) under the current numbers."""
    logs = [p + s for p, s in zip(log_prior, state.static, strict=True)]
    for step in state.failed:
        for ci, lm in enumerate(log_miss[step]):
            logs[ci] += lm
    for ci in state.not_it:
        logs[ci] += math.log1p(-RECOGNISED)
    top = max(logs)
    weights = [math.exp(x - top) for x in logs]
    total = sum(weights)
    return [w / total for w in weights]


def _responsibility(group: _Group, p: list[float], efficacy: dict[str, list[float]]) -> list[float] | None:
    """q(c) = P(c | evidence, outcome); None when no cause explains the outcome."""
    if group.outcome == FIXED:
        weights = [pc * e for pc, e in zip(p, efficacy[group.key], strict=True)]
    elif group.outcome == NOT_FIXED:
        weights = [pc * (1 - e) for pc, e in zip(p, efficacy[group.key], strict=True)]
    elif group.outcome == EXPLAINED:
        weights = [0.0] * len(p)
        weights[group.cause] = p[group.cause] * RECOGNISED
    else:
        weights = list(p)
        weights[group.cause] *= 1 - RECOGNISED
    total = sum(weights)
    return [w / total for w in weights] if total > 0 else None


def capped(counts: dict, a: float, b: float, max_share: float) -> tuple[float, float]:
    """(successes, trials) behind one number after the per-source cap (see the module docstring).

    ``counts`` maps a source (None: never capped) to its (successes, trials); a and b are staff's
    pseudo-counts.
    """
    free_k, free_n = counts.get(None, (0.0, 0.0))
    tracked = [kn for source, kn in counts.items() if source is not None and kn[1] > 0]
    ref_k = a + free_k + sum(k / n * min(n, 1.0) for k, n in tracked)
    ref_n = a + b + free_n + sum(min(n, 1.0) for _, n in tracked)
    p = min(1 - 1e-6, max(1e-6, ref_k / ref_n))
    agree_k, agree_n, out_k, out_n = free_k, free_n, 0.0, 0.0
    for k, n in tracked:
        spread = math.sqrt(n * p * (1 - p) + n * n * p * (1 - p) / ref_n)
        if abs(k - n * p) <= AGREES_WITHIN * spread + 1.0:
            agree_k, agree_n = agree_k + k, agree_n + n
        else:
            out_k, out_n = out_k + k, out_n + n
    if out_n > 0:
        scale = min(1.0, max_share * (a + b + agree_n) / out_n)
        out_k, out_n = out_k * scale, out_n * scale
    return agree_k + out_k, agree_n + out_n


def _tally(groups, log_prior, log_miss, efficacy, n_causes):
    """E-step: per number, per source, (successes, trials) — links by (step, cause), priors by cause."""
    links: dict = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    priors: list = [defaultdict(lambda: [0.0, 0.0]) for _ in range(n_causes)]
    posteriors: dict[int, list[float]] = {}
    for group in groups:
        p = posteriors.get(id(group.state))
        if p is None:
            p = posteriors[id(group.state)] = _posterior(group.state, log_prior, log_miss)
        q = _responsibility(group, p, efficacy)
        if q is None:
            continue
        for source, count in group.counts.items():
            if group.last > 0:
                visits = count * group.last
                for ci, qc in enumerate(q):
                    row = priors[ci][source]
                    row[0] += visits * qc
                    row[1] += visits
            if group.outcome in (FIXED, NOT_FIXED):
                success = group.outcome == FIXED
                for ci, e in enumerate(efficacy[group.key]):
                    if e > 0 and q[ci] > 0:
                        row = links[group.key, ci][source]
                        row[0] += count * q[ci] * success
                        row[1] += count * q[ci]
    return priors, links


def learn(
    model: Model, records: Sequence[Record], *, strength: float = 20.0, max_share: float = 0.05, iterations: int = 30
) -> Learned:
    """Learned priors and efficacies for ``model`` from ``records``, staff's numbers worth ``strength`` visitors."""
    causes = [c.key for c in model.causes]
    total_weight = sum(c.weight for c in model.causes)
    staff_prior = [c.weight / total_weight for c in model.causes]
    staff_links = {
        s.key: [s.fixes.get(c, 0.0) if s.fixes.get(c, 0.0) > 0 else 0.0 for c in causes] for s in model.steps
    }
    groups, used = _states(model, records)
    prior, efficacy = list(staff_prior), {key: list(row) for key, row in staff_links.items()}
    prior_counts, link_counts = [(0.0, 0.0)] * len(causes), {}
    for _ in range(max(1, iterations)):
        log_prior = [math.log(max(p, 1e-12)) for p in prior]
        log_miss = {key: [math.log1p(-e) for e in row] for key, row in efficacy.items()}
        priors, links = _tally(groups, log_prior, log_miss, efficacy, len(causes))
        prior_counts = [
            capped(priors[ci], strength * staff_prior[ci], strength * (1 - staff_prior[ci]), max_share)
            for ci in range(len(causes))
        ]
        shares = [(strength * staff_prior[ci] + k) / (strength + n) for ci, (k, n) in enumerate(prior_counts)]
        prior = [s / sum(shares) for s in shares]
        link_counts = {}
        for (step, ci), counts in links.items():
            e0 = staff_links[step][ci]
            link_counts[step, ci] = capped(counts, strength * e0, strength * (1 - e0), max_share)
        efficacy = {key: list(row) for key, row in staff_links.items()}
        for (step, ci), (k, n) in link_counts.items():
            e0 = staff_links[step][ci]
            efficacy[step][ci] = min(0.999, max(0.001, (strength * e0 + k) / (strength + n)))
    return Learned(
        priors={
            causes[ci]: _estimate(strength * staff_prior[ci], strength * (1 - staff_prior[ci]), k, n, prior[ci])
            for ci, (k, n) in enumerate(prior_counts)
        },
        efficacies=_link_estimates(model, causes, staff_links, link_counts, strength),
        records=used,
    )


def _link_estimates(model, causes, staff_links, link_counts, strength) -> dict[tuple[str, str], Estimate]:
    """Every staff link, learned or not (a link no one tried keeps staff's number, with staff's interval)."""
    estimates = {}
    for step in model.steps:
        for ci, e0 in enumerate(staff_links[step.key]):
            if e0 > 0:
                k, n = link_counts.get((step.key, ci), (0.0, 0.0))
                a, b = strength * e0, strength * (1 - e0)
                estimates[step.key, causes[ci]] = _estimate(a, b, k, n, (a + k) / (a + b + n))
    return estimates


def _estimate(a: float, b: float, k: float, n: float, value: float) -> Estimate:
    low, high = beta_interval(max(a + k, 1e-3), max(b + n - k, 1e-3))
    return Estimate(value, min(low, value), max(high, value), n)
