"""Every cause of every guide in the database gets its cure or its explanation, within a few screens.

The visitor is the engine's truthful one (``engine.truthful_walk``): they have the cause,
answer each question with the answer that points to it most, a step works for them when it
is the cause's own cure ("often" or better), and they say "Yes, that explains it" to their own
cause's explanation and "No, that's not it" to any other. Generated from the database, so the
tests grow with the guides staff add; a guide that breaks them fails here before visitors notice.

Screens are counted as the visitor sees them: a walk that ends "fixed" or "explained" ends on
the step or explanation screen that did it, so it may be at most ``max_screens`` long. The
honest long-shots screen comes after at most ``max_screens`` others, and only for a cause the
guide has neither a cure nor an explanation for.
"""

import pytest

from guides import engine
from guides.diagnose.snapshot import build_snapshot
from guides.models import Guide

SEED_SLUG = "tiktok-messages"
EXPLANATION_CAUSES = {
    "privacy-settings", "age-and-family-pairing", "community-guidelines", "temporary-bans", "blocked-by-them",
    "tiktok-down",
}  # fmt: skip
# The promise: an explanation, and the outage's in particular, comes within this many screens.
EXPLAINED_WITHIN = 5


def has_cure(model, cause: str) -> bool:
    return any(step.fixes.get(cause, 0.0) >= engine.CURE for step in model.steps)


def snapshots():
    return [build_snapshot(guide) for guide in Guide.objects.order_by("slug")]


def visitors(snapshot):
    """(cause, symptoms tapped) for every cause of the guide and every symptom-cause pair."""
    for cause in snapshot.model.causes:
        yield cause.key, ()
    for observation in snapshot.model.observations:
        for effect in observation.effects:
            yield effect.cause, (observation.key,)


def walk(snapshot, cause: str, seen=()):
    return engine.truthful_walk(snapshot.model, cause, seen=seen, max_questions=snapshot.max_questions)


@pytest.fixture
def every_cause(db):
    return [(s.slug, c.key) for s in snapshots() for c in s.model.causes if has_cure(s.model, c.key) or c.explains]


def test_every_cause_of_the_bundled_guide_has_a_cure_or_an_explanation(snapshot):
    causes = {c.key: c for c in snapshot.model.causes}

    assert {key for key, cause in causes.items() if cause.explains} == EXPLANATION_CAUSES
    assert [key for key, cause in causes.items() if not (cause.explains or has_cure(snapshot.model, key))] == []
    cured = {key for key in causes if has_cure(snapshot.model, key)}
    assert {"network-connectivity", "app-glitches", "software-updates", "spam-detection", "account-restrictions",
            "phone-storage-full", "vpn-or-proxy"} <= cured  # fmt: skip


def test_a_truthful_visitor_with_any_cause_is_fixed_or_told_why_before_the_hand_off(every_cause):
    assert {cause for slug, cause in every_cause if slug == SEED_SLUG} >= EXPLANATION_CAUSES
    failures = {}
    for slug, cause in every_cause:
        screens = walk(build_snapshot(Guide.objects.get(slug=slug)), cause)
        if screens[-1][0] not in ("fixed", "explained"):
            failures[slug, cause] = screens

    assert failures == {}


def test_a_truthful_visitor_sees_at_most_the_guide_s_screens_before_a_fix_an_explanation_or_the_long_shots(db):
    failures, checked = {}, 0
    for snapshot in snapshots():
        model = snapshot.model
        explains = {c.key for c in model.causes if c.explains}
        for cause, seen in visitors(snapshot):
            checked += 1
            screens = walk(snapshot, cause, seen)
            end = screens[-1][0]
            if end in ("fixed", "explained"):
                ok = len(screens) <= model.max_screens
            else:  # the long-shots screen is honest only when the guide has no cure and no explanation for it
                ok = end == "long_shots" and len(screens) - 1 <= model.max_screens
                ok = ok and not has_cure(model, cause) and cause not in explains
            if not ok:
                failures[snapshot.slug, cause, seen] = screens

    assert checked > 40, f"only {checked} visitors walked: is the bundled guide loaded?"
    assert failures == {}


def test_every_explanation_cause_s_truthful_visitor_is_told_why_within_five_screens(db):
    found, failures = [], {}
    for snapshot in snapshots():
        for cause in snapshot.model.causes:
            if cause.explains:
                found.append((snapshot.slug, cause.key))
                screens = walk(snapshot, cause.key)
                if screens[-1] != ("explained", cause.key) or len(screens) > EXPLAINED_WITHIN:
                    failures[snapshot.slug, cause.key] = screens

    assert {cause for slug, cause in found if slug == SEED_SLUG} == EXPLANATION_CAUSES
    assert failures == {}


def test_the_outage_visitor_is_told_within_five_screens_and_never_offered_a_risky_step_before(snapshot):
    risky = {step.key for step in snapshot.model.steps if step.risky}
    assert risky >= {"reinstall-app", "log-out-and-back-in"}

    screens = walk(snapshot, "tiktok-down")

    assert screens[-1] == ("explained", "tiktok-down")
    assert len(screens) <= EXPLAINED_WITHIN
    assert [key for kind, key in screens if kind == "step" and key in risky] == []


def test_an_outage_visitor_who_tapped_a_symptom_is_never_offered_a_risky_step_before_the_outage(snapshot):
    model = snapshot.model
    risky = {step.key for step in model.steps if step.risky}
    symptoms = [o.key for o in model.observations if any(e.cause == "tiktok-down" for e in o.effects)]
    assert len(symptoms) >= 2, "no symptom points to TikTok being down: nothing was checked"
    failures = {}
    for symptom in symptoms:
        screens = walk(snapshot, "tiktok-down", (symptom,))
        if screens[-1] != ("explained", "tiktok-down") or any(k == "step" and key in risky for k, key in screens):
            failures[symptom] = screens

    assert failures == {}
