"""Checks that walk a truthful visitor through the troubleshooter: as visitors get it, screen by screen.

Each cause's visitor, and each visitor who tapped a symptom and has one of its causes, is walked
with ``engine.truthful_walk`` (the same walk the tests use). Their visit must reach their fix, or
their cause's explanation, within the guide's ``max_screens`` screens, unless the guide has neither
for that cause (then the honest list of long shots is the right ending). Along the way nobody may
be offered a step their own answers ruled out, and nobody who tapped a symptom may be asked a
question the symptom already answers.

The engine keeps these promises itself; these checks say so in words when content or a change to
the engine breaks one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from guides import engine
from guides.authoring.problems import ERROR, Problem

_ENDINGS = ("fixed", "explained")


@dataclass(frozen=True)
class Walker:
    """What the walks read: the troubleshooter's model and the objects its keys name, for messages and links."""

    model: engine.Model
    max_questions: int
    max_screens: int
    causes: dict  # slug -> Cause
    endable: frozenset[str]  # causes with a cure (a step that fixes it "often" or better) or an explanation
    steps: dict  # slug -> FixStep
    symptoms: dict  # slug -> Symptom

    def walk(self, cause: str, seen: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        return engine.truthful_walk(self.model, cause, seen=seen, max_questions=self.max_questions)


def check_walks(walker: Walker, walks: dict[str, list[tuple[str, str]]]) -> Iterator[Problem]:
    """Every problem the cause walks (``walks``, by cause slug) and the symptom-and-cause walks show."""
    offered_ruled_out: set[tuple[str, str]] = set()
    for cause, walk in walks.items():
        yield from _ending(walker, cause, walk, None)
        yield from _ruled_out(walker, cause, walk, (), offered_ruled_out)
    for observation in walker.model.observations:
        symptom = walker.symptoms[observation.key]
        asked: set[str] = set()
        for cause in dict.fromkeys(effect.cause for effect in observation.effects):
            walk = walker.walk(cause, (observation.key,))
            yield from _ending(walker, cause, walk, symptom)
            yield from _ruled_out(walker, cause, walk, (observation.key,), offered_ruled_out)
            yield from _settled_asked(walker, observation, symptom, walk, asked)


def _ending(walker: Walker, cause: str, walk, symptom) -> Iterator[Problem]:
    """The visitor must reach their fix or explanation, within the guide's screens."""
    if cause not in walker.endable:
        return
    obj = walker.causes[cause] if symptom is None else symptom
    who = f"Someone who has “{walker.causes[cause].title}”"
    if symptom is not None:
        who = f"Someone who taps “{symptom.title}” and has “{walker.causes[cause].title}”"
    goal = "its explanation" if walker.causes[cause].explains else "the step that fixes it"
    last_kind, _ = walk[-1]
    if last_kind not in _ENDINGS:
        where = "the list of long shots" if last_kind == engine.LONG_SHOTS else "the hand-off to support"
        yield Problem(
            ERROR,
            f"{who} and answers every question truthfully reaches {where} before the troubleshooter offers {goal}. "
            "Make the answers that point to it stronger, add a question that asks about it, or make its cure's "
            "efficacy higher.",
            obj,
            "not_fixed_before_hand_off",
        )
    elif len(walk) > walker.max_screens:
        yield Problem(
            ERROR,
            f"{who} and answers every question truthfully sees {len(walk)} screens before {goal}; the guide allows "
            f"{walker.max_screens}. Add a question that points to it sooner, or make the answers that point to it "
            "stronger.",
            obj,
            "too_many_screens",
        )


def _given(walker: Walker, cause: str, walk, seen) -> Iterator[tuple[tuple, tuple[str, str]]]:
    """Yield (answers given so far, screen) for each screen: the answers as (question, answer) keys.

    The answers are those the walk gave (``engine.answer_for``) and those the tapped symptoms settle.
    """
    given = [pair for o in walker.model.observations if o.key in seen for pair in o.settles]
    questions = {question.key: question for question in walker.model.questions}
    for screen in walk:
        yield tuple(given), screen
        kind, key = screen
        if kind == engine.QUESTION:
            answer = engine.answer_for(questions[key], cause)
            if answer != engine.UNSURE:
                given.append((key, answer))


def _ruled_out(walker: Walker, cause: str, walk, seen, reported: set) -> Iterator[Problem]:
    """A step offered after an answer that skips it, or that rules out every cause it fixes, is an error."""
    answers = {(q.key, a.key): (q, a) for q in walker.model.questions for a in q.answers}
    steps = {step.key: step for step in walker.model.steps}
    for given, (kind, key) in _given(walker, cause, walk, seen):
        if kind not in ("step", "fixed") or key not in steps:
            continue
        step = steps[key]
        for pair in given:
            if pair not in answers or (key, pair) in reported:
                continue
            question, answer = answers[pair]
            ruled_out = {e.cause for e in answer.effects if e.strength == engine.Strength.RULES_OUT and not e.facet}
            if key in answer.skips:
                why = "which says this step is done already or cannot help"
            elif step.fixes and set(step.fixes) <= ruled_out:
                why = "which rules out every cause it fixes"
            else:
                continue
            reported.add((key, pair))
            fix_step = walker.steps[key]
            yield Problem(
                ERROR,
                f"“{fix_step.title}” is offered to someone who answered “{answer.text}” to “{question.text}”, {why}. "
                "Check what that answer says about the causes this step fixes, and what it skips.",
                fix_step,
                "ruled_out_step_offered",
            )


def _settled_asked(walker: Walker, observation, symptom, walk, reported: set) -> Iterator[Problem]:
    """A question the tapped symptom already answers must never be asked."""
    settled = dict(observation.settles)
    questions = {question.key: question for question in walker.model.questions}
    for kind, key in walk:
        if kind == engine.QUESTION and key in settled and key not in reported:
            reported.add(key)
            answer = dict((a.key, a.text) for a in questions[key].answers).get(settled[key], settled[key])
            yield Problem(
                ERROR,
                f"Someone who taps “{symptom.title}” is still asked “{questions[key].text}”, although the symptom "
                f"already answers it (“{answer}”). Check the answers this symptom settles.",
                symptom,
                "settled_question_asked",
            )
