"""Give the engine a guide as plain data, and read a visitor's state from the address.

The snapshot holds everything a troubleshooter screen shows (the guide's title and support
text, question texts, fix steps rendered to HTML, cause titles), so a screen reads nothing
from the database. It is built once per content version and guide in each process, and
rebuilt when staff save anything.
"""

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from django.core.cache import caches
from django.db import DatabaseError
from django.db.models import Prefetch
from django.urls import reverse

from guides import content_cache, engine
from guides.diagnose.address import VIEW_PARAMETERS
from guides.engine.learning import applied
from guides.learned_numbers import stored_learning
from guides.minutes import in_words
from guides.models import (
    Answer,
    AnswerEffect,
    Cause,
    CauseFix,
    Guide,
    Numbers,
    Question,
    StepKind,
    Symptom,
)  # fmt: skip

# An address with more pairs than this is not one we made: a visit is a few dozen screens at most.
MAX_PARAMETERS = 80
PLATFORMS = ("android", "iphone")
# A content save replaces the shared snapshot sooner (a new version); this only bounds an idle one.
SNAPSHOT_CACHE_SECONDS = 24 * 60 * 60
# Part of the shared snapshot's cache key: bump it when Snapshot or a class it holds gains or loses a field
# or is renamed, so a release never reads a snapshot pickled by the one before (it would not unpickle).
SNAPSHOT_FORMAT = 4


@dataclass(frozen=True)
class StepOnScreen:
    slug: str
    title: str
    kind: str
    minutes: int
    duration: str  # "about 5 minutes"
    where: str
    instructions_html: str
    android_html: str
    iphone_html: str
    url: str  # the step on the page of the cause it fixes best
    risky: bool = False  # can lose data or a sign-in (reinstall, log out)

    @property
    def is_wait(self) -> bool:
        return self.kind == StepKind.WAIT


@dataclass(frozen=True)
class CauseOnScreen:
    pk: int
    slug: str
    title: str
    summary: str
    url: str
    facets: dict[str, str]
    # An explanation cause: nothing on the visitor's side fixes it; its screen shows these texts.
    explains: bool = False
    what_is_happening_html: str = ""
    what_you_can_do_html: str = ""
    where_to_get_help_html: str = ""  # the hand-off's words when this is the likely cause ("" for the guide's)


@dataclass(frozen=True)
class QuestionOnScreen:
    slug: str
    text: str
    help_text: str
    answers: tuple[tuple[str, str], ...]  # (slug, text)


@dataclass(frozen=True)
class SymptomOnScreen:
    slug: str
    title: str  # what the visitor sees, in their words: "A notice says you are sending messages too fast"


@dataclass(frozen=True)
class Snapshot:
    """One guide's troubleshooter, as plain data."""

    guide_pk: int
    slug: str
    title: str
    published: bool
    support_html: str
    max_questions: int
    url: str
    troubleshooter_url: str
    model: engine.Model
    causes: dict[str, CauseOnScreen]
    steps: dict[str, StepOnScreen]
    questions: dict[str, QuestionOnScreen]
    symptoms: dict[str, SymptomOnScreen]  # those the troubleshooter takes as evidence (``seen=<slug>``)

    def answer_text(self, question: str, answer: str) -> str:
        return dict(self.questions[question].answers).get(answer, "I'm not sure")


# This process's snapshots, by (content version, guide slug); older versions are dropped.
_snapshots: dict[tuple[str, str], Snapshot | None] = {}


def snapshot_for(slug: str) -> Snapshot | None:
    """The snapshot of the guide with this slug (published or not), or None when there is none."""
    key = (content_cache.current_version(), slug)
    if key not in _snapshots:
        for stale in [k for k in _snapshots if k[0] != key[0]]:
            del _snapshots[stale]
        _snapshots[key] = _shared_snapshot(*key)
    return _snapshots[key]


def _shared_snapshot(version: str, slug: str) -> Snapshot | None:
    """Read the snapshot another process built from the shared cache, else build it and share it.

    Workers are replaced all the time (gunicorn's max_requests, a crash): a worker started while the
    database is down still shows the troubleshooter, from the copy in the cache (when that cache is Redis).
    It is kept in the "state" cache: a flood of page copies cannot push it out.
    """
    shared = version != content_cache.UNREACHABLE
    cache_key = f"guides:snapshot:{SNAPSHOT_FORMAT}:{slug}:{version}"
    state = caches["state"]
    try:
        cached = state.get(cache_key) if shared else None
    except DatabaseError:  # the state is in the database, which is down: so is the guide
        cached = None
    if isinstance(cached, Snapshot):
        return cached
    guide = Guide.objects.filter(slug=slug).first()
    snapshot = None if guide is None else build_snapshot(guide)
    if shared and snapshot is not None:
        state.set(cache_key, snapshot, timeout=SNAPSHOT_CACHE_SECONDS)
    return snapshot


def build_snapshot(guide: Guide) -> Snapshot:
    causes, steps, questions, symptoms = _content(guide)
    model = _engine_model(guide, causes, steps, questions, symptoms)
    if guide.numbers == Numbers.LEARNED:
        model = _with_learned_numbers(guide, model)
    return Snapshot(
        guide_pk=guide.pk,
        slug=guide.slug,
        title=guide.title,
        published=guide.published,
        support_html=guide.support_html,
        max_questions=guide.max_questions,
        url=guide.get_absolute_url(),
        troubleshooter_url=reverse("guides:diagnose", args=[guide.slug]),
        model=model,
        causes={c.slug: _cause_on_screen(c) for c in causes},
        steps={s.slug: _step_on_screen(s, causes, guide) for s in steps},
        questions={
            q.slug: QuestionOnScreen(q.slug, q.text, q.help_text, tuple((a.slug, a.text) for a in q.answers.all()))
            for q in questions
        },
        symptoms={s.slug: SymptomOnScreen(s.slug, s.title) for s, _ in symptoms},
    )


def staff_model(guide: Guide) -> engine.Model:
    """The guide as the engine sees it with staff's numbers, whatever the guide plans with: learning starts there."""
    return _engine_model(guide, *_content(guide))


def _with_learned_numbers(guide: Guide, model: engine.Model) -> engine.Model:
    """The model with the guide's learned numbers applied, each within `learned_max_words` of staff's word.

    One query, in the snapshot's build: the troubleshooter's screens read the result with the rest of
    the snapshot and never touch the learned numbers themselves.
    """
    learned = stored_learning(guide.pk, model)
    if not (learned.priors or learned.efficacies):
        return model
    return applied(model, learned, max_words=guide.learned_max_words)


def _content(guide: Guide):
    """The guide's causes, fix steps, questions and symptoms, each fetched with what the snapshot reads of it."""
    causes = list(
        guide.causes.prefetch_related(
            "facets", Prefetch("cause_fixes", queryset=CauseFix.objects.select_related("fix_step"))
        )
    )
    steps = list(guide.fix_steps.order_by("pk"))
    questions = list(
        Question.objects.filter(guide=guide)
        .select_related("asked_after__question")
        .prefetch_related(
            Prefetch("not_after_answers", queryset=Answer.objects.select_related("question")),
            "not_after_steps",
            "answers__skips",
            Prefetch("answers__effects", queryset=AnswerEffect.objects.select_related("cause", "facet")),
        )
    )
    # Content being edited can be half-finished: a question without answers yet, or an effect
    # pointing across guides. Leave those out rather than break the troubleshooter. A question
    # slugged like the symptoms' parameter could never be answered: leave it out too (checks say so).
    questions = [q for q in questions if q.answers.all() and q.slug != engine.SEEN]
    return causes, steps, questions, _symptoms(guide, causes)


def _engine_model(guide: Guide, causes: list[Cause], steps, questions, symptoms) -> engine.Model:
    """The guide as the engine sees it: plain data, links into other guides left out."""
    settles = _settled_answers(guide, questions)
    return engine.Model(
        causes=tuple(
            engine.Cause(
                key=c.slug,
                weight=float(c.commonness),
                facets=tuple(f.slug for f in c.facets.all()),
                explains=c.explains,
            )
            for c in causes
        ),
        questions=tuple(_engine_question(q) for q in questions),
        steps=_engine_steps(causes, steps),
        # Each symptom "strongly points to" each of its causes: that is all staff say about it.
        observations=tuple(
            engine.Observation(
                s.slug,
                s.title,
                tuple(engine.Effect(c, engine.Strength.SIGN) for c in linked),
                settles=settles.get(s.pk, ()),
            )
            for s, linked in symptoms
        ),
        floor=1 / guide.long_shot_odds,
        max_screens=guide.max_screens,
    )


def _symptoms(guide: Guide, causes: list[Cause]) -> list[tuple[Symptom, list[str]]]:
    """The guide's symptoms that point to at least one of its causes, in order, with those causes' slugs.

    A link into another guide is left out, and a symptom with no cause is no evidence of anything.
    """
    slugs = {cause.pk: cause.slug for cause in causes}
    links = (
        Symptom.causes.through.objects.filter(symptom__guide=guide)
        .select_related("symptom")
        .order_by("symptom__order", "symptom_id", "cause_id")
    )
    found: dict[int, tuple[Symptom, list[str]]] = {}
    for link in links:
        if link.cause_id in slugs:
            found.setdefault(link.symptom_id, (link.symptom, []))[1].append(slugs[link.cause_id])
    return list(found.values())


def _settled_answers(guide: Guide, questions: list[Question]) -> dict[int, tuple[tuple[str, str], ...]]:
    """The (question, answer) pairs each symptom settles, by symptom pk, in the guide's question order.

    Only answers to the questions the troubleshooter asks count (an answer of another guide never
    does), and one answer per question: a symptom cannot answer a question two ways (checks say so).
    """
    answers = {
        answer.pk: (position, question.slug, answer.slug)
        for position, question in enumerate(questions)
        for answer in question.answers.all()
    }
    found: dict[int, dict[str, tuple[int, str]]] = {}
    links = Symptom.settles.through.objects.filter(symptom__guide=guide).order_by("symptom_id", "answer_id")
    for symptom_id, answer_id in links.values_list("symptom_id", "answer_id"):
        if answer_id in answers:
            position, question, answer = answers[answer_id]
            found.setdefault(symptom_id, {}).setdefault(question, (position, answer))
    return {
        symptom_id: tuple((question, answer) for question, (_, answer) in sorted(pairs.items(), key=lambda p: p[1]))
        for symptom_id, pairs in found.items()
    }


def _engine_steps(causes: list[Cause], steps) -> tuple[engine.Step, ...]:
    fixes: dict[int, dict[str, float]] = {}
    for cause in causes:
        for link in cause.cause_fixes.all():
            if link.fix_step.guide_id == cause.guide_id:
                fixes.setdefault(link.fix_step_id, {})[cause.slug] = engine.EFFICACY[engine.Efficacy(link.efficacy)]
    hand_off_seen = False
    result = []
    for step in steps:
        kind = step.kind
        if kind == StepKind.HAND_OFF:
            kind = StepKind.DO_NOW if hand_off_seen else kind  # a second hand-off is a content error; checks say so
            hand_off_seen = True
        result.append(
            engine.Step(step.slug, float(max(step.minutes, 1)), fixes.get(step.pk, {}), kind, risky=step.risky)
        )
    return tuple(result)


def _engine_question(question: Question) -> engine.Question:
    after = question.asked_after
    guide_steps = {s.slug for s in question.not_after_steps.all() if s.guide_id == question.guide_id}
    return engine.Question(
        key=question.slug,
        text=question.text,
        requires=(after.question.slug, after.slug) if after and after.question.guide_id == question.guide_id else None,
        cost=engine.EFFORT_MINUTES[engine.Effort(question.effort)],
        moot_after=tuple(
            (a.question.slug, a.slug)
            for a in question.not_after_answers.all()
            if a.question.guide_id == question.guide_id
        )
        + tuple(sorted(guide_steps)),
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
                skips=tuple(s.slug for s in answer.skips.all() if s.guide_id == question.guide_id),
            )
            for answer in question.answers.all()
        ),
    )


def _cause_on_screen(cause: Cause) -> CauseOnScreen:
    return CauseOnScreen(
        pk=cause.pk,
        slug=cause.slug,
        title=cause.title,
        summary=cause.summary,
        url=cause.get_absolute_url(),  # cause.guide is known: no query
        facets={f.slug: f.title for f in cause.facets.all()},
        explains=cause.explains,
        what_is_happening_html=cause.what_is_happening_html,
        what_you_can_do_html=cause.what_you_can_do_html,
        where_to_get_help_html=cause.where_to_get_help_html,
    )


def _step_on_screen(step, causes: list[Cause], guide: Guide) -> StepOnScreen:
    # The step's home is the page of the cause it fixes best.
    links = [(link.efficacy, c) for c in causes for link in c.cause_fixes.all() if link.fix_step_id == step.pk]
    home = max(links, key=lambda item: engine.EFFICACY[engine.Efficacy(item[0])])[1] if links else None
    return StepOnScreen(
        slug=step.slug,
        title=step.title,
        kind=step.kind,
        minutes=step.minutes,
        duration=in_words(step.minutes),
        where=step.where,
        instructions_html=step.instructions_html,
        android_html=step.android_html,
        iphone_html=step.iphone_html,
        url=f"{home.get_absolute_url()}#fix-{step.slug}" if home else guide.get_absolute_url(),
        risky=step.risky,
    )


def evidence_from_query(query_string: str) -> list[tuple[str, str]]:
    """The visitor's answers, tried steps and symptoms seen, in the address's order; the engine drops unusable ones."""
    pairs = []
    for key, value in parse_qsl(query_string, max_num_fields=None):
        if key in VIEW_PARAMETERS:
            continue
        pairs.append((key, value))
        if len(pairs) >= MAX_PARAMETERS:
            break
    return pairs


def state_query(evidence, **extra) -> str:
    """The query string that reproduces a troubleshooter state (``extra`` with a false value is left out)."""
    return urlencode([*evidence, *((k, v) for k, v in extra.items() if v)])
