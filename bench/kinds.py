"""Kinds of visitor the planner was not tuned for, and whether it stays short and honest with them.

``bench.diagnosis`` prints these tables after the strategy comparisons. For the TikTok guide's
true model and a misspecified one (``simulator.perturbed``, 10% wrong answers), the planner
(strategy (c)) guides

* everyone: visitors drawn from the priors, as in the comparison tables;
* tapped symptom: the same, arriving from one symptom of their cause on the guide's page (what
  it settles is never to be asked again);
* explanation visitors: those whose cause is one nothing on their side fixes (``Cause.explains``);
* TikTok-side visitors: those whose cause is TikTok being down (the cause ``tiktok-down``);
* unknown-cause visitors: a cause the model does not have at all (``simulator.UNKNOWN``).

For each it prints the screens to the end of the visit (fixed, explained, or the long-shots
screen or the hand-off), mean and p90; the share that ended within ``model.max_screens``
screens; the share that ended in success (fixed, or explained and recognised); the share shown
a step or explanation their own answers had ruled out, or asked a question their symptom had
answered; and how often the progress range shown
held, per screen index 1..8, with its mean width (high - low).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from guides import engine
from guides.engine import simulator

TIKTOK_SIDE = "tiktok-down"
TAPPED = "tapped symptom"
SCREENS = 8  # screen indexes whose progress range is measured, and the screens "within" counts
CALIBRATION_TARGET = 0.8
P90_TARGET = 8
UNKNOWN_TARGET = 10.0
VISITORS = {"everyone": 2000, TAPPED: 1000, "explanation": 1000, "TikTok side": 500, "unknown cause": 500}


@dataclass(frozen=True)
class KindFigures:
    visitors: int
    mean_minutes: float
    mean_screens: float
    p90_screens: int
    within: float  # ended within SCREENS screens
    success: float  # fixed or explained
    ended_unfixed: float  # the long-shots screen or the hand-off, without a fix
    ruled_out: float
    mean_before_end: float  # screens before the long-shots screen or the hand-off, among those who reached it
    calibration: tuple[tuple[int, int], ...]  # (held, shown) per screen index 1..SCREENS
    width: float | None  # mean high - low over the screens that showed a range
    widths: tuple[float | None, ...]  # the same per screen index 1..SCREENS


def kinds(model: engine.Model) -> dict[str, tuple[str, ...] | None]:
    """The visitor kinds this model can have: causes to draw from (None: the priors), or () when absent."""
    explaining = tuple(c.key for c in model.causes if c.explains)
    keys = {c.key for c in model.causes}
    return {
        "everyone": None,
        TAPPED: None if model.observations else (),
        "explanation": explaining,
        "TikTok side": (TIKTOK_SIDE,) if TIKTOK_SIDE in keys else (),
        "unknown cause": (simulator.UNKNOWN,),
    }


def figures(visits: list[simulator.Visit]) -> KindFigures:
    n = len(visits)
    screens = sorted(v.screens for v in visits)
    ending = [v for v in visits if v.outcome in (engine.LONG_SHOTS, engine.HAND_OFF)]
    widths = [s[1] - s[0] for v in visits for s in v.spans if s is not None]
    return KindFigures(
        visitors=n,
        mean_minutes=sum(v.minutes for v in visits) / n,
        mean_screens=sum(screens) / n,
        p90_screens=screens[math.ceil(0.9 * n) - 1],
        within=sum(s <= SCREENS for s in screens) / n,
        success=sum(v.fixed for v in visits) / n,
        ended_unfixed=sum(not v.fixed for v in ending) / n,
        ruled_out=sum(v.ruled_out for v in visits) / n,
        mean_before_end=sum(v.screens - 1 for v in ending) / len(ending) if ending else math.nan,
        calibration=tuple(simulator.calibration(visits, SCREENS)),
        width=sum(widths) / len(widths) if widths else None,
        widths=tuple(_mean_width(visits, index) for index in range(SCREENS)),
    )


def _mean_width(visits: list[simulator.Visit], index: int) -> float | None:
    spans = [v.spans[index] for v in visits if len(v.spans) > index and v.spans[index] is not None]
    return sum(high - low for low, high in spans) / len(spans) if spans else None


def measure(strategy, model: engine.Model, worlds, seed: int) -> dict[tuple[str, str], KindFigures | None]:
    """Figures per (world label, kind); None for a kind the model does not have."""
    results: dict[tuple[str, str], KindFigures | None] = {}
    for label, true_model, wrong in worlds:
        for kind, among in kinds(model).items():
            if among == ():
                results[label, kind] = None
                continue
            visits = simulator.run(
                strategy,
                model,
                true_model,
                visitors=VISITORS[kind],
                seed=seed,
                wrong=wrong,
                among=among,
                taps=kind == TAPPED,
            )
            results[label, kind] = figures(visits)
    return results


def print_kinds(results: dict[tuple[str, str], KindFigures | None], seconds: float) -> None:
    print(f"\nTikTok guide, kinds of visitor, planner (c)  [{seconds:.1f} s]")
    print("  screens (mean, p90) run to the end: fixed, explained, or the long-shots screen / hand-off (included);")
    print("  'before end': screens before the long-shots screen / hand-off, for those who reached it")
    print(
        f"  {'model':<13} {'kind':<14} {'visitors':>8} {'mean min':>8} {'mean':>5} {'p90':>4} {'<=8 scr':>8} "
        f"{'success':>8} {'unfixed end':>11} {'ruled out':>9} {'before end':>10}"
    )
    for (label, kind), f in results.items():
        if f is None:
            print(f"  {label:<13} {kind:<14} (none: the guide has no such cause or symptom)")
            continue
        before = "" if math.isnan(f.mean_before_end) else f"{f.mean_before_end:10.2f}"
        print(
            f"  {label:<13} {kind:<14} {f.visitors:8d} {f.mean_minutes:8.1f} {f.mean_screens:5.2f} {f.p90_screens:4d} "
            f"{f.within:8.1%} {f.success:8.1%} {f.ended_unfixed:11.1%} {f.ruled_out:9.1%} {before:>10}"
        )
    print("\n  progress range held (in range, or within ±1 of an 'about N'), per screen index; mean width high - low")
    print(f"  {'model':<13} {'kind':<14} " + " ".join(f"{i:>5}" for i in range(1, SCREENS + 1)) + f" {'width':>6}")
    for (label, kind), f in results.items():
        if f is None:
            continue
        cells = " ".join(f"{held / shown:5.0%}" if shown else f"{'-':>5}" for held, shown in f.calibration)
        width = "-" if f.width is None else f"{f.width:.2f}"
        print(f"  {label:<13} {kind:<14} {cells} {width:>6}")
    print("  mean width (high - low) per screen index; 'about N' is 0")
    for (label, kind), f in results.items():
        if f is not None and kind == "everyone":
            cells = " ".join(f"{'-':>5}" if w is None else f"{w:5.1f}" for w in f.widths)
            print(f"  {label:<13} {kind:<14} {cells}")


def targets(results: dict[tuple[str, str], KindFigures | None]) -> list[tuple[str, bool, str]]:
    rows = []
    for (label, kind), f in results.items():
        if f is None:
            continue
        name = f"{kind}, {label}"
        if kind == "unknown cause":
            rows.append(
                (
                    f"{name}: mean screens before the end <= {UNKNOWN_TARGET:.0f}",
                    f.mean_before_end <= UNKNOWN_TARGET,
                    f"{f.mean_before_end:.2f}",
                )
            )
        else:
            rows.append((f"{name}: p90 screens <= {P90_TARGET}", f.p90_screens <= P90_TARGET, f"{f.p90_screens}"))
        rows.append((f"{name}: ruled-out step or settled question: 0", f.ruled_out == 0, f"{f.ruled_out:.1%}"))
        if kind in ("everyone", TAPPED):
            shares = [held / shown for held, shown in f.calibration if shown]
            worst = min(shares) if shares else 0.0
            rows.append(
                (
                    f"{name}: progress held >= {CALIBRATION_TARGET:.0%}, each screen 1..{SCREENS}",
                    worst >= CALIBRATION_TARGET,
                    f"worst {worst:.0%}",
                )
            )
    return rows
