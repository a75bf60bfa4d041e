"""Learned numbers as the database keeps them: `LearnedNumber` rows to and from the engine's `Learned`, and their words.

Staff speak in words (a cause is "Common", a step "Often" fixes it); the engine learns numbers. Each
row keeps both, in the content files' words ("very_common", "often"), as the engine's `word_moves`
names them when it was learned; the report and "Accept" ask `word_moves` again against staff's words
as they are now, so an edit since is taken into account.
"""

from dataclasses import dataclass

from guides import engine
from guides.engine.learned_words import COMMONNESS, SURE
from guides.engine.learning import Estimate, Learned, WordMove
from guides.models import Commonness, Efficacy, LearnedNumber


def word_label(word: str) -> str:
    """A scale's word as the admin shows it: "very_common" is "Very common", "often" is "Often"."""
    if word in COMMONNESS:
        return Commonness(int(COMMONNESS[word])).label
    return Efficacy(word).label


def commonness_of(word: str) -> int:
    """The Commonness value (the cause's weight) of a commonness word."""
    return int(COMMONNESS[word])


def staff_values(model: engine.Model) -> dict:
    """Staff's number behind each word, by the engine's key: a cause's share of visitors, a link's efficacy."""
    total = sum(cause.weight for cause in model.causes) or 1.0
    values: dict = {cause.key: cause.weight / total for cause in model.causes}
    values.update(((step.key, cause), efficacy) for step in model.steps for cause, efficacy in step.fixes.items())
    return values


def needs_an_editor(move: WordMove, value: float, low: float, high: float, staff_value: float | None) -> bool:
    """Whether the report flags a number: it is further from staff's word than the guide lets it move by itself.

    Not while the visitors so far are consistent with staff's number (the planner keeps staff's word
    then: `applied` takes a number only when staff's lies beyond `SURE` times the interval's reach), nor
    past the scale's end (no further word to accept).
    """
    reach_low, reach_high = value - SURE * (value - low), value + SURE * (high - value)
    consistent = staff_value is not None and reach_low <= staff_value <= reach_high
    return move.needs_editor and move.words != 0 and not consistent


@dataclass(frozen=True)
class Link:
    """What a learned number is about, in the database: a cause (and a fix step, for an efficacy)."""

    cause_pk: int
    fix_step_pk: int | None = None


def stored_learning(guide_pk: int, model: engine.Model) -> Learned:
    """The guide's stored learned numbers, as the engine takes them. One query: the snapshot's build runs it."""
    rows = LearnedNumber.objects.filter(guide_id=guide_pk).values_list(
        "cause__slug", "fix_step__slug", "value", "low", "high", "visitors"
    )
    return learned_from(rows, model)


def learned_from(rows, model: engine.Model) -> Learned:
    """(cause slug, step slug or None, value, low, high, visitors) rows as the engine's Learned.

    A number the model no longer has (a link staff removed since) says nothing about the guide as it is: left out.
    """
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
    guide_pk: int, learned: Learned, moves: dict[object, WordMove], causes: dict[str, Link], links: dict
) -> list[LearnedNumber]:
    """Unsaved rows for what was learned: one per cause (its commonness) and per cause-step link staff wrote."""
    numbers = [*((key, causes.get(key), e) for key, e in learned.priors.items())]
    numbers += [(key, links.get(key), e) for key, e in learned.efficacies.items()]
    return [
        LearnedNumber(
            guide_id=guide_pk,
            cause_id=link.cause_pk,
            fix_step_id=link.fix_step_pk,
            value=estimate.value,
            low=estimate.low,
            high=estimate.high,
            visitors=estimate.visitors,
            staff_word=moves[key].staff_word,
            learned_word=moves[key].learned_word,
        )
        for key, link, estimate in numbers
        if link is not None and key in moves
    ]
