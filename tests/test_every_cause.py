"""Every cause of every guide in the database gets its cure offered before the hand-off.

The visitor is the engine's truthful one (``engine.truthful_walk``): they have the cause,
answer each question with the answer that points to it most, and a step works for them when
it is the cause's own cure ("often" or better). Generated from the database, so the test
grows with the guides staff add; a guide that breaks it fails here before visitors notice.
"""

import pytest

from guides import engine
from guides.diagnose.snapshot import build_snapshot
from guides.models import Guide


def causes_with_a_cure():
    guides = Guide.objects.order_by("slug")
    for guide in guides:
        snapshot = build_snapshot(guide)
        for cause in snapshot.model.causes:
            if any(step.fixes.get(cause.key, 0.0) >= engine.CURE for step in snapshot.model.steps):
                yield guide.slug, cause.key


@pytest.fixture
def every_cause(db):
    return list(causes_with_a_cure())


def test_the_bundled_guide_gives_every_one_of_its_causes_a_cure(every_cause):
    assert {cause for slug, cause in every_cause if slug == "tiktok-messages"} >= {
        "network-connectivity", "app-glitches", "software-updates", "privacy-settings", "spam-detection",
        "account-restrictions", "community-guidelines", "temporary-bans", "age-and-family-pairing",
    }  # fmt: skip


def test_a_truthful_visitor_with_any_cause_is_fixed_before_the_hand_off(every_cause):
    failures = {}
    for slug, cause in every_cause:
        snapshot = build_snapshot(Guide.objects.get(slug=slug))
        walk = engine.truthful_walk(snapshot.model, cause, max_questions=snapshot.max_questions)
        if walk[-1][0] != "fixed":
            failures[slug, cause] = walk

    assert failures == {}
