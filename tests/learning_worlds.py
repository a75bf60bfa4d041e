"""Simulated guides and visitors for the learning tests: a small guide, its records, and how often each link was tried."""

from collections import Counter

from guides.engine import Answer, Cause, Effect, Kind, Model, Question, Step
from guides.engine import simulator as sim
from guides.engine.outcomes import records_of


def small_guide() -> Model:
    """Five causes (one only explained), two questions, five steps and the hand-off: rich enough to attribute."""
    causes = (
        Cause("glitch", 4),
        Cause("network", 4),
        Cause("storage", 2),
        Cause("banned", 1),
        Cause("server-down", 2, explains=True),
    )
    questions = (
        Question(
            "notice",
            "Do you see a notice?",
            (
                Answer("ban", "A ban notice", (Effect("banned", "strong"),)),
                Answer("offline", "No connection", (Effect("network", "strong"), Effect("server-down", "more"))),
                Answer("none", "No notice", (Effect("banned", "rules_out"),)),
            ),
            cost=0.5,
        ),
        Question(
            "space",
            "Is your phone nearly full?",
            (
                Answer("yes", "Yes", (Effect("storage", "strong"),)),
                Answer("no", "No", (Effect("storage", "less"),)),
            ),
            cost=2.0,
        ),
    )
    steps = (
        Step("restart-app", 1.0, {"glitch": 0.6, "storage": 0.1}),
        Step("switch-network", 2.0, {"network": 0.9, "server-down": 0.1}),
        Step("free-space", 5.0, {"storage": 0.9, "glitch": 0.3}),
        Step("wait", 60.0, {"banned": 0.9}, Kind.WAIT),
        Step("reinstall", 10.0, {"glitch": 0.6, "storage": 0.3}, risky=True),
        Step("report", 2880.0, {}, Kind.HAND_OFF),
    )
    return Model(causes, questions, steps)


def simulated_records(staff: Model, true: Model, *, visitors: int, seed: int, source=lambda i: ""):
    """Records of ``visitors`` visitors of ``true`` guided by the planner on ``staff``; and trials per (step, cause).

    ``source(i)`` is the source key of visitor i's records. Visitors answer as the planner's answer
    model expects (``simulator.BASELINE``).
    """
    world = sim.World(true, answers=sim.BASELINE)
    strategy = sim.memoised(sim.planner_strategy)
    records, trials = [], Counter()
    for i in range(visitors):
        visitor = sim.Visitor(world, seed, i)
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
