"""Learned numbers as the database keeps them: `LearnedNumber` rows to and from the engine's `Learned`, and their words.

Staff speak in words (a cause is "Common", a step "Often" fixes it); the engine learns numbers. Each
row keeps both, as scale values: Commonness's integer as text ("4") for a cause's commonness,
Efficacy's word ("often") for a step's efficacy. The report flags a row whose learned word is further
from staff's than the guide lets learned numbers move by themselves; an editor decides on it.
"""

import math
from dataclasses import dataclass

from guides import engine
from guides.engine.learning import Estimate, Learned
from guides.models import Commonness, Efficacy, LearnedNumber

# Each scale from low to high: "words apart" is the distance between two positions on it.
EFFICACY_WORDS: tuple[str, ...] = tuple(sorted((e.value for e in engine.Efficacy), key=lambda w: engine.EFFICACY[w]))
COMMONNESS_WORDS: tuple[str, ...] = tuple(str(c.value) for c in sorted(Commonness, key=int))


def efficacy_word(value: float) -> str:
    """The efficacy word nearest a chance (0.45 is nearer "often", 0.6, than "sometimes", 0.3)."""
    return min(EFFICACY_WORDS, key=lambda word: abs(engine.EFFICACY[engine.Efficacy(word)] - value))


def commonness_word(share: float, total_weight: float) -> str:
    """The commonness nearest a learned share of visitors, as the weight it stands for among staff's weights.

    Commonness doubles from word to word, so "nearest" is on a doubling (log) scale.
    """
    weight = max(share * total_weight, 1e-9)
    return min(COMMONNESS_WORDS, key=lambda word: abs(math.log2(int(word)) - math.log2(weight)))


def word_label(word: str) -> str:
    """The word as the admin shows it: "Often", "Very common"."""
    if word in COMMONNESS_WORDS:
        return Commonness(int(word)).label
    return Efficacy(word).label


def words_apart(staff_word: str, learned_word: str) -> int:
    scale = COMMONNESS_WORDS if staff_word in COMMONNESS_WORDS else EFFICACY_WORDS
    return abs(scale.index(learned_word) - scale.index(staff_word))


@dataclass(frozen=True)
class Link:
    """What a learned number is about, in the database: a cause (and a fix step, for an efficacy)."""

    cause_pk: int
    staff_word: str
    fix_step_pk: int | None = None


def stored_learning(guide_pk: int, model: engine.Model) -> Learned:
    """The guide's stored learned numbers, as the engine takes them; numbers the model no longer has are left out.

    One query. A row of a link staff have since removed, or of a cause now in no step's list, says
    nothing about the guide as it is and is skipped.
    """
    rows = LearnedNumber.objects.filter(guide_id=guide_pk).values_list(
        "cause__slug", "fix_step__slug", "value", "low", "high", "visitors"
    )
    causes = {cause.key for cause in model.causes}
    links = {(step.key, cause) for step in model.steps for cause in step.fixes}
    priors, efficacies = {}, {}
    for cause, step, value, low, high, visitors in rows:
        estimate = Estimate(value=value, low=low, high=high, visitors=visitors)
        if step is None and cause in causes:
            priors[cause] = estimate
        elif (step, cause) in links:
            efficacies[step, cause] = estimate
    return Learned(priors=priors, efficacies=efficacies, records=0)


def rows_for(
    guide_pk: int, learned: Learned, causes: dict[str, Link], links: dict[tuple[str, str], Link], total_weight: float
) -> list[LearnedNumber]:
    """Unsaved rows for what was learned: one per cause (its commonness) and per cause-step link staff wrote."""
    rows = []
    for key, estimate in learned.priors.items():
        if key in causes:
            word = commonness_word(estimate.value, total_weight)
            rows.append(_row(guide_pk, causes[key], estimate, word))
    for key, estimate in learned.efficacies.items():
        if key in links:
            rows.append(_row(guide_pk, links[key], estimate, efficacy_word(estimate.value)))
    return rows


def _row(guide_pk: int, link: Link, estimate: Estimate, learned_word: str) -> LearnedNumber:
    return LearnedNumber(
        guide_id=guide_pk,
        cause_id=link.cause_pk,
        fix_step_id=link.fix_step_pk,
        value=estimate.value,
        low=estimate.low,
        high=estimate.high,
        visitors=estimate.visitors,
        staff_word=link.staff_word,
        learned_word=learned_word,
    )
