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
        engine.Cause(c["slug"], WEIGHTS[c.get("commonness", "common")], tuple(f["slug"] for f in c.get("facets") or ()))
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
        engine.Step(s["slug"], float(s.get("minutes", 2)), fixes.get(s["slug"], {}), s.get("kind", "do_now"))
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
    return engine.Model(causes, tuple(questions), steps)
