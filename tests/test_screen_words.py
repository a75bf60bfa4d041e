"""The troubleshooter's words stay honest: long shots are called long shots, only causes the visitor's
own answers raised are named, the likely reason after a fix is the one that step fixes, the progress
line says a range when the plan may branch, and the summary for support says only what happened."""

import pytest

from guides import engine
from guides.diagnose import screens

SIGN = engine.Strength.SIGN


def ranked(cause, probability, *reasons):
    return engine.Ranked(cause, probability, tuple(reasons))


def decision(kind=engine.STEP, *, step=None, chance=0.5, ranking=(), evidence=(), span=(1, 1), cause=None):
    plan = engine.Plan((), (), 10.0, 2.0)
    return engine.Decision(kind, None, step, chance, 10.0, None, 2.0, plan, tuple(ranking), tuple(evidence),
                           cause=cause, span=span)  # fmt: skip


def model_step(snapshot, key):
    return next(step for step in snapshot.model.steps if step.key == key)


@pytest.mark.parametrize("chance", [0.02, 0.05, 0.099])
def test_why_this_step_never_calls_a_long_shot_likely(snapshot, chance):
    words = screens.why_words(snapshot, decision(step=model_step(snapshot, "restart-router"), chance=chance))

    assert "long shot" in words
    assert "likely" not in words.replace("likelier", "")


def test_why_this_step_calls_a_real_chance_the_quickest_way_to_a_likely_fix(snapshot):
    words = screens.why_words(snapshot, decision(step=model_step(snapshot, "switch-network"), chance=0.4))

    assert "about 40 in 100" in words and "long shot" not in words


def test_a_ban_with_no_notice_is_never_named_even_when_it_is_likely(snapshot):
    ban = ranked("temporary-bans", 0.45)  # likely after other fixes failed, but nothing they said points to it
    glitch = ranked(
        "app-glitches", 0.3, engine.Reason(question="who-affected", answer="x", strength=engine.Strength.MORE)
    )
    screen = screens.screen(snapshot, decision(ranking=[ban, glitch], step=model_step(snapshot, "clear-cache")), "")

    assert snapshot.causes["temporary-bans"].title not in screen.so_far
    assert screen.so_far == f"From what you told us, it could be “{snapshot.causes['app-glitches'].title}”."
    assert [row.title for row in screen.could_be] == [snapshot.causes["app-glitches"].title]


def test_a_ban_the_visitor_saw_a_notice_of_is_named(snapshot):
    notice = engine.Reason(seen="temporarily-banned-notice", strength=SIGN)
    screen = screens.screen(snapshot, decision(engine.HAND_OFF, ranking=[ranked("temporary-bans", 0.7, notice)]), "")

    assert screen.so_far == f"From what you told us, it's most likely “{snapshot.causes['temporary-bans'].title}”."


def test_a_cause_below_15_percent_is_not_named_even_when_raised(snapshot):
    raised = engine.Reason(seen="stuck-on-sending", strength=SIGN)
    screen = screens.screen(
        snapshot, decision(engine.HAND_OFF, ranking=[ranked("network-connectivity", 0.14, raised)]), ""
    )

    assert screen.so_far == "" and screen.could_be == () and screen.most_likely is None


def test_the_tapped_symptom_is_listed_as_making_its_causes_more_likely(snapshot):
    reason = engine.Reason(seen="stuck-on-sending", strength=SIGN)

    assert screens.reason_words(snapshot, reason) == (
        f"You see “{snapshot.symptoms['stuck-on-sending'].title}”: more likely."
    )


def test_after_a_fix_the_likely_reason_is_the_cause_that_step_fixes_most_often_given_the_answers(snapshot):
    # The glitch is likelier, but turning off a VPN does nothing for a glitch: the connection was the reason.
    ranking = [ranked("app-glitches", 0.6), ranked("network-connectivity", 0.3), ranked("spam-detection", 0.1)]

    assert screens.likely_reason(snapshot, ranking, "turn-off-vpn-or-proxy") == "network-connectivity"
    assert screens.likely_reason(snapshot, ranking, "force-stop-app") == "app-glitches"


@pytest.mark.parametrize(
    ("span", "words"),
    [
        ((1, 1), ""),
        ((2, 2), "about 1 more screen"),
        ((3, 5), "about 3 more screens"),
        ((4, 5), "about 4 more screens"),
        ((2, 7), "1 to 6 more screens"),
        ((1, 6), "up to 5 more screens"),
    ],
)
def test_the_progress_line_says_one_number_when_the_range_is_narrow_and_the_range_when_wide(span, words):
    assert screens.progress_words(span) == words


def test_the_progress_line_comes_from_the_decisions_span(snapshot):
    screen = screens.screen(snapshot, decision(step=model_step(snapshot, "clear-cache"), span=(3, 8)), "")

    assert screen.progress == "2 to 7 more screens"


def test_the_support_summary_says_what_was_tried_how_it_went_and_what_was_not_it(snapshot):
    evidence = [
        (engine.FAILED, "clear-cache"),
        (engine.COULDNT, "restart-router"),
        (engine.NOT_IT, "temporary-bans"),
    ]
    summary = screens.support_summary(snapshot, evidence, "iphone")

    assert f"- {snapshot.steps['clear-cache'].title}: didn't fix it" in summary
    assert f"- {snapshot.steps['restart-router'].title}: couldn't do it" in summary
    assert f"{snapshot.steps['restart-router'].title}: didn't fix it" not in summary
    assert f"- Not it: {snapshot.causes['temporary-bans'].title}" in summary
    assert "Phone: iPhone" in summary


def test_the_support_summary_lists_no_step_that_was_never_tried(snapshot):
    summary = screens.support_summary(snapshot, [("error-notice", "unsure")], "")

    assert "What I tried: nothing yet" in summary
    assert not any(step.title in summary for step in snapshot.steps.values())


def test_an_explanation_screen_says_how_sure_we_are_and_why(snapshot):
    reason = engine.Reason(seen="temporarily-banned-notice", strength=SIGN)
    ranking = [ranked("temporary-bans", 0.8, reason)]
    screen = screens.screen(snapshot, decision(engine.EXPLAIN, cause="temporary-bans", ranking=ranking), "")

    assert screen.explained.percent == 80
    assert screen.explained.reasons == (
        f"You see “{snapshot.symptoms['temporarily-banned-notice'].title}”: more likely.",
    )


def test_an_explanation_nothing_pointed_to_is_not_said_to_fit_what_the_visitor_told_us(snapshot):
    plain = decision(engine.EXPLAIN, cause="temporary-bans", ranking=[ranked("temporary-bans", 0.1)])
    notice = engine.Reason(seen="temporarily-banned-notice", strength=SIGN)
    raised = decision(engine.EXPLAIN, cause="temporary-bans", ranking=[ranked("temporary-bans", 0.8, notice)])

    assert screens.why_words(snapshot, plain).startswith("Nothing you told us rules this out")
    assert screens.why_words(snapshot, raised).startswith("What you told us fits this")
