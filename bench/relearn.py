"""How long relearning takes: 100,000 stored answers of the TikTok guide, read, learned from and stored again.

Run from the project root: ``python -m bench.relearn`` (``make bench-learn``). On a throwaway site
(``bench.scratch_site``) it walks simulated visitors through the guide's troubleshooter until they
have given ``--answers`` answers on step and explanation screens, stores them as the site does
(state before the screen, a keyed source per address, a token each), then times ``manage.py
relearn``'s work: reading and parsing the answers, the engine's learning, and storing the numbers.
The target is under 30 seconds for 100,000 answers, wall clock; CPU seconds are printed beside it,
as a machine shared with other work stretches the wall clock but not the CPU time.

The visitors are the engine's simulated ones (``guides.engine.simulator``, with the records
``guides.engine.outcomes.records_of`` says the site stores for each visit): a cause drawn from the
guide's commonness, answers drawn from what staff's words say ("I'm not sure" one time in five,
a wrong answer one time in ten), three in ten tapping a symptom first. Now and then a "I couldn't
do this" is stored too (never learned from). Three visitors in ten share one of 20 addresses, as a
phone carrier's visitors do. Screens are memoised by state: the planner is not what this times.

Last it times the snapshot build with staff's and with learned numbers: the troubleshooter's
screens read the snapshot, so its build is the only place learned numbers could cost them.
"""

from __future__ import annotations

import argparse
import os
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
    from guides.engine.outcomes import records_of
    from guides.engine.simulator import Visitor, World, memoised, planner_strategy, simulated_visit

    rng = random.Random(seed)
    world = World(model)
    strategy = memoised(planner_strategy)
    carriers = [secrets.token_hex(8) for _ in range(20)]
    answers = []
    index = 0
    while len(answers) < count:
        visitor = Visitor(world, seed, index, unsure=0.2, wrong=0.1, taps=index % 10 < 3)
        index += 1
        source = rng.choice(carriers) if rng.random() < 0.3 else secrets.token_hex(8)
        visit = simulated_visit(strategy, model, visitor)
        for record in records_of(visit, visitor, strategy, model):
            state = urlencode(record.evidence)
            answers.append((state, record.outcome, record.key, source))
            if record.outcome == "not_fixed" and rng.random() < 0.05:
                answers.append((state, "couldnt", record.key, source))  # stored, never learned from
    return answers[:count]


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
    """The result, and the wall-clock seconds it took (what the target is about)."""
    result, wall, _ = timed_cpu(function, *args, **kwargs)
    return result, wall


def timed_cpu(function, *args, **kwargs):
    """The result, wall-clock seconds and this process's CPU seconds: on a busy machine the two part ways."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started, time.process_time() - cpu


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

    load = os.getloadavg()[0]
    records, reading, reading_cpu = timed_cpu(records_of, guide, model)
    _, learning, learning_cpu = timed_cpu(learn, model, records, strength=float(guide.prior_visitors))
    done, whole, whole_cpu = timed_cpu(relearn, guide)
    met = "met" if whole < TARGET_SECONDS else "MISSED"
    print(f"  load average before timing: {load:.1f} on {os.cpu_count()} cores")
    print("                               wall      CPU")
    print(f"  read and parse the answers {reading:6.2f} s {reading_cpu:6.2f} s   ({len(records):,} records)")
    print(f"  learn (engine.learning)    {learning:6.2f} s {learning_cpu:6.2f} s")
    print(f"  whole relearn, rows stored {whole:6.2f} s {whole_cpu:6.2f} s   target < {TARGET_SECONDS:.0f} s: {met}")
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
