"""The feedback report of a guide: how visitors move through its troubleshooter, and which fixes help.

`build_report` reads the daily `QuestionnaireCount` counters, the `StepOutcome`, `Resolution` and
`PageVote` records of one guide within a window of whole days (today and the days before it)
and returns frozen dataclasses of plain numbers and strings, ready for the admin template (which
cannot do arithmetic, so every bar's pixel width is computed here).

It runs a constant number of queries (seven) whatever the amount of data: three small ones for
the guide's causes, fix steps and questions, then one grouped sum of the counters and one grouped
count each of the step outcomes, the resolutions and the "Was this page helpful?" votes. No query
walks the records one by one.

This module is long because each figure's definition (the dataclasses' docstrings) sits beside
the query that counts it, so a change to one shows the other.

Two kinds of records are never counted: "result page shown" counters (`RESULT`), and
resolutions without the fix step that fixed it (`step_slug`) or not fixed. The troubleshooter
writes neither (it shows fix steps one at a time); the tables keep them from an earlier design.
A visit that ends with "Yes, that explains it" on an explanation is a success too: its resolution
is of kind "explained" and names no step, and its outcome's `step_slug` holds the cause's slug.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from guides.engine import UNSURE
from guides.models import Guide, PageVote, QuestionnaireCount, Resolution, StepKind, StepOutcome

# The windows staff can pick, in days, with their link text. The longest is what pruning keeps.
WINDOWS: tuple[tuple[int, str], ...] = ((7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days"))
DEFAULT_DAYS = 30
# How many questions the "I'm not sure" list shows.
UNSURE_TOP = 5
# The width in pixels of a full (100%) bar; the reasons for "No" get shorter ones, five of them share a row.
BAR_WIDTH = 200
REASON_BAR_WIDTH = 60
# A step that visitors could not do more often than this (a share of its button presses) gets a note.
OFTEN_CANT_SHARE = 1 / 3


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
    def of(cls, part: int, whole: int, *, width: int = BAR_WIDTH) -> "Rate":
        if whole <= 0:
            return cls(value=None, percent=None, bar=0, rest=width)
        value = part / whole
        bar = int(min(max(value, 0.0), 1.0) * width + 0.5)
        return cls(value=value, percent=int(value * 100 + 0.5), bar=bar, rest=width - bar)


@dataclass(frozen=True)
class FixStepRow:
    """One fix step: how often it was shown, and what visitors said after trying it.

    `answered` is fixed + not_fixed + couldnt (button presses); `fixed_rate` is fixed out of
    `answered`, `couldnt_rate` couldnt out of `answered`. `often_cant` is true when visitors
    could not do the step in more than a third of the presses: its instructions need a look.
    """

    slug: str
    title: str
    deleted: bool  # a slug only the records know: the step was deleted; `title` is then the slug
    shown: int
    fixed: int
    not_fixed: int
    couldnt: int
    answered: int
    fixed_rate: Rate
    couldnt_rate: Rate
    often_cant: bool


@dataclass(frozen=True)
class FixedByCauseRow:
    """One cause: visits fixed while it was the likeliest cause, visits its explanation ended, and their share.

    `share` is `fixed` + `explained` out of all visits fixed or explained.
    """

    slug: str
    title: str
    deleted: bool
    fixed: int
    explained: int
    share: Rate


@dataclass(frozen=True)
class ExplanationRow:
    """One explanation cause: how often its explanation was shown, and what visitors answered.

    `explained` and `not_it` are presses of "Yes, that explains it" and "No, that's not it";
    `explained_rate` is explained out of both. A cause that is no longer an explanation, or was
    deleted, is listed while the window holds records of it.
    """

    slug: str
    title: str
    deleted: bool
    shown: int
    explained: int
    not_it: int
    answered: int
    explained_rate: Rate


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
class ReasonCount:
    """How many "No" votes on a page gave one reason (`value` "" for those that gave none), and their share."""

    value: str
    label: str
    count: int
    share: Rate  # out of the page's "No" votes, on a REASON_BAR_WIDTH bar


@dataclass(frozen=True)
class PageVotes:
    """The answers to "Was this page helpful?" on one page: the article (`slug` "") or a cause page.

    `helpful_rate` is Yes out of all votes; `reasons` has every reason the form offers, in its order,
    then the "No" votes that gave none.
    """

    slug: str
    title: str
    deleted: bool  # a cause page only the votes know: the cause was deleted; `title` is then its slug
    yes: int
    no: int
    votes: int
    helpful_rate: Rate
    reasons: tuple[ReasonCount, ...]


@dataclass(frozen=True)
class Report:
    """The feedback report of one guide over `days` whole days: the day of `until` and the days before it.

    `since` is the first moment of the first day. Page views are counted per day, so every figure
    covers the same whole days, from `since` to `until`.

    Visits:
      - `visits`: troubleshooter visits started (start screens shown).
      - `fixed`: visits that ended with "Yes, it works now" on a fix step (one resolution per
        such visit); `fixed_rate` is their share of `visits`.
      - `explained`: visits that ended with "Yes, that explains it" on an explanation (nothing on
        the visitor's side fixes its cause); `explained_rate` is their share of `visits`.
      - `succeeded`: fixed + explained, both endings the troubleshooter aims for; `success_rate`.
      - `long_shots`: times the honest "long shots" screen was shown (only unlikely fixes were
        left); `long_shots_rate` is that out of `visits`, as rough as the hand-offs.
      - `hand_offs`: times the hand-off to the app's support was shown, the screen visitors
        reach when no fix step is left worth trying; `hand_off_rate` is that out of `visits`.
        A reload shows it again, so read it as a rough share.

    Which fixes actually help (`fix_steps`): every fix step of the guide (except the hand-off,
    which has no buttons, unless records name it) plus slugs of deleted steps that have
    records, most shown first (equally shown steps by title, deleted ones last). Per step:
      - `shown`: times the step was shown (reloads count again);
      - `fixed`, `not_fixed`, `couldnt`: presses of "Yes, it works now", "No, still not
        working" and "I couldn't do this";
      - `fixed_rate`: fixed out of all three presses. Visitors who leave without pressing a
        button are not in it;
      - `often_cant`: "I couldn't do this" was more than a third of the presses.

    Per cause (`causes`): every cause of the guide, in the guide's order, then slugs of
    deleted causes that have records; `fixed` is the visits fixed while that cause was the
    likeliest one, `explained` the visits its explanation ended, and `share` their share of all
    visits fixed or explained. The likeliest cause is the troubleshooter's best guess, not a
    proof of what was wrong.

    Explanations (`explanations`): every explanation cause in the guide's order, then other
    causes with explanation records; see `ExplanationRow`.

    Where visitors hesitate or leave:
      - `unsure`: the questions most often answered "I'm not sure", at most UNSURE_TOP,
        leaving out those never answered so; equal counts by the higher share.
      - `drop_off`: per question, times shown against times answered; most leaves first.
        Reloads and changing an earlier answer count too, so the figures are approximate.

    "Was this page helpful?" (`pages`): the article, then every cause page in the guide's order,
    then deleted causes that have votes; see `PageVotes`. One vote per page view, so a visitor
    who reloads the page can vote again: read them as rough shares too.
    """

    days: int
    since: datetime
    until: datetime
    visits: int
    fixed: int
    fixed_rate: Rate
    hand_offs: int
    hand_off_rate: Rate
    explained: int
    explained_rate: Rate
    succeeded: int
    success_rate: Rate
    long_shots: int
    long_shots_rate: Rate
    explanations: tuple[ExplanationRow, ...]
    fix_steps: tuple[FixStepRow, ...]
    causes: tuple[FixedByCauseRow, ...]
    unsure: tuple[UnsureRow, ...]
    drop_off: tuple[DropOffRow, ...]
    pages: tuple[PageVotes, ...]

    @property
    def votes(self) -> int:
        """All answers to "Was this page helpful?" in the window, on every page."""
        return sum(row.votes for row in self.pages)

    @property
    def is_empty(self) -> bool:
        """Nothing was recorded in the window: no visit, fix step, answer or question shown."""
        return not (
            self.visits
            or self.succeeded
            or self.hand_offs
            or self.long_shots
            or any(row.shown or row.answered for row in self.explanations)
            or any(row.shown or row.answered for row in self.fix_steps)
            or any(row.shown or row.answered for row in self.drop_off)
        )


def build_report(guide: Guide, *, days: int, now: datetime | None = None) -> Report:
    """Return the report of `guide` for the `days` whole days up to `now`, today included (see `Report`)."""
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days!r}")
    until = now or timezone.now()
    first_day = timezone.localdate(until) - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(first_day, time.min))
    window = Q(guide=guide, created_at__gte=since, created_at__lte=until)

    causes = list(guide.causes.order_by("order", "id").values_list("slug", "title", "explains"))
    cause_titles = {slug: title for slug, title, _ in causes}
    explanation_causes = {slug for slug, _, explains in causes if explains}
    steps = list(guide.fix_steps.order_by("title", "id").values_list("slug", "title", "kind"))
    step_titles = {slug: title for slug, title, _ in steps}
    hand_off_steps = {slug for slug, _, kind in steps if kind == StepKind.HAND_OFF}
    question_titles = dict(guide.questions.order_by("order", "id").values_list("slug", "text"))

    counts = _ScreenCounts.of(guide, first_day, timezone.localdate(until))
    outcomes = _step_presses(window)
    cause_fixed, cause_explained = _ended_by_cause(window)
    fixed, explained = cause_fixed.total(), cause_explained.total()

    return Report(
        days=days,
        since=since,
        until=until,
        visits=counts.visits,
        fixed=fixed,
        fixed_rate=Rate.of(fixed, counts.visits),
        hand_offs=counts.hand_offs,
        hand_off_rate=Rate.of(counts.hand_offs, counts.visits),
        explained=explained,
        explained_rate=Rate.of(explained, counts.visits),
        succeeded=fixed + explained,
        success_rate=Rate.of(fixed + explained, counts.visits),
        long_shots=counts.long_shots,
        long_shots_rate=Rate.of(counts.long_shots, counts.visits),
        explanations=_explanation_rows(cause_titles, explanation_causes, counts.explain_shown, outcomes),
        fix_steps=_fix_step_rows(step_titles, hand_off_steps, counts.step_shown, outcomes),
        causes=_fixed_by_cause_rows(cause_titles, cause_fixed, cause_explained),
        unsure=_unsure_rows(question_titles, counts.answered, counts.unsure),
        drop_off=_drop_off_rows(question_titles, counts.shown, counts.answered),
        pages=_page_rows(guide.title, cause_titles, _page_votes(window)),
    )


@dataclass
class _ScreenCounts:
    """The daily counters of one guide summed over the window: starts, hand-offs, steps and questions."""

    visits: int = 0
    hand_offs: int = 0
    long_shots: int = 0
    step_shown: Counter[str] = field(default_factory=Counter)
    explain_shown: Counter[str] = field(default_factory=Counter)  # by the explained cause's slug
    shown: Counter[str] = field(default_factory=Counter)
    answered: Counter[str] = field(default_factory=Counter)
    unsure: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, guide: Guide, first_day: date, last_day: date) -> "_ScreenCounts":
        """One grouped sum of the daily counters from `first_day` to `last_day`, both included."""
        kind = QuestionnaireCount.Kind
        summed = cls()
        rows = (
            QuestionnaireCount.objects.filter(guide=guide, day__gte=first_day, day__lte=last_day)
            .exclude(kind=kind.RESULT)
            .order_by()
            .values("kind", "question_slug")
            .annotate(total=Sum("count"), unsure=Sum("count", filter=Q(answer_slug=UNSURE)))
        )
        for row in rows:
            total, row_unsure = row["total"] or 0, row["unsure"] or 0  # a sum over no rows is NULL
            if row["kind"] == kind.START:
                summed.visits += total
            elif row["kind"] == kind.HAND_OFF:
                summed.hand_offs += total
            elif row["kind"] == kind.LONG_SHOTS:
                summed.long_shots += total
            elif row["kind"] == kind.EXPLAIN:
                summed.explain_shown[row["question_slug"]] += total
            elif row["kind"] == kind.STEP:
                summed.step_shown[row["question_slug"]] += total
            elif row["kind"] == kind.QUESTION:
                summed.shown[row["question_slug"]] += total
            elif row["kind"] == kind.ANSWER:
                summed.answered[row["question_slug"]] += total
                summed.unsure[row["question_slug"]] += row_unsure
        return summed


def _step_presses(window: Q) -> dict[str, Counter[str]]:
    """One grouped count of the buttons pressed on fix steps: outcome → step slug → presses."""
    outcomes: dict[str, Counter[str]] = {outcome: Counter() for outcome in StepOutcome.Outcome.values}
    presses = StepOutcome.objects.filter(window).order_by().values("step_slug", "outcome").annotate(total=Count("id"))
    for row in presses:
        if row["outcome"] in outcomes:
            outcomes[row["outcome"]][row["step_slug"]] += row["total"]
    return outcomes


def _ended_by_cause(window: Q) -> tuple[Counter[str], Counter[str]]:
    """One grouped count of the visits fixed by a step and of those an explanation ended, per cause."""
    cause_fixed: Counter[str] = Counter()
    cause_explained: Counter[str] = Counter()
    kind = Resolution.Kind
    ended = Q(kind=kind.EXPLAINED) | (Q(kind=kind.FIXED) & ~Q(step_slug=""))
    resolutions = (
        Resolution.objects.filter(window, ended, fixed=True)
        .order_by()
        .values("cause_slug", "kind")
        .annotate(total=Count("id"))
    )
    for row in resolutions:
        (cause_explained if row["kind"] == kind.EXPLAINED else cause_fixed)[row["cause_slug"]] += row["total"]
    return cause_fixed, cause_explained


def _page_votes(window: Q) -> Counter[tuple[str, bool, str]]:
    """One grouped count of the "Was this page helpful?" votes, per page, answer and reason."""
    page_votes: Counter[tuple[str, bool, str]] = Counter()
    for row in (
        PageVote.objects.filter(window).order_by().values("cause_slug", "helpful", "reason").annotate(total=Count("id"))
    ):
        page_votes[row["cause_slug"], row["helpful"], row["reason"]] += row["total"]
    return page_votes


def _with_orphans(titles: dict[str, str], *counters: Counter) -> list[tuple[str, str, bool]]:
    """(slug, title, deleted) for every known slug in order, then slugs only the records know, by slug."""
    orphans = sorted({slug for counter in counters for slug in counter if slug and slug not in titles})
    return [(slug, title, False) for slug, title in titles.items()] + [(slug, slug, True) for slug in orphans]


def _fix_step_rows(titles, hand_off_steps, shown, outcomes) -> tuple[FixStepRow, ...]:
    outcome = StepOutcome.Outcome
    fixed, not_fixed, couldnt = outcomes[outcome.FIXED], outcomes[outcome.NOT_FIXED], outcomes[outcome.COULDNT]
    rows = []
    for slug, title, deleted in _with_orphans(titles, shown, fixed, not_fixed, couldnt):
        answered = fixed[slug] + not_fixed[slug] + couldnt[slug]
        if slug in hand_off_steps and not (shown[slug] or answered):
            continue  # the hand-off has no buttons: it is counted among the visits instead
        couldnt_rate = Rate.of(couldnt[slug], answered)
        rows.append(
            FixStepRow(
                slug=slug,
                title=title,
                deleted=deleted,
                shown=shown[slug],
                fixed=fixed[slug],
                not_fixed=not_fixed[slug],
                couldnt=couldnt[slug],
                answered=answered,
                fixed_rate=Rate.of(fixed[slug], answered),
                couldnt_rate=couldnt_rate,
                often_cant=couldnt_rate.value is not None and couldnt_rate.value > OFTEN_CANT_SHARE,
            )
        )
    # Stable sort: equally shown steps keep their order (by title, deleted ones last by slug).
    return tuple(sorted(rows, key=lambda row: -row.shown))


def _fixed_by_cause_rows(titles, fixed, explained) -> tuple[FixedByCauseRow, ...]:
    total = fixed.total() + explained.total()
    return tuple(
        FixedByCauseRow(
            slug, title, deleted, fixed[slug], explained[slug], Rate.of(fixed[slug] + explained[slug], total)
        )
        for slug, title, deleted in _with_orphans(titles, fixed, explained)
    )


def _explanation_rows(titles, explanation_causes, shown, outcomes) -> tuple[ExplanationRow, ...]:
    """Explanation causes in order, then other causes (known first) that explanation records name."""
    outcome = StepOutcome.Outcome
    explained, not_it = outcomes[outcome.EXPLAINED], outcomes[outcome.NOT_IT]
    recorded = {slug for counter in (shown, explained, not_it) for slug, n in counter.items() if n}
    listed = {slug: title for slug, title in titles.items() if slug in explanation_causes or slug in recorded}
    return tuple(
        ExplanationRow(
            slug=slug,
            title=title,
            deleted=deleted,
            shown=shown[slug],
            explained=explained[slug],
            not_it=not_it[slug],
            answered=explained[slug] + not_it[slug],
            explained_rate=Rate.of(explained[slug], explained[slug] + not_it[slug]),
        )
        for slug, title, deleted in _with_orphans(listed, shown, explained, not_it)
    )


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


def _page_rows(guide_title, cause_titles, votes) -> tuple[PageVotes, ...]:
    """The article first (slug ""), then the cause pages as `_with_orphans` lists them."""
    yes: Counter[str] = Counter()
    no: Counter[str] = Counter()
    for (slug, helpful, _), total in votes.items():
        (yes if helpful else no)[slug] += total
    choices = [*PageVote.Reason.choices, ("", "No reason given")]
    rows = []
    for slug, title, deleted in [("", guide_title, False), *_with_orphans(cause_titles, yes, no)]:
        reasons = tuple(
            ReasonCount(value, label, count, Rate.of(count, no[slug], width=REASON_BAR_WIDTH))
            for value, label in choices
            for count in [votes[slug, False, value]]
        )
        total = yes[slug] + no[slug]
        rows.append(PageVotes(slug, title, deleted, yes[slug], no[slug], total, Rate.of(yes[slug], total), reasons))
    return tuple(rows)
