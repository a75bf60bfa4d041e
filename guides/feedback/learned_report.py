"""The feedback report's learned numbers: per cause and per cause-step link, staff's word beside what visitors showed.

Three queries, whatever the guide's size: its learned numbers with their causes and steps, staff's current
words for the links, and the causes' weights (an editor may have changed a word since the last relearning;
the row then compares against the word as it is now).
"""

from dataclasses import dataclass

from guides.learned_numbers import commonness_word, efficacy_word, word_label, words_apart
from guides.models import CauseFix, Guide, LearnedNumber, Numbers


@dataclass(frozen=True)
class LearnedRow:
    """One learned number. `value`, `low` and `high` are percentages (a share of visitors, or a chance of fixing).

    `visitors` is how many visitors' answers it rests on, after the cap on any one address. `apart` is how
    many words the learned word is from staff's; `flagged` when that is more than the guide lets learned
    numbers move by themselves (an editor decides); `acceptable` when the words differ at all.
    """

    pk: int
    cause: str
    step: str  # "" for the cause's commonness
    staff_word: str
    learned_word: str
    value: int
    low: int
    high: int
    visitors: int
    apart: int
    flagged: bool

    @property
    def acceptable(self) -> bool:
        return self.apart > 0


@dataclass(frozen=True)
class LearnedNumbers:
    """What the report shows about learning: the guide's setting, when it last learned, and the rows."""

    uses_learned: bool
    learned_at: object  # a datetime, or None when the guide never learned
    max_words: int
    causes: tuple[LearnedRow, ...]
    links: tuple[LearnedRow, ...]

    @property
    def flagged(self) -> int:
        return sum(row.flagged for row in (*self.causes, *self.links))


def learned_numbers(guide: Guide) -> LearnedNumbers:
    rows = list(
        LearnedNumber.objects.filter(guide=guide)
        .select_related("cause", "fix_step")
        .order_by("cause__order", "cause_id", "fix_step__title", "fix_step_id")
    )
    efficacies = dict(
        ((cause_id, step_id), efficacy)
        for cause_id, step_id, efficacy in CauseFix.objects.filter(cause__guide=guide).values_list(
            "cause_id", "fix_step_id", "efficacy"
        )
    )
    causes = {row.cause_id: row.cause for row in rows}
    total_weight = sum(cause.commonness for cause in guide.causes.all()) or 1
    made = [_row(row, causes, efficacies, total_weight, guide.learned_max_words) for row in rows]
    return LearnedNumbers(
        uses_learned=guide.numbers == Numbers.LEARNED,
        learned_at=guide.learned_at,
        max_words=guide.learned_max_words,
        causes=tuple(row for row in made if row and not row.step),
        links=tuple(row for row in made if row and row.step),
    )


def _row(row: LearnedNumber, causes, efficacies, total_weight: float, max_words: int) -> LearnedRow | None:
    if row.fix_step_id is None:
        staff = str(causes[row.cause_id].commonness)
        learned = commonness_word(row.value, total_weight)
    else:
        staff = efficacies.get((row.cause_id, row.fix_step_id))
        if staff is None:
            return None  # staff removed the link since: nothing to compare or accept
        learned = efficacy_word(row.value)
    apart = words_apart(staff, learned)
    return LearnedRow(
        pk=row.pk,
        cause=row.cause.title,
        step=row.fix_step.title if row.fix_step_id else "",
        staff_word=word_label(staff),
        learned_word=word_label(learned),
        value=round(row.value * 100),
        low=round(row.low * 100),
        high=round(row.high * 100),
        visitors=round(row.visitors),
        apart=apart,
        flagged=apart > max_words,
    )
