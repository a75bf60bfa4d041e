"""Read a content file straight into the engine's model, without Django or a database.

The bench and the simulator tests use it to run the bundled guides as they are in the
repository; the site builds the same model from the database (``guides.diagnose.snapshot``).
"""

from pathlib import Path

import yaml

from guides import engine

CONTENT = Path(__file__).resolve().parent.parent / "guides" / "content"
WEIGHTS = {"rare": 1, "uncommon": 2, "common": 4, "very_common": 8}


def read(slug: str) -> dict:
    return yaml.safe_load((CONTENT / f"{slug}.yaml").read_text(encoding="utf-8"))


def model_from_content(data: dict) -> engine.Model:
    """The engine's model of one content file's guide (facets, efficacies, kinds and efforts included)."""
    causes = tuple(
        engine.Cause(
            c["slug"],
            WEIGHTS[c.get("commonness", "common")],
            tuple(f["slug"] for f in c.get("facets") or ()),
            explains=bool(c.get("explains")),
        )
        for c in data["causes"]
    )
    fixes: dict[str, dict[str, float]] = {}
    for cause in data["causes"]:
        links = cause.get("fixes") or {}
        if isinstance(links, list):
            links = dict.fromkeys(links, engine.DEFAULT_EFFICACY.value)
        for step, word in links.items():
            fixes.setdefault(step, {})[cause["slug"]] = engine.EFFICACY[engine.Efficacy(word)]
    steps = tuple(
        engine.Step(
            s["slug"],
            float(s.get("minutes", 2)),
            fixes.get(s["slug"], {}),
            s.get("kind", "do_now"),
            risky=bool(s.get("risky")),
        )
        for s in data.get("fix_steps") or ()
    )
    questions = []
    for item in data.get("questions") or ():
        answers = []
        for answer in item["answers"]:
            effects = []
            for target, strength in (answer.get("effects") or {}).items():
                cause, _, facet = target.partition("/")
                effects.append(engine.Effect(cause, strength, facet or None))
            answers.append(
                engine.Answer(answer["slug"], answer["text"], tuple(effects), tuple(answer.get("skips") or ()))
            )
        requires = tuple(item["asked_after"].split("/")) if item.get("asked_after") else None
        moot = tuple(tuple(m.split("/")) if "/" in m else m for m in item.get("not_after") or ())
        effort = engine.Effort(item.get("effort", engine.DEFAULT_EFFORT.value))
        questions.append(
            engine.Question(item["slug"], item["text"], tuple(answers), requires, engine.EFFORT_MINUTES[effort], moot)
        )
    return engine.Model(
        causes,
        tuple(questions),
        steps,
        observations(data, {c.key for c in causes}),
        floor=1 / data.get("long_shot_odds", round(1 / engine.LONG_SHOT_FLOOR)),
        max_screens=data.get("max_screens", engine.MAX_SCREENS),
    )


def observations(data: dict, causes: set[str]) -> tuple[engine.Observation, ...]:
    """The symptoms, as the site reads them: each strongly points to its causes in this guide, and settles answers."""
    found = []
    for symptom in data.get("symptoms") or ():
        linked = [c for c in symptom.get("causes") or () if c in causes]
        if linked:
            settles = tuple(tuple(pair.split("/")) for pair in symptom.get("settles") or ())
            effects = tuple(engine.Effect(c, engine.Strength.SIGN) for c in linked)
            found.append(engine.Observation(symptom["slug"], symptom["title"], effects, settles))
    return tuple(found)
