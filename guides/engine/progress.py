"""How many screens a visitor still has ahead of them, as a range that holds for most visitors.

Why a range: while the plan may still branch, one number is a guess that is wrong most of the
time ("about 8 more" on four screens in a row, then the hand-off on screen 21). The range says
where most visitors in this position end: fixed, explained, or at the long-shots screen or the
hand-off. The screen shows "about N more" when high - low <= 2 (N - 1 to N + 1 are then as
true as N), else "low to high more".

How, cheaply (it runs on every screen, so no simulation of many walks): the decision carries
its plan, the steps and explanations in the order the visitor will meet them if no question
comes again, and the beliefs over the causes. For each cause c, the visit ends at plan
position k with P(c) · Π_{j<k} (1 - e(j, c)) · e(k, c), where e is the step's efficacy for c
(``RECOGNISED`` for c's own explanation); what no planned action ends reaches the long-shots
screen or the hand-off, one screen after the plan. That is the chance of each number of
screens left, this one included (a question's own screen comes first). Then:

* the low end is the ``LOW`` quantile of it: the visit can be that short only if no question
  comes again;
* the high end is the ``HIGH`` quantile once the questions still worth asking are counted in:
  each question that is askable and speaks about a cause at or above the long-shot floor comes
  with chance ``MORE_QUESTIONS`` (binomial; measured over simulated visits, about 0.3 of them
  are asked on both the bundled and the generated guide);
* both are clipped at the screen cap: no visitor sees more than ``model.max_screens`` screens
  before the long-shots screen, so the range never runs past max_screens - screens seen + 1.

The quantiles and ``MORE_QUESTIONS`` were set against the simulator's visitors (true and
misspecified models, ``bench.diagnosis``) so that the range holds on at least 80% of screens at
every screen index up to 8, with room for staff's numbers being wrong; ``tests/test_progress.py``
keeps it so. Cost: one pass over the plan and over the questions (tens of microseconds on the
bundled guide, well under a millisecond on the 60-cause generated one).
"""

from __future__ import annotations

from guides.engine.beliefs import SEEN, belief_for
from guides.engine.compiled import EXPLAIN_PREFIX, compiled
from guides.engine.model import RECOGNISED, Kind, Model

__all__ = ["HIGH", "LOW", "MORE_QUESTIONS", "span_of"]

# The range runs from this quantile of the screens left with no more questions to that quantile
# of the screens left with the questions that may still come.
LOW = 0.15
HIGH = 0.85
# The chance that each question still worth asking is asked before the visit ends (the plan
# assumes none is; a failed step can make one worth it).
MORE_QUESTIONS = 0.3

_ENDINGS = (Kind.HAND_OFF.value, "long_shots")


def span_of(decision, model: Model) -> tuple[int, int]:
    """(low, high): the screens still to come, this one included, for most visitors in this state."""
    if decision.kind in _ENDINGS:
        return 1, 1
    shown = sum(1 for key, _ in decision.evidence if key != SEEN)
    cap = max(model.max_screens - shown, 0) + 1
    # chances[k]: P(k + 1 screens left). A question's own screen comes before the plan.
    chances = [0.0] if decision.kind == "question" else []
    chances += _ends(decision, model)
    # The low end as if no question came again, the high end with the questions that may.
    low = min(_quantile(chances, LOW), cap)
    high = min(_quantile(_with_questions(chances, decision, model, cap), HIGH), cap)
    if high - low <= 2:
        middle = (low + high + 1) // 2
        return middle, middle
    return low, high


def _with_questions(chances: list[float], decision, model: Model, cap: int) -> list[float]:
    """The screens left when each question still worth asking comes with chance MORE_QUESTIONS.

    "Worth asking" is cheap to tell apart from "not": askable now, and speaking about some cause
    still at or above the long-shot floor. How many come is binomial; they come before the end,
    unless this very screen ends the visit. Screens past ``cap`` are counted at ``cap + 1``.
    """
    belief = belief_for(model, decision.evidence)
    p = belief.probabilities()
    current = decision.question.key if decision.kind == "question" and decision.question else None
    floor = model.floor
    count = sum(
        1
        for question in belief.tables.questions
        if question.key != current
        and question.speaks
        and belief.askable(question)
        and any(p[ci] >= floor for answer in question.answers for ci in answer.cause_lr)
    )
    # P(k more questions), binomial(count, MORE_QUESTIONS), for k up to the cap only: past it the
    # visit ends at the long-shots screen anyway.
    more = [(1.0 - MORE_QUESTIONS) ** count]
    odds = MORE_QUESTIONS / (1.0 - MORE_QUESTIONS)
    for k in range(min(count, cap)):
        more.append(more[-1] * (count - k) / (k + 1) * odds)
    more.append(max(1.0 - sum(more), 0.0))  # k beyond the cap
    spread = [0.0] * (cap + 1)
    spread[0] = chances[0]
    for k, chance in enumerate(chances[1:], start=1):
        for extra, weight in enumerate(more):
            spread[min(k + extra, cap)] += chance * weight
    return spread


def _quantile(chances: list[float], q: float) -> int:
    """The smallest number of screens k (1-based) with P(k or fewer) >= q."""
    total = sum(chances) or 1.0
    running = 0.0
    for k, chance in enumerate(chances, start=1):
        running += chance / total
        if running >= q - 1e-12:
            return k
    return len(chances)


def _ends(decision, model: Model) -> list[float]:
    """P(the visit ends at plan position k), k = 1 .. len(plan) + 1 (the last: long shots or the hand-off)."""
    tables = compiled(model)
    position = {key: ci for ci, key in enumerate(tables.cause_keys)}
    surviving = [0.0] * len(position)
    for ranked in decision.ranking:
        surviving[position[ranked.cause]] = ranked.probability
    actions = list(decision.plan.steps)
    if decision.kind == "explain":
        first = EXPLAIN_PREFIX + decision.cause
    else:
        first = decision.step.key if decision.kind == "step" and decision.step is not None else None
    if first is not None and (not actions or actions[0] != first):
        actions.insert(0, first)
    ends = []
    for key in actions:
        ended = 0.0
        for ci, efficacy in _fixes(tables, position, key):
            fixed = surviving[ci] * efficacy
            ended += fixed
            surviving[ci] -= fixed
        ends.append(ended)
    ends.append(max(sum(surviving), 0.0))
    return ends


def _fixes(tables, position: dict[str, int], key: str):
    """((cause position, efficacy), ...) of a planned action: a fix step, or a cause's explanation."""
    step = tables.step_by_key.get(key)
    if step is not None:
        return step.fixes
    cause = key.removeprefix(EXPLAIN_PREFIX)
    return ((position[cause], RECOGNISED),) if cause in position else ()
