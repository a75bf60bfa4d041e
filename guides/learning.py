"""Relearn a guide's numbers from stored answers: verified StepOutcomes → engine Records → learn → LearnedNumber rows.

Run by `manage.py relearn` (cron-able, like `prune_questionnaire_events`) and by "Relearn now" on the
feedback report. It reads staff's numbers (never the learned ones: learning always starts from what
staff wrote, so relearning twice gives the same numbers) and replaces the guide's LearnedNumber rows
in one transaction. Staff's content is never written here: an editor accepts a learned number on the
report (guides.admin.learned).

Only answers that passed the signed answer-token check are stored with a token, and only those count.
"I couldn't do this" says nothing about whether a step fixes anything, so it is left out. Answers stored
before migration 0013 have neither a state nor a source: nobody knows what the visitor had answered
before them, so they are left out too (a new answer always has a source, its address's hash).
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from guides import content_cache
from guides.diagnose.snapshot import evidence_from_query, staff_model
from guides.engine.learning import Record, learn, word_moves
from guides.learned_numbers import Link, needs_an_editor, rows_for, staff_values
from guides.models import CauseFix, Guide, LearnedNumber, Numbers, StepOutcome

# The outcomes that say something about a cause or a step; "couldnt" never does.
STEP_ANSWERS = frozenset({StepOutcome.Outcome.FIXED, StepOutcome.Outcome.NOT_FIXED})
EXPLAIN_ANSWERS = frozenset({StepOutcome.Outcome.EXPLAINED, StepOutcome.Outcome.NOT_IT})
# Rows read from the database at a time: 100,000 answers never sit in memory as model instances.
CHUNK = 5000


@dataclass(frozen=True)
class Relearned:
    """What one relearning did, for the command's output and the admin's message."""

    guide: str
    records: int
    numbers: int
    flagged: int  # numbers further from staff's word than the guide lets them move by themselves

    def summary(self) -> str:
        flagged = f"; {self.flagged} need an editor" if self.flagged else ""
        return f"{self.guide}: {self.numbers} numbers learned from {self.records:,} answers{flagged}."


def records_of(guide: Guide, model) -> list[Record]:
    """The guide's verified answers about steps and explanations the model still has, as engine Records.

    Identical states are parsed once: most visits share their first screens.
    """
    steps = {step.key for step in model.steps}
    causes = {cause.key for cause in model.causes}
    rows = (
        StepOutcome.objects.filter(guide=guide, token__isnull=False, outcome__in=STEP_ANSWERS | EXPLAIN_ANSWERS)
        .exclude(state="", source="")  # stored before answers kept their state: where they were is unknown
        # "This one worked" on the long-shots list never says which of the list failed first: counted alone,
        # its successes would make every long shot look like a cure (0.91 where the truth was 0.70).
        .filter(long_shot=False)
        .order_by("pk")
        .values_list("state", "outcome", "step_slug", "source")
    )
    parsed: dict[str, tuple[tuple[str, str], ...]] = {}
    records = []
    for state, outcome, key, source in rows.iterator(chunk_size=CHUNK):
        if key not in (steps if outcome in STEP_ANSWERS else causes):
            continue  # a step or cause deleted since, or no longer linked
        evidence = parsed.get(state)
        if evidence is None:
            evidence = parsed[state] = tuple(evidence_from_query(state))
        records.append(Record(evidence=evidence, outcome=outcome, key=key, source=source))
    return records


def relearn(guide: Guide) -> Relearned:
    """Learn the guide's numbers again from all its verified answers, and store them in place of the old ones."""
    model = staff_model(guide)
    records = records_of(guide, model)
    learned = learn(model, records, strength=float(guide.prior_visitors))
    moves = word_moves(model, learned, max_words=guide.learned_max_words)
    rows = rows_for(guide.pk, learned, moves, *_links(guide))
    now = timezone.now()
    with transaction.atomic():
        LearnedNumber.objects.filter(guide=guide).delete()
        LearnedNumber.objects.bulk_create(rows)
        Guide.objects.filter(pk=guide.pk).update(learned_at=now)
    guide.learned_at = now
    if guide.numbers == Numbers.LEARNED:
        content_cache.content_changed()  # the troubleshooter plans with them: its snapshots are rebuilt
    values, numbers = staff_values(model), {**learned.priors, **learned.efficacies}
    flagged = sum(
        needs_an_editor(move, e.value, e.low, e.high, values.get(key))
        for key, move in moves.items()
        for e in [numbers[key]]
    )
    return Relearned(guide=guide.slug, records=len(records), numbers=len(rows), flagged=flagged)


def _links(guide: Guide) -> tuple[dict[str, Link], dict[tuple[str, str], Link]]:
    """Each cause by slug and each cause-step link staff wrote by (step, cause)."""
    causes = guide.causes.prefetch_related(
        Prefetch("cause_fixes", queryset=CauseFix.objects.select_related("fix_step").filter(fix_step__guide=guide))
    )
    by_cause: dict[str, Link] = {}
    by_link: dict[tuple[str, str], Link] = {}
    for cause in causes:
        by_cause[cause.slug] = Link(cause.pk)
        for fix in cause.cause_fixes.all():
            by_link[fix.fix_step.slug, cause.slug] = Link(cause.pk, fix.fix_step_id)
    return by_cause, by_link
