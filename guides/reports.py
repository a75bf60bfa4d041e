"""The feedback report of a guide: how visitors move through its questionnaire, and what fixed it.

`build_report` reads the `QuestionnaireEvent` and `Resolution` records of one guide within a
window of days and returns frozen dataclasses of plain numbers and strings, ready for the
admin template (which cannot do arithmetic, so every bar's pixel width is computed here).

It runs a constant number of queries (six) whatever the amount of data: three small ones for
the guide's causes, fix steps and questions, one grouped count of the events, one grouped
count of the resolutions per cause, and one that reads the `fix_steps` column of the
resolutions in the window. That last one is the only place that walks rows in Python: the
fix steps are a comma-separated list in one column, which SQL cannot group portably.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from guides.engine import UNSURE
from guides.models import Guide, QuestionnaireEvent, Resolution

# The windows staff can pick, in days, with their link text.
WINDOWS: tuple[tuple[int, str], ...] = ((7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days"))
DEFAULT_DAYS = 30
# How many questions the "I'm not sure" list shows.
UNSURE_TOP = 5
# The width in pixels of a full (100%) bar.
BAR_WIDTH = 200


def days_from(value) -> int:
    """The window a `?days=` value asks for; anything not offered in WINDOWS gives DEFAULT_DAYS."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_DAYS
    return days if days in {d for d, _ in WINDOWS} else DEFAULT_DAYS


@dataclass(frozen=True)
class Rate:
    """A share: `value` from 0 to 1 (None when there is nothing to divide by), `percent`, and its bar.

    `bar` is the bar's width in pixels (0 to 200, clamped), `rest` the unfilled width after it.
    """

    value: float | None
    percent: int | None
    bar: int
    rest: int

    @classmethod
    def of(cls, part: int, whole: int) -> "Rate":
        if whole <= 0:
            return cls(value=None, percent=None, bar=0, rest=BAR_WIDTH)
        value = part / whole
        bar = int(min(max(value, 0.0), 1.0) * BAR_WIDTH + 0.5)
        return cls(value=value, percent=int(value * 100 + 0.5), bar=bar, rest=BAR_WIDTH - bar)


@dataclass(frozen=True)
class CauseRow:
    """How often a cause was offered on the result page, and how often "Did this fix it?" said yes."""

    slug: str
    title: str
    deleted: bool  # a cause_slug of a cause no longer in the guide; `title` is then the slug
    offered: int
    fixed: int
    fixed_rate: Rate


@dataclass(frozen=True)
class FixStepRow:
    """How often a fix step was shown with a cause, and how often a "yes" followed."""

    slug: str
    title: str
    deleted: bool
    shown: int
    fixed: int
    fixed_rate: Rate


@dataclass(frozen=True)
class UnsureRow:
    """How often a question was answered, and how often with "I'm not sure"."""

    slug: str
    title: str
    answers: int
    unsure: int
    unsure_rate: Rate


@dataclass(frozen=True)
class DropOffRow:
    """How often a question was shown and answered; `left` is the difference, floored at 0."""

    slug: str
    title: str
    deleted: bool
    shown: int
    answered: int
    left: int
    left_rate: Rate


@dataclass(frozen=True)
class Report:
    """The feedback report of one guide over the `days` before `until`.

    Visits and results:
      - `visits`: questionnaires started (start events).
      - `result_pages`: result pages shown (result events). After each "No, still stuck" the
        visitor is shown the next likely cause on another result page, so this counts more
        than one page for some visits.
      - `reached`: visits that reached a result, estimated as result pages minus "No" answers
        (each "No" shows exactly one more result page), at most `visits`; `reached_rate` is
        its share of visits.

    "Did this fix it?":
      - `feedback`, `fixed`, `fixed_rate`: answers in all, "yes" answers, and their share.
      - `causes`: every cause of the guide, in the guide's order, then cause slugs recorded
        for causes since deleted (by slug).
      - `fix_steps`: every fix step of the guide plus deleted ones that were shown, most shown
        first. A "yes" counts for every step shown with the cause: we cannot tell which one
        did it.

    Where visitors leave:
      - `unsure`: the questions most often answered "I'm not sure", at most UNSURE_TOP,
        leaving out those never answered so.
      - `drop_off`: per question, times shown against times answered; most leaves first.
        Reloads and changing an earlier answer count too, so the figures are approximate.
      - `left_on_result`: result pages left without an answer to "Did this fix it?",
        estimated as result pages minus answers (each answer answers exactly one result
        page, floored at 0); `left_on_result_rate` is its share of result pages.
        Resolutions do not store which causes the visitor had already tried, so this is
        counted per result page, not per visit; a reload of a result page counts as one
        more page left, and so does a final page where no cause was left to suggest.
    """

    days: int
    since: datetime
    until: datetime
    visits: int
    result_pages: int
    reached: int
    reached_rate: Rate
    feedback: int
    fixed: int
    fixed_rate: Rate
    causes: tuple[CauseRow, ...]
    fix_steps: tuple[FixStepRow, ...]
    unsure: tuple[UnsureRow, ...]
    drop_off: tuple[DropOffRow, ...]
    left_on_result: int
    left_on_result_rate: Rate

    @property
    def is_empty(self) -> bool:
        return not (self.visits or self.result_pages or self.feedback)


def build_report(guide: Guide, *, days: int, now: datetime | None = None) -> Report:
    """Return the report of `guide` for records created in the `days` days up to `now` (see `Report`)."""
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days!r}")
    until = now or timezone.now()
    since = until - timedelta(days=days)
    window = Q(guide=guide, created_at__gt=since, created_at__lte=until)

    cause_titles = dict(guide.causes.order_by("order", "id").values_list("slug", "title"))
    fix_titles = dict(guide.fix_steps.order_by("title", "id").values_list("slug", "title"))
    question_titles = dict(guide.questions.order_by("order", "id").values_list("slug", "text"))

    # One grouped count of all events: starts, results, and per question shown / answered / unsure.
    kind = QuestionnaireEvent.Kind
    visits = result_pages = 0
    shown: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    unsure: Counter[str] = Counter()
    events = (
        QuestionnaireEvent.objects.filter(window)
        .order_by()
        .values("kind", "question_slug")
        .annotate(total=Count("id"), unsure=Count("id", filter=Q(answer_slug=UNSURE)))
    )
    for row in events:
        if row["kind"] == kind.START:
            visits += row["total"]
        elif row["kind"] == kind.RESULT:
            result_pages += row["total"]
        elif row["kind"] == kind.QUESTION:
            shown[row["question_slug"]] += row["total"]
        elif row["kind"] == kind.ANSWER:
            answered[row["question_slug"]] += row["total"]
            unsure[row["question_slug"]] += row["unsure"]

    resolutions = Resolution.objects.filter(window).order_by()
    offered: Counter[str] = Counter()
    cause_fixed: Counter[str] = Counter()
    for row in resolutions.values("cause_slug").annotate(total=Count("id"), fixed=Count("id", filter=Q(fixed=True))):
        offered[row["cause_slug"]] += row["total"]
        cause_fixed[row["cause_slug"]] += row["fixed"]
    feedback, fixed = offered.total(), cause_fixed.total()
    not_fixed = feedback - fixed

    # The fix steps are a comma-separated column: count them in Python, one pass over one column.
    step_shown: Counter[str] = Counter()
    step_fixed: Counter[str] = Counter()
    for fix_steps, was_fixed in resolutions.values_list("fix_steps", "fixed").iterator():
        for slug in dict.fromkeys(s.strip() for s in fix_steps.split(",")):
            if slug:
                step_shown[slug] += 1
                step_fixed[slug] += was_fixed

    reached = min(max(result_pages - not_fixed, 0), visits)
    left_on_result = max(result_pages - feedback, 0)
    return Report(
        days=days,
        since=since,
        until=until,
        visits=visits,
        result_pages=result_pages,
        reached=reached,
        reached_rate=Rate.of(reached, visits),
        feedback=feedback,
        fixed=fixed,
        fixed_rate=Rate.of(fixed, feedback),
        causes=_cause_rows(cause_titles, offered, cause_fixed),
        fix_steps=_fix_step_rows(fix_titles, step_shown, step_fixed),
        unsure=_unsure_rows(question_titles, answered, unsure),
        drop_off=_drop_off_rows(question_titles, shown, answered),
        left_on_result=left_on_result,
        left_on_result_rate=Rate.of(left_on_result, result_pages),
    )


def _with_orphans(titles: dict[str, str], *counters: Counter) -> list[tuple[str, str, bool]]:
    """(slug, title, deleted) for every known slug in order, then slugs only the records know, by slug."""
    orphans = sorted({slug for counter in counters for slug in counter if slug and slug not in titles})
    return [(slug, title, False) for slug, title in titles.items()] + [(slug, slug, True) for slug in orphans]


def _cause_rows(titles, offered, fixed) -> tuple[CauseRow, ...]:
    return tuple(
        CauseRow(slug, title, deleted, offered[slug], fixed[slug], Rate.of(fixed[slug], offered[slug]))
        for slug, title, deleted in _with_orphans(titles, offered)
    )


def _fix_step_rows(titles, shown, fixed) -> tuple[FixStepRow, ...]:
    rows = [
        FixStepRow(slug, title, deleted, shown[slug], fixed[slug], Rate.of(fixed[slug], shown[slug]))
        for slug, title, deleted in _with_orphans(titles, shown)
    ]
    # Stable sort: equally shown steps keep their alphabetical order.
    return tuple(sorted(rows, key=lambda row: -row.shown))


def _unsure_rows(titles, answered, unsure) -> tuple[UnsureRow, ...]:
    rows = [
        UnsureRow(slug, title, answered[slug], unsure[slug], Rate.of(unsure[slug], answered[slug]))
        for slug, title, _ in _with_orphans(titles, answered)
        if unsure[slug]
    ]
    rows.sort(key=lambda row: (-row.unsure, -(row.unsure_rate.value or 0)))
    return tuple(rows[:UNSURE_TOP])


def _drop_off_rows(titles, shown, answered) -> tuple[DropOffRow, ...]:
    rows = []
    for slug, title, deleted in _with_orphans(titles, shown, answered):
        left = max(shown[slug] - answered[slug], 0)
        rows.append(DropOffRow(slug, title, deleted, shown[slug], answered[slug], left, Rate.of(left, shown[slug])))
    rows.sort(key=lambda row: (-row.left, -(row.left_rate.value or 0)))
    return tuple(rows)
