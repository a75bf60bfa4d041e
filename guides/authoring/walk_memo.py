"""Truthful walks and question values depend on the troubleshooter's model alone: keep them while it stays the same.

Check (after every admin save) and the workspace's "Try it" walk every cause, and Check also every
symptom-and-cause pair and the visits behind "never worth asking": about 0.5 s for the bundled guide,
4 s or more for a 60-cause one, nearly all of it in the planner. Most saves change words, not the
model (a title, an explanation, a FAQ answer), so the results are kept in the cache under a digest
of the model and ``max_questions``: a save that changes the model gets a new digest, and new walks.
The digest also covers the engine's and the checks' source, so a release that changes how visitors
are walked never reads the walks of the one before (the cache outlives a deploy).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.core.cache import cache

from guides import engine
from guides.engine import walk

# A changed model gets a new digest at once; this only bounds what old models leave in the cache.
SECONDS = 24 * 60 * 60
# Bump when what is kept changes shape (what truthful_walk or question_values return), so a release
# never reads the previous one's results.
FORMAT = 1


def model_digest(model: engine.Model, max_questions: int) -> str | None:
    """The same for the same model and code, in every process (a dataclass's repr holds no set: no hash order).

    None when ``engine.truthful_walk`` is not the engine's own (a test scripts one): nothing is kept then.
    """
    if engine.truthful_walk is not walk.truthful_walk:
        return None
    return hashlib.sha256(f"{_code()}:{(model, max_questions)!r}".encode()).hexdigest()


def recall(digest: str | None, name: str):
    """What was kept under this name for this model, or None."""
    return None if digest is None else cache.get(_key(digest, name))


def keep(digest: str | None, name: str, value) -> None:
    if digest is not None:
        cache.set(_key(digest, name), value, timeout=SECONDS)


@functools.cache
def _code() -> str:
    """A fingerprint of the code that walks visitors: the engine package, and the checks that imagine visits."""
    here = Path(__file__).parent
    files = [*sorted(Path(engine.__file__).parent.glob("*.py")), here / "checks.py", here / "walk_checks.py"]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _key(digest: str, name: str) -> str:
    return f"guides:model-memo:{FORMAT}:{name}:{digest}"
