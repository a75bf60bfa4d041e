"""Learning how common each cause is and how often each step fixes it, from verified step outcomes.

The model (Breese and Heckerman's case-based troubleshooter, 1996): staff's words are a prior worth
``strength`` visitors, a Dirichlet over the causes and a Beta per step-cause link, and every
verified outcome updates it. A visitor's cause is never seen, so each outcome is attributed to the
causes in proportion to their probability at the time (expectation-maximisation):

* **Priors.** Each visit counts once, by its last record: that record's evidence plus its outcome
  is the whole visit (the signed state carries every answer and step before it), so q(c) there is
  P(cause | everything the visitor did). A "fixed" or "explained" ends a visit; a "didn't fix it" is
  the last of its visit when no record from the same source continues from it (the records after it
  carry it in their evidence): counted per state, visitors with the same path being interchangeable.
  The M-step is the Dirichlet posterior mean.
* **Links.** A record "step s fixed it / didn't" is one trial of s for each cause c it is linked to,
  weighted by q(c) = P(c | the whole visit): the mean over the visits through that record of their
  last record's q, so a "didn't fix it" is attributed knowing what fixed the visit in the end. This
  is EM on whole visits (``attribution.tally``); the M-step is the Beta posterior mean.
* **What stays staff's.** The symptoms' words; the answers' words, except each question's baseline
  (``attribution``). The long-shots screen's answers are left out: the site never stores which long
  shots failed before one worked, so they would count successes only.

**Influence of one source** (``Record.source``, an HMAC of the address). Per learned number, each
source's evidence (its trials of the link, or its visits for a prior) is compared with a reference
of visitors only, every source counting as one visitor at most: a source whose rate agrees with it
(within 3 standard deviations, the reference's own uncertainty included) counts in full, however
many visitors it holds, so 500 real visitors behind one carrier's address move the numbers as 500
would. A source out of line on any number is suspect on all of them (an attacker that drags one
number must not then "agree" on it), and the suspects share one allowance per number: together
they count as at most ``max_share`` of the evidence of the others (staff's pseudo-visitors
included), scaled down alike. Ten addresses answering "fixed" all week thus weigh like 5 % of the
honest evidence, whatever their volume, and each source's records speak only for its own visits.
Bursts are not dampened as such: an outage's true outcomes come from many addresses, each of which
agrees with itself, and a source with few records (under ``SMALL_SOURCE``) or unknown ("") is never
capped, since a handful of answers is no attack. What this cannot stop is an attacker with many
addresses, each below notice; that is the signed tokens' and rate limits' job.

**Intervals** are 90 % Beta intervals on the capped counts, shrunk by the share of their
information left to each number once every other number is free to move (Louis's observed
information, ``observed_information``): where the evidence barely tells two causes apart, an
outcome attributed half to each says little about either, and a higher share for one cause
trades against a lower efficacy for it. In the tests about nine tenths of true numbers fall inside.
``Estimate.visitors`` is the capped evidence (fractional: attribution splits a visitor among causes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from guides.engine.attribution import OUTCOMES, SMALL_SOURCE, grouped, staff_answers, tally
from guides.engine.intervals import beta_interval
from guides.engine.learned_plan import applied
from guides.engine.learned_words import WordMove, word_moves
from guides.engine.model import Model
from guides.engine.observed_information import known_shares

__all__ = ["OUTCOMES", "SMALL_SOURCE", "Estimate", "Learned", "Record", "WordMove", "applied", "learn", "word_moves"]
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
    # Where EM stopped (priors, efficacies, answer model), to start the next relearning from: not for display.
    resume: tuple = field(default=(), compare=False, repr=False)


def disagreeing(counts: dict) -> set:
    """The sources whose rate behind one number disagrees with everyone's (see the module docstring).

    ``counts`` maps a source (None: never capped) to its (successes, trials). The reference counts
    every source as one visitor at most, and leaves staff's numbers out: visitors are compared with
    visitors, so a carrier's real visitors are never suspect for disagreeing with staff.
    """
    free_k, free_n = counts.get(None, (0.0, 0.0))
    tracked = [(source, kn) for source, kn in counts.items() if source is not None and kn[1] > 0]
    ref_k = free_k + sum(k / n * min(n, 1.0) for _, (k, n) in tracked)
    ref_n = free_n + sum(min(n, 1.0) for _, (_, n) in tracked)
    if ref_n <= 0:
        return set()
    p = min(1 - 1e-6, max(1e-6, ref_k / ref_n))
    found = set()
    for source, (k, n) in tracked:
        spread = math.sqrt(n * p * (1 - p) + n * n * p * (1 - p) / ref_n)
        if abs(k - n * p) > AGREES_WITHIN * spread + 1.0:
            found.add(source)
    return found


def capped(counts: dict, a: float, b: float, max_share: float, suspects: set) -> tuple[float, float]:
    """(successes, trials) behind one number: the ``suspects`` share one allowance of ``max_share``."""
    agree_k = agree_n = out_k = out_n = 0.0
    for source, (k, n) in counts.items():
        if source in suspects:
            out_k, out_n = out_k + k, out_n + n
        else:
            agree_k, agree_n = agree_k + k, agree_n + n
    if out_n > 0:
        scale = min(1.0, max_share * (a + b + agree_n) / out_n)
        out_k, out_n = out_k * scale, out_n * scale
    return agree_k + out_k, agree_n + out_n


class _Staff:
    """Staff's numbers as pseudo-counts worth ``strength`` visitors: (a, b) per number, cause position or link."""

    def __init__(self, model: Model, strength: float):
        self.strength = strength
        self.causes = [c.key for c in model.causes]
        total = sum(c.weight for c in model.causes)
        self.prior = [c.weight / total for c in model.causes]
        self.links = {s.key: [max(0.0, s.fixes.get(c, 0.0)) for c in self.causes] for s in model.steps}
        self.answers = staff_answers(model)

    def pseudo(self, number) -> tuple[float, float]:
        value = self.prior[number] if isinstance(number, int) else self.links[number[0]][number[1]]
        return self.strength * value, self.strength * (1 - value)


def learn(
    model: Model,
    records: Sequence[Record],
    *,
    strength: float = 20.0,
    max_share: float = 0.05,
    iterations: int = 30,
    start: Learned | None = None,
) -> Learned:
    """Learned priors and efficacies for ``model`` from ``records``, staff's numbers worth ``strength`` visitors.

    ``start``: an earlier result for the same model, to start EM from where it stopped (relearning
    after a few more records converges in a few iterations instead of thirty).
    """
    staff = _Staff(model, strength)
    groups, used = grouped(model, records)
    current = (list(staff.prior), staff.links, {key: a.table(a.baseline) for key, a in staff.answers.items()})
    if start is not None and start.resume and len(start.resume[0]) == len(staff.causes):
        current = start.resume
    suspects: set = set()
    for _ in range(max(1, iterations)):
        current, counts = _iteration(staff, groups, current, suspects, max_share)
    prior_counts, link_counts, information = counts
    # Each number's known share with every other number free (Louis); attribution's own, per number, if singular.
    joint = known_shares(groups, current, _logs(current), staff.pseudo, list(link_counts))
    if joint is not None:
        information = {number: (1.0, share) for number, share in joint.items()}
    priors = {
        staff.causes[ci]: _estimate(*staff.pseudo(ci), k, n, current[0][ci], _known(information, ci))
        for ci, (k, n) in enumerate(prior_counts)
    }
    return Learned(priors, _link_estimates(model, staff, link_counts, information), used, resume=current)


def _iteration(staff: _Staff, groups, current: tuple, suspects: set, max_share: float):
    """One round of EM: attribute (``attribution.tally``), cap per source, re-estimate. Adds to ``suspects``."""
    prior, efficacy, answer = current
    counted = tally(groups, len(staff.causes), *_logs(current), efficacy)
    numbers = {ci: counted.priors[ci] for ci in range(len(staff.causes))} | counted.links
    # Once out of line on any number, a source stays suspect on every number: an address that agrees on one
    # only because its own weight dragged the others there must not count in full anywhere.
    suspects |= set().union(*(disagreeing(counts) for counts in numbers.values()))
    prior_counts = [capped(counted.priors[ci], *staff.pseudo(ci), max_share, suspects) for ci in range(len(prior))]
    shares = [(staff.pseudo(ci)[0] + k) / (staff.strength + n) for ci, (k, n) in enumerate(prior_counts)]
    link_counts = {
        key: capped(counts, *staff.pseudo(key), max_share, suspects) for key, counts in counted.links.items()
    }
    efficacy = {key: list(row) for key, row in staff.links.items()}
    for (step, ci), (k, n) in link_counts.items():
        a, _ = staff.pseudo((step, ci))
        efficacy[step][ci] = min(0.999, max(0.001, (a + k) / (staff.strength + n)))
    baselines = _baselines(staff.answers, counted.answers, staff.strength)
    answer = {key: staff.answers[key].table(baseline) for key, baseline in baselines.items()}
    current = ([share / sum(shares) for share in shares], efficacy, answer)
    return current, (prior_counts, link_counts, counted.information)


def _logs(current: tuple) -> tuple:
    """The current numbers as the E-step reads them: log shares, log misses per step, log answer chances."""
    prior, efficacy, answer = current
    return (
        [math.log(max(p, 1e-12)) for p in prior],
        {key: [(ci, math.log1p(-e)) for ci, e in enumerate(row) if e > 0] for key, row in efficacy.items()},
        {(key, a): [math.log(row[a]) for row in rows] for key, rows in answer.items() for a in range(len(rows[0]))},
    )


def _baselines(staff: dict, counts: dict, strength: float) -> dict[str, list[float]]:
    """Each question's baseline: staff's as ``strength`` visitors, plus the answers of causes it does not mention."""
    found = {}
    for question, model in staff.items():
        seen = [0.0] * len(model.baseline)
        for ci, row in enumerate(counts.get(question, ())):
            if ci not in model.mentioned:
                for a, count in row.items():
                    seen[a] += count
        total = strength + sum(seen)
        found[question] = [(strength * q + n) / total for q, n in zip(model.baseline, seen, strict=True)]
    return found


def _known(information: dict, number) -> float:
    """The share of the attributed evidence's information that attribution did not leave open (1 when certain)."""
    complete, known = information.get(number, (0.0, 0.0))
    return 1.0 if complete <= 0 else min(1.0, max(0.02, known / complete))


def _link_estimates(model: Model, staff: _Staff, link_counts, information) -> dict[tuple[str, str], Estimate]:
    """Every staff link, learned or not (a link no one tried keeps staff's number, with staff's interval)."""
    estimates = {}
    for step in model.steps:
        for ci, e0 in enumerate(staff.links[step.key]):
            if e0 > 0:
                k, n = link_counts.get((step.key, ci), (0.0, 0.0))
                a, b = staff.pseudo((step.key, ci))
                value = (a + k) / (a + b + n)
                estimates[step.key, staff.causes[ci]] = _estimate(
                    a, b, k, n, value, _known(information, (step.key, ci))
                )
    return estimates


def _estimate(a: float, b: float, k: float, n: float, value: float, known: float = 1.0) -> Estimate:
    """The estimate with its 90 % interval: a Beta on the counts, shrunk to the information attribution left.

    Where the evidence cannot tell two causes apart, an outcome attributed half to each carries far
    less than half a visitor's information about either: the interval widens accordingly.
    """
    # Rounded to a hundredth of a visitor: repeated intervals (links no one tried) are computed once.
    low, high = beta_interval(max(round(a + k * known, 2), 0.01), max(round(b + (n - k) * known, 2), 0.01))
    return Estimate(value, min(low, value), max(high, value), n)
