"""Simulated guides and visitors for the learning tests: a small guide, its records, how often each link was tried."""

from collections import Counter

from guides.engine import Answer, Cause, Effect, Kind, Model, Observation, Question, Step
from guides.engine import simulator as sim
from guides.engine.outcomes import records_of


def small_guide() -> Model:
    """Five causes (one only explained), one question, five steps and the hand-off: rich enough to attribute.

    The question is cheap and tells the causes apart, so the planner asks it: where nothing the
    visitor says tells two causes apart, no learner can say which of them a failure belongs to.
    """
    causes = (
        Cause("glitch", 4),
        Cause("network", 4),
        Cause("storage", 2),
        Cause("banned", 1),
        Cause("server-down", 2, explains=True),
    )
    questions = (
        Question(
            "what-happens",
            "What happens when you try?",
            (
                Answer("crash", "The app closes", (Effect("glitch", "strong"),)),
                Answer("offline", "It says there's no connection", (Effect("network", "strong"),)),
                Answer("full", "It says storage is full", (Effect("storage", "strong"),)),
                Answer("ban", "A ban notice", (Effect("banned", "strong"),)),
                Answer("nothing", "Nothing at all", (Effect("server-down", "more"),)),
            ),
            cost=0.5,
        ),
    )
    steps = (
        Step("restart-app", 6.0, {"glitch": 0.6, "storage": 0.1}),
        Step("switch-network", 8.0, {"network": 0.9, "server-down": 0.1}),
        Step("free-space", 10.0, {"storage": 0.9, "glitch": 0.3}),
        Step("wait", 60.0, {"banned": 0.9}, Kind.WAIT),
        Step("reinstall", 15.0, {"glitch": 0.6, "storage": 0.3}, risky=True),
        Step("report", 2880.0, {}, Kind.HAND_OFF),
    )
    observations = tuple(
        Observation(f"sign-of-{cause.key}", f"A sign of {cause.key}", (Effect(cause.key, "sign"),)) for cause in causes
    )
    return Model(causes, questions, steps, observations)


def ask_then_try(model: Model, evidence):
    """Ask every question first, then try each step in staff order: every visit answers, so causes can be told apart."""
    asked = {key for key, _ in evidence}
    for question in model.questions:
        if question.key not in asked:
            return sim.QUESTION, question.key
    tried = {value for key, value in evidence if key == "failed"}
    for step in model.steps:
        if step.kind != Kind.HAND_OFF and step.key not in tried:
            return sim.STEP, step.key
    return sim.HAND_OFF, None


def simulated_records(
    staff: Model, true: Model, *, visitors: int, seed: int, source=lambda i: "", taps=False, ask_first=False
):
    """Records of ``visitors`` visitors of ``true`` guided by the planner on ``staff``; and trials per (step, cause).

    ``source(i)`` is the source key of visitor i's records. Visitors answer as the planner's answer
    model expects (``simulator.BASELINE``); with ``taps`` each arrives from the symptom of their cause.
    The planner guides them, or with ``ask_first`` ``ask_then_try``.
    """
    world = sim.World(true, answers=sim.BASELINE)
    strategy = sim.memoised(ask_then_try if ask_first else sim.planner_strategy)
    records, trials = [], Counter()
    for i in range(visitors):
        visitor = sim.Visitor(world, seed, i, taps=taps)
        visit = sim.simulated_visit(strategy, staff, visitor)
        found = records_of(visit, visitor, strategy, staff, source(i))
        records.extend(found)
        for record in found:
            if record.outcome in ("fixed", "not_fixed"):
                trials[record.key, visitor.cause] += 1
    return records, trials


def true_numbers(model: Model) -> tuple[dict[str, float], dict[tuple[str, str], float]]:
    """A model's priors (shares) and efficacies, keyed as ``Learned`` keys them."""
    total = sum(c.weight for c in model.causes)
    priors = {c.key: c.weight / total for c in model.causes}
    links = {(s.key, c): e for s in model.steps for c, e in s.fixes.items() if e > 0}
    return priors, links
