"""The words a grid cell offers, each with what it means and the engine's number behind it.

The meanings are the ones every admin form shows (guides.admin.words), the numbers come from the
engine's own tables, so a grid can never explain a word differently from the forms or with a number
the troubleshooter does not use. A blank cell comes first: it is what most cells are.
"""

from dataclasses import dataclass

from guides import engine
from guides.admin.words import EFFICACY as EFFICACY_MEANINGS
from guides.admin.words import STRENGTH as STRENGTH_MEANINGS
from guides.models import Efficacy, Strength


@dataclass(frozen=True)
class Word:
    value: str  # what the form posts; "" for a blank cell
    label: str  # what the cell shows
    meaning: str  # what it means, with its number: the grid's legend beside the label
    hint: str  # the number in a few words: each button's title (repeated in every cell, so short)
    spoken: str = ""  # a blank cell's name for screen readers, where the cell shows a dash

    @property
    def sentence(self) -> str:
        return f"{self.label}: {self.meaning}"


def _times_in_ten(chance: float) -> str:
    times = round(chance * 10)
    return f"about {times} time{'s' if times != 1 else ''} in 10"


def _efficacy_word(choice: Efficacy) -> Word:
    chance = engine.EFFICACY[engine.Efficacy(choice.value)]
    meaning = f"{EFFICACY_MEANINGS[choice.value].removesuffix('.')} (chance {chance:g})."
    return Word(choice.value, choice.label, meaning, f"Fixes it {_times_in_ten(chance)} (chance {chance:g})")


def _how_likely(ratio: float) -> str:
    """0.05 → "20 times less likely than before", 2 → "twice as likely as before"."""
    if ratio < 1:
        times = round(1 / ratio)
        return "half as likely as before" if times == 2 else f"{times} times less likely than before"
    return "twice as likely as before" if ratio == 2 else f"{ratio:g} times as likely as before"


def _strength_word(choice: Strength, label: str) -> Word:
    ratio = engine.LIKELIHOOD_RATIO[engine.Strength(choice.value)]
    meaning = f"{STRENGTH_MEANINGS[choice.value].removesuffix('.')} (likelihood ratio {ratio:g})."
    return Word(choice.value, label, meaning, f"The cause becomes {_how_likely(ratio)} (ratio {ratio:g})")


NO_LINK = Word(
    value="",
    label="—",
    meaning="this step is not linked to this cause, so it never fixes it (chance 0).",
    hint="Not linked (chance 0)",
    spoken="Not linked",
)
EFFICACY_WORDS = (NO_LINK, *(_efficacy_word(choice) for choice in Efficacy))

SAYS_NOTHING = Word(
    value="",
    label="—",
    meaning="this answer says nothing about this cause; its chances stay as they were (likelihood ratio 1).",
    hint="Says nothing (ratio 1)",
    spoken="Says nothing",
)
STRENGTH_WORDS = (
    SAYS_NOTHING,
    _strength_word(Strength.RULES_OUT, "Rules it out"),
    _strength_word(Strength.LESS, "Less likely"),
    _strength_word(Strength.MORE, "More likely"),
    _strength_word(Strength.STRONG, "Strongly points to it"),
)
