"""Choose the visitor's next step: the question or fix that gets them fixed soonest on average.

This is decision-theoretic troubleshooting (Heckerman, Breese & Rommelse, "Decision-theoretic
troubleshooting", CACM 1995; the SACSO troubleshooter of Jensen et al., 2001), on the scale of
minutes.

This module is long because the plan, the value of asking, the explanations, the long shots and
the last screen are one calculation: each part uses the same walk and the same figures, and
reads best beside the others.

Acting now
    Each untried fix step s fixes the problem now with probability
    p(s) = Σ_c P(c | evidence) · efficacy(s, c). With a single cause and steps whose successes
    are independent given the cause, trying the steps in decreasing order of p(s) / cost(s)
    minimises the expected cost of repair (ECR). The hand-off to the app's support is the
    "call service" action: it ends the troubleshooting at its cost, so its value is 1 / cost,
    and a step of lower value than it is never reached. The ECR of the plan is
    Σ_k cost(s_k) · P(s_1 … s_{k-1} all failed) + cost(hand-off) · P(every step failed).
    The order is exactly optimal when no two steps fix the same cause (tested against brute
    force); when they do, it is the standard, near-optimal, greedy order.

Explanations
    A cause nothing on the visitor's side fixes (``Cause.explains``: blocked, too young,
    TikTok down) is explained on a screen of its own, which ends the visit when the visitor
    recognises it ("Yes, that explains it", ``RECOGNISED`` of the time). To the plan it is one
    more action: cost ``EXPLAIN_MINUTES`` and a screen, "fixing" its cause with ``RECOGNISED``,
    so it takes its place by value p/c among the fix steps. "No, that's not it" (``NOT_IT``) is
    evidence against the cause, and that explanation is never offered again. A ``risky`` step
    (reinstall, log out) is never the decision while an explanation still on offer has
    P(cause) at or above the floor: losing a login because TikTok was down costs more than
    the minutes say, and reading why costs one screen.

Long shots and the last screen
    A step whose chance now is below the guide's floor (``Model.floor``, 1 in 50) is a long
    shot: it is never offered a screen of its own and is left out of the planning walk. The
    plan is the likely steps in order, then the last screen: up to ``LONG_SHOTS_LISTED`` long
    shots listed to try in any order, and the hand-off. That screen comes when no likely step
    is left, or once the visitor has seen ``Model.max_screens`` screens (every piece of
    evidence but a tapped symptom is a screen); with nothing at all left, it is the hand-off.
    In the ECR the last screen costs what it costs the visitor who reaches it: the listed long
    shots tried best value first, then the hand-off (``_last_screen_cost``). Why that and not
    the hand-off alone: counting only the hand-off made every long shot a 2-day loss, so any
    question that might lift one over the floor looked worth minutes, and the planner asked a
    question more per visitor (3.5 against 2.5 on the bundled guide, more minutes, no more
    fixed); walking the long shots at their place by value, as before, kept planning on steps
    the visitor never sees one by one. Twelve long shots are no longer a cheap plan: at most
    six are counted, after the likely steps, so a question that splits the tail earns what it
    saves against them and the hand-off.

    The plan knows the cap too: after the screens left, the last screen comes whatever is left,
    and lists at most six steps and no explanation. So a plan that would reach the outage's
    explanation on screen eleven is costed as the visitor meets it (the hand-off), and a cheap
    question that brings the explanation forward ("Do your friends' messages fail too?") earns
    its screen; a question also spends one of the screens left.

Asking first
    A question q is worth asking when its effort plus the expected ECR after its answer,
    cost(q) + Σ_a P(a | evidence) · ECR(evidence + a), is lower than the ECR of acting now
    (the myopic value of information of Heckerman et al.). The answer model is the beliefs'
    own (``compiled.answer_baseline``): P(a | c) = baseline(a) · LR(a, c) / Z_c, so predicted
    answers and the update after a real answer are one coherent model. A guide with more than
    ``QUESTIONS_WEIGHED`` askable questions has only the ones whose answers move beliefs most
    weighed in full at each step; the bundled guide has fewer, so its choice is exact.

    Myopic value of information never asks "what if I did the obvious thing first, then
    asked?". With explanations that mattered: after "no Message button" the top causes were
    age (26 %), a block (25 %) and privacy settings (13 %), each a 2.5-minute read, but "Is an
    update waiting?" was worth 20 minutes against acting with no more questions (it splits the
    software-update tail), so an under-16 visitor met the age explanation on screen five. So
    when the best question beats acting, the plan's first action s is also tried first
    (``_acts_first``; the SACSO troubleshooter's observation-or-action comparison, Heckerman
    et al.'s value of information one step further): cost(s) + P(s fails) · min(acting, asking
    that question then acting) after s failed (or after "No, that's not it"), against asking
    first costed one step deeper alike: cost(q) + Σ_a P(a) · (take the plan's first action after
    a, then plan again). Both sides get one re-plan, and that matters: planning again after a
    failed step costs less than the plan said (steps below the floor move up, the last screen's
    list changes), by up to 30 minutes on the bundled guide, so comparing a re-planned "act
    first" against the plain value of asking acted first nearly always, screen after screen,
    and questions came late (explanation visitors: 465 minutes against 368). Measured with
    ``bench.diagnosis`` (true model, 2000 visitors): mean 372.8 → 339.4 minutes, 5.58 → 5.13
    screens, 2.77 → 2.14 questions; misspecified 649.0 → 615.0 minutes. It runs only when a
    question wins, for the first action and that question only (about 1 ms more per decision
    on the generated guide).

What is never offered
    A step already tried, one the visitor could not do, one an answer showed to be done or
    pointless (``Answer.skips``); a question already answered, one whose ``requires`` is not
    met, and one made moot by an answer or a tried step (``Question.moot_after``): nobody with
    no Message button is asked to "send a plain hi". A question whose answers cannot change the
    plan has no value and is not asked either. What the visitor saw and told us unasked (a
    symptom they tapped, ``SEEN`` evidence) is no question: it moves the beliefs, and is never
    offered, never weighed as a question and never counted toward ``max_questions``; the answers
    it settles (``Observation.settles``) are never asked. A step whose every cause a given answer
    ruled out, or that an answer skips, is never offered, not even as a long shot.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass, replace

from guides.engine.beliefs import FAILED, NOT_IT, Belief, Ranked, belief_for, ranking
from guides.engine.compiled import Compiled, CompiledQuestion
from guides.engine.model import Kind, Model, Question, Step
from guides.engine.progress import span_of

__all__ = [
    "EXPLAIN",
    "HAND_OFF",
    "LONG_SHOTS",
    "LONG_SHOTS_LISTED",
    "QUESTION",
    "STEP",
    "Decision",
    "Plan",
    "expected_cost",
    "next_step",
    "plan",
    "question_values",
]

QUESTION = "question"
STEP = "step"
EXPLAIN = Kind.EXPLAIN.value  # the decision to explain a cause nothing on the visitor's side fixes
LONG_SHOTS = "long_shots"  # the honest last screen: only long shots are left, listed, with the hand-off
HAND_OFF = Kind.HAND_OFF.value  # the decision to show the hand-off step

# Each decision weighs at most this many questions in full, those whose answers move beliefs most:
# weighing one costs a full plan per answer, and a question that barely moves beliefs saves little.
QUESTIONS_WEIGHED = 16

# The long-shots screen lists at most this many steps: a short list the visitor can take in at once.
LONG_SHOTS_LISTED = 6

# The last screens' costs kept per model (by their list of long shots), so that the many walks of
# one decision, and of the next, cost them once; cleared when full, it never grows without bound.
_LAST_SCREENS_KEPT = 4096

# Minutes: a question must save more than this to be asked, so rounding noise never asks one.
_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Plan:
    """The likely fix steps and explanations in the order to try them, before the last screen, and what it costs.

    ``steps`` are step keys, and ``explain:<cause>`` for an explanation (see ``compiled``); long
    shots are not in it (they wait on the last screen). ``chances[k]`` is the probability that
    ``steps[k]`` fixes the problem (or explains it) when tried now, not given that earlier ones
    failed; ``ecr`` is in minutes, the last screen included; ``screens`` is the expected number
    of screens until fixed or explained, the last screen counted as one.
    """

    steps: tuple[str, ...]
    chances: tuple[float, ...]
    ecr: float
    screens: float


@dataclass(frozen=True, slots=True)
class Decision:
    """What to show next, and why.

    ``kind`` is "question", "step", "explain", "long_shots" or "hand_off". ``question`` or ``step``
    is set to match (``step`` is None for a hand-off when the guide has no hand-off step, and
    for an explanation; for "long_shots" it is the hand-off step that ends that screen, or None).
    ``cause`` is the cause an "explain" screen explains; on "long_shots" and "hand_off" it is the
    likeliest cause when that is an explanation cause the visitor has not rejected (the likely
    reason the last screen can name), else None. ``long_shots`` are the steps a "long_shots" screen lists, with
    their chance of fixing it now, best value first. ``span`` is the range (low, high) of screens
    still to come, this one included, that holds for most visitors in this position. ``chance`` is the
    probability that the step fixes the problem now. ``ecr`` is the expected minutes to a fix
    when acting now; ``ecr_question`` the expected minutes when asking the best question first
    (None when no question may be asked). ``remaining`` is the expected number of screens
    still to come, this one included (never more than the screens left before the cap, and the
    last screen). ``nothing_left`` says the hand-off comes because no step
    that could help is left, not because it is better value than those that are.
    """

    kind: str
    question: Question | None
    step: Step | None
    chance: float
    ecr: float
    ecr_question: float | None
    remaining: float
    plan: Plan
    ranking: tuple[Ranked, ...]
    evidence: tuple[tuple[str, str], ...]
    nothing_left: bool = False
    cause: str | None = None
    long_shots: tuple[tuple[Step, float], ...] = ()
    span: tuple[int, int] = (1, 1)


def _chances(tables: Compiled, p: list[float], done) -> dict[int, float]:
    """P(step fixes it now) for every step still on offer that can fix anything, by step position."""
    hand_off = tables.hand_off
    chances = {}
    for step in tables.steps:
        if step.fixes and step is not hand_off and step.position not in done:
            chance = 0.0
            for ci, efficacy in step.fixes:
                chance += p[ci] * efficacy
            chances[step.position] = chance
    return chances


def _ranked(tables: Compiled, chances: dict[int, float]) -> list[tuple[float, int]]:
    """(-p/c, position, p) for each step, best value first; equal values keep content order."""
    steps = tables.steps
    return sorted((-chance / steps[pos].cost, pos, chance) for pos, chance in chances.items() if chance > 0.0)


def _walk(tables: Compiled, p: list[float], ranked, scale: float, screens: int) -> tuple[float, float, int]:
    """Try the likely steps in order, then the last screen: (ECR, expected screens, where the plan ends).

    Long shots (chance below the model's floor) are not walked one per screen: they wait on the
    last screen, which costs ``_last_screen_cost``. Stopping after k likely steps costs
    Σ_{i<k} cost_i · P(reach i) + E[cost of the last screen | reach k]; every k is considered
    (the minimum need not come where a step's value first drops below the hand-off's), and the
    walk stops once no later point can beat the best. At most ``screens`` single screens come
    before the screen cap brings the last screen, which then lists the best of everything left
    (likely steps too): a plan longer than the cap is costed as the visitor will meet it. The
    third figure is where in ``ranked`` the plan ends (long shots before it are not in it).
    ``scale`` turns the chances stored in ``ranked`` into chances under ``p`` (they are kept
    unnormalised while the order is patched after an answer).
    """
    costs, fixes = tables.step_costs, tables.step_fixes
    floor = tables.model.floor
    # What the likely steps can fix at most: no later stop can beat the best so far once
    # spent + last · (remaining - left) - gain does not (gain only shrinks as steps fix causes).
    # The cap's last screen, which lists likely steps too, can in principle cost less than that
    # bound says; walking without the bound gave the same decisions on the bundled guide.
    left, shots = _likely_mass_and_shots(tables, ranked, scale)
    surviving = list(p)
    last, saves = _last_screen_of(tables, shots)
    gain = 0.0 if saves is None else sum(surviving[ci] * saved for ci, saved in enumerate(saves))
    remaining = 1.0  # P(every step so far failed)
    spent = shown = 0.0
    best_ecr, best_screens, best_k = last - gain, 1.0, 0
    walked = 0
    for k, (_, pos, chance) in enumerate(ranked, start=1):
        if spent + last * (remaining - left) - gain >= best_ecr:
            break
        if chance * scale < floor:
            continue  # a long shot: on the last screen, not in the plan
        if walked == screens:
            # The cap: the last screen now, listing the best of what is left.
            capped = _capped_cost(tables, ranked, scale, k - 1, surviving, remaining)
            if spent + capped < best_ecr:
                best_ecr, best_screens, best_k = spent + capped, shown + remaining, k - 1
            break
        walked += 1
        left -= chance * scale
        spent += costs[pos] * remaining
        shown += remaining
        for ci, efficacy in fixes[pos]:
            fixed = surviving[ci] * efficacy
            surviving[ci] -= fixed
            remaining -= fixed
            if saves is not None:
                gain -= fixed * saves[ci]
        ecr = spent + last * remaining - gain
        if ecr < best_ecr:
            best_ecr, best_screens, best_k = ecr, shown + remaining, k
    return best_ecr, best_screens, best_k


def _likely_mass_and_shots(tables: Compiled, ranked, scale: float) -> tuple[float, list[int]]:
    """Σ chance of the likely steps, and the long shots worth their minutes against the hand-off (at most six)."""
    costs, steps = tables.step_costs, tables.steps
    floor, hand_off = tables.model.floor, tables.hand_off_cost
    left = 0.0
    shots = []
    for _, pos, chance in ranked:
        chance *= scale
        if chance >= floor:
            left += chance
        elif len(shots) < LONG_SHOTS_LISTED and chance * hand_off > costs[pos] and steps[pos].cause is None:
            shots.append(pos)
    return left, shots


def _capped_cost(tables: Compiled, ranked, scale: float, walked_to: int, surviving, remaining: float) -> float:
    """E[cost of the last screen] when the cap brings it after ``ranked[:walked_to]``: it lists what is left."""
    costs, steps = tables.step_costs, tables.steps
    floor, hand_off = tables.model.floor, tables.hand_off_cost
    listed = []
    for i, (_, pos, chance) in enumerate(ranked):
        chance *= scale
        if (i >= walked_to or chance < floor) and chance * hand_off > costs[pos] and steps[pos].cause is None:
            listed.append(pos)
            if len(listed) == LONG_SHOTS_LISTED:
                break
    last, saves = _last_screen_of(tables, listed)
    if saves is None:
        return last * remaining
    return last * remaining - sum(surviving[ci] * saved for ci, saved in enumerate(saves))


def _last_screen_of(tables: Compiled, shots: list[int]) -> tuple[float, list[float] | None]:
    """``_last_screen_cost`` of these long shots, kept per list (the many walks of a decision share a few)."""
    if not shots:
        return tables.hand_off_cost, None
    key = tuple(shots)
    cached = tables.last_screens.get(key)
    if cached is None:
        if len(tables.last_screens) >= _LAST_SCREENS_KEPT:
            tables.last_screens.clear()
        cached = tables.last_screens[key] = _last_screen_cost(tables, shots)
    return cached


def _last_screen_cost(tables: Compiled, shots: list[int]) -> tuple[float, list[float]]:
    """What the last screen costs a visitor who reaches it: (cost for a cause no long shot fixes, savings by cause).

    On the long-shots screen the visitor tries the listed long shots (``shots``, step positions,
    best value first), each at its own minutes and a screen's (a list item is read and come
    back to like a screen), then hands off. For a cause c that costs
    Σ_i cost_i · Π_{j<i} (1 - e_jc) + hand-off · Π_j (1 - e_jc): the first figure (every long
    shot tried, then the hand-off) less ``savings[c]``, which is 0 for a cause no long shot
    fixes. Without long shots it is the hand-off alone, as in Heckerman et al.
    """
    hand_off = tables.hand_off_cost
    costs, fixes = tables.step_costs, tables.step_fixes
    everything = hand_off + sum(costs[pos] for pos in shots)
    efficacies = [dict(fixes[pos]) for pos in shots]
    savings = [0.0] * len(tables.causes)
    for ci in {ci for pos in shots for ci, _ in fixes[pos]}:
        reach, cost = 1.0, 0.0
        for pos, efficacy in zip(shots, efficacies, strict=True):
            cost += costs[pos] * reach
            reach *= 1.0 - efficacy.get(ci, 0.0)
        savings[ci] = everything - cost - hand_off * reach
    return everything, savings


def _plan(tables: Compiled, p: list[float], belief: Belief) -> tuple[Plan, dict[int, float], list]:
    """The plan now: the likely actions in order, up to the screens left before the cap, then the last screen."""
    chances = _chances(tables, p, belief.done)
    ranked = _ranked(tables, chances)
    ecr, screens, k = _walk(tables, p, ranked, 1.0, _screens_left(tables, belief))
    steps = tables.steps
    chosen = [(pos, c) for _, pos, c in ranked[:k] if c >= tables.model.floor]
    plan = Plan(tuple(steps[pos].key for pos, _ in chosen), tuple(c for _, c in chosen), ecr, screens)
    return plan, chances, ranked


def _ask(tables: Compiled, belief: Belief, question: CompiledQuestion, p, chances, ranked, bound: float):
    """Cost of asking ``question`` then acting: (expected minutes, expected screens), or None above ``bound``.

    After an answer only the steps linked to the causes it mentions change value (the others
    are all scaled by the same normalising factor), so the order is patched, not rebuilt.
    """
    costs = tables.step_costs
    expected = question.cost
    screens = 1.0
    left = _screens_left(tables, belief) - 1  # the question takes a screen before the cap
    for answer in question.answers:
        cause_lr = answer.cause_lr
        # P(a) = Σ_c p(c) · P(a | c) = baseline(a) · (1 + Σ_mentioned p(c) · (ratio(a, c) - 1)).
        norm = 1.0
        for ci, ratio in cause_lr.items():
            norm += p[ci] * (ratio - 1.0)
        chance = answer.baseline * norm
        if chance <= 0.0:
            continue
        # The beliefs after this answer: p(c) · ratio(a, c), normalised; step chances likewise
        # (unnormalised). Steps the answer would skip stay in this look-ahead: a question is worth
        # what its answer says about the causes, not what it takes off the screen.
        scale = 1.0 / norm
        after = [x * scale for x in p]
        changed: dict[int, float] = {}
        for ci, ratio in cause_lr.items():
            after[ci] *= ratio
            shift = p[ci] * (ratio - 1.0)
            for pos, efficacy in tables.cause_steps[ci]:
                if pos in chances:
                    changed[pos] = changed.get(pos, chances[pos]) + shift * efficacy
        order = [item for item in ranked if item[1] not in changed]
        for pos, value in changed.items():
            if value > 0.0:
                insort(order, (-value / costs[pos], pos, value))
        ecr, more, _ = _walk(tables, after, order, scale, left)
        expected += chance * ecr
        screens += chance * more
        if expected >= bound:
            return None
    return expected, screens


def _screens_left(tables: Compiled, belief: Belief) -> int:
    """Single screens (questions, steps, explanations) the visitor may still see before the cap."""
    return max(tables.model.max_screens - belief.screens, 0)


def _movement(question: CompiledQuestion, p: list[float]) -> float:
    """How much belief the question's answers shift on average: a cheap guess at its worth."""
    total = 0.0
    for answer in question.answers:
        for ci, ratio in answer.cause_lr.items():
            total += answer.baseline * p[ci] * abs(ratio - 1.0)
    return total


def _decide(tables: Compiled, belief: Belief, max_questions: int | None) -> Decision:
    p = belief.probabilities()
    now, chances, ranked = _plan(tables, p, belief)
    capped = belief.screens >= tables.model.max_screens
    best = _best_question(tables, belief, p, now, chances, ranked, max_questions) if not capped else None
    common = {"plan": now, "ranking": ranking(belief, p), "evidence": belief.evidence}
    # No visit has more screens to come than those left before the cap, and the last screen.
    most = tables.model.max_screens - belief.screens + 1
    first = None
    if now.steps and not capped:
        key = now.steps[0]
        first = _first(tables, p, chances, tables.step_by_key.get(key) or tables.explain_by_key[key])
    if best is not None and best[1] < now.ecr - _TOLERANCE and not _acts_first(tables, belief, first, chances, best[0]):
        question, ecr_question, screens = best
        return Decision(QUESTION, question.question, None, 0.0, now.ecr, ecr_question, min(screens, most), **common)
    ecr_question = None if best is None else best[1]
    if first is not None:
        figures = (chances[first.position], now.ecr, ecr_question, min(now.screens, most))
        if first.cause is not None:
            return Decision(EXPLAIN, None, None, *figures, cause=first.cause, **common)
        return Decision(STEP, None, first.step, *figures, **common)
    return _last_screen(tables, belief, chances, now.ecr, ecr_question, common)


def _acts_first(tables: Compiled, belief: Belief, first, chances, question: CompiledQuestion) -> bool:
    """Whether taking ``first`` now, and asking ``question`` only if it fails, beats asking first.

    Both orders are costed one screen deeper than the plain value of asking, and alike: acting
    first is cost(first) + P(it fails) · min(acting, asking then acting) after it failed ("No,
    that's not it" for an explanation); asking first is cost(question) + Σ_a P(a) · the cost of
    taking the plan's first action after a and planning again (see "Asking first" above).
    """
    if first is None:
        return False
    after = belief.copy()
    after.add(*((NOT_IT, first.cause) if first.cause is not None else (FAILED, first.key)))
    p = after.probabilities()
    now, chances_after, ranked = _plan(tables, p, after)
    then = now.ecr
    if after.screens < tables.model.max_screens and after.askable(question):
        asked = _ask(tables, after, question, p, chances_after, ranked, then)
        if asked is not None:
            then = asked[0]
    acting = tables.step_costs[first.position] + (1.0 - chances[first.position]) * then
    return acting < _asked_then_acted(tables, belief, question) - _TOLERANCE


def _asked_then_acted(tables: Compiled, belief: Belief, question: CompiledQuestion) -> float:
    """cost(question) + Σ_a P(a) · E[minutes when the plan's first action after a is taken, then planned again]."""
    p = belief.probabilities()
    total = question.cost
    for answer in question.answers:
        norm = 1.0
        for ci, ratio in answer.cause_lr.items():
            norm += p[ci] * (ratio - 1.0)
        chance = answer.baseline * norm
        if chance > 0.0:
            # Weighed as ``_ask`` weighs it (what the answer skips stays), so both orders compare alike.
            answered = belief.copy()
            for ci, log_lr in answer.log_lr:
                answered.log_weight[ci] += log_lr
            answered.screens += 1
            total += chance * _acted_then_replanned(tables, answered)
    return total


def _acted_then_replanned(tables: Compiled, belief: Belief) -> float:
    """The plan's ECR, or less when taking its first action and planning again after it failed costs less."""
    p = belief.probabilities()
    now, chances, _ = _plan(tables, p, belief)
    if not now.steps:
        return now.ecr
    key = now.steps[0]
    first = tables.step_by_key.get(key) or tables.explain_by_key[key]
    after = belief.copy()
    after.add(*((NOT_IT, first.cause) if first.cause is not None else (FAILED, first.key)))
    again = _plan(tables, after.probabilities(), after)[0].ecr
    return min(now.ecr, tables.step_costs[first.position] + (1.0 - chances[first.position]) * again)


def _best_question(tables, belief, p, now, chances, ranked, max_questions):
    """The question that saves most when asked first, as (question, ECR, screens), or None."""
    best = None
    may_ask = max_questions is None or len(belief.answered) - len(belief.settled) < max_questions
    candidates = [
        q for q in (tables.questions if may_ask else ()) if q.speaks and q.cost < now.ecr and belief.askable(q)
    ]
    # Try the likeliest winners first, so the bound below cuts the others short. "Likely" is
    # how much probability a question's answers move; on a large guide only the most moving
    # ``QUESTIONS_WEIGHED`` are weighed in full (every question, on guides of that size or less).
    candidates.sort(key=lambda q: -_movement(q, p))
    for question in candidates[:QUESTIONS_WEIGHED]:
        bound = now.ecr if best is None else min(now.ecr, best[1] + _TOLERANCE)
        asked = _ask(tables, belief, question, p, chances, ranked, bound)
        if asked is not None and (best is None or asked[0] < best[1] - _TOLERANCE):
            best = (question, *asked)
    return best


def _first(tables: Compiled, p, chances, step):
    """``step``, unless it is risky while an explanation still on offer is plausible: then that explanation.

    Reinstalling or logging out while TikTok is down loses a login for nothing; reading why
    costs a screen. "Plausible" is P(cause) at or above the long-shot floor; among several, the
    one most likely to be recognised (they all cost the same).
    """
    if not step.risky:
        return step
    floor = tables.model.floor
    plausible = [
        (p[ci], -explain.position, explain)
        for ci, explain in tables.explain_of.items()
        if explain.position in chances and p[ci] >= floor
    ]
    return max(plausible)[2] if plausible else step


def _last_screen(tables: Compiled, belief: Belief, chances, ecr: float, ecr_question, common) -> Decision:
    """The long-shots screen when any step can still help, else the hand-off with nothing left.

    Long shots are the fix steps (no explanation: those are read, not tried) still on offer
    with any chance, best value first, at most ``LONG_SHOTS_LISTED``: a list the visitor can
    try in any order, ending at the hand-off. ``cause`` is the likeliest cause when it is an
    explanation cause not rejected: the likely reason the screen can name. While such an
    explanation is still plausible (TikTok may be down), risky steps come last on the list.
    """
    hand_off = tables.hand_off.step if tables.hand_off else None
    steps = tables.steps
    p = belief.probabilities()
    floor = tables.model.floor
    wait_first = any(e.position in chances and p[ci] >= floor for ci, e in tables.explain_of.items())
    shots = sorted(
        (wait_first and steps[pos].risky, -chance / steps[pos].cost, pos, chance)
        for pos, chance in chances.items()
        if chance > 0.0 and steps[pos].cause is None
    )[:LONG_SHOTS_LISTED]
    top = common["ranking"][0].cause
    cause = top if tables.explain_of.get(tables.cause_pos[top]) and top not in belief.rejected else None
    if shots:
        long_shots = tuple((steps[pos].step, chance) for _, _, pos, chance in shots)
        chance = min(sum(c for _, c in long_shots), 1.0)
        return Decision(
            LONG_SHOTS, None, hand_off, chance, ecr, ecr_question, 1.0, cause=cause, long_shots=long_shots, **common
        )
    return Decision(HAND_OFF, None, hand_off, 1.0, ecr, ecr_question, 1.0, nothing_left=True, cause=cause, **common)


def next_step(model: Model, evidence, *, max_questions: int | None = None) -> Decision:
    """Return the next screen: a question, a fix step, an explanation, or the last screen, with the figures behind it.

    The last screen is the long shots with the hand-off, or the hand-off alone when nothing
    with any chance is left; it comes when no likely step or explanation is left, or once the
    visitor has seen ``model.max_screens`` screens. ``evidence`` is cleaned first (see
    ``clean_evidence``), so any list of string pairs is safe. No question is asked once
    ``max_questions`` have been answered ("I'm not sure" counts; a symptom's settled answers do
    not). ``span`` is set from ``progress.span_of``.
    """
    decision = _decide(*_belief(model, evidence), max_questions)
    return replace(decision, span=span_of(decision, model))


def question_values(model: Model, evidence) -> dict[str, float]:
    """Minutes each askable question saves on average when asked first: ECR now - (cost + E[ECR after]).

    Zero or less means it is not worth asking now. For content checks: a question whose
    value is never positive is never asked.
    """
    tables, belief = _belief(model, evidence)
    p = belief.probabilities()
    now, chances, ranked = _plan(tables, p, belief)
    values = {}
    for question in tables.questions:
        if question.speaks and belief.askable(question):
            values[question.key] = now.ecr - _ask(tables, belief, question, p, chances, ranked, float("inf"))[0]
    return values


def plan(model: Model, evidence) -> Plan:
    """Return the order in which to try the fix steps now, and its expected cost, asking nothing more."""
    tables, belief = _belief(model, evidence)
    return _plan(tables, belief.probabilities(), belief)[0]


def expected_cost(model: Model, evidence, order: list[str]) -> float:
    """The ECR of trying the steps in ``order`` (keys, ``explain:<cause>`` too), then handing off.

    For tests and the bench: no floor and no last screen here, the order is costed as given.
    """
    tables, belief = _belief(model, evidence)
    p = belief.probabilities()
    surviving, remaining, ecr = list(p), 1.0, 0.0
    for key in order:
        step = tables.step_by_key.get(key) or tables.explain_by_key[key]
        ecr += step.cost * remaining
        for ci, efficacy in step.fixes:
            fixed = surviving[ci] * efficacy
            surviving[ci] -= fixed
            remaining -= fixed
    return ecr + tables.hand_off_cost * max(remaining, 0.0)


def _belief(model: Model, evidence) -> tuple[Compiled, Belief]:
    belief = belief_for(model, evidence)
    return belief.tables, belief
