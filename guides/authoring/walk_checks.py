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
from dataclasses import dataclass, field

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
    # Walks already walked on this model, by (cause, seen): ``walk_memo`` keeps them between checks.
    memo: dict = field(default_factory=dict)

    def walk(self, cause: str, seen: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        if (cause, seen) not in self.memo:
            self.memo[cause, seen] = engine.truthful_walk(
                self.model, cause, seen=seen, max_questions=self.max_questions
            )  # fmt: skip
        return self.memo[cause, seen]


def check_walks(walker: Walker, walks: dict[str, list[tuple[str, str]]]) -> Iterator[Problem]:
    """Every problem the cause walks (``walks``, by cause slug) and the symptom-and-cause walks show."""
    offered_ruled_out: set[tuple[str, str]] = set()
    for cause, walk in walks.items():
        yield from walk_problems(walker, cause, walk, offered_ruled_out)
    for observation in walker.model.observations:
        symptom = walker.symptoms[observation.key]
        asked: set[str] = set()
        for cause in dict.fromkeys(effect.cause for effect in observation.effects):
            walk = walker.walk(cause, (observation.key,))
            yield from _ending(walker, cause, walk, symptom)
            yield from _ruled_out(walker, cause, walk, (observation.key,), offered_ruled_out)
            yield from _settled_asked(walker, observation, symptom, walk, asked)


def walk_problems(walker: Walker, cause: str, walk, reported: set | None = None) -> Iterator[Problem]:
    """The problems of one cause's walk: not reaching its fix or explanation in time, a ruled-out step offered.

    The admin's "Try it" shows these beside each walk; ``reported`` (step keys) keeps a step
    that several walks offer from being reported more than once.
    """
    yield from _ending(walker, cause, walk, None)
    yield from _ruled_out(walker, cause, walk, (), set() if reported is None else reported)


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
            + (
                "Make the answers that point to it stronger, or add a question that asks about it."
                if walker.causes[cause].explains
                else "Make the answers that point to it stronger, add a question that asks about it, or make its "
                "cure's efficacy higher."
            ),
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


def walk_screens(walker: Walker, cause: str, walk, seen) -> Iterator[tuple[list, tuple, tuple[str, str]]]:
    """Yield (evidence so far, answers given so far, screen) for each screen of the walk.

    The answers, as (question, answer) keys, are those the walk gave (``engine.answer_for``) and
    those the tapped symptoms settle; the evidence is what the troubleshooter's address holds then.
    """
    evidence = [(engine.SEEN, key) for key in seen]
    given = [pair for o in walker.model.observations if o.key in seen for pair in o.settles]
    questions = {question.key: question for question in walker.model.questions}
    for screen in walk:
        yield list(evidence), tuple(given), screen
        kind, key = screen
        if kind == engine.QUESTION:
            answer = engine.answer_for(questions[key], cause)
            evidence.append((key, answer))
            if answer != engine.UNSURE:
                given.append((key, answer))
        elif kind == engine.EXPLAIN:
            evidence.append((engine.NOT_IT, key))
        elif kind == "step":
            evidence.append((engine.FAILED, key))


def _ruled_out(walker: Walker, cause: str, walk, seen, reported: set) -> Iterator[Problem]:
    """A step offered after an answer that skips it, or after answers that rule out every cause it fixes.

    Offered means on a screen of its own, or in the list of long shots.
    """
    answers = {(q.key, a.key): (q, a) for q in walker.model.questions for a in q.answers}
    for evidence, given, (kind, key) in walk_screens(walker, cause, walk, seen):
        if kind in ("step", "fixed"):
            offered = [key]
        elif kind == engine.LONG_SHOTS:
            decision = engine.next_step(walker.model, evidence, max_questions=walker.max_questions)
            offered = [step.key for step, _ in decision.long_shots]
        else:
            continue
        for step_key in offered:
            if step_key in walker.steps and step_key not in reported:
                why, several = _why_ruled_out(walker, step_key, [answers[pair] for pair in given if pair in answers])
                if why:
                    reported.add(step_key)
                    fix_step = walker.steps[step_key]
                    yield Problem(
                        ERROR,
                        f"“{fix_step.title}” is offered to someone who {why}. Check what "
                        f"{'those answers say' if several else 'that answer says'} about the causes this step "
                        f"fixes, and what {'they skip' if several else 'it skips'}.",
                        fix_step,
                        "ruled_out_step_offered",
                    )


def _why_ruled_out(walker: Walker, step_key: str, given: list) -> tuple[str, bool]:
    """Say which answers make this step pointless ("answered “No” to “...?”, which ..."), and if several do.

    Return ("", False) when none does.
    """
    for question, answer in given:
        if step_key in answer.skips:
            why = f"answered “{answer.text}” to “{question.text}”, which says this step is done already or cannot help"
            return why, False
    fixes = set(next(step.fixes for step in walker.model.steps if step.key == step_key))
    ruling = [
        (question, answer, {e.cause for e in answer.effects if e.strength == engine.Strength.RULES_OUT and not e.facet})
        for question, answer in given
    ]
    ruling = [(question, answer, causes & fixes) for question, answer, causes in ruling if causes & fixes]
    if not fixes or set().union(*(causes for _, _, causes in ruling)) != fixes:
        return "", False
    several = len(ruling) > 1
    names = " and ".join(f"“{answer.text}” to “{question.text}”" for question, answer, _ in ruling)
    return f"answered {names}, which {'rule' if several else 'rules'} out every cause it fixes", several


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
