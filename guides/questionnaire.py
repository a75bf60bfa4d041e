"""Give the engine a guide's questionnaire as plain data, and read a visitor's answers from the address.

The snapshot holds everything a questionnaire page shows (question help, cause
titles, fix steps), so after the first visit a step reads only the guide (and
writes one anonymous page-view row).
It is rebuilt when the content version changes, i.e. whenever staff save.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Prefetch

from guides import content_cache, engine
from guides.models import RESERVED_QUESTION_SLUGS, AnswerEffect, Cause, CauseFix, Guide, Question

MAX_PARAMETERS = 60


@dataclass(frozen=True)
class FixInfo:
    slug: str
    title: str
    minutes: int
    where: str
    instructions_html: str
    android_html: str
    iphone_html: str
    reviewed_on: object


@dataclass(frozen=True)
class CauseInfo:
    pk: int
    slug: str
    title: str
    summary: str
    url: str
    fixes: tuple[FixInfo, ...]
    facets: dict[str, str]


@dataclass(frozen=True)
class Snapshot:
    questionnaire: engine.Questionnaire
    causes: dict[str, CauseInfo]
    questions: dict[str, engine.Question]
    help_texts: dict[str, str]
    answer_texts: dict[tuple[str, str], str]

    def answer_text(self, question: str, answer: str) -> str:
        return self.answer_texts.get((question, answer), "I'm not sure")


# This process's snapshots, by (content version, guide); older versions are dropped.
_snapshots: dict[tuple[str, int], Snapshot] = {}


def snapshot_for(guide: Guide) -> Snapshot:
    key = (content_cache.current_version(), guide.pk)
    snapshot = _snapshots.get(key)
    if snapshot is None:
        for stale in [k for k in _snapshots if k[0] != key[0]]:
            del _snapshots[stale]
        snapshot = _snapshots[key] = build_snapshot(guide)
    return snapshot


def build_snapshot(guide: Guide) -> Snapshot:
    causes = list(
        guide.causes.prefetch_related(
            "facets", Prefetch("cause_fixes", queryset=CauseFix.objects.select_related("fix_step"))
        )
    )
    questions = list(
        Question.objects.filter(guide=guide)
        .select_related("asked_after__question")
        .prefetch_related(
            "answers",
            Prefetch("answers__effects", queryset=AnswerEffect.objects.select_related("cause", "facet")),
        )
    )
    # Content being edited can be half-finished: a question without answers yet, or an effect
    # pointing across guides. Leave those out rather than break the questionnaire.
    engine_questions = tuple(_engine_question(q) for q in questions if q.answers.all())
    questionnaire = engine.Questionnaire(
        causes=tuple(
            engine.Cause(key=c.slug, weight=float(c.commonness), facets=tuple(f.slug for f in c.facets.all()))
            for c in causes
        ),
        questions=engine_questions,
        threshold=guide.confidence_threshold / 100,
        max_questions=guide.max_questions,
    )
    return Snapshot(
        questionnaire=questionnaire,
        causes={c.slug: _cause_info(guide, c) for c in causes},
        questions={q.key: q for q in engine_questions},
        help_texts={q.slug: q.help_text for q in questions},
        answer_texts={(q.key, a.key): a.text for q in engine_questions for a in q.answers},
    )


def _engine_question(question: Question) -> engine.Question:
    after = question.asked_after
    return engine.Question(
        key=question.slug,
        text=question.text,
        requires=(after.question.slug, after.slug) if after else None,
        answers=tuple(
            engine.Answer(
                key=answer.slug,
                text=answer.text,
                effects=tuple(
                    engine.Effect(
                        cause=effect.cause.slug,
                        strength=engine.Strength(effect.strength),
                        facet=effect.facet.slug if effect.facet_id else None,
                    )
                    for effect in answer.effects.all()
                    if effect.cause.guide_id == question.guide_id
                    and (effect.facet is None or effect.facet.cause_id == effect.cause_id)
                ),
            )
            for answer in question.answers.all()
        ),
    )


def _cause_info(guide: Guide, cause: Cause) -> CauseInfo:
    return CauseInfo(
        pk=cause.pk,
        slug=cause.slug,
        title=cause.title,
        summary=cause.summary,
        url=cause.get_absolute_url(),  # cause.guide is known: no query
        fixes=tuple(
            FixInfo(
                slug=cf.fix_step.slug,
                title=cf.fix_step.title,
                minutes=cf.fix_step.minutes,
                where=cf.fix_step.where,
                instructions_html=cf.fix_step.instructions_html,
                android_html=cf.fix_step.android_html,
                iphone_html=cf.fix_step.iphone_html,
                reviewed_on=cf.fix_step.reviewed_on,
            )
            for cf in cause.cause_fixes.all()
        ),
        facets={f.slug: f.title for f in cause.facets.all()},
    )


def answers_from_query(query) -> list[tuple[str, str]]:
    """Return the (question, answer) pairs of a query string, in order; the engine drops unusable ones."""
    pairs = []
    for key, values in query.lists():
        if key in RESERVED_QUESTION_SLUGS:
            continue
        pairs.extend((key, value) for value in values)
        if len(pairs) >= MAX_PARAMETERS:
            break
    return pairs[:MAX_PARAMETERS]


def state_query(answers, *, tried=(), **extra) -> str:
    """Return the query string that reproduces a questionnaire state."""
    items = list(answers) + [("tried", slug) for slug in tried]
    items += [(k, v) for k, v in extra.items() if v]
    return urlencode(items)


@dataclass(frozen=True)
class Plan:
    """What the result page offers: the cause to work on now and its fix steps, best first."""

    cause: CauseInfo | None
    ranked: engine.Ranked | None
    fixes: tuple[FixInfo, ...]
    tried: tuple[str, ...]


def plan(snapshot: Snapshot, ranking, tried) -> Plan:
    """Pick the most likely cause not yet tried, and order its new fix steps quickest-and-likeliest first.

    A step's value is the total probability of the causes it addresses, per minute it
    takes: restarting the app (two minutes, helps with several causes) comes before
    waiting a day for a limit to lift. Steps shown for causes already tried are left out.
    """
    tried = tuple(slug for slug in dict.fromkeys(tried) if slug in snapshot.causes)
    probability = {r.cause: r.probability for r in ranking}
    current = next((r for r in ranking if r.cause not in tried), None)
    if current is None:
        return Plan(None, None, (), tried)
    shown = {fix.slug for slug in tried for fix in snapshot.causes[slug].fixes}
    addresses: dict[str, float] = {}
    for cause in snapshot.causes.values():
        for fix in cause.fixes:
            addresses[fix.slug] = addresses.get(fix.slug, 0.0) + probability.get(cause.slug, 0.0)
    cause = snapshot.causes[current.cause]
    fresh = [(position, fix) for position, fix in enumerate(cause.fixes) if fix.slug not in shown]
    fresh.sort(key=lambda item: (-addresses[item[1].slug] / max(item[1].minutes, 1), item[0]))
    return Plan(cause, current, tuple(fix for _, fix in fresh), tried)
