"""Record what visitors report about the fix steps they tried: the figures behind the feedback report."""

from django.db import transaction

from guides import engine
from guides.models import Resolution, StepOutcome
from guides.questionnaire import Snapshot, state_query


def record_outcome(snapshot: Snapshot, decision: engine.Decision, outcome: str) -> None:
    """Store one step's outcome; when it fixed the problem, also the visit's resolution and the causes' ranking."""
    step = decision.step.key
    with transaction.atomic():
        StepOutcome.objects.create(guide_id=snapshot.guide_pk, step_slug=step, outcome=outcome)
        if outcome != StepOutcome.Outcome.FIXED:
            return
        evidence = decision.evidence
        tried = [slug for key, slug in evidence if key in (engine.FAILED, engine.COULDNT)]
        top = snapshot.causes[decision.ranking[0].cause]
        ranking = ",".join(
            f"{r.cause}:{round(r.probability * 100)}" for r in decision.ranking if r.probability >= 0.005
        )
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
