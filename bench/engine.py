"""Time the troubleshooting engine's ``next_step`` on the TikTok guide and on a large generated one.

Run from the project root: ``python -m bench.engine`` (``make bench``). Every troubleshooter
screen calls ``next_step`` once, so its time is the engine's share of each page; the target
is a p95 under 20 ms on the generated guide (60 causes, 120 steps, 80 questions) on one core.
``bench.diagnosis`` checks the same target over states real (simulated) visitors reach; this
bench is the quick look at a few fixed states, and at the one-off cost of compiling a model.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time

from bench.generated import generated_model
from bench.guide_model import model_from_content, read
from guides import engine
from guides.engine.compiled import Compiled

RUNS = 50
TARGET_MS = 20.0


def pin_to_one_core() -> str:
    """Keep the process on one CPU, so figures are one core's and not the scheduler's luck."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity here)"


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least ``share`` of them at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def timings_ms(function, runs: int = RUNS) -> tuple[float, float]:
    """The median and 95th percentile of ``runs`` calls, in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        function()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return statistics.median(samples), percentile(samples, 0.95)


def walk(model: engine.Model, answers: int, failures: int) -> tuple[tuple[str, str], ...]:
    """Follow the planner, giving each question its first answer (every third "unsure"),
    and failing each step, until ``answers`` questions and ``failures`` steps are in the evidence."""
    evidence: list[tuple[str, str]] = []
    asked = failed = 0
    while asked < answers or failed < failures:
        decision = engine.next_step(model, evidence)
        if decision.kind == engine.QUESTION and asked < answers:
            asked += 1
            evidence.append(
                (decision.question.key, engine.UNSURE if asked % 3 == 0 else decision.question.answers[0].key)
            )
        elif decision.kind == engine.STEP:
            failed += 1
            evidence.append((engine.FAILED, decision.step.key))
        else:
            break
    return tuple(evidence)


def report(name: str, model: engine.Model) -> float:
    """Print one guide's figures; return the worst p95 of ``next_step`` in milliseconds."""
    n_answers = sum(len(q.answers) for q in model.questions)
    print(
        f"\n{name}: {len(model.causes)} causes, {len(model.steps)} steps, {len(model.questions)} questions, "
        f"{n_answers} answers"
    )
    median, p95 = timings_ms(lambda: Compiled(model), runs=5)
    print(f"  compile (once per content version)      median {median:8.3f} ms   p95 {p95:8.3f} ms")
    worst = 0.0
    for label, evidence in (
        ("no evidence", ()),
        ("3 answers", walk(model, 3, 0)),
        ("3 answers, 3 failed steps", walk(model, 3, 3)),
    ):
        median, p95 = timings_ms(lambda evidence=evidence: engine.next_step(model, evidence))
        worst = max(worst, p95)
        print(f"  next_step, {label:<28} median {median:8.3f} ms   p95 {p95:8.3f} ms")
    return worst


def main() -> int:
    print(f"engine benchmark: {RUNS} runs per figure, Python {sys.version.split()[0]}, {pin_to_one_core()}")
    report("TikTok guide (guides/content/tiktok-messages.yaml)", model_from_content(read("tiktok-messages")))
    worst = report("generated guide (bench.generated)", generated_model())
    verdict = "met" if worst < TARGET_MS else "MISSED"
    print(f"\ngenerated guide next_step worst p95 {worst:.1f} ms, target < {TARGET_MS:.0f} ms: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
