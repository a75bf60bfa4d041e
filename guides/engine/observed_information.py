"""How much each learned number is really known: Louis's observed information over all numbers at once.

Why: a visit's cause is never seen, so its evidence about one number is tangled with its evidence
about the others. A visit that ends "fixed" by step s says "cause c, and s fixes c" or "cause d,
and s fixes d": raising c's share and lowering s's efficacy for c explain it about as well. Shrinking
each number's counts by its own missing information (``attribution``) sees the uncertainty of
attributing, but not this trading between numbers, so the intervals ran narrow (three quarters of
true numbers inside nominal 90 % intervals in the tests).

The method (Louis, 1982): the observed information of a visit is the complete-data information
its cause would carry, less the variance of the complete-data score over the causes it may have
had: I = E_q[H_c] - E_q[S_c S_c'] + s s' (s = E_q[S_c]). Summed over visits, plus staff's pseudo-counts
(the Beta and Dirichlet priors' curvature), and inverted, it gives each number's variance with
every other number free to move: the Laplace approximation of the posterior. Each number's
``known`` share is then the information left to it, over the complete information its counts would
carry, and the interval is the Beta on its counts shrunk by that share (``learning._estimate``).

The parameters: the first K-1 causes' shares (the last is one less their sum), and each learned
link's efficacy. Each visit is its last record: its failed steps (failures) and its outcome. The
answer model's baselines are treated as known, and every source counts in full here (the share is
applied to the capped counts). Cost: one pass over the evidence states and a Cholesky inverse of a
matrix as wide as the guide's learned numbers, once per relearning (negligible beside EM's thirty
passes: bench.relearn's learning CPU time did not change measurably).

Measured (tests/test_learning_engine.py's worlds, 4,000 visitors each, 30 EM iterations): worlds 0
and 1, 25 of 28 true numbers inside their 90 % intervals (21 before), the worst miss 1.3 half-widths
(2.2 before); worlds 2 to 9, 91 of 112 (63 before), worst 1.8 half-widths (3.4 before). What is
still missed is mostly EM not yet at its maximum after thirty iterations (98 of 112 with a hundred)
and numbers at the simulator's edges (0.01, 0.99).
"""

from __future__ import annotations

import math
from collections import defaultdict

from guides.engine.attribution import FIXED, NOT_FIXED, posterior, responsibility

__all__ = ["known_shares"]


def _visit_trials(group) -> list[tuple[str, bool]]:
    trials = [(step, False) for step in group.state.failed]
    if group.outcome in (FIXED, NOT_FIXED):
        trials.append((group.key, group.outcome == FIXED))
    return trials


def _scores(prior, efficacy, trials, index, n_causes):
    """Per cause: its complete-data score (sparse, over parameter positions) and the diagonal curvature."""
    per_cause = []
    last = n_causes - 1
    for ci in range(n_causes):
        score: dict[int, float] = {}
        if ci < last:
            score[ci] = 1.0 / prior[ci]
        else:
            for cj in range(last):
                score[cj] = -1.0 / prior[last]
        link_curv: dict[int, float] = {}
        for step, success in trials:
            position = index.get((step, ci))
            if position is None:
                continue
            e = efficacy[step][ci]
            score[position] = score.get(position, 0.0) + (1 / e if success else -1 / (1 - e))
            link_curv[position] = link_curv.get(position, 0.0) + (1 / e**2 if success else 1 / (1 - e) ** 2)
        per_cause.append((score, link_curv))
    return per_cause


def _add_visit(matrix, complete, weight, q, per_cause, prior):
    """Add one visit's observed information: s s' less the cross terms of each cause's score (Louis)."""
    mean: dict[int, float] = defaultdict(float)
    last = len(prior) - 1
    for qc, (score, _) in zip(q, per_cause, strict=True):
        for position, value in score.items():
            mean[position] += qc * value
    items = list(mean.items())
    for i, vi in items:
        row = matrix[i]
        for j, vj in items:
            row[j] += weight * vi * vj
    for ci, (qc, (score, link_curv)) in enumerate(zip(q, per_cause, strict=True)):
        share = prior[ci]
        complete[ci] += weight * (qc / share**2 + (1 - qc) / (1 - share) ** 2)
        if qc <= 0:
            continue
        # H_c - S_c S_c' is zero within the shares (one multinomial draw) and on each link's diagonal (one
        # Bernoulli trial): what remains is the cross terms between a share and a link, or two links.
        links = [(p, v) for p, v in score.items() if p >= last]
        shares = [(p, v) for p, v in score.items() if p < last]
        for pi, vi in links:
            for pj, vj in shares:
                matrix[pi][pj] -= weight * qc * vi * vj
                matrix[pj][pi] -= weight * qc * vi * vj
            for pj, vj in links:
                if pj != pi:
                    matrix[pi][pj] -= weight * qc * vi * vj
            complete[pi + 1] += weight * qc * link_curv[pi]


def _inverse(matrix: list[list[float]]) -> list[list[float]] | None:
    """The inverse of a symmetric positive definite matrix by Cholesky; None if it is not positive definite."""
    n = len(matrix)
    low = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            total = matrix[i][j] - sum(low[i][k] * low[j][k] for k in range(j))
            if i == j:
                if total <= 1e-12:
                    return None
                low[i][i] = math.sqrt(total)
            else:
                low[i][j] = total / low[j][j]
    inv_low = [[0.0] * n for _ in range(n)]
    for i in range(n):
        inv_low[i][i] = 1.0 / low[i][i]
        for j in range(i):
            inv_low[i][j] = -sum(low[i][k] * inv_low[k][j] for k in range(j, i)) / low[i][i]
    return [[sum(inv_low[k][i] * inv_low[k][j] for k in range(max(i, j), n)) for j in range(n)] for i in range(n)]


def known_shares(groups, current, log_prior_answers, pseudo, links) -> dict | None:
    """Per number (cause position, or (step, cause position) for a link): the share of its complete
    information that is left to it once every other number is free (None: fall back to ``attribution``'s).

    ``current``: (shares, efficacy rows, answer tables) where EM stopped; ``pseudo(number)``: staff's
    (a, b); ``links``: the learned links, (step, cause position).
    """

    prior, efficacy, _ = current
    n_causes = len(prior)
    prior = [min(1 - 1e-6, max(1e-6, p)) for p in prior]
    last = n_causes - 1
    order = sorted(links)
    index = {link: last + i for i, link in enumerate(order)}
    size = last + len(order)
    matrix = [[0.0] * size for _ in range(size)]
    complete = [0.0] * (n_causes + len(order))  # shares (all K), then links
    log_prior, log_miss, log_answer = log_prior_answers
    for group in groups:
        weight = sum(count * group.last.get(source, 0.0) for source, count in group.counts.items())
        if weight <= 0:
            continue
        q = responsibility(group, posterior(group.state, log_prior, log_miss, log_answer), efficacy)
        if q is None:
            continue
        per_cause = _scores(prior, efficacy, _visit_trials(group), index, n_causes)
        _add_visit(matrix, complete, weight, q, per_cause, prior)
    # Staff's pseudo-counts: the Dirichlet's and each Beta's curvature.
    a_last = pseudo(last)[0]
    for i in range(last):
        for j in range(last):
            matrix[i][j] += a_last / prior[last] ** 2 + (pseudo(i)[0] / prior[i] ** 2 if i == j else 0.0)
    for link, position in index.items():
        matrix[position][position] += _staff_curvature(pseudo, link, efficacy[link[0]][link[1]])
    inverse = _inverse(matrix)
    if inverse is None:
        return None
    found = {}
    for ci in range(n_causes):
        variance = inverse[ci][ci] if ci < last else sum(inverse[i][j] for i in range(last) for j in range(last))
        staff_info = _staff_curvature(pseudo, ci, prior[ci])
        found[ci] = _share(1 / variance - staff_info, complete[ci]) if variance > 0 else 1.0
    for link, position in index.items():
        staff_info = _staff_curvature(pseudo, link, efficacy[link[0]][link[1]])
        found[link] = _share(1 / inverse[position][position] - staff_info, complete[position + 1])
    return found


def _staff_curvature(pseudo, number, value: float) -> float:
    """The information staff's pseudo-counts carry about one number at ``value`` (a Beta's curvature)."""
    a, b = pseudo(number)
    return a / value**2 + b / (1 - value) ** 2


def _share(left: float, complete: float) -> float:
    """The visitors' information left to a number, over what it would be were every cause known."""
    return 1.0 if complete <= 0 else min(1.0, max(0.02, left / complete))
