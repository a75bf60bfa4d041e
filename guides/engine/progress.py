"""How many screens a visitor still has ahead of them, as a range that holds for most visitors.

Why a range: while the plan may still branch, one number is a guess that is wrong most of the
time ("about 8 more" on four screens in a row, then the hand-off on screen 21). The range says
where about 80% of visitors in this position end: fixed, explained, or at the long-shots screen
or the hand-off.

How, cheaply (it runs on every screen, so no simulation of many walks): the decision already
carries its plan, the steps and explanations in the order the visitor will meet them if no
further question comes, and the beliefs over the causes. For each cause c, the visit ends at
plan position k with P(c) · Π_{j<k} (1 - e(j, c)) · e(k, c), where e is the step's efficacy for
c (``RECOGNISED`` for c's own explanation); what no planned action ends reaches the long-shots
screen or the hand-off, one screen after the plan. That gives the distribution of screens
left, this one included (a question first adds its own screen). Its 10th and 90th percentiles
are the range, widened for what the plan does not see:

* questions still to come: a failed step can make a question worth asking, so the top of the
  range grows by ``QUESTION_SLACK`` screens, and by one more when this screen is a question;
* beliefs that are wrong (staff's numbers are): the plan is trusted up to ``TRUST`` of its
  tail mass, so the top percentile is taken a little higher than 90%;
* the screen cap: no visitor sees more than ``model.max_screens`` screens before the
  long-shots screen, so the range never runs past max_screens - screens seen + 1.

The percentiles, the slack and the trust were set against the simulator's visitors (true and
misspecified models, ``bench.diagnosis``) so that the range holds on at least 80% of screens at
every screen index up to 8; ``tests/test_progress.py`` keeps it so.
"""

from __future__ import annotations

from guides.engine.beliefs import SEEN, belief_for
from guides.engine.compiled import compiled
from guides.engine.model import RECOGNISED, Kind, Model

__all__ = ["HIGH", "LOW", "MORE_QUESTIONS", "span_of"]

# The range runs from this quantile of the screens left with no more questions to that quantile
# of the screens left with the questions that may still come.
LOW = 0.15
HIGH = 0.85
# The chance that one more question comes before the visit ends (a failed step can make one
# worth asking): the plan assumes none.
MORE_QUESTIONS = 0.3

# The planner keys an explanation in its plan as "explain:<cause>".
EXPLAIN_PREFIX = "explain:"
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
