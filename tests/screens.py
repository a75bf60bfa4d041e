"""The troubleshooter's screens as a visitor's phone walks them: the state that reaches a fix step, and its form."""

import html
import re
from urllib.parse import urlencode

from guides import engine

ANDROID = "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36"


def first_step_state(snapshot) -> list[tuple[str, str]]:
    """Evidence after which the troubleshooter offers a fix step: answer "unsure" until it stops asking."""
    evidence: list[tuple[str, str]] = []
    while (decision := engine.next_step(snapshot.model, evidence)).kind == engine.QUESTION:
        evidence.append((decision.question.key, engine.UNSURE))
    assert decision.kind == engine.STEP
    return evidence


def nothing_left_state(snapshot, evidence=()) -> list[tuple[str, str]]:
    """Evidence after which only the hand-off is left: "unsure" to every question, every step and long shot failed.

    A visit that finds nothing ends on the long-shots screen; the hand-off alone comes once the
    steps listed there failed too.
    """
    *_, (evidence, decision) = engine.visit(
        snapshot.model, lambda q: engine.UNSURE, evidence=evidence, max_questions=snapshot.max_questions
    )
    evidence = list(evidence)
    while decision.kind == engine.LONG_SHOTS:
        evidence += [(engine.FAILED, step.key) for step, _ in decision.long_shots]
        decision = offered(snapshot, evidence)
    assert (decision.kind, decision.nothing_left) == (engine.HAND_OFF, True)
    return evidence


def without_tokens(html_text: str) -> str:
    """A fix step's form carries fresh tokens on every showing; the rest of the screen must match."""
    return re.sub(r'name="(csrfmiddlewaretoken|token)" value="[^"]*"', r'name="\1"', html_text)


def offered(snapshot, evidence) -> engine.Decision:
    return engine.next_step(snapshot.model, evidence, max_questions=snapshot.max_questions)


def answer_form(client, url, evidence, **kwargs) -> dict[str, str]:
    """The hidden fields of the answer form on the step screen of `evidence`, as a browser would send them."""
    page = client.get(f"{url}?{urlencode(evidence)}", **kwargs).content.decode()
    form = re.search(r'<form method="post".*?</form>', page, re.S).group(0)
    return {
        name: html.unescape(value) for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }
