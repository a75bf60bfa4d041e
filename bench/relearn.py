"""How long relearning takes: 100,000 stored answers of the TikTok guide, read, learned from and stored again.

Run from the project root: ``python -m bench.relearn`` (``make bench-learn``). On a throwaway site
(``bench.scratch_site``) it walks simulated visitors through the guide's troubleshooter until they
have given ``--answers`` answers on step and explanation screens, stores them as the site does
(state before the screen, a keyed source per address, a token each), then times ``manage.py
relearn``'s work: reading and parsing the answers, the engine's learning, and storing the numbers.
The target is under 30 seconds for 100,000 answers.

The visitors: each has a cause drawn from the guide's commonness, answers each question the way
someone with that cause would (``engine.answer_for``; "I'm not sure" one time in five), and a step
fixes it with its linked efficacy; an explanation of their own cause is recognised. Three in ten tap
one of their cause's symptoms first, and one answer in ten is any answer at all (people misread). One answer in
twenty is "I couldn't do this" (never learned from). Addresses are drawn so that a few are shared
by many visitors, as a phone carrier's are. Screens are memoised by state: real visitors share
paths too, and the planner is not what this bench times.

Last it times the snapshot build with staff's and with learned numbers: the troubleshooter's
screens read the snapshot, so its build is the only place learned numbers could cost them.
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import time
from urllib.parse import urlencode

from bench.scratch_site import set_up

TARGET_SECONDS = 30.0
SLUG = "tiktok-messages"


def simulated_answers(model, count: int, seed: int = 17) -> list[tuple[str, str, str, str]]:
    """(state, outcome, key, source) for `count` answers, as visitors walking the troubleshooter give them."""
    from guides import engine

    rng = random.Random(seed)
    decisions: dict[tuple, engine.Decision] = {}
    causes = [c.key for c in model.causes]
    weights = [c.weight for c in model.causes]
    steps = {s.key: s for s in model.steps}
    carriers = [secrets.token_hex(8) for _ in range(20)]
    symptoms = {c: [o.key for o in model.observations if any(e.cause == c for e in o.effects)] for c in causes}
    answers = []
    while len(answers) < count:
        cause = rng.choices(causes, weights)[0]
        source = rng.choice(carriers) if rng.random() < 0.3 else secrets.token_hex(8)
        signs = symptoms[cause]
        evidence = [(engine.SEEN, rng.choice(signs))] if signs and rng.random() < 0.3 else []
        for _ in range(model.max_screens + 4):
            key = tuple(evidence)
            if key not in decisions:
                decisions[key] = engine.next_step(model, evidence)
            decision = decisions[key]
            state = urlencode(evidence)
            if decision.kind == engine.QUESTION:
                evidence.append((decision.question.key, _answer(rng, decision.question, cause)))
            elif decision.kind == engine.EXPLAIN:
                mine = decision.cause == cause and rng.random() < engine.RECOGNISED
                answers.append((state, "explained" if mine else "not_it", decision.cause, source))
                if mine:
                    break
                evidence.append((engine.NOT_IT, decision.cause))
            elif decision.kind == engine.STEP:
                step = decision.step.key
                if rng.random() < 0.05:
                    answers.append((state, "couldnt", step, source))
                    evidence.append((engine.COULDNT, step))
                    continue
                fixed = rng.random() < steps[step].fixes.get(cause, 0.0)
                answers.append((state, "fixed" if fixed else "not_fixed", step, source))
                if fixed:
                    break
                evidence.append((engine.FAILED, step))
            else:
                break
    return answers[:count]


def _answer(rng: random.Random, question, cause: str) -> str:
    """Their cause's answer; "I'm not sure" one time in five, and one time in ten any answer at all."""
    from guides import engine

    luck = rng.random()
    if luck < 0.2:
        return engine.UNSURE
    if luck < 0.3:
        return rng.choice(question.answers).key
    return engine.answer_for(question, cause)


def store(guide, answers) -> None:
    from guides.models import StepOutcome

    batch = 5000
    for start in range(0, len(answers), batch):
        StepOutcome.objects.bulk_create(
            StepOutcome(
                guide=guide, step_slug=key, outcome=outcome, token=secrets.token_hex(16), state=state, source=source
            )
            for state, outcome, key, source in answers[start : start + batch]
        )


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100_000, help="Stored answers to relearn from.")
    options = parser.parse_args()
    set_up("bench-relearn-")

    from guides.diagnose.snapshot import build_snapshot, staff_model
    from guides.engine.learning import learn
    from guides.learning import records_of, relearn
    from guides.models import Guide, LearnedNumber, Numbers

    guide = Guide.objects.get(slug=SLUG)
    model = staff_model(guide)
    answers, simulating = timed(simulated_answers, model, options.answers)
    _, storing = timed(store, guide, answers)
    states = len({state for state, *_ in answers})
    sources = len({source for *_, source in answers})
    print(f"Relearning {SLUG} from {len(answers):,} stored answers ({states:,} distinct states, {sources:,} addresses)")
    print(f"  (set-up, not timed: simulating {simulating:.1f} s, storing {storing:.1f} s)")

    records, reading = timed(records_of, guide, model)
    _, learning = timed(learn, model, records, strength=float(guide.prior_visitors))
    done, whole = timed(relearn, guide)
    met = "met" if whole < TARGET_SECONDS else "MISSED"
    print(f"  read and parse the answers   {reading:6.2f} s   ({len(records):,} records learned from)")
    print(f"  learn (engine.learning)      {learning:6.2f} s")
    print(f"  whole relearn, rows stored   {whole:6.2f} s   target < {TARGET_SECONDS:.0f} s: {met}")
    print(f"  {done.summary()}")

    staff_build = min(timed(build_snapshot, guide)[1] for _ in range(5))
    Guide.objects.filter(pk=guide.pk).update(numbers=Numbers.LEARNED)
    guide.refresh_from_db()
    learned_build = min(timed(build_snapshot, guide)[1] for _ in range(5))
    print(
        f"Snapshot build (once per content version, never per screen): staff's numbers {staff_build * 1000:.0f} ms, "
        f"learned numbers {learned_build * 1000:.0f} ms ({LearnedNumber.objects.filter(guide=guide).count()} numbers)"
    )
    return 0 if whole < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
