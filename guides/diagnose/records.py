"""Record what visitors see and report in the troubleshooter: the figures behind the feedback report.

Page views only add one to a daily counter per screen, so what is stored grows with the guide's
content and the days kept, not with traffic, and says nothing about who looked. They are written a
few seconds after the view (`page_views`); answers are written before the visitor is answered.

An answer counts only if it comes from an answer form we showed: a fix step's, an explanation's or
the long-shots screen's. Each such form carries a signed answer token over (guide, state, form, time)
with a random id inside; the id is stored with the answer, once, so a retried POST is recognised
instead of counted twice. The form is the step's slug, ``explain:<cause>`` for an explanation, and
"" for the long-shots screen (whose buttons each name one of the steps it lists).
"""

import hashlib

from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from guides import engine
from guides.diagnose import page_views
from guides.diagnose.screens import likely_reason
from guides.diagnose.snapshot import Snapshot, state_query
from guides.feedback import shown_forms
from guides.models import QuestionnaireCount, Resolution, StepOutcome

# Keeps these signatures apart from any other the site makes with the same secret key.
TOKEN_SALT = "guides.feedback.answer-token"
# How long an answer form stays good after it was shown, plus the waiting time of a wait step.
TOKEN_MAX_AGE_SECONDS = 24 * 60 * 60
# What an explanation's answer token is signed for, before the cause's slug.
EXPLAIN_FORM = "explain:"
# Keeps the learning source apart from the rate limit's keys: the same address gives unrelated hashes.
SOURCE_SALT = "learning-source"


def learning_source(address: str) -> str:
    """A short keyed hash of the visitor's address, stored with each answer; never the address itself.

    Learning caps how much any one source adds to a number (guides.engine.learning), so a handful of
    addresses answering at the allowed rate cannot move the troubleshooter. Without the secret key it
    cannot be turned back into the address; "" when the address is unknown.
    """
    return salted_hmac(SOURCE_SALT, address, algorithm="sha256").hexdigest()[:16] if address else ""


def answer_token(slug: str, state: str, step: str) -> str:
    """A token for an answer form of this screen: guide, state and form (``step``, see the module docstring)."""
    return shown_forms.make(TOKEN_SALT, slug, _digest(state), step)


def read_answer_token(token: str, *, slug: str, state: str, step: str, max_age: int) -> str:
    """The token's id, if we made it for this guide, state and form no more than `max_age` seconds ago."""
    return shown_forms.read(token, salt=TOKEN_SALT, shown=[slug, _digest(state), step], max_age=max_age)


def answer_form(decision: engine.Decision) -> str | None:
    """What the answer form of the screen for this decision is signed for; None when the screen has none."""
    if decision.kind == engine.STEP:
        return decision.step.key
    if decision.kind == engine.EXPLAIN:
        return EXPLAIN_FORM + decision.cause
    if decision.kind == engine.LONG_SHOTS:
        return ""
    return None


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def record_outcome(
    snapshot: Snapshot, decision: engine.Decision, outcome: str, *, chosen: str, token: str, source: str = ""
) -> bool:
    """Store one answer; when it ends the visit (fixed, or explained), also its resolution and the ranking.

    ``chosen`` is the step the answer is about, or the cause for an explanation's answer. The answer
    keeps the state before this screen (what learning attributes it by) and ``source`` (`learning_source`).
    Returns False, storing nothing, when an answer with this token id is already stored (a retry).
    """
    try:
        with transaction.atomic():
            _store(snapshot, decision, outcome, chosen, token, source)
    except IntegrityError:
        if StepOutcome.objects.filter(token=token).exists():
            return False
        raise
    return True


def _store(snapshot: Snapshot, decision: engine.Decision, outcome: str, chosen: str, token: str, source: str) -> None:
    StepOutcome.objects.create(
        guide_id=snapshot.guide_pk,
        step_slug=chosen,
        outcome=outcome,
        token=token,
        state=whole_pairs(state_query(decision.evidence), 2000),
        source=source,
        long_shot=decision.kind == engine.LONG_SHOTS,
    )
    if outcome not in (StepOutcome.Outcome.FIXED, StepOutcome.Outcome.EXPLAINED):
        return
    evidence = decision.evidence
    tried = [slug for key, slug in evidence if key in (engine.FAILED, engine.COULDNT)]
    explained = outcome == StepOutcome.Outcome.EXPLAINED
    cause = snapshot.causes[chosen if explained else likely_reason(snapshot, decision.ranking, chosen)]
    ranking = ",".join(f"{r.cause}:{round(r.probability * 100)}" for r in decision.ranking if r.probability >= 0.005)
    Resolution.objects.create(
        guide_id=snapshot.guide_pk,
        answers=state_query(evidence)[:2000],
        cause_id=cause.pk,
        cause_slug=cause.slug,
        fixed=True,
        kind=Resolution.Kind.EXPLAINED if explained else Resolution.Kind.FIXED,
        fix_steps=",".join(tried if explained else [*tried, chosen])[:1000],
        step_slug="" if explained else chosen,
        ranking=ranking[:1000],
    )


def whole_pairs(query: str, limit: int) -> str:
    """The query cut to `limit` characters at a pair's end: a pair cut in half would be a different answer."""
    if len(query) <= limit:
        return query
    return query[: max(query.rfind("&", 0, limit + 1), 0)]


def record_visit(snapshot: Snapshot, evidence, kind: str, slug: str, *, started: bool) -> None:
    """Count what this screen shows, for the feedback report: daily counters, nothing personal.

    The count is kept in memory and written a few seconds later (`page_views`): a screen never waits for it.

    ``started`` is false when the visitor came back to change an answer: that is not a new answer.
    """
    counted = QuestionnaireCount.Kind
    rows = []
    if started:
        last = evidence[-1] if evidence else None
        if all(key == engine.SEEN for key, _ in evidence):  # nothing yet, or only a symptom tapped on the guide
            rows.append((counted.START, "", ""))
        elif last[0] not in (engine.FAILED, engine.COULDNT, engine.SEEN, engine.NOT_IT):
            rows.append((counted.ANSWER, *last))
    shown = {
        engine.QUESTION: counted.QUESTION,
        engine.STEP: counted.STEP,
        engine.EXPLAIN: counted.EXPLAIN,
        engine.LONG_SHOTS: counted.LONG_SHOTS,
        engine.HAND_OFF: counted.HAND_OFF,
    }
    rows.append((shown[kind], slug, ""))
    page_views.add(snapshot.guide_pk, rows)
