"""What one troubleshooter screen says, in words, from the engine's decision: no HTTP here.

The rules that keep the screens honest live here, where they are tested:

* a cause is called "most likely" only at ``MOST_LIKELY`` (60 %) or more; below that the
  screen says "It could be one of these" and shows the top three;
* "about N more steps" comes from the expected number of screens of the current plan,
  rounded up, so it never promises fewer than the plan holds;
* titles are never lowercased into a sentence: they are quoted, or stand alone after a colon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from guides import engine
from guides.diagnose.snapshot import Snapshot, state_query
from guides.minutes import in_words

MOST_LIKELY = 0.6
# "Why this step?" lists at most this many causes.
RANKING_ROWS = 3

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

    what: str  # the question, the step, or "You see:"
    outcome: str  # the answer, how the step went, or the symptom
    change: str  # the state to go back to: before this answer or step, or without this symptom
    removes: bool = False  # a symptom: the link takes it out, keeping everything after it


@dataclass(frozen=True)
class Screen:
    """Everything a screen shows besides the question or step itself."""

    number: int  # this screen's position in the visit, from 1
    more: int  # screens expected after this one, rounded up
    most_likely: LikelyCause | None  # set when one cause has at least 60 %
    could_be: tuple[LikelyCause, ...]  # the top three otherwise (also the rows of "Why this step?")
    so_far: str  # the likeliest causes in a sentence, once what the visitor told us moved them; else ""
    why: str  # why this question or step comes now, in words
    history: tuple[HistoryRow, ...]  # each answer, step and symptom so far
    summary: str  # for the hand-off: what the visitor saw, answered and tried


def percent(probability: float) -> int:
    return round(probability * 100)


def likely_causes(snapshot: Snapshot, ranking) -> tuple[LikelyCause, ...]:
    rows = []
    for ranked in ranking[:RANKING_ROWS]:
        cause = snapshot.causes[ranked.cause]
        rows.append(
            LikelyCause(
                title=cause.title,
                url=cause.url,
                percent=percent(ranked.probability),
                reasons=tuple(reason_words(snapshot, reason) for reason in ranked.reasons),
                facet=cause.facets.get(ranked.facet, "") if ranked.facet else "",
            )
        )
    return tuple(rows)


def reason_words(snapshot: Snapshot, reason: engine.Reason) -> str:
    if reason.step:
        return f"“{snapshot.steps[reason.step].title}” didn't fix it: less likely."
    if reason.seen:
        return f"You see “{snapshot.symptoms[reason.seen].title}”: {'more' if reason.raised else 'less'} likely."
    question = snapshot.questions[reason.question].text
    answer = snapshot.answer_text(reason.question, reason.answer)
    return f"You said “{answer}” to “{question}”: {'more' if reason.raised else 'less'} likely."


def so_far_words(rows: tuple[LikelyCause, ...], top: LikelyCause | None) -> str:
    """Name the likeliest cause, or the top three when none reaches 60 %, each title quoted as written."""
    if top is not None:
        return f"From what you told us, it's most likely “{top.title}”."
    titles = [f"“{row.title}”" for row in rows]
    listed = titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} or {titles[-1]}"
    return f"From what you told us, it could be {listed}."


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
        return (
            f"From what you've told us, this fixes it for {odds} people in your situation, and it takes "
            f"{step.duration}. Of what's left, it's the quickest way to a likely fix."
        )
    if decision.nothing_left:
        return "You've tried every fix we know of that could help in your case."
    return "The fixes left are long shots for your case. The app's own support is now the better bet."


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
        else:
            what = snapshot.questions[key].text
            outcome = snapshot.answer_text(key, value)
        rows.append(HistoryRow(what, outcome, state_query(evidence[:position], platform=platform)))
    return tuple(rows)


def support_summary(snapshot: Snapshot, evidence, platform: str) -> str:
    lines = [f"Problem: {snapshot.title}"]
    if platform:
        lines.append(f"Phone: {'iPhone' if platform == 'iphone' else 'Android'}")
    seen = [v for k, v in evidence if k == engine.SEEN]
    answers = [(k, v) for k, v in evidence if k not in (engine.FAILED, engine.COULDNT, engine.SEEN)]
    tried = [(k, v) for k, v in evidence if k in (engine.FAILED, engine.COULDNT)]
    if seen:
        lines.append("What I see:")
        lines += [f"- {snapshot.symptoms[slug].title}" for slug in seen]
    if answers:
        lines.append("What I told the troubleshooter:")
        lines += [f"- {snapshot.questions[k].text} {snapshot.answer_text(k, v)}" for k, v in answers]
    lines.append("What I tried:" if tried else "What I tried: nothing yet")
    for key, slug in tried:
        lines.append(
            f"- {snapshot.steps[slug].title}: {OUTCOME_WORDS['not_fixed' if key == engine.FAILED else 'couldnt']}"
        )
    return "\n".join(lines)


def screen(snapshot: Snapshot, decision: engine.Decision, platform: str) -> Screen:
    rows = likely_causes(snapshot, decision.ranking)
    top = rows[0] if rows and decision.ranking[0].probability >= MOST_LIKELY else None
    evidence = decision.evidence
    return Screen(
        number=sum(key != engine.SEEN for key, _ in evidence) + 1,  # a symptom tapped on the guide is no screen
        more=max(math.ceil(decision.remaining - 1 - 1e-9), 0),
        most_likely=top,
        could_be=rows,
        so_far=so_far_words(rows, top) if any(ranked.reasons for ranked in decision.ranking) else "",
        why=why_words(snapshot, decision),
        history=history_rows(snapshot, evidence, platform),
        summary=support_summary(snapshot, evidence, platform) if decision.kind == engine.HAND_OFF else "",
    )
