"""A random but realistic guide, large enough to show how the engine and the strategies scale.

The bundled guides are small (nine causes); the planner's cost grows with questions x answers
x steps, so the timing target is checked on a guide several times that size. "Realistic"
means built from the same words staff pick, so its numbers have the same shape as real content:

* causes weighted rare/uncommon/common/very common (1, 2, 4, 8);
* each fix step fixes 1-3 causes, each with an efficacy word's value, and every cause has at
  least one step that is "often" or "almost always" a cure (content without a real fix for a
  cause would be sent back by the content checks);
* step minutes drawn from what real steps take (a tap to a reinstall), a few ``wait`` steps
  that take hours, and one hand-off;
* questions have 2-5 answers of 1-4 effects each, efforts from the effort table, and a few
  ``requires``, ``moot_after`` and ``skips``, so the planner's bookkeeping is exercised too.
"""

from __future__ import annotations

import random

from guides import engine
from guides.engine import EFFICACY, EFFORT_MINUTES, Efficacy, Effort, Kind, Strength

SEED = 20240611
# What do-now steps take, in minutes, and how often each comes up (most steps are quick).
STEP_MINUTES = (1, 1, 2, 2, 2, 3, 3, 5, 5, 10, 15, 30)
WAIT_MINUTES = (60, 240, 1440)
# Efforts: most questions are a glance or a look in the app; a few need another person.
EFFORTS = (Effort.QUICK_LOOK, Effort.QUICK_LOOK, Effort.IN_APP, Effort.IN_APP, Effort.IN_APP, Effort.ASK_SOMEONE)
STRONG_EFFICACIES = (Efficacy.OFTEN, Efficacy.ALMOST_ALWAYS)


def generated_model(
    n_causes: int = 60,
    n_steps: int = 120,
    n_questions: int = 80,
    *,
    seed: int = SEED,
    hand_off_minutes: float = engine.DEFAULT_HANDOFF_MINUTES,
) -> engine.Model:
    """Return a reproducible random model: ``n_steps`` fix steps plus one hand-off step."""
    rng = random.Random(seed)
    causes = tuple(
        engine.Cause(
            f"cause-{i}", rng.choice((1, 2, 4, 8)), tuple(f"facet-{j}" for j in range(rng.choice((0, 0, 2, 3))))
        )
        for i in range(n_causes)
    )
    keys = [c.key for c in causes]
    fixes: list[dict[str, float]] = []
    for _ in range(n_steps):
        linked = rng.sample(keys, rng.randint(1, 3))
        fixes.append({c: EFFICACY[rng.choice(list(Efficacy))] for c in linked})
    # Every cause gets a real cure: one of its steps (or a random step, if none links it) made strong.
    for cause in keys:
        if any(f.get(cause, 0.0) >= 0.6 for f in fixes):
            continue
        linking = [f for f in fixes if cause in f]
        target = rng.choice(linking) if linking else rng.choice(fixes)
        target[cause] = EFFICACY[rng.choice(STRONG_EFFICACIES)]
    steps = []
    for i, links in enumerate(fixes):
        if rng.random() < 0.05:
            steps.append(engine.Step(f"step-{i}", float(rng.choice(WAIT_MINUTES)), links, Kind.WAIT))
        else:
            steps.append(engine.Step(f"step-{i}", float(rng.choice(STEP_MINUTES)), links))
    steps.append(engine.Step("hand-off", float(hand_off_minutes), {}, Kind.HAND_OFF))
    step_keys = [s.key for s in steps[:-1]]

    questions = _questions(rng, n_questions, causes, step_keys)
    # Sixty causes cannot be sorted in the default eight screens: staff of a guide this size would set
    # its screen cap to the admin's highest, as this does, so it compares with the planner before the cap.
    model = engine.Model(causes, tuple(questions), tuple(steps), max_screens=30)
    model.validate()
    return model


def _questions(rng: random.Random, n_questions: int, causes, step_keys: list[str]) -> list[engine.Question]:
    """Questions of two to five answers, each answer pointing at one to four causes (and some facets)."""
    strengths = list(Strength)
    questions: list[engine.Question] = []
    for j in range(n_questions):
        answers = []
        for k in range(rng.randint(2, 5)):
            effects = {}
            for _ in range(rng.randint(1, 4)):
                cause = rng.choice(causes)
                effects[(cause.key, None)] = engine.Effect(cause.key, rng.choice(strengths))
                if cause.facets and rng.random() < 0.3:
                    facet = rng.choice(cause.facets)
                    effects[(cause.key, facet)] = engine.Effect(cause.key, rng.choice(strengths), facet)
            skips = (rng.choice(step_keys),) if rng.random() < 0.05 else ()
            answers.append(engine.Answer(f"a{k}", f"Answer {k}", tuple(effects.values()), skips))
        requires = None
        if questions and rng.random() < 0.1:
            parent = rng.choice(questions)
            requires = (parent.key, rng.choice(parent.answers).key)
        moot = (rng.choice(step_keys),) if rng.random() < 0.05 else ()
        cost = EFFORT_MINUTES[rng.choice(EFFORTS)]
        questions.append(engine.Question(f"q{j}", f"Question {j}?", tuple(answers), requires, cost, moot))
    return questions


def checklist(model: engine.Model, length: int = 7) -> tuple[str, ...]:
    """The checklist a writer would make without the engine: the steps covering the most prior per minute.

    A step's score is the prior mass of the causes it is linked to (efficacy ignored, as a
    writer eyeballing the guide would) divided by its minutes; the hand-off is never on it.
    """
    total = sum(c.weight for c in model.causes)
    prior = {c.key: c.weight / total for c in model.causes}
    scored = sorted(
        (-sum(prior[c] for c in s.fixes) / s.cost, i, s.key)
        for i, s in enumerate(model.steps)
        if s.kind != Kind.HAND_OFF and s.fixes
    )
    return tuple(key for *_, key in scored[:length])
