"""A visitor who has one cause and tells the truth, walked through the troubleshooter step by step.

Content checks and tests use this one imagined visitor, so that "every cause gets fixed
before the hand-off" means the same thing in the admin's Check page and in the test suite.
The visitor answers each question with the answer that points most strongly to their cause
("I'm not sure" when none points towards it), and a fix step works for them exactly when it
is linked to their cause at "often" or better: the cause's own cure. Shown the explanation of
their own cause they say "Yes, that explains it"; shown any other they say "No, that's not it".
The honest "long shots" screen ends the walk, as the hand-off does: what follows is up to them.
"""

from __future__ import annotations

import math

from guides.engine.beliefs import FAILED, NOT_IT, SEEN
from guides.engine.model import EFFICACY, LIKELIHOOD_RATIO, UNSURE, Efficacy, Model, Question
from guides.engine.planner import EXPLAIN, HAND_OFF, LONG_SHOTS, QUESTION, next_step

__all__ = ["CURE", "answer_for", "truthful_walk", "visit"]

# A step at least this effective for the visitor's cause is what fixes it for them.
CURE = EFFICACY[Efficacy.OFTEN]
# No visit is longer than this many screens; a model that loops is stopped here.
_MAX_SCREENS = 200


def answer_for(question: Question, cause: str) -> str:
    """The answer someone who has ``cause`` gives: the one pointing to it most strongly (first on a tie)."""
    best, best_ratio = UNSURE, 1.0
    for answer in question.answers:
        ratio = math.prod(LIKELIHOOD_RATIO[e.strength] for e in answer.effects if e.cause == cause and not e.facet)
        if ratio > best_ratio:
            best, best_ratio = answer.key, ratio
    return best


def visit(model: Model, answer, *, evidence=(), max_questions: int | None = None, limit: int = _MAX_SCREENS):
    """Yield (evidence so far, decision) for each screen of a visit in which nothing works or explains it.

    ``answer(question)`` gives the visitor's answer to each question asked; every fix step fails
    and every explanation gets "No, that's not it". ``evidence`` is what they told us before the
    first screen (the symptom they tapped). The visit ends with the long-shots screen or the
    hand-off (yielded too), or after ``limit`` screens. Stop iterating to end it sooner, for
    example when a step works or an explanation is theirs.
    """
    evidence: list[tuple[str, str]] = list(evidence)
    for _ in range(limit):
        decision = next_step(model, evidence, max_questions=max_questions)
        yield tuple(evidence), decision
        if decision.kind in (HAND_OFF, LONG_SHOTS):
            return
        if decision.kind == QUESTION:
            evidence.append((decision.question.key, answer(decision.question)))
        elif decision.kind == EXPLAIN:
            evidence.append((NOT_IT, decision.cause))
        else:
            evidence.append((FAILED, decision.step.key))


def truthful_walk(
    model: Model, cause: str, *, seen: tuple[str, ...] = (), max_questions: int | None = None
) -> list[tuple[str, str]]:
    """The screens this visitor sees, as (kind, key), until the visit ends.

    Kinds: "question", "step", "explain" (another cause's explanation, answered "No"), and one
    ending: "fixed" (their cure), "explained" (their own cause's explanation, key the cause),
    "long_shots" (key "") or "hand_off" (the hand-off step's key, or ""). ``seen``: the
    observations (symptoms) the visitor tapped before the first screen.
    """
    cures = {step.key for step in model.steps if step.fixes.get(cause, 0.0) >= CURE}
    screens: list[tuple[str, str]] = []
    start = [(SEEN, key) for key in seen]
    for _, decision in visit(
        model, lambda question: answer_for(question, cause), evidence=start, max_questions=max_questions
    ):
        if decision.kind == HAND_OFF:
            screens.append((HAND_OFF, decision.step.key if decision.step else ""))
        elif decision.kind == LONG_SHOTS:
            screens.append((LONG_SHOTS, ""))
        elif decision.kind == QUESTION:
            screens.append((QUESTION, decision.question.key))
        elif decision.kind == EXPLAIN:
            if decision.cause == cause:
                screens.append(("explained", cause))
                break
            screens.append((EXPLAIN, decision.cause))
        elif decision.step.key in cures:
            screens.append(("fixed", decision.step.key))
            break
        else:
            screens.append(("step", decision.step.key))
    return screens
