"""Time the questionnaire engine on a guide shaped like the real one and on a large generated one.

Run from the project root: ``python -m bench.engine``. Target: ``next_question`` under 20 ms on
the large guide (200 causes, 300 questions) on one core.
"""

import random
import statistics
import sys
import time
from pathlib import Path

from guides import engine
from guides.engine import UNSURE, Answer, Cause, Effect, Question, Questionnaire, Strength

RUNS = 200
TARGET_MS = 20.0
SEED = 20240611
CONTENT = Path(__file__).resolve().parent.parent / "guides" / "content" / "tiktok-messages.yaml"
WEIGHTS = {"rare": 1, "uncommon": 2, "common": 4, "very_common": 8}


def small_guide() -> tuple[str, Questionnaire]:
    """Return the first guide's questionnaire, read straight from its content file."""
    import yaml

    data = yaml.safe_load(CONTENT.read_text())
    causes = tuple(
        Cause(c["slug"], WEIGHTS[c.get("commonness", "common")], tuple(f["slug"] for f in c.get("facets") or ()))
        for c in data["causes"]
    )
    questions = []
    for item in data["questions"]:
        answers = []
        for answer in item["answers"]:
            effects = []
            for target, strength in (answer.get("effects") or {}).items():
                cause, _, facet = target.partition("/")  # "cause/facet" speaks about a facet
                effects.append(Effect(cause, strength, facet or None))
            answers.append(Answer(answer["slug"], answer["text"], tuple(effects)))
        requires = tuple(item["asked_after"].split("/")) if item.get("asked_after") else None
        questions.append(Question(item["slug"], item["text"], tuple(answers), requires))
    return f"first guide ({CONTENT.name})", Questionnaire(causes, tuple(questions))


def generated(n_causes: int, n_questions: int, *, seed: int, causes=None) -> Questionnaire:
    """Return a random but reproducible questionnaire: 2-5 answers a question, 1-4 effects an answer."""
    rng = random.Random(seed)
    if causes is None:
        causes = tuple(
            Cause(f"cause-{i}", rng.choice((1, 2, 4, 8)), tuple(f"facet-{j}" for j in range(rng.choice((0, 0, 2, 4)))))
            for i in range(n_causes)
        )
    strengths = list(Strength)
    questions = []
    for j in range(n_questions):
        answers = []
        for k in range(rng.randint(2, 5)):
            effects = {}
            for _ in range(rng.randint(1, 4)):
                cause = rng.choice(causes)
                effects[(cause.key, None)] = Effect(cause.key, rng.choice(strengths))
                if cause.facets and rng.random() < 0.3:
                    facet = rng.choice(cause.facets)
                    effects[(cause.key, facet)] = Effect(cause.key, rng.choice(strengths), facet)
            answers.append(Answer(f"a{k}", f"Answer {k}", tuple(effects.values())))
        requires = None
        if j and rng.random() < 0.1:
            parent = rng.choice(questions)
            requires = (parent.key, rng.choice(parent.answers).key)
        questions.append(Question(f"q{j}", f"Question {j}?", tuple(answers), requires))
    return Questionnaire(causes, tuple(questions))


def three_answers(questionnaire: Questionnaire) -> list[tuple[str, str]]:
    """Follow the engine for three questions, giving the first answer (or "not sure" every third)."""
    answers: list[tuple[str, str]] = []
    for turn in range(3):
        question = engine.next_question(questionnaire, answers)
        if question is None:
            break
        answers.append((question.key, UNSURE if turn == 2 else question.answers[0].key))
    return answers


def timings_ms(function, runs: int = RUNS) -> tuple[float, float]:
    """Return the median and 95th percentile of ``runs`` calls, in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        function()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def report(name: str, questionnaire: Questionnaire) -> float:
    """Print one guide's figures; return the worst p95 of next_question in milliseconds."""
    n_effects = sum(len(a.effects) for q in questionnaire.questions for a in q.answers)
    n_answers = sum(len(q.answers) for q in questionnaire.questions)
    print(
        f"\n{name}: {len(questionnaire.causes)} causes, {len(questionnaire.questions)} questions, "
        f"{n_answers} answers, {n_effects} effects"
    )
    build_median, build_p95 = timings_ms(lambda: engine._Index(questionnaire), runs=max(5, RUNS // 10))
    print(f"  index build (once per questionnaire)   median {build_median:8.3f} ms   p95 {build_p95:8.3f} ms")

    start = time.perf_counter_ns()
    engine.next_question(questionnaire, [])  # builds and caches the index
    print(f"  first next_question (cold, builds)     {(time.perf_counter_ns() - start) / 1e6:8.3f} ms")

    after = three_answers(questionnaire)
    worst = 0.0
    for label, answers in (("no answers", []), (f"{len(after)} answers", after)):
        median, p95 = timings_ms(lambda answers=answers: engine.next_question(questionnaire, answers))
        worst = max(worst, p95)
        print(f"  next_question, {label:<12}            median {median:8.3f} ms   p95 {p95:8.3f} ms")
        median, p95 = timings_ms(lambda answers=answers: engine.diagnose(questionnaire, answers))
        print(f"  diagnose,      {label:<12}            median {median:8.3f} ms   p95 {p95:8.3f} ms")
    return worst


def main() -> int:
    print(f"questionnaire engine benchmark: {RUNS} runs per figure, Python {sys.version.split()[0]}, one core")
    report(*small_guide())
    worst = report(f"generated guide (seed {SEED})", generated(200, 300, seed=SEED))
    verdict = "OK" if worst < TARGET_MS else "TOO SLOW"
    print(f"\nlarge guide next_question worst p95 {worst:.3f} ms, target < {TARGET_MS:.0f} ms: {verdict}")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
