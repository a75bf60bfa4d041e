"""What a troubleshooting guide knows, as plain data: causes, questions and fix steps.

This module is long because it holds, in one place, every number the engine works with and
the reason for each, beside the data classes those numbers describe.

The numbers behind the words staff choose
-----------------------------------------
Staff never type probabilities; they pick words, and these tables turn them into numbers.

**How common a cause is** (``Cause.weight``): rare 1, uncommon 2, common 4, very common 8.
Only ratios matter; each word doubles the last, the coarsest scale people agree on.

**What an answer says about a cause** (likelihood ratio, ``LIKELIHOOD_RATIO``):

========== ===== =====================================================================
strength   ratio why
========== ===== =====================================================================
rules_out  0.05  Near zero but not zero: one mistaken answer must not bury the true cause
                 for good. 0.05 * 8 * 8 = 3.2, so two strong answers bring it back.
less       0.5   One halving: a hint, not a verdict.
more       2     The mirror of ``less``.
strong     8     Three doublings: one strong answer lifts a rare cause (weight 1) level
                 with a very common one (weight 8) that the answer does not mention.
========== ===== =====================================================================

A symptom the visitor tapped (an ``Observation``) has a word of its own, ``sign``: 32, five
doublings, for each cause the guide lists it under. An answer is a guess about something the
visitor may not know ("I'm not sure" exists for that); a symptom is what is on their screen,
and the guide's authors list it under the causes that produce it. A notice saying "you are
temporarily banned" does not come from a weak connection: at 8 (``strong``), the connection,
very common, still kept 13 % after that notice, and the visitor was asked whether TikTok shows
a notice at all. It stays short of certain, for a mistaken tap.

**How often a fix step fixes a cause** (efficacy, ``EFFICACY``): the chance that doing
the step makes messages work again *when this cause is the reason*.

============== ===== =================================================================
word           value why
============== ===== =================================================================
almost_always  0.9   The step is the cure for this cause, but people slip (a step done
                     half-way, the wrong setting) about one time in ten. Never 1: a
                     failed "sure" fix would otherwise rule its cause out for good.
often          0.6   Works more often than not: a restart for a glitch.
sometimes      0.3   Worth a try, fails more often than it works.
rarely         0.1   A long shot; it still counts, but never ahead of a real fix.
============== ===== =================================================================

A step not linked to a cause never fixes it (efficacy 0).

**How much effort a question takes** (``EFFORT_MINUTES``), on the same scale as a fix
step's minutes, so that asking and doing compete fairly:

============== ======= ===============================================================
word           minutes why
============== ======= ===============================================================
quick_look     0.5     Something the visitor knows or sees at a glance (their age,
                       whether a notice showed).
in_app         2       A look inside the app or the app store: a few screens away.
ask_someone    15      Only another person knows (the recipient's settings): a message
                       and a wait for the reply.
============== ======= ===============================================================

**What every screen costs** (``SCREEN_MINUTES``): 1.5 minutes on top of its own, for every
question and every step (the hand-off too). Reading a screen, deciding and coming back to the page is effort,
and our one number is the visitor's effort until fixed: questions answered plus steps tried.
Without it a question that saves half a minute would be worth asking, and a run of one-minute
long shots would beat one likely fix. 1.5 rather than 1 or 2: with 1, the bundled guide asked
a fourth question of people it could already help; with 2, some useful questions were never
worth asking at all.

**What kind of step it is** (``Kind``): ``do_now`` steps cost their minutes; a ``wait`` step
is a limit that lifts with time, and its minutes are the waiting; the ``hand_off`` is the
report to the app's own support, the "call service" action of Heckerman et al. (1995): always
available, assumed to end the troubleshooting, and worth trying only once nothing left is
better value. Its minutes are the time until support answers, not the time to write to them.

**Explanations, long shots and the screen cap.** A cause nothing on the visitor's side fixes
(``Cause.explains``) gets a screen that explains it: a screen of reading (``EXPLAIN_MINUTES``)
that ends the visit when the visitor recognises it, ``RECOGNISED`` (0.9) of the time, short of
certain for the same reason as "almost always". A step whose chance of fixing it now is below
``Model.floor`` (1 in 50 unless the guide says otherwise) is a long shot: listed with the others
on one last screen rather than offered one per screen. ``Model.max_screens`` (8) caps the
screens before that last screen, for the visitor who would otherwise give up first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "DEFAULT_EFFICACY",
    "DEFAULT_EFFORT",
    "DEFAULT_HANDOFF_MINUTES",
    "EFFICACY",
    "EFFORT_MINUTES",
    "EXPLAIN_MINUTES",
    "LIKELIHOOD_RATIO",
    "LONG_SHOT_FLOOR",
    "MAX_SCREENS",
    "RECOGNISED",
    "SCREEN_MINUTES",
    "UNSURE",
    "Answer",
    "Cause",
    "Effect",
    "Efficacy",
    "Effort",
    "Kind",
    "Model",
    "ModelError",
    "Observation",
    "Question",
    "Step",
    "Strength",
]


class ModelError(ValueError):
    """A guide's model contradicts itself (unknown cause, duplicate key, ...)."""


class Strength(StrEnum):
    """How strongly an answer speaks for or against a cause."""

    RULES_OUT = "rules_out"
    LESS = "less"
    MORE = "more"
    STRONG = "strong"
    SIGN = "sign"  # a symptom the guide lists under the cause: for tapped symptoms only, not a staff word


class Efficacy(StrEnum):
    """How often a fix step fixes the problem when a given cause is behind it."""

    ALMOST_ALWAYS = "almost_always"
    OFTEN = "often"
    SOMETIMES = "sometimes"
    RARELY = "rarely"


class Effort(StrEnum):
    """How much it takes a visitor to answer a question."""

    QUICK_LOOK = "quick_look"
    IN_APP = "in_app"
    ASK_SOMEONE = "ask_someone"


class Kind(StrEnum):
    """What trying a fix step means for the visitor."""

    DO_NOW = "do_now"
    WAIT = "wait"
    HAND_OFF = "hand_off"
    # Made by the engine, never by staff: the screen that explains a cause nothing on the visitor's
    # side fixes ("this is why, and it isn't on your side"). See ``Cause.explains``.
    EXPLAIN = "explain"


# The reasons for each number are in the module docstring.
LIKELIHOOD_RATIO: dict[Strength, float] = {
    Strength.RULES_OUT: 0.05,
    Strength.LESS: 0.5,
    Strength.MORE: 2.0,
    Strength.STRONG: 8.0,
    Strength.SIGN: 32.0,
}
EFFICACY: dict[Efficacy, float] = {
    Efficacy.ALMOST_ALWAYS: 0.9,
    Efficacy.OFTEN: 0.6,
    Efficacy.SOMETIMES: 0.3,
    Efficacy.RARELY: 0.1,
}
EFFORT_MINUTES: dict[Effort, float] = {
    Effort.QUICK_LOOK: 0.5,
    Effort.IN_APP: 2.0,
    Effort.ASK_SOMEONE: 15.0,
}
# The reasons are in the module docstring.
SCREEN_MINUTES = 1.5
# What content that says nothing gets: a link of unknown worth is a "sometimes", a question
# without an effort a look in the app.
DEFAULT_EFFICACY = Efficacy.SOMETIMES
DEFAULT_EFFORT = Effort.IN_APP
# A guide without a hand-off step still ends at the app's support; two days to hear back.
DEFAULT_HANDOFF_MINUTES = 2 * 24 * 60

# An explanation screen (``Cause.explains``) costs a screen of reading on top of SCREEN_MINUTES,
# and a visitor whose cause it is recognises it ("Yes, that explains it") this often: short of
# certain, like an "almost always" fix, so one mistaken "No" never buries the cause for good.
EXPLAIN_MINUTES = 1.0
RECOGNISED = 0.9
# A step whose chance of fixing it now is below this is a long shot: it is not offered a screen of
# its own, but listed with the others on one honest "long shots" screen (a guide may set its own).
LONG_SHOT_FLOOR = 1 / 50
# No visitor sees more screens than this before a fix, an explanation or the long-shots screen.
MAX_SCREENS = 8

# The answer key meaning "I'm not sure": always accepted, changes nothing, counts as asked.
UNSURE = "unsure"


def _as_tuple(value) -> tuple:
    return value if isinstance(value, tuple) else tuple(value)


@dataclass(frozen=True, slots=True)
class Effect:
    """What one answer says about one cause, or about one facet of it."""

    cause: str
    strength: Strength
    facet: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "strength", Strength(self.strength))


@dataclass(frozen=True, slots=True)
class Answer:
    """One choice of a question; ``skips`` are fix steps this answer shows are done or pointless."""

    key: str
    text: str
    effects: tuple[Effect, ...] = ()
    skips: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "effects", _as_tuple(self.effects))
        object.__setattr__(self, "skips", _as_tuple(self.skips))


@dataclass(frozen=True, slots=True)
class Question:
    """A multiple-choice question.

    ``requires`` is the (question, answer) that must come first; ``moot_after`` lists what
    makes the question pointless to ask: (question, answer) pairs, or fix-step keys of
    steps already tried ("Is an update waiting?" after "Update the app" failed).
    """

    key: str
    text: str
    answers: tuple[Answer, ...]
    requires: tuple[str, str] | None = None
    cost: float = EFFORT_MINUTES[DEFAULT_EFFORT]
    moot_after: tuple[tuple[str, str] | str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "answers", _as_tuple(self.answers))
        object.__setattr__(self, "moot_after", tuple(m if isinstance(m, str) else tuple(m) for m in self.moot_after))
        if self.requires is not None:
            object.__setattr__(self, "requires", _as_tuple(self.requires))


@dataclass(frozen=True, slots=True)
class Observation:
    """Something the visitor saw and told us without being asked: a symptom they tapped on the guide.

    It is evidence only: the troubleshooter never asks for it, so it never costs a screen. Its
    ``effects`` say which causes it points to (on the site, each symptom "strongly points to"
    every cause it is linked to). ``settles`` are the (question, answer) pairs it answers by
    itself: someone who tapped "A notice says you are sending messages too fast" has told us that
    a notice shows, and which one, so those questions are never asked.
    """

    key: str
    text: str
    effects: tuple[Effect, ...] = ()
    settles: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "effects", _as_tuple(self.effects))
        object.__setattr__(self, "settles", tuple(tuple(pair) for pair in self.settles))


@dataclass(frozen=True, slots=True)
class Step:
    """A fix step: ``fixes`` maps each cause it can fix to its efficacy (0 < e < 1).

    ``risky`` marks a step that can lose something if done for nothing (reinstalling, logging
    out): it never comes before an explanation that is still plausible, such as TikTok being down.
    """

    key: str
    cost: float
    fixes: dict[str, float] = field(default_factory=dict)
    kind: Kind = Kind.DO_NOW
    risky: bool = False

    def __post_init__(self):
        object.__setattr__(self, "kind", Kind(self.kind))


@dataclass(frozen=True, slots=True)
class Cause:
    """A possible cause; ``weight`` is its relative prior (rare=1 ... very_common=8).

    ``explains``: nothing on the visitor's side fixes this cause (blocked by the other person,
    too young, TikTok down). The troubleshooter offers its explanation as a screen of its own
    (kind ``EXPLAIN``), which ends the visit when the visitor says "Yes, that explains it".
    """

    key: str
    weight: float
    facets: tuple[str, ...] = ()
    explains: bool = False

    def __post_init__(self):
        object.__setattr__(self, "facets", _as_tuple(self.facets))


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Model:
    """A guide's causes, questions, fix steps and observations; questions and steps in staff order, which breaks ties.

    At most one step may be the hand-off; without one, a hand-off of
    ``DEFAULT_HANDOFF_MINUTES`` stands in (key ``""``). Observations are what a visitor can tell
    us unasked (the symptoms on the guide's page).
    """

    causes: tuple[Cause, ...]
    questions: tuple[Question, ...] = ()
    steps: tuple[Step, ...] = ()
    observations: tuple[Observation, ...] = ()
    floor: float = LONG_SHOT_FLOOR
    max_screens: int = MAX_SCREENS

    def __post_init__(self):
        object.__setattr__(self, "causes", _as_tuple(self.causes))
        object.__setattr__(self, "questions", _as_tuple(self.questions))
        object.__setattr__(self, "steps", _as_tuple(self.steps))
        object.__setattr__(self, "observations", _as_tuple(self.observations))

    def validate(self) -> None:
        """Raise ModelError when the model contradicts itself."""
        causes = self._checked_causes()
        steps = self._checked_steps(causes)
        answers = self._checked_answers(causes, steps)
        self._check_question_links(answers, steps)
        self._check_observations(causes, answers)
        self._check_limits()

    def _check_limits(self) -> None:
        """The long-shot floor is a chance (a guide's "1 in N", N >= 2); at least one screen comes before the cap."""
        floor = self.floor
        if isinstance(floor, bool) or not (isinstance(floor, int | float) and 0 < floor <= 0.5):
            raise ModelError("the long-shot floor must be above 0 and at most 0.5 (1 in 2)")
        if isinstance(self.max_screens, bool) or not isinstance(self.max_screens, int) or self.max_screens < 1:
            raise ModelError("max_screens must be a whole number, at least 1")

    def _checked_causes(self) -> dict[str, set[str]]:
        """Each cause's facets, by cause key."""
        if not self.causes:
            raise ModelError("a guide needs at least one cause")
        causes = {}
        for cause in self.causes:
            if cause.key in causes:
                raise ModelError(f"duplicate cause {cause.key!r}")
            weight = cause.weight
            if isinstance(weight, bool) or not (
                isinstance(weight, int | float) and math.isfinite(weight) and weight > 0
            ):
                raise ModelError(f"cause {cause.key!r}: weight must be a positive number")
            if len(set(cause.facets)) != len(cause.facets):
                raise ModelError(f"cause {cause.key!r}: duplicate facet")
            causes[cause.key] = set(cause.facets)
        return causes

    def _checked_steps(self, causes: dict[str, set[str]]) -> set[str]:
        """The step keys."""
        steps = set()
        hand_offs = 0
        for step in self.steps:
            if step.key in steps or not step.key:
                raise ModelError(f"duplicate or empty step key {step.key!r}")
            steps.add(step.key)
            if isinstance(step.cost, bool) or not (
                isinstance(step.cost, int | float) and math.isfinite(step.cost) and step.cost > 0
            ):
                raise ModelError(f"step {step.key!r}: cost must be a positive number of minutes")
            hand_offs += step.kind == Kind.HAND_OFF
            for cause, efficacy in step.fixes.items():
                if cause not in causes:
                    raise ModelError(f"step {step.key!r}: unknown cause {cause!r}")
                if isinstance(efficacy, bool) or not isinstance(efficacy, int | float) or not 0 <= efficacy < 1:
                    raise ModelError(f"step {step.key!r}: efficacy for {cause!r} must be at least 0 and below 1")
        if hand_offs > 1:
            raise ModelError("a guide can have only one hand-off step")
        return steps

    def _checked_answers(self, causes: dict[str, set[str]], steps: set[str]) -> dict[str, set[str]]:
        """Each question's answer keys, by question key."""
        answers: dict[str, set[str]] = {}
        for question in self.questions:
            where = f"question {question.key!r}"
            if question.key in answers:
                raise ModelError(f"duplicate {where}")
            if not question.answers:
                raise ModelError(f"{where} has no answers")
            if not (math.isfinite(question.cost) and question.cost > 0):
                raise ModelError(f"{where}: cost must be a positive number of minutes")
            keys = answers[question.key] = set()
            for answer in question.answers:
                if answer.key == UNSURE:
                    raise ModelError(f"{where}: the answer key {UNSURE!r} is reserved")
                if answer.key in keys:
                    raise ModelError(f"{where}: duplicate answer {answer.key!r}")
                keys.add(answer.key)
                for effect in answer.effects:
                    if effect.cause not in causes:
                        raise ModelError(f"{where}/{answer.key}: unknown cause {effect.cause!r}")
                    if effect.facet is not None and effect.facet not in causes[effect.cause]:
                        raise ModelError(f"{where}/{answer.key}: cause {effect.cause!r} has no facet {effect.facet!r}")
                for step in answer.skips:
                    if step not in steps:
                        raise ModelError(f"{where}/{answer.key}: skips unknown step {step!r}")
        return answers

    def _check_question_links(self, answers: dict[str, set[str]], steps: set[str]) -> None:
        """Every answer and step a question is asked after, or made moot by, exists."""
        for question in self.questions:
            pairs = [question.requires] if question.requires else []
            pairs += [m for m in question.moot_after if not isinstance(m, str)]
            for pair in pairs:
                if len(pair) != 2 or pair[1] not in answers.get(pair[0], ()):
                    raise ModelError(f"question {question.key!r} names an unknown answer {'/'.join(pair)}")
            for moot in question.moot_after:
                if isinstance(moot, str) and moot not in steps:
                    raise ModelError(f"question {question.key!r} names an unknown step {moot!r}")

    def _check_observations(self, causes: dict[str, set[str]], answers: dict[str, set[str]]) -> None:
        observations = set()
        for observation in self.observations:
            where = f"observation {observation.key!r}"
            if observation.key in observations or not observation.key:
                raise ModelError(f"duplicate or empty {where}")
            observations.add(observation.key)
            for effect in observation.effects:
                if effect.cause not in causes:
                    raise ModelError(f"{where}: unknown cause {effect.cause!r}")
                if effect.facet is not None and effect.facet not in causes[effect.cause]:
                    raise ModelError(f"{where}: cause {effect.cause!r} has no facet {effect.facet!r}")
            settled = set()
            for pair in observation.settles:
                if len(pair) != 2 or pair[1] not in answers.get(pair[0], ()):
                    raise ModelError(f"{where} settles an unknown answer {'/'.join(map(str, pair))}")
                if pair[0] in settled:
                    raise ModelError(f"{where} settles question {pair[0]!r} twice")
                settled.add(pair[0])
