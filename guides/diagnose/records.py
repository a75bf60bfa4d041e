"""Record what visitors see and report in the troubleshooter: the figures behind the feedback report.

Page views only add one to a daily counter per screen, so what is stored grows with the guide's
content and the days kept, not with traffic, and says nothing about who looked. They are written a
few seconds after the view (`page_views`); answers are written before the visitor is answered.

An answer counts only if it comes from a fix-step screen we showed. Each such screen's form
carries a signed answer token over (guide, state, step, time) with a random id inside; the id is
stored with the answer, once, so a retried POST is recognised instead of counted twice.
"""

import hashlib

from django.db import IntegrityError, transaction

from guides import engine
from guides.diagnose import page_views
from guides.diagnose.snapshot import Snapshot, state_query
from guides.feedback import shown_forms
from guides.models import QuestionnaireCount, Resolution, StepOutcome

# Keeps these signatures apart from any other the site makes with the same secret key.
TOKEN_SALT = "guides.feedback.answer-token"
# How long an answer form stays good after it was shown, plus the waiting time of a wait step.
TOKEN_MAX_AGE_SECONDS = 24 * 60 * 60


def answer_token(slug: str, state: str, step: str) -> str:
    """A token for the answer form of this fix-step screen: guide, state and step."""
    return shown_forms.make(TOKEN_SALT, slug, _digest(state), step)


def read_answer_token(token: str, *, slug: str, state: str, step: str, max_age: int) -> str:
    """The token's id, if we made it for this guide, state and step no more than `max_age` seconds ago."""
    return shown_forms.read(token, salt=TOKEN_SALT, shown=[slug, _digest(state), step], max_age=max_age)


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def record_outcome(snapshot: Snapshot, decision: engine.Decision, outcome: str, *, token: str) -> bool:
    """Store one step's outcome; when it fixed the problem, also the visit's resolution and the causes' ranking.

    Returns False, storing nothing, when an answer with this token id is already stored (a retry).
    """
    try:
        with transaction.atomic():
            _store(snapshot, decision, outcome, token)
    except IntegrityError:
        if StepOutcome.objects.filter(token=token).exists():
            return False
        raise
    return True


def _store(snapshot: Snapshot, decision: engine.Decision, outcome: str, token: str) -> None:
    step = decision.step.key
    StepOutcome.objects.create(guide_id=snapshot.guide_pk, step_slug=step, outcome=outcome, token=token)
    if outcome != StepOutcome.Outcome.FIXED:
        return
    evidence = decision.evidence
    tried = [slug for key, slug in evidence if key in (engine.FAILED, engine.COULDNT)]
    top = snapshot.causes[decision.ranking[0].cause]
    ranking = ",".join(f"{r.cause}:{round(r.probability * 100)}" for r in decision.ranking if r.probability >= 0.005)
    Resolution.objects.create(
        guide_id=snapshot.guide_pk,
        answers=state_query(evidence)[:2000],
        cause_id=top.pk,
        cause_slug=top.slug,
        fixed=True,
        fix_steps=",".join([*tried, step])[:1000],
        step_slug=step,
        ranking=ranking[:1000],
    )


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
        elif last[0] not in (engine.FAILED, engine.COULDNT, engine.SEEN):
            rows.append((counted.ANSWER, *last))
    shown = {engine.QUESTION: counted.QUESTION, engine.STEP: counted.STEP, engine.HAND_OFF: counted.HAND_OFF}
    rows.append((shown[kind], slug, ""))
    page_views.add(snapshot.guide_pk, rows)
