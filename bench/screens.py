"""Time the troubleshooter's screens in-process, through Django's whole request cycle.

Run by ``bench.diagnosis`` in a child process (``python -m bench.screens``), because it needs
Django set up on a throwaway SQLite database and cache; it prints one JSON row per screen kind.
Each screen is timed twice: "first" is the first visitor on that state after a content save
(the engine plans, the template renders), "served" is every visitor after that (the rendered
screen comes from the cache; the page view is counted in memory, see guides/diagnose/page_views.py).
"""

import json
import statistics
import sys
import time
from urllib.parse import urlencode

from bench.scratch_site import set_up

RUNS = 200
PHONE = "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36"


def states() -> dict[str, str]:
    """Addresses of each screen kind, found by walking the engine: unsure answers, and a wait's cause.

    Every step fails and every explanation gets "No, that's not it", so the walks also reach
    explanations and the last screen (long shots, or the hand-off when nothing is left).
    """
    from guides import engine
    from guides.diagnose.snapshot import build_snapshot
    from guides.models import Guide

    snapshot = build_snapshot(Guide.objects.get(slug="tiktok-messages"))
    wait = next(slug for slug, step in snapshot.steps.items() if step.is_wait)
    fixes = next(s for s in snapshot.model.steps if s.key == wait).fixes
    cause = max(fixes, key=fixes.get)
    found: dict[str, str] = {}
    for answer in (lambda q: engine.UNSURE, lambda q: engine.answer_for(q, cause)):
        for evidence, decision in engine.visit(snapshot.model, answer, max_questions=snapshot.max_questions):
            kind = "wait step" if decision.kind == engine.STEP and decision.step.key == wait else decision.kind
            name = {
                "question": "question",
                "step": "fix step",
                "explain": "explanation",
                "long_shots": "long shots",
                "hand_off": "hand-off",
            }.get(kind, kind)
            if name == "question" and evidence:
                name = "question, after answers"
            found.setdefault(name, urlencode(evidence))
    return found


def main() -> None:
    set_up("bench-screens-")
    from django.test import Client

    from guides import content_cache

    client = Client(headers={"User-Agent": PHONE})
    url = "/guides/tiktok-messages/diagnose/?"
    client.get(url)  # build this process's snapshot
    rows = []
    for name, query in states().items():
        first, served = [], []
        for _ in range(RUNS // 4):
            content_cache.content_changed()  # as after a save: no copy of any screen is current
            client.get(url)  # a new content version and its snapshot, not timed
            started = time.perf_counter()
            assert client.get(url + query).status_code == 200
            first.append((time.perf_counter() - started) * 1000)
        for _ in range(RUNS):
            started = time.perf_counter()
            client.get(url + query)
            served.append((time.perf_counter() - started) * 1000)
        rows.append(
            {
                "screen": name,
                "first_median": statistics.median(first),
                "served_median": statistics.median(served),
                "served_p95": statistics.quantiles(served, n=20)[-1],
            }
        )
    json.dump(rows, sys.stdout)


if __name__ == "__main__":
    main()
