"""The troubleshooter's honest endings, walked through its own forms without JavaScript.

An explanation ("this is why, and it isn't on your side") ends a visit with "Yes, that explains
it", stored like a fix; "No, that's not it" moves on for good. When only long shots are left,
one screen lists them with "This one worked" beside each, and the hand-off. Generated from the
bundled guide in the database, so a new explanation cause is covered; each loop asserts it found
its cases first.
"""

import html
import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from guides import engine
from guides.diagnose import screens
from guides.models import Resolution, StepOutcome
from tests.screens import ANDROID, answer_form, offered

URL = reverse("guides:diagnose", args=["tiktok-messages"])
FEEDBACK = reverse("guides:diagnose_feedback", args=["tiktok-messages"])
HTMX = {"HX-Request": "true"}
# The promise: a visitor whose cause is an explanation reads it within this many screens.
EXPLAINED_WITHIN = 5


def panel(response) -> str:
    page = html.unescape(response.content.decode())
    return page[page.index('<div id="panel"') :]


def kind_of(page: str) -> str:
    return re.search(r'data-screen="([^"]+)"', page).group(1)


def explanation_causes(snapshot) -> list[str]:
    causes = [cause.key for cause in snapshot.model.causes if cause.explains]
    assert causes, "the bundled guide has explanation causes"
    return causes


def walk_to(phone, snapshot, until, answer=lambda question: engine.UNSURE, limit=12):
    """Follow the site's forms as a visitor who answers with ``answer``, fails every step and rejects every
    explanation, until ``until(decision)``: the screens' kinds on the way, the evidence and the decision then.

    What the walk's own answers stored is cleared at the end: a test sees only the answers it sends.
    """
    evidence, kinds = [], []
    for _ in range(limit):
        decision = offered(snapshot, evidence)
        page = panel(phone.get(f"{URL}?{urlencode(evidence)}"))
        kinds.append(kind_of(page))
        if until(decision) or decision.kind in (engine.LONG_SHOTS, engine.HAND_OFF):
            StepOutcome.objects.all().delete()
            return kinds, evidence, decision
        if decision.kind == engine.QUESTION:
            evidence.append((decision.question.key, answer(decision.question)))
            continue
        form = answer_form(phone, URL, evidence)
        outcome = "not_it" if decision.kind == engine.EXPLAIN else "not_fixed"
        response = phone.post(FEEDBACK, {**form, "outcome": outcome})
        assert response.status_code == 302 and response["Location"].endswith("#screen")
        key = engine.NOT_IT if decision.kind == engine.EXPLAIN else engine.FAILED
        evidence.append((key, decision.cause if decision.kind == engine.EXPLAIN else decision.step.key))
    raise AssertionError(f"No end after {limit} screens: {kinds}")


def explains(cause):
    return lambda decision: decision.kind == engine.EXPLAIN and decision.cause == cause


def test_a_truthful_visitor_reads_their_explanation_within_five_screens_and_yes_ends_the_visit(phone, snapshot):
    late = {}
    for cause in explanation_causes(snapshot):
        Resolution.objects.all().delete()
        kinds, evidence, decision = walk_to(
            phone, snapshot, explains(cause), lambda q, c=cause: engine.answer_for(q, c)
        )
        if not explains(cause)(decision) or len(kinds) > EXPLAINED_WITHIN:
            late[cause] = kinds
            continue
        response = phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "explained"})
        assert response["Location"].endswith(f"explained={cause}#screen")
        page = panel(phone.get(response["Location"]))
        assert kind_of(page) == "explained" and snapshot.causes[cause].title in page
        resolution = Resolution.objects.get()
        assert (resolution.kind, resolution.cause_slug, resolution.fixed, resolution.step_slug) == (
            "explained", cause, True, "",
        )  # fmt: skip
        assert StepOutcome.objects.filter(outcome="explained", step_slug=cause).exists()

    assert late == {}


def test_no_that_s_not_it_moves_on_and_that_explanation_never_comes_back(phone, snapshot):
    _, evidence, decision = walk_to(phone, snapshot, lambda d: d.kind == engine.EXPLAIN)
    assert decision.kind == engine.EXPLAIN
    cause = decision.cause
    response = phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "not_it"})

    assert response.status_code == 302
    assert f"not_it={cause}" in response["Location"]
    assert StepOutcome.objects.get().outcome == "not_it" and StepOutcome.objects.get().step_slug == cause
    assert not Resolution.objects.exists()
    rest = [*evidence, (engine.NOT_IT, cause)]
    shown = [d for _, d in engine.visit(snapshot.model, lambda q: engine.UNSURE, evidence=rest)]
    assert shown and not any(d.kind == engine.EXPLAIN and d.cause == cause for d in shown)
    assert f'name="explain" value="{cause}"' not in panel(phone.get(response["Location"]))


def test_an_explanation_screen_says_what_is_happening_how_sure_we_are_and_asks_if_it_matches(phone, snapshot):
    _, evidence, decision = walk_to(phone, snapshot, lambda d: d.kind == engine.EXPLAIN)
    cause = snapshot.causes[decision.cause]
    response = phone.get(f"{URL}?{urlencode(evidence)}")
    page = panel(response)

    assert f'<h1 id="screen" tabindex="-1">{cause.title}</h1>' in page
    assert html.unescape(cause.what_is_happening_html) in page
    assert re.search(r"How sure we are: about \d+%", page)
    assert "Does this match what you see?" in page
    heading, yes = page.index('id="screen"'), page.index("Yes, that explains it")
    assert heading < yes < page.index("No, that's not it") < page.index('<details class="why">')
    assert html.unescape(response.content.decode()).count(f"<title>{cause.title} · ") == 1
    assert response["Cache-Control"].startswith("private") or "no-store" in response["Cache-Control"]


def test_an_explanation_answer_needs_the_token_made_for_that_explanation(phone, snapshot):
    _, evidence, decision = walk_to(phone, snapshot, lambda d: d.kind == engine.EXPLAIN)
    form = answer_form(phone, URL, evidence)
    other = next(c for c in explanation_causes(snapshot) if c != decision.cause)

    assert phone.post(FEEDBACK, {**form, "explain": other, "outcome": "explained"}).status_code == 400
    assert phone.post(FEEDBACK, {**form, "outcome": "fixed"}).status_code == 400  # a step's answer
    assert phone.post(FEEDBACK, {**form, "token": "forged", "outcome": "explained"}).status_code == 400
    assert not StepOutcome.objects.exists() and not Resolution.objects.exists()


def test_over_the_answer_limit_an_explanation_answer_still_leads_on_and_stores_nothing(phone, snapshot):
    _, evidence, decision = walk_to(phone, snapshot, lambda d: d.kind == engine.EXPLAIN)
    for _ in range(60):
        phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "not_it"})
    StepOutcome.objects.all().delete()

    response = phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "explained"})

    assert response.status_code == 302 and f"explained={decision.cause}" in response["Location"]
    assert not StepOutcome.objects.exists() and not Resolution.objects.exists()


def test_the_explained_screen_over_htmx_is_the_panel_with_what_to_do_next(phone, snapshot):
    _, evidence, decision = walk_to(phone, snapshot, lambda d: d.kind == engine.EXPLAIN)
    form = answer_form(phone, URL, evidence, headers=HTMX)
    response = phone.post(FEEDBACK, {**form, "outcome": "explained"}, headers=HTMX)
    page = response.content.decode()

    assert response.status_code == 200 and "<html" not in page
    assert 'data-screen="explained"' in page and "<title>That explains it · " in page
    assert f"explained={decision.cause}" in response["HX-Push-Url"]
    cause = snapshot.causes[decision.cause]
    if cause.what_you_can_do_html:
        assert "What you can do" in page


def test_the_explained_screen_is_the_same_for_everyone_no_cookie_no_token(snapshot):
    cause = explanation_causes(snapshot)[0]
    response = Client(headers={"User-Agent": ANDROID}).get(f"{URL}?explained={cause}")

    assert response.status_code == 200 and 'data-screen="explained"' in response.content.decode()
    assert not response.cookies and 'name="token"' not in response.content.decode()


def test_only_an_explanation_cause_has_an_explained_screen(phone, snapshot):
    plain = next(cause.key for cause in snapshot.model.causes if not cause.explains)

    assert phone.get(f"{URL}?explained={plain}").status_code == 302  # dropped, like any unknown parameter


def long_shots_state(phone, snapshot):
    _, evidence, decision = walk_to(phone, snapshot, lambda d: d.kind == engine.LONG_SHOTS)
    assert decision.kind == engine.LONG_SHOTS and decision.long_shots
    return evidence, decision


def test_the_long_shots_screen_lists_them_each_with_this_one_worked_and_the_hand_off(phone, snapshot):
    evidence, decision = long_shots_state(phone, snapshot)
    page = panel(phone.get(f"{URL}?{urlencode(evidence)}"))

    assert '<h1 id="screen" tabindex="-1">We\'ve run out of likely fixes</h1>' in page
    assert len(decision.long_shots) <= 6
    for step, _ in decision.long_shots:
        assert f'name="step" value="{step.key}"' in page
        assert snapshot.steps[step.key].title in page
    assert page.count("This one worked") == len(decision.long_shots)
    assert "If none of these works" in page and 'id="support-summary"' in page
    summary = re.search(r'<textarea id="support-summary"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    for key, value in evidence:
        if key == engine.NOT_IT:
            assert f"- Not it: {snapshot.causes[value].title}" in summary
        if key == engine.FAILED:
            assert f"- {snapshot.steps[value].title}: didn't fix it" in summary


def test_this_one_worked_stores_the_long_shot_as_the_fix(phone, snapshot):
    evidence, decision = long_shots_state(phone, snapshot)
    step = decision.long_shots[-1][0].key
    form = answer_form(phone, URL, evidence)
    response = phone.post(FEEDBACK, {**form, "step": step})

    assert response.status_code == 302 and response["Location"].endswith(f"fixed={step}#screen")
    outcome = StepOutcome.objects.get()
    assert (outcome.outcome, outcome.step_slug) == ("fixed", step)
    assert outcome.long_shot  # learning leaves it out: the list never said which were tried first
    resolution = Resolution.objects.get()
    assert (resolution.kind, resolution.step_slug) == ("fixed", step)
    assert resolution.cause_slug == screens.likely_reason(snapshot, decision.ranking, step)
    assert "Great, it works again" in panel(phone.get(response["Location"]))


def test_this_one_worked_is_refused_for_a_step_the_screen_did_not_list(phone, snapshot):
    evidence, decision = long_shots_state(phone, snapshot)
    listed = {step.key for step, _ in decision.long_shots}
    other = next(slug for slug in snapshot.steps if slug not in listed)

    assert phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "step": other}).status_code == 400
    assert not StepOutcome.objects.exists()


def a_step_whose_fix_is_not_the_likeliest_cause(snapshot):
    """A state where the offered step fixes a cause other than the likeliest best: (evidence, step, cause), or None."""
    starts = [(), *(((engine.SEEN, o.key),) for o in snapshot.model.observations)]
    visitors = [lambda q: engine.UNSURE, *(lambda q, c=c.key: engine.answer_for(q, c) for c in snapshot.model.causes)]
    for start in starts:
        for answer in visitors:
            for evidence, decision in engine.visit(snapshot.model, answer, evidence=start):
                if decision.kind != engine.STEP:
                    continue
                reason = screens.likely_reason(snapshot, decision.ranking, decision.step.key)
                if reason != decision.ranking[0].cause:
                    return list(evidence), decision.step.key, reason
    return None


def test_after_yes_it_works_now_the_likely_reason_is_the_cause_that_step_fixes(phone, snapshot):
    case = a_step_whose_fix_is_not_the_likeliest_cause(snapshot)
    assert case, "some step is offered while a cause it does not fix is likelier"
    evidence, _, reason = case
    response = phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "fixed"})
    page = panel(phone.get(response["Location"]))

    assert Resolution.objects.get().cause_slug == reason
    assert f"the likely reason is “{snapshot.causes[reason].title}”" in page


@pytest.mark.parametrize("kind", ["explain", "long_shots"])
def test_each_ending_s_page_title_names_it_and_its_links_open_at_the_heading(phone, snapshot, kind):
    _, evidence, decision = walk_to(phone, snapshot, lambda d: d.kind == kind)
    assert decision.kind == kind
    response = phone.get(f"{URL}?{urlencode(evidence)}")
    title = re.search(r"<title>(.*?)</title>", response.content.decode()).group(1)
    page = panel(response)

    expected = snapshot.causes[decision.cause].title if kind == "explain" else "We've run out of likely fixes"
    assert html.unescape(title).startswith(f"{expected} · ")
    links = re.findall(r'<a [^>]*href="(\?[^"]*)"', page)
    assert links and all(link.endswith("#screen") for link in links)
