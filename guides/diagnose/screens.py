"""What one troubleshooter screen says, in words, from the engine's decision: no HTTP here.

The rules that keep the screens honest live here, where they are tested:

* a cause is named up front ("most likely" at ``MOST_LIKELY``, 60 %, or more; "It could be …"
  otherwise) only when it has at least ``COULD_BE`` (15 %) and something the visitor said or
  saw raised it: a ban is never named to someone who saw no notice;
* "Why this step?" calls a step that fixes it for fewer than ``LONG_SHOT`` (10 %) a long shot,
  never a likely fix;
* after "Yes, it works now" the likely reason is the cause this step fixes most often given what
  the visitor said: argmax P(c | evidence) · efficacy(step, c);
* the progress line is the engine's range (``Decision.span``): "about N more" when it is narrow,
  "N to M more" when the plan may still branch;
* titles are never lowercased into a sentence: they are quoted, or stand alone after a colon.
"""

from __future__ import annotations

from dataclasses import dataclass

from guides import engine
from guides.diagnose.snapshot import Snapshot, state_query
from guides.minutes import in_words

MOST_LIKELY = 0.6
COULD_BE = 0.15
LONG_SHOT = 0.10
# "Why this step?" lists at most this many causes.
RANKING_ROWS = 3
# A range this narrow or narrower (high - low) is said as one number, "about N more".
NARROW_SPAN = 2
# The words that make a cause likelier: a tapped symptom (sign) counts, as it is what the visitor sees.
RAISING = frozenset({engine.Strength.MORE, engine.Strength.STRONG, engine.Strength.SIGN})

OUTCOME_WORDS = {"fixed": "fixed it", "not_fixed": "didn't fix it", "couldnt": "couldn't do it"}


@dataclass(frozen=True)
class LikelyCause:
    """A cause as the screen lists it: how likely it is, and what the visitor said that points to it."""

    title: str
    url: str
    percent: int
    reasons: tuple[str, ...]
    facet: str


@dataclass(frozen=True)
class HistoryRow:
    """One thing the visitor told us, and the address that changes it."""

    what: str  # the question, the step, the explanation, or "You see:"
    outcome: str  # the answer, how the step went, "not it", or the symptom
    change: str  # the state to go back to: before this answer or step, or without this symptom
    removes: bool = False  # a symptom: the link takes it out, keeping everything after it


@dataclass(frozen=True)
class Screen:
    """Everything a screen shows besides the question or step itself."""

    number: int  # this screen's position in the visit, from 1
    progress: str  # "about 3 more screens", "2 to 5 more screens"; "" when none are expected
    most_likely: LikelyCause | None  # set when one cause raised by the visitor has at least 60 %
    could_be: tuple[LikelyCause, ...]  # the causes raised by the visitor with at least 15 %, top three
    so_far: str  # those causes in a sentence; else ""
    why: str  # why this question or step comes now, in words
    history: tuple[HistoryRow, ...]  # each answer, step, explanation and symptom so far
    summary: str  # for the hand-off: what the visitor saw, answered and tried
    explained: LikelyCause | None  # an explanation screen's cause: how sure we are, and why


def percent(probability: float) -> int:
    return round(probability * 100)


def raised(reason: engine.Reason) -> bool:
    return reason.strength in RAISING


def fits(ranked: engine.Ranked) -> bool:
    """Whether the screen may name this cause up front: likely enough, and raised by something the visitor said."""
    return ranked.probability >= COULD_BE and any(raised(reason) for reason in ranked.reasons)


def likely_cause(snapshot: Snapshot, ranked: engine.Ranked) -> LikelyCause:
    cause = snapshot.causes[ranked.cause]
    return LikelyCause(
        title=cause.title,
        url=cause.url,
        percent=percent(ranked.probability),
        reasons=tuple(reason_words(snapshot, reason) for reason in ranked.reasons),
        facet=cause.facets.get(ranked.facet, "") if ranked.facet else "",
    )


def likely_causes(snapshot: Snapshot, ranking) -> tuple[LikelyCause, ...]:
    return tuple(likely_cause(snapshot, ranked) for ranked in [r for r in ranking if fits(r)][:RANKING_ROWS])


def reason_words(snapshot: Snapshot, reason: engine.Reason) -> str:
    if reason.step:
        return f"“{snapshot.steps[reason.step].title}” didn't fix it: less likely."
    direction = "more" if raised(reason) else "less"
    if reason.seen:
        return f"You see “{snapshot.symptoms[reason.seen].title}”: {direction} likely."
    question = snapshot.questions[reason.question].text
    answer = snapshot.answer_text(reason.question, reason.answer)
    return f"You said “{answer}” to “{question}”: {direction} likely."


def so_far_words(rows: tuple[LikelyCause, ...], top: LikelyCause | None) -> str:
    """Name the likeliest cause, or those that fit when none reaches 60 %, each title quoted as written."""
    if top is not None:
        return f"From what you told us, it's most likely “{top.title}”."
    if not rows:
        return ""
    titles = [f"“{row.title}”" for row in rows]
    listed = titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} or {titles[-1]}"
    return f"From what you told us, it could be {listed}."


def progress_words(span: tuple[int, int]) -> str:
    """The screens expected after this one: one number when the range is narrow, the range otherwise."""
    low, high = max(span[0] - 1, 0), max(span[1] - 1, 0)
    if high == 0:
        return ""
    if high - low <= NARROW_SPAN:
        more = max(int((low + high) / 2 + 0.5), 1)
        return f"about {more} more screen{'s' if more != 1 else ''}"
    if low == 0:
        return f"up to {high} more screens"
    return f"{low} to {high} more screens"


def why_words(snapshot: Snapshot, decision: engine.Decision) -> str:
    if decision.kind == engine.QUESTION:
        saved = decision.ecr - decision.ecr_question
        return (
            "Your answer tells us which fixes to skip. On average it gets people like you fixed "
            f"{in_words(saved).removeprefix('about ')} sooner than trying fixes straight away."
        )
    if decision.kind == engine.STEP:
        step = snapshot.steps[decision.step.key]
        chance = percent(decision.chance)
        odds = f"about {chance} in 100" if chance >= 1 else "a few in 1,000"
        if decision.chance < LONG_SHOT:
            return (
                f"From what you've told us, this fixes it for {odds} people in your situation: a long shot. "
                f"It takes {step.duration}, and nothing likelier is left that is as quick to try."
            )
        return (
            f"From what you've told us, this fixes it for {odds} people in your situation, and it takes "
            f"{step.duration}. Of what's left, it's the quickest way to a likely fix."
        )
    if decision.kind == engine.EXPLAIN:
        ranked = next((r for r in decision.ranking if r.cause == decision.cause), None)
        fits_it = ranked is not None and any(raised(reason) for reason in ranked.reasons)
        return (
            f"{'What you told us fits this' if fits_it else 'Nothing you told us rules this out'}, and nothing "
            "on your side fixes it. It takes a moment to read; if it's not what you see, say so and we'll move on."
        )
    if decision.kind == engine.LONG_SHOTS:
        return (
            "None of the fixes left is likely to help in your case, so they are all on this one screen "
            "instead of one at a time."
        )
    if decision.nothing_left:
        return "You've tried every fix we know of that could help in your case."
    return "The fixes left are long shots for your case. The app's own support is now the better bet."


def likely_reason(snapshot: Snapshot, ranking, step: str) -> str:
    """The cause a step that worked most likely fixed: argmax P(c | evidence) · efficacy(step, c)."""
    fixes = next((s.fixes for s in snapshot.model.steps if s.key == step), {})
    best = max(ranking, key=lambda ranked: ranked.probability * fixes.get(ranked.cause, 0.0))
    return best.cause if best.probability * fixes.get(best.cause, 0.0) > 0 else ranking[0].cause


def history_rows(snapshot: Snapshot, evidence, platform: str) -> tuple[HistoryRow, ...]:
    rows = []
    for position, (key, value) in enumerate(evidence):
        if key == engine.SEEN:
            # Taking a symptom back changes no answer: the rest of the visit stays.
            without = [*evidence[:position], *evidence[position + 1 :]]
            rows.append(
                HistoryRow("You see:", snapshot.symptoms[value].title, state_query(without, platform=platform), True)
            )
            continue
        if key in (engine.FAILED, engine.COULDNT):
            what = snapshot.steps[value].title
            outcome = OUTCOME_WORDS["not_fixed" if key == engine.FAILED else "couldnt"]
        elif key == engine.NOT_IT:
            what, outcome = snapshot.causes[value].title, "not it"
        else:
            what = snapshot.questions[key].text
            outcome = snapshot.answer_text(key, value)
        rows.append(HistoryRow(what, outcome, state_query(evidence[:position], platform=platform)))
    return tuple(rows)


def support_summary(snapshot: Snapshot, evidence, platform: str) -> str:
    """What to paste into a message to support: only what the visitor saw, said and really tried."""
    lines = [f"Problem: {snapshot.title}"]
    if platform:
        lines.append(f"Phone: {'iPhone' if platform == 'iphone' else 'Android'}")
    not_answers = (engine.FAILED, engine.COULDNT, engine.SEEN, engine.NOT_IT)
    seen = [v for k, v in evidence if k == engine.SEEN]
    answers = [(k, v) for k, v in evidence if k not in not_answers]
    rejected = [v for k, v in evidence if k == engine.NOT_IT]
    tried = [(k, v) for k, v in evidence if k in (engine.FAILED, engine.COULDNT)]
    if seen:
        lines.append("What I see:")
        lines += [f"- {snapshot.symptoms[slug].title}" for slug in seen]
    if answers or rejected:
        lines.append("What I told the troubleshooter:")
        lines += [f"- {snapshot.questions[k].text} {snapshot.answer_text(k, v)}" for k, v in answers]
        lines += [f"- Not it: {snapshot.causes[slug].title}" for slug in rejected]
    lines.append("What I tried:" if tried else "What I tried: nothing yet")
    for key, slug in tried:
        lines.append(
            f"- {snapshot.steps[slug].title}: {OUTCOME_WORDS['not_fixed' if key == engine.FAILED else 'couldnt']}"
        )
    return "\n".join(lines)


def screen(snapshot: Snapshot, decision: engine.Decision, platform: str) -> Screen:
    rows = likely_causes(snapshot, decision.ranking)
    first = decision.ranking[0] if decision.ranking else None
    top = rows[0] if first is not None and fits(first) and first.probability >= MOST_LIKELY else None
    evidence = decision.evidence
    explained = next((r for r in decision.ranking if r.cause == decision.cause), None)
    ending = decision.kind in (engine.HAND_OFF, engine.LONG_SHOTS)
    return Screen(
        number=sum(key != engine.SEEN for key, _ in evidence) + 1,  # a symptom tapped on the guide is no screen
        progress="" if ending else progress_words(decision.span),
        most_likely=top,
        could_be=rows,
        so_far=so_far_words(rows, top),
        why=why_words(snapshot, decision),
        history=history_rows(snapshot, evidence, platform),
        summary=support_summary(snapshot, evidence, platform) if ending else "",
        explained=likely_cause(snapshot, explained) if decision.kind == engine.EXPLAIN and explained else None,
    )
