"""A step the visitor's own answers ruled out is never offered: not on a screen of its own, not as a long shot.

Each row of the table is something a visitor told us (answers, or a symptom they tapped on the
article) and the steps that make no sense after it. The rest of the visit is walked with
``engine.visit``: the visitor answers every later question truthfully for the cause the row
names ("I'm not sure" when it names none), no step works for them, and they say "No, that's
not it" to every explanation, so the walk goes as far as the troubleshooter can take anyone.
The rows include every case the issue found in real walks ("Send it again without the link"
to someone with no Message button, an appeal to someone who saw no notice, ...).

A second, generated test covers every answer of the bundled guide that skips steps.
"""

import pytest

from guides import engine

SEEN = engine.SEEN
NETWORK_STEPS = {"check-network", "switch-network", "restart-router", "turn-off-vpn-or-proxy", "check-dns-settings"}
WHAT_YOU_WRITE = {"send-without-link", "slow-down-messaging"}
APP_STEPS = {"force-stop-app", "restart-device", "clear-cache", "update-app", "reinstall-app", "log-out-and-back-in"}

# (what the visitor told us, the cause they have or None for "I'm not sure" to the rest, steps never offered)
RULED_OUT = {
    "no Message button": (
        [("error-notice", "no-message-box")],
        None,
        WHAT_YOU_WRITE | NETWORK_STEPS,
    ),
    "no Message button, someone who was blocked": (
        [("error-notice", "no-message-box")],
        "blocked-by-them",
        WHAT_YOU_WRITE | NETWORK_STEPS,
    ),
    "no Message button, tapped on the article": (
        [(SEEN, "no-message-button")],
        None,
        WHAT_YOU_WRITE | NETWORK_STEPS,
    ),
    'a plain "hi" fails too': (
        [("plain-hi", "hi-fails")],
        None,
        {"send-without-link"},
    ),
    'a plain "hi" fails too, a spam-filter visitor': (
        [("plain-hi", "hi-fails")],
        "spam-detection",
        {"send-without-link"},
    ),
    "no notice: nothing to appeal, and too young to message would show no Message button": (
        [("error-notice", "no-notice")],
        None,
        {"appeal-a-violation", "check-family-pairing"},
    ),
    "no notice, someone whose connection is the cause": (
        [("error-notice", "no-notice")],
        "network-connectivity",
        {"appeal-a-violation", "check-family-pairing"},
    ),
    "a red mark, tapped on the article (no notice)": (
        [(SEEN, "red-exclamation-mark")],
        None,
        {"appeal-a-violation", "check-family-pairing"},
    ),
    "a connection notice: not a ban notice, and the age never comes up": (
        [("error-notice", "no-connection")],
        "tiktok-down",
        {"appeal-a-violation", "check-family-pairing"},
    ),
    "looks sent on their side": (
        [("error-notice", "looks-sent")],
        None,
        {"appeal-a-violation", "check-family-pairing"},
    ),
    "18 or older": (
        [("age", "adult")],
        None,
        {"check-family-pairing"},
    ),
    "under 16: nothing switches messages on": (
        [("age", "under-16")],
        "age-and-family-pairing",
        {"check-family-pairing"},
    ),
    "only one or two people: the connection works": (
        [("who-affected", "one-person")],
        None,
        NETWORK_STEPS | {"check-family-pairing"},
    ),
    "friends get messages: the connection works": (
        [("who-affected", "non-followers")],
        "privacy-settings",
        NETWORK_STEPS,
    ),
    'a plain "hi" gets through: not the settings, the age or a ban': (
        [("plain-hi", "hi-works")],
        None,
        {"check-family-pairing", "check-privacy-settings"},
    ),
    "no VPN and no school or work Wi-Fi": (
        [("vpn-or-network", "no-vpn")],
        "network-connectivity",
        {"turn-off-vpn-or-proxy"},
    ),
    "the app is up to date": (
        [("app-update", "up-to-date")],
        None,
        {"update-app"},
    ),
    "a too-fast notice: about how you send, not the link or their settings": (
        [("error-notice", "yes-notice"), ("which-notice", "too-fast")],
        None,
        {"send-without-link", "check-privacy-settings"} | NETWORK_STEPS | APP_STEPS,
    ),
    "a too-fast notice, tapped on the article": (
        [(SEEN, "sending-messages-too-fast")],
        "spam-detection",
        {"send-without-link", "check-privacy-settings"} | NETWORK_STEPS | APP_STEPS,
    ),
    "a ban notice": (
        [("error-notice", "yes-notice"), ("which-notice", "suspended")],
        None,
        {"check-privacy-settings", "send-without-link", "slow-down-messaging"} | NETWORK_STEPS | APP_STEPS,
    ),
    "nothing listed in Account status": (
        [("error-notice", "yes-notice"), ("account-status", "good-standing")],
        None,
        {"appeal-a-violation", "review-account-status"},
    ),
}


def offered(snapshot, evidence, cause):
    """Every step offered in the rest of the visit: on a screen of its own or in a long-shots list."""
    answer = (lambda question: engine.answer_for(question, cause)) if cause else (lambda question: engine.UNSURE)
    steps = []
    for _, decision in engine.visit(snapshot.model, answer, evidence=evidence, max_questions=snapshot.max_questions):
        if decision.kind == engine.STEP:
            steps.append(decision.step.key)
        elif decision.kind == engine.LONG_SHOTS:
            steps.extend(step.key for step, _ in decision.long_shots)
    return steps


def test_the_table_covers_every_case_the_issue_found(snapshot):
    steps = {step.key for step in snapshot.model.steps}

    assert len(RULED_OUT) >= 12
    for why, (evidence, cause, never) in RULED_OUT.items():
        # Each row is real: the troubleshooter keeps what it says, and names real steps and causes.
        assert engine.clean_evidence(snapshot.model, evidence) == tuple(evidence), why
        assert never <= steps, why
        assert cause is None or cause in {c.key for c in snapshot.model.causes}, why


@pytest.mark.parametrize("why", RULED_OUT)
def test_a_step_the_answers_ruled_out_is_never_offered(snapshot, why):
    evidence, cause, never = RULED_OUT[why]

    steps = offered(snapshot, evidence, cause)

    assert steps, f"{why}: the visit offered no step at all, so nothing was checked"
    assert [step for step in steps if step in never] == []


def answers_that_skip(model):
    """(evidence that gives the answer, the steps it skips) for every answer that skips steps."""
    for question in model.questions:
        for answer in question.answers:
            if answer.skips:
                before = [question.requires] if question.requires else []
                yield [*before, (question.key, answer.key)], set(answer.skips)


def test_every_answer_that_skips_steps_keeps_them_off_the_rest_of_the_visit(snapshot):
    cases = list(answers_that_skip(snapshot.model))
    assert len(cases) >= 8, "too few answers that skip steps: did the guide lose them?"
    failures = {}
    for evidence, skipped in cases:
        assert engine.clean_evidence(snapshot.model, evidence) == tuple(evidence), evidence
        shown = [step for step in offered(snapshot, evidence, None) if step in skipped]
        if shown:
            failures[str(evidence)] = shown

    assert failures == {}
