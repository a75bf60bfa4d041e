"""The troubleshooting engine: plain Python on plain data, no Django.

Read it in this order: ``model`` (what a guide knows, and the numbers behind the words staff
pick), ``beliefs`` (what the visitor told us and how likely each cause is after it),
``planner`` (the next question or fix step, by expected cost of repair), ``walk`` (one
truthful visitor, for checks and tests) and ``simulator`` (visitors drawn from a model, to
measure strategies against each other).
"""

from guides.engine.beliefs import COULDNT, FAILED, SEEN, Ranked, Reason, clean_evidence, rank
from guides.engine.model import (
    DEFAULT_EFFICACY,
    DEFAULT_EFFORT,
    DEFAULT_HANDOFF_MINUTES,
    EFFICACY,
    EFFORT_MINUTES,
    LIKELIHOOD_RATIO,
    SCREEN_MINUTES,
    UNSURE,
    Answer,
    Cause,
    Effect,
    Efficacy,
    Effort,
    Kind,
    Model,
    ModelError,
    Observation,
    Question,
    Step,
    Strength,
)
from guides.engine.planner import (
    HAND_OFF,
    QUESTION,
    STEP,
    Decision,
    Plan,
    expected_cost,
    next_step,
    plan,
    question_values,
)
from guides.engine.walk import CURE, answer_for, truthful_walk, visit

__all__ = [
    "COULDNT",
    "CURE",
    "DEFAULT_EFFICACY",
    "DEFAULT_EFFORT",
    "DEFAULT_HANDOFF_MINUTES",
    "EFFICACY",
    "EFFORT_MINUTES",
    "FAILED",
    "HAND_OFF",
    "LIKELIHOOD_RATIO",
    "QUESTION",
    "SCREEN_MINUTES",
    "SEEN",
    "STEP",
    "UNSURE",
    "Answer",
    "Cause",
    "Decision",
    "Effect",
    "Efficacy",
    "Effort",
    "Kind",
    "Model",
    "ModelError",
    "Observation",
    "Plan",
    "Question",
    "Ranked",
    "Reason",
    "Step",
    "Strength",
    "answer_for",
    "clean_evidence",
    "expected_cost",
    "next_step",
    "plan",
    "question_values",
    "rank",
    "truthful_walk",
    "visit",
]
