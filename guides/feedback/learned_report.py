"""The feedback report's learned numbers: per cause and per cause-step link, staff's word beside what visitors showed.

The words are the engine's (`word_moves`), measured against staff's words as they are now: an editor
may have changed one since the last relearning. It reads the guide as the troubleshooter does with
staff's numbers (`staff_model`) and its learned numbers in one more query; the report is no hot path.
"""

from dataclasses import dataclass

from guides.diagnose.snapshot import staff_model
from guides.engine.learning import word_moves
from guides.learned_numbers import learned_from, needs_an_editor, staff_values, word_label
from guides.models import Guide, LearnedNumber, Numbers


@dataclass(frozen=True)
class LearnedRow:
    """One learned number. `value`, `low` and `high` are percentages (a share of visitors, or a chance of fixing).

    `visitors` is how many visitors' answers it rests on, after the cap on any one address. `apart` is how
    many words the learned word is from staff's; `flagged` when the learned number is further from staff's
    word than the guide lets learned numbers move by themselves (an editor decides; see
    `learned_numbers.needs_an_editor`); `acceptable` when the words differ at all.
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
    model = staff_model(guide)
    moves, values = moves_now(guide, rows, model), staff_values(model)
    made = [_row(row, moves.get(_key(row)), values.get(_key(row))) for row in rows]
    return LearnedNumbers(
        uses_learned=guide.numbers == Numbers.LEARNED,
        learned_at=guide.learned_at,
        max_words=guide.learned_max_words,
        causes=tuple(row for row in made if row and not row.step),
        links=tuple(row for row in made if row and row.step),
    )


def moves_now(guide: Guide, rows: list[LearnedNumber], model=None) -> dict:
    """The engine's `WordMove` of each of these rows against staff's words as they are now, by the engine's key."""
    model = model or staff_model(guide)
    numbers = [(row.cause.slug, _step(row), row.value, row.low, row.high, row.visitors) for row in rows]
    return word_moves(model, learned_from(numbers, model), max_words=guide.learned_max_words)


def move_of(guide: Guide, row: LearnedNumber):
    """One row's `WordMove` now, or None when staff removed its link since. Priors move together: all rows count."""
    rows = list(LearnedNumber.objects.filter(guide=guide).select_related("cause", "fix_step"))
    return moves_now(guide, rows).get(_key(row))


def _step(row: LearnedNumber) -> str | None:
    return row.fix_step.slug if row.fix_step_id else None


def _key(row: LearnedNumber):
    return row.cause.slug if row.fix_step_id is None else (row.fix_step.slug, row.cause.slug)


def _row(row: LearnedNumber, move, staff_value: float | None) -> LearnedRow | None:
    if move is None:
        return None  # staff removed the link since: nothing to compare or accept
    return LearnedRow(
        pk=row.pk,
        cause=row.cause.title,
        step=row.fix_step.title if row.fix_step_id else "",
        staff_word=word_label(move.staff_word),
        learned_word=word_label(move.learned_word),
        value=round(row.value * 100),
        low=round(row.low * 100),
        high=round(row.high * 100),
        visitors=round(row.visitors),
        apart=abs(move.words),
        flagged=needs_an_editor(move, row.value, row.low, row.high, staff_value),
    )
