"""Does the planner get visitors fixed sooner? Simulated visitors, three strategies, the same visitors.

Run from the project root: ``python -m bench.diagnosis`` (``make bench-diagnosis``). For the
TikTok guide and a generated one (``bench.generated``), first with visitors drawn from the
guide's own model, then from a misspecified one (``simulator.perturbed``: priors x or ÷ 3,
efficacies ± 0.2, and 10% wrong answers), it guides the same visitors with

(a) the guide's seven-step checklist in its fixed order, then the hand-off (the TikTok
    guide's ``checklist``; for the generated guide the seven steps with the most linked prior
    per minute, ``bench.generated.checklist``);
(b) today's flow, the information-gain flow in ``bench.baseline``;
(c) the planner, ``engine.next_step``;

prints one table per case, then the planner's figures per kind of visitor (``bench.kinds``:
explanation causes, TikTok's side, a cause the guide lacks; screens, progress range held), the
learning table (``bench.learning``: misspecified worlds walked with learning on), and then the
targets with met/missed. Minutes and screens run
until fixed or through the hand-off (whose minutes count); questions count as screens. An
explanation the visitor recognises ("Yes, that explains it") ends the visit as a success and
counts in "fixed<hand-off"; the long-shots screen is one screen, its long shots tried in order
until one works, else the hand-off's minutes (``simulator``): the cost definitions are the same
as before these screens existed, so the tables compare with earlier runs.
Visitors answer by the plain reading of the words (``simulator.RATIOS``); for the TikTok
guide one more table has them answer exactly as the planner's fitted answer model expects
(``simulator.BASELINE``), the case the planner is built for.

The planner is slow on the generated guide (see ``make bench``), so that guide gets fewer
visitors; its differences are large enough to read anyway. Tune with ``--visitors`` and
``--generated-visitors``.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from dataclasses import dataclass

from bench import baseline, kinds
from bench import learning as learning_bench
from bench.engine import percentile, pin_to_one_core
from bench.generated import checklist as generated_checklist
from bench.generated import generated_model
from bench.guide_model import model_from_content, read
from guides import engine
from guides.engine import simulator
from guides.engine.progress import span_of
from guides.engine.simulator import Metrics

SEED = 20240611
TIKTOK_VISITORS = 2000
GENERATED_VISITORS = 40
WRONG_ANSWERS = 0.10
# Extra perturbed worlds for the TikTok guide: one world could be a lucky draw.
TIKTOK_WORLDS = 5
TIKTOK_WORLD_VISITORS = 500
TIMED_STATES = 200
TARGET_MS = 20.0
TARGET_VS_CHECKLIST = 0.6
TARGET_VS_TODAY = 0.8
# A troubleshooter screen costs at most this much server time in-process (median per screen kind).
SCREEN_TARGET_MS = 3.0


def screen_timings() -> list[dict]:
    """In-process timings of the Django troubleshooter screens, per kind (see ``bench.screens``).

    Measured in a child process, which sets Django up on a throwaway database and cache.
    """
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "bench.screens"], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


@dataclass
class Guide:
    name: str
    model: engine.Model
    checklist: tuple[str, ...]
    checklist_source: str
    strategies: dict[str, simulator.Strategy]


def guide(name: str, model: engine.Model, checklist: tuple[str, ...], source: str) -> Guide:
    # One memoised strategy per guide, shared by its cases: the planning model is the same, so
    # states reached in one world are decided once for all of them.
    strategies = {
        "(a) checklist": simulator.memoised(simulator.checklist_strategy(checklist)),
        "(b) today's flow": simulator.memoised(baseline.todays_flow),
        "(c) planner": simulator.memoised(simulator.planner_strategy),
    }
    return Guide(name, model, checklist, source, strategies)


def compare(
    g: Guide, true_model: engine.Model, visitors: int, seed: int, wrong: float, answers: str = simulator.RATIOS
) -> dict[str, Metrics]:
    results = {}
    for label, strategy in g.strategies.items():
        visits = simulator.run(
            strategy, g.model, true_model, visitors=visitors, seed=seed, wrong=wrong, answers=answers
        )
        results[label] = simulator.summarise(visits)
    return results


def print_table(title: str, results: dict[str, Metrics], seconds: float) -> None:
    print(f"\n{title}  [{seconds:.1f} s]")
    print(
        f"  {'strategy':<17} {'mean min':>9} {'± s.e.':>7} {'p90 min':>8} {'screens':>8} {'questions':>9} "
        f"{'fixed<hand-off':>14} {'1st step fixed':>14}"
    )
    for label, m in results.items():
        print(
            f"  {label:<17} {m.mean_minutes:9.1f} {m.sem_minutes:7.1f} {m.p90_minutes:8.1f} {m.mean_screens:8.2f} "
            f"{m.mean_questions:9.2f} {m.fixed_share:14.1%} {m.first_step_share:14.1%}"
        )


def time_next_step(model: engine.Model, states: list[tuple[tuple[str, str], ...]]) -> tuple[float, float, float]:
    """Median, p95 and max of one ``next_step`` call per state, in ms (tables compiled beforehand)."""
    engine.next_step(model, ())
    samples = []
    for evidence in states:
        start = time.perf_counter_ns()
        engine.next_step(model, evidence)
        samples.append((time.perf_counter_ns() - start) / 1e6)
    samples.sort()
    return samples[len(samples) // 2], percentile(samples, 0.95), samples[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=TIKTOK_VISITORS, help="visitors per TikTok case")
    parser.add_argument("--generated-visitors", type=int, default=GENERATED_VISITORS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(f"diagnosis bench: seed {args.seed}, Python {sys.version.split()[0]}, {pin_to_one_core()}")

    tiktok, generated = the_two_guides(args.seed)
    tables = simulate(tiktok, generated, args)
    by_kind = visitor_kinds(tiktok, args.seed)
    worlds = more_worlds(tiktok, args.seed)
    p95 = time_generated(generated, args.seed)
    slowest = print_screen_timings()
    learned = learning_bench.run(args.seed)
    print_targets(targets(tables, worlds, tiktok, generated, slowest, p95) + kinds.targets(by_kind) + learned)
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    return 0


def the_two_guides(seed: int) -> tuple[Guide, Guide]:
    """The TikTok guide (with its own checklist, if it has one) and a generated one."""
    data = read("tiktok-messages")
    tiktok_model = model_from_content(data)
    if data.get("checklist"):
        tiktok = guide("TikTok guide", tiktok_model, tuple(data["checklist"]), "the guide's checklist")
    else:
        tiktok = guide("TikTok guide", tiktok_model, generated_checklist(tiktok_model), "prior mass per minute")
    gen_model = generated_model(seed=seed)
    generated = guide("generated guide", gen_model, generated_checklist(gen_model), "prior mass per minute")
    return tiktok, generated


def simulate(tiktok: Guide, generated: Guide, args) -> dict[tuple[str, str], dict[str, Metrics]]:
    """Each guide's cases (true model, then misspecified), each printed as a table; the results by (guide, case)."""
    rng = random.Random(args.seed)
    worlds = {
        tiktok.name: simulator.perturbed(tiktok.model, rng),
        generated.name: simulator.perturbed(generated.model, rng),
    }
    tables: dict[tuple[str, str], dict[str, Metrics]] = {}
    for g, visitors in ((tiktok, args.visitors), (generated, args.generated_visitors)):
        m = g.model
        print(
            f"\n== {g.name}: {len(m.causes)} causes, {len(m.steps)} steps, {len(m.questions)} questions; "
            f"checklist (a) from {g.checklist_source}: {', '.join(g.checklist)}"
        )
        cases = [("true model = content", g.model, 0.0, simulator.RATIOS)]
        if g is tiktok:  # cheap here: also visitors who answer exactly as the planner expects
            cases.append(("true model = content, planner's answer model", g.model, 0.0, simulator.BASELINE))
        cases.append(("misspecified", worlds[g.name], WRONG_ANSWERS, simulator.RATIOS))
        for case, true_model, wrong, answers in cases:
            start = time.perf_counter()
            tables[g.name, case] = results = compare(g, true_model, visitors, args.seed, wrong, answers)
            extra = f", priors x/÷ 3, efficacies ± 0.2, {wrong:.0%} wrong answers" if wrong else ""
            print_table(f"{g.name}, {case}{extra}: {visitors} visitors", results, time.perf_counter() - start)
    return tables


def visitor_kinds(tiktok: Guide, seed: int):
    """The TikTok guide's kinds of visitor (``bench.kinds``), true model and the misspecified one of ``simulate``."""
    start = time.perf_counter()
    # The same misspecified world as the comparison table's: the first drawn from the seed.
    misspecified = simulator.perturbed(tiktok.model, random.Random(seed))
    worlds = [("true", tiktok.model, 0.0), ("misspecified", misspecified, WRONG_ANSWERS)]
    results = kinds.measure(tiktok.strategies["(c) planner"], tiktok.model, worlds, seed)
    kinds.print_kinds(results, time.perf_counter() - start)
    return results


def more_worlds(tiktok: Guide, seed: int) -> list[dict[str, Metrics]]:
    """More misspecified worlds for the TikTok guide: is (c) ahead in each, or in one lucky draw?"""
    start = time.perf_counter()
    worlds = []
    for w in range(TIKTOK_WORLDS):
        world = simulator.perturbed(tiktok.model, random.Random(f"{seed}/world/{w}"))
        worlds.append(compare(tiktok, world, TIKTOK_WORLD_VISITORS, seed + w, WRONG_ANSWERS))
    print(
        f"\nTikTok guide, {TIKTOK_WORLDS} more misspecified worlds x {TIKTOK_WORLD_VISITORS} visitors, "
        f"mean minutes (a) / (b) / (c)  [{time.perf_counter() - start:.1f} s]"
    )
    for w, results in enumerate(worlds):
        a, b, c = (results[k].mean_minutes for k in tiktok.strategies)
        print(f"  world {w}: {a:8.1f} / {b:8.1f} / {c:8.1f}")
    return worlds


def time_generated(generated: Guide, seed: int) -> float:
    """Time ``next_step`` on states the simulated visitors reached; prints the figures, returns the p95 in ms."""
    states = list(generated.strategies["(c) planner"].cache)
    random.Random(seed).shuffle(states)
    states = states[:TIMED_STATES]
    median, p95, worst = time_next_step(generated.model, states)
    print(
        f"\nnext_step on the generated guide, {len(states)} states reached by simulated visitors, one core: "
        f"median {median:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms"
    )
    decisions = [engine.next_step(generated.model, evidence) for evidence in states]
    samples = []
    for decision in decisions:
        start = time.perf_counter_ns()
        span_of(decision, generated.model)
        samples.append((time.perf_counter_ns() - start) / 1e3)
    samples.sort()
    print(
        f"progress.span_of (inside next_step) on the same states: median {samples[len(samples) // 2]:.0f} µs, "
        f"p95 {percentile(samples, 0.95):.0f} µs, max {samples[-1]:.0f} µs"
    )
    return p95


def print_screen_timings() -> float:
    """Print the in-process screen timings; returns the slowest screen's median, in ms (inf when they failed).

    A screen that fails to render is reported, not allowed to hide the simulation's tables.
    """
    print("\ntroubleshooter screens, in process (Django's whole request cycle, SQLite, file cache)")
    try:
        rows = screen_timings()
    except subprocess.CalledProcessError as error:
        last = (error.stderr or "").strip().splitlines()[-1:] or ["no output"]
        print(f"  could not time the screens: {last[0]}")
        return float("inf")
    print(f"  {'screen':<26} {'first visitor':>14} {'every visitor after':>20} {'p95':>9}")
    for row in rows:
        print(
            f"  {row['screen']:<26} {row['first_median']:11.2f} ms {row['served_median']:17.2f} ms "
            f"{row['served_p95']:6.2f} ms"
        )
    return max(row["served_median"] for row in rows)


def targets(tables, worlds, tiktok: Guide, generated: Guide, slowest: float, p95: float) -> list[tuple[str, bool, str]]:
    """(label, met, figure) for each target the bench checks."""

    def mean(guide_name: str, case: str, strategy: str) -> float:
        return tables[guide_name, case][strategy].mean_minutes

    a, b, c = (mean("TikTok guide", "true model = content", k) for k in tiktok.strategies)
    ma, mb, mc = (mean("TikTok guide", "misspecified", k) for k in tiktok.strategies)
    ga, gb, gc = (mean("generated guide", "misspecified", k) for k in generated.strategies)
    ahead = sum(
        r["(c) planner"].mean_minutes < min(r["(a) checklist"].mean_minutes, r["(b) today's flow"].mean_minutes)
        for r in worlds
    )
    return [
        (
            f"screens: median <= {SCREEN_TARGET_MS} ms each (as served)",
            slowest <= SCREEN_TARGET_MS,
            f"{slowest:.2f} ms",
        ),
        (f"TikTok: (c) mean minutes <= {TARGET_VS_CHECKLIST} x (a)", c <= TARGET_VS_CHECKLIST * a, f"{c / a:.2f} x"),
        (f"TikTok: (c) mean minutes <= {TARGET_VS_TODAY} x (b)", c <= TARGET_VS_TODAY * b, f"{c / b:.2f} x"),
        (
            "TikTok misspecified: (c) better than (a) and (b)",
            mc < min(ma, mb),
            f"{mc / ma:.2f} x (a), {mc / mb:.2f} x (b)",
        ),
        (
            f"TikTok, {TIKTOK_WORLDS} more worlds: (c) better than both in each",
            ahead == len(worlds),
            f"{ahead}/{len(worlds)}",
        ),
        (
            "generated misspecified: (c) better than (a) and (b)",
            gc < min(ga, gb),
            f"{gc / ga:.2f} x (a), {gc / gb:.2f} x (b)",
        ),
        (f"generated: next_step p95 < {TARGET_MS:.0f} ms", p95 < TARGET_MS, f"{p95:.1f} ms"),
    ]


def print_targets(rows: list[tuple[str, bool, str]]) -> None:
    print("\ntargets")
    for label, met, figure in rows:
        print(f"  {'met   ' if met else 'MISSED'}  {label:<68} {figure}")


if __name__ == "__main__":
    sys.exit(main())
