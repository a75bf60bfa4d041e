"""Truthful walks and question values depend on the troubleshooter's model alone: keep them while it stays the same.

Check (after every admin save) and the workspace's "Try it" walk every cause, and Check also every
symptom-and-cause pair and the visits behind "never worth asking": about 0.5 s for the bundled guide,
4 s or more for a 60-cause one, nearly all of it in the planner. Most saves change words, not the
model (a title, an explanation, a FAQ answer), so the results are kept in the cache under a digest
of the model and ``max_questions``: a save that changes the model gets a new digest, and new walks.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

from guides import engine

# A changed model gets a new digest at once; this only bounds what old models leave in the cache.
SECONDS = 24 * 60 * 60
# Bump when what is kept changes shape (what truthful_walk or question_values return), so a release
# never reads the previous one's results.
FORMAT = 1


def model_digest(model: engine.Model, max_questions: int) -> str:
    """The same for the same model, in every process (a dataclass's repr holds no set, so no hash order)."""
    return hashlib.sha256(repr((model, max_questions)).encode()).hexdigest()


def recall(digest: str, name: str):
    """What was kept under this name for this model, or None."""
    return cache.get(_key(digest, name))


def keep(digest: str, name: str, value) -> None:
    cache.set(_key(digest, name), value, timeout=SECONDS)


def _key(digest: str, name: str) -> str:
    return f"guides:model-memo:{FORMAT}:{name}:{digest}"
