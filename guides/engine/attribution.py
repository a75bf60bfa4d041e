"""The E-step of learning: which cause each verified outcome is attributed to, and how much.

Records are grouped by (cleaned evidence, outcome, key) and counted per source, so that relearning
100,000 outcomes costs one posterior per distinct evidence state, not per record. What the evidence
says that learning does not touch (the symptoms tapped) is computed once, through ``beliefs``; what
it does touch (priors, failed steps' efficacies, and what each answer says about each cause) is
applied per iteration from the current estimate.

**The answer model.** Staff's words for answers are guesses too, and a learner that trusts them
attributes outcomes wrongly where they are off: in the simulator, visitors answering by the plain
reading of the words (every answer alike for a cause the question does not mention) rather than as
the planner's fitted baseline pulled a learned efficacy from 0.56 to 0.96. So each question's
baseline, P(answer | a cause it does not mention), is learned alongside, as a Dirichlet around
the planner's (``compiled.answer_baseline``) worth ``strength`` visitors, from the answers of
visits attributed to causes the question does not mention; a mentioned cause answers by staff's
ratios on that baseline. Not a free table per cause: with one, causes that no answer tells apart
could trade places. It only steers attribution: the planner keeps staff's words, and no report
shows it. A large source counts as at most ``SMALL_SOURCE`` visitors in it.
"""

from __future__ import annotations

import math
import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from guides.engine.beliefs import FAILED, NOT_IT, belief_for
from guides.engine.compiled import compiled
from guides.engine.model import RECOGNISED, UNSURE, Model

FIXED, NOT_FIXED, EXPLAINED = "fixed", "not_fixed", "explained"
OUTCOMES = (FIXED, NOT_FIXED, EXPLAINED, NOT_IT)
# A source with fewer records than this is never capped: a few answers from one address are no attack.
SMALL_SOURCE = 10
_LOG_NOT_RECOGNISED = math.log1p(-RECOGNISED)
# Each model's cleaned evidence states, kept while the model lives: it relearns from the same records, and a few more.
_STATES: dict[int, tuple[weakref.ref, dict]] = {}


def _states_of(model: Model) -> dict:
    found = _STATES.get(id(model))
    if found is not None and found[0]() is model:
        return found[1]
    states: dict = {}
    key = id(model)
    _STATES[key] = (weakref.ref(model, lambda _ref, key=key: _STATES.pop(key, None)), states)
    return states


@dataclass
class State:
    """A distinct evidence state: what stays fixed while learning (symptoms), and what does not."""

    static: list[float]  # log-likelihood of the symptoms tapped, per cause
    failed: tuple[str, ...]  # steps that failed
    not_it: tuple[int, ...]  # cause positions whose explanation was rejected
    answers: tuple[tuple[str, int], ...]  # (question, answer position), "not sure" left out


@dataclass
class Group:
    """Records with the same state, outcome and key: their count per source (None = never capped)."""

    state: State
    outcome: str
    key: str
    cause: int  # the cause position for explained / not_it; -1 otherwise
    counts: dict = field(default_factory=lambda: defaultdict(float))
    last: dict = field(default_factory=dict)  # per source: the share of its records here that ended their visit
    answer_weight: float = 0.0  # its records as the answer model counts them (a large source as SMALL_SOURCE)
    earlier: list = field(default_factory=list)  # the groups of the same visits' earlier records


@dataclass(frozen=True)
class StaffAnswers:
    """One question's answer model as the planner reads staff's words: a baseline, and each cause's ratios to it."""

    baseline: tuple[float, ...]  # P(answer | a cause the question does not mention)
    ratios: tuple[tuple[float, ...], ...]  # per cause, per answer: LR(a, c) (1 for a cause not mentioned)
    mentioned: frozenset[int]  # cause positions some answer mentions

    def table(self, baseline) -> list[list[float]]:
        """P(answer | cause) per cause, for this baseline: LR(a, c) · q(a), normalised per cause."""
        rows = []
        for row in self.ratios:
            weighted = [r * q for r, q in zip(row, baseline, strict=True)]
            total = sum(weighted)
            rows.append([w / total for w in weighted])
        return rows


def staff_answers(model: Model) -> dict[str, StaffAnswers]:
    """Each question's answer model as the planner has it (``compiled``)."""
    tables = compiled(model)
    found = {}
    for question in tables.questions:
        mentioned = frozenset(ci for answer in question.answers for ci in answer.cause_lr)
        ratios = tuple(
            tuple(answer.cause_lr.get(ci, 1.0) for answer in question.answers) for ci in range(len(model.causes))
        )
        found[question.key] = StaffAnswers(tuple(a.baseline for a in question.answers), ratios, mentioned)
    return found


def grouped(model: Model, records) -> tuple[list[Group], int]:
    """Clean each distinct evidence once; group the records; find each visit's last record; count those used."""
    cause_pos = {c.key: i for i, c in enumerate(model.causes)}
    links = {s.key: s.fixes for s in model.steps}
    per_source: dict[str, int] = defaultdict(int)
    for record in records:
        per_source[record.source] += 1
    states = _states_of(model)
    groups: dict[tuple, Group] = {}
    # Per (state, source): records whose previous record ended there, and records that ended there without
    # ending their visit. Per source, so that no address can pass its records off as the rest of others' visits.
    continuing: dict[tuple, int] = defaultdict(int)
    ending: dict[tuple, int] = defaultdict(int)
    used = 0
    for record in records:
        if record.outcome not in OUTCOMES:
            continue
        if record.outcome in (FIXED, NOT_FIXED) and not any(e > 0 for e in links.get(record.key, {}).values()):
            continue
        if record.outcome in (EXPLAINED, NOT_IT) and record.key not in cause_pos:
            continue
        found = states.get(record.evidence)
        if found is None:
            found = states[record.evidence] = _state(model, record.evidence, cause_pos)
        clean, state = found
        used += 1
        group = groups.get((clean, record.outcome, record.key))
        if group is None:
            cause = cause_pos[record.key] if record.outcome in (EXPLAINED, NOT_IT) else -1
            group = groups[clean, record.outcome, record.key] = Group(state, record.outcome, record.key, cause)
        small = not record.source or per_source[record.source] < SMALL_SOURCE
        source = None if small else record.source
        group.counts[source] += 1.0
        last_pair = max((i for i, (k, _) in enumerate(clean) if k in (FAILED, NOT_IT)), default=-1)
        if last_pair >= 0:
            continuing[clean[: last_pair + 1], source] += 1
        if record.outcome in (NOT_FIXED, NOT_IT):
            ending[_after(clean, record.outcome, record.key), source] += 1
    for (clean, outcome, key), group in groups.items():
        group.answer_weight = sum(
            count if source is None else count * SMALL_SOURCE / per_source[source]
            for source, count in group.counts.items()
        )
        for source in group.counts:
            group.last[source] = 1.0
            if outcome in (NOT_FIXED, NOT_IT):
                after = (_after(clean, outcome, key), source)
                group.last[source] = max(0.0, ending[after] - continuing.get(after, 0)) / ending[after]
        for i, (pair_key, value) in enumerate(clean):
            if pair_key in (FAILED, NOT_IT):
                earlier = groups.get((clean[:i], NOT_FIXED if pair_key == FAILED else NOT_IT, value))
                if earlier is not None:
                    group.earlier.append(earlier)
    return list(groups.values()), used


def _after(clean: tuple, outcome: str, key: str) -> tuple:
    return (*clean, (FAILED if outcome == NOT_FIXED else NOT_IT, key))


def _state(model: Model, evidence, cause_pos: dict[str, int]) -> tuple[tuple, State]:
    """The cleaned evidence, and its parts: symptoms (kept), failures, rejections and answers (learned)."""
    belief = belief_for(model, evidence)
    tables = belief.tables
    static = [lw - lp for lw, lp in zip(belief.log_weight, tables.log_prior, strict=True)]
    failed, not_it, answers = [], [], []
    for key, value in belief.evidence:
        if key == FAILED:
            failed.append(value)
            for ci, efficacy in tables.step_by_key[value].fixes:
                static[ci] -= math.log1p(-efficacy)
        elif key == NOT_IT:
            not_it.append(cause_pos[value])
            static[cause_pos[value]] -= math.log1p(-RECOGNISED)
        elif key in tables.question_by_key and value != UNSURE:
            question = tables.question_by_key[key]
            answer_pos = question.answer_pos[value]
            answers.append((key, answer_pos))
            for ci, log_lr in question.answers[answer_pos].log_lr:
                static[ci] -= log_lr
    return belief.evidence, State(static, tuple(failed), tuple(not_it), tuple(answers))


def posterior(state: State, log_prior, log_miss, log_answer) -> list[float]:
    """P(cause | the state's evidence) under the current numbers.

    ``log_miss``: per step, (cause position, log(1 - efficacy)) for its links; ``log_answer``: per
    (question, answer position), log P(answer | cause) per cause.
    """
    logs = [p + s for p, s in zip(log_prior, state.static, strict=True)]
    for step in state.failed:
        for ci, lm in log_miss[step]:
            logs[ci] += lm
    for ci in state.not_it:
        logs[ci] += _LOG_NOT_RECOGNISED
    for answer in state.answers:
        logs = [x + y for x, y in zip(logs, log_answer[answer], strict=True)]
    top = max(logs)
    weights = [math.exp(x - top) for x in logs]
    total = sum(weights)
    return [w / total for w in weights]


def responsibility(group: Group, p: list[float], efficacy: dict[str, list[float]]) -> list[float] | None:
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


@dataclass
class Tally:
    """What one E-step counted: per number, per source, [successes, trials]; answers per question and cause."""

    priors: list
    links: dict
    answers: dict
    # Per number, [information the attributed counts would carry were each cause known, the part known]:
    # their ratio shrinks the interval's counts where attribution is unsure (Louis's missing information).
    information: dict = field(default_factory=lambda: defaultdict(lambda: [0.0, 0.0]))


def tally(groups: list[Group], n_causes: int, log_prior, log_miss, log_answer, efficacy) -> Tally:
    """E-step: each visit's cause, given all it did, added to every number its records bear on.

    A visit's last record gives P(cause | the whole visit). Each earlier record is shared by the
    visits that went through it, which are interchangeable up to there: its attribution is the
    mean of theirs, the last records that carry it in their evidence (``Group.earlier``), from the
    same source: another address's records never speak for this one's visits. So a
    "didn't fix it" is attributed knowing what fixed the visit in the end, as EM on whole visits
    does, and the estimate climbs the likelihood of the visits.
    """
    links: dict = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    priors: list = [defaultdict(lambda: [0.0, 0.0]) for _ in range(n_causes)]
    answers: dict = defaultdict(lambda: [defaultdict(float) for _ in range(n_causes)])
    posteriors: dict[int, list[float]] = {}
    mass: dict[tuple, list[float]] = {}  # (group, source) -> [visits through it, causes summed, squares summed]
    counted = Tally(priors, links, answers)
    for group in groups:
        if not any(group.last.values()):
            continue
        p = posteriors.get(id(group.state))
        if p is None:
            p = posteriors[id(group.state)] = posterior(group.state, log_prior, log_miss, log_answer)
        q = responsibility(group, p, efficacy)
        if q is None:
            continue
        _count_visits(group, q, priors, answers)
        for source, count in group.counts.items():
            visits = count * group.last[source]
            if visits <= 0:
                continue
            _prior_information(visits, q, log_prior, counted.information)
            for through in (group, *group.earlier):
                row = mass.get((id(through), source))
                if row is None:
                    row = mass[id(through), source] = [0.0] * (2 * n_causes + 1)
                row[0] += visits
                for ci, qc in enumerate(q):
                    row[ci + 1] += visits * qc
                    row[n_causes + ci + 1] += visits * qc * qc
    for group in groups:
        if group.outcome in (FIXED, NOT_FIXED):
            for source, count in group.counts.items():
                row = mass.get((id(group), source))
                if row is not None and row[0] > 0:
                    q = [x / row[0] for x in row[1 : n_causes + 1]]
                    q2 = [x / row[0] for x in row[n_causes + 1 :]]
                    _count_trials(group, source, count, q, q2, efficacy[group.key], counted)
    return counted


def _prior_information(visits: float, q: list[float], log_prior: list[float], information: dict) -> None:
    """Fisher information about each cause's share in one visit: known cause, less what attribution leaves open."""
    for ci, qc in enumerate(q):
        share = min(1 - 1e-9, max(1e-9, math.exp(log_prior[ci])))
        complete = qc / share**2 + (1 - qc) / (1 - share) ** 2
        missing = qc * (1 - qc) * (1 / share + 1 / (1 - share)) ** 2
        row = information[ci]
        row[0] += visits * complete
        row[1] += visits * max(0.0, complete - missing)


def _count_trials(group: Group, source, count: float, q, q2, linked: list[float], counted: Tally) -> None:
    """One source's trials of a step, per cause it is linked to: attributed counts, and the information they carry."""
    success = group.outcome == FIXED
    for ci, e in enumerate(linked):
        if e > 0 and q[ci] > 0:
            row = counted.links[group.key, ci][source]
            row[0] += count * q[ci] * success
            row[1] += count * q[ci]
            score = 1 / e**2 if success else 1 / (1 - e) ** 2
            row = counted.information[group.key, ci]
            row[0] += count * q[ci] * score
            row[1] += count * q2[ci] * score


def _count_visits(group: Group, q: list[float], priors: list, answers: dict) -> None:
    """A visit's last record: one visit for the priors, and its answers for the answer model."""
    total = sum(group.counts.values())
    answer_visits = group.answer_weight * sum(c * group.last[s] for s, c in group.counts.items()) / total
    for source, count in group.counts.items():
        visits = count * group.last[source]
        for ci, qc in enumerate(q):
            row = priors[ci][source]
            row[0] += visits * qc
            row[1] += visits
    for question, answer_pos in group.state.answers:
        rows = answers[question]
        for ci, qc in enumerate(q):
            rows[ci][answer_pos] += answer_visits * qc
