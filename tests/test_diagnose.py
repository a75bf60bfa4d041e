"""The troubleshooter's screens: plain GET forms and POSTs first, htmx partials second, bad input never a 500."""

import html
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guides import engine
from guides.diagnose import page_views
from guides.models import QuestionnaireCount, Resolution, StepOutcome
from tests.screens import ANDROID, answer_form, first_step_state, nothing_left_state, offered, without_tokens

URL = reverse("guides:diagnose", args=["tiktok-messages"])
FEEDBACK = reverse("guides:diagnose_feedback", args=["tiktok-messages"])
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def panel(response) -> str:
    """The troubleshooter's panel, with HTML entities turned back into the characters people see."""
    page = html.unescape(response.content.decode())
    return page[page.index('<div id="panel"') :]


def test_first_screen_is_a_plain_get_form_with_i_am_not_sure(phone, snapshot):
    page = panel(phone.get(URL))
    question = offered(snapshot, []).question

    assert 'id="panel"' in page
    assert re.search(r'<form method="get" action="' + re.escape(URL), page)
    assert question.text in page
    for answer in question.answers:
        assert f'name="{question.key}" value="{answer.key}"' in page
    assert f'name="{question.key}" value="unsure"' in page
    assert "Next</button>" in page


def test_htmx_request_gets_the_panel_only_with_its_own_title(phone, snapshot):
    response = phone.get(URL, headers={"HX-Request": "true"})
    page = response.content.decode()

    assert "<html" not in page and "<header" not in page
    assert re.match(r"\s*<title>[^<]+ · Troubleshooter</title>\s*<div id=\"panel\"", page)
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_full_page(phone, seed_guide):
    response = phone.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    assert "<html" in response.content.decode()


def test_a_fix_step_screen_offers_one_step_with_three_buttons_in_a_post_form(phone, snapshot):
    evidence = first_step_state(snapshot)
    step = snapshot.steps[offered(snapshot, evidence).step.key]
    page = panel(phone.get(f"{URL}?{urlencode(evidence)}"))

    assert f'<h2 id="panel-heading" tabindex="-1">{step.title}</h2>' in page
    assert f'<form method="post" action="{FEEDBACK}"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert f'name="step" value="{step.slug}"' in page
    for label in ("Yes, it works now", "No, still not working", "I couldn't do this"):
        assert label in page
    assert page.count('name="outcome"') == 3
    assert "Why this step?" in page


def test_yes_records_the_step_and_the_ranking_and_thanks_the_visitor(phone, snapshot):
    evidence = first_step_state(snapshot)
    step = offered(snapshot, evidence).step.key
    response = phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "fixed"})

    assert response.status_code == 302
    resolution = Resolution.objects.get()
    assert resolution.fixed and resolution.step_slug == step
    assert resolution.ranking.startswith(f"{resolution.cause_slug}:")
    assert StepOutcome.objects.get().outcome == "fixed"
    page = panel(phone.get(response["Location"]))
    assert "Great, it works again" in page
    assert snapshot.steps[step].title in page


def test_no_moves_on_to_another_step_and_never_offers_the_same_one_again(phone, snapshot):
    evidence = first_step_state(snapshot)
    step = offered(snapshot, evidence).step.key
    response = phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "not_fixed"})

    assert response.status_code == 302
    assert f"failed={step}" in response["Location"]
    assert StepOutcome.objects.get().outcome == "not_fixed"
    assert not Resolution.objects.exists()
    page = panel(phone.get(response["Location"]))
    assert f'name="step" value="{step}"' not in page


def test_i_could_not_do_this_skips_the_step_without_counting_it_as_failed(phone, snapshot):
    evidence = first_step_state(snapshot)
    step = offered(snapshot, evidence).step.key
    response = phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "couldnt"})

    assert f"couldnt={step}" in response["Location"]
    assert StepOutcome.objects.get().outcome == "couldnt"
    before = engine.rank(snapshot.model, evidence)
    after = engine.rank(snapshot.model, [*evidence, (engine.COULDNT, step)])
    assert [(r.cause, round(r.probability, 9)) for r in before] == [(r.cause, round(r.probability, 9)) for r in after]


def test_an_outcome_for_a_step_the_screen_did_not_offer_is_refused_and_not_saved(phone, snapshot):
    evidence = first_step_state(snapshot)
    shown = offered(snapshot, evidence).step.key
    other = next(slug for slug in snapshot.steps if slug != shown)
    response = phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "step": other, "outcome": "fixed"})

    assert response.status_code == 400
    assert "could not read your answer" in response.content.decode()
    assert not StepOutcome.objects.exists() and not Resolution.objects.exists()


def test_a_question_screen_cannot_be_answered_with_yes_it_works(phone, snapshot):
    response = phone.post(FEEDBACK, {"state": "", "step": "update-app", "outcome": "fixed"})

    assert response.status_code == 400
    assert not Resolution.objects.exists()


def test_feedback_over_htmx_returns_the_next_panel_and_pushes_its_address(phone, snapshot):
    evidence = first_step_state(snapshot)
    step = offered(snapshot, evidence).step.key
    data = {**answer_form(phone, URL, evidence, headers={"HX-Request": "true"}), "outcome": "not_fixed"}
    response = phone.post(FEEDBACK, data, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert f"failed={step}" in response["HX-Push-Url"]


def test_back_link_drops_the_last_answer(phone, snapshot):
    first = offered(snapshot, []).question
    evidence = [(first.key, first.answers[0].key)]
    page = panel(phone.get(f"{URL}?{urlencode(evidence)}"))

    assert 'href="?platform=android">Back</a>' in page  # the phone guessed from the browser is kept


def test_changing_an_earlier_answer_asks_it_again_in_place(phone, snapshot):
    first = offered(snapshot, []).question
    evidence = [(first.key, first.answers[0].key)]
    second = offered(snapshot, evidence)
    if second.kind == engine.QUESTION:
        evidence.append((second.question.key, engine.UNSURE))
    page = panel(phone.get(f"{URL}?{urlencode(evidence)}&ask={first.key}"))

    assert f'name="{first.key}" value="{first.answers[0].key}" required checked' in page
    for key, value in evidence[1:]:
        assert f'<input type="hidden" name="{key}" value="{value}">' in page


def test_garbage_unknown_and_repeated_parameters_are_dropped_from_the_address(phone, snapshot):
    first = offered(snapshot, []).question
    clean = phone.get(f"{URL}?{first.key}=unsure")
    noisy = phone.get(f"{URL}?{first.key}=unsure&{first.key}=nonsense&nope=1&failed=no-such-step&couldnt=")

    assert noisy.status_code == 302
    assert noisy["Location"] == f"{URL}?{first.key}=unsure"
    # The screen after it may be a step, whose form carries fresh tokens on every showing.
    assert without_tokens(panel(phone.get(noisy["Location"]))) == without_tokens(panel(clean))


def test_a_huge_query_string_gets_a_clear_400(phone, seed_guide):
    response = phone.get(URL + "?" + "x=1&" * 2000)

    assert response.status_code == 400
    assert "too long" in response.content.decode()


def test_your_phone_steps_come_first_and_the_other_phone_is_folded(snapshot):
    evidence = first_step_state(snapshot)
    # Walk on until a step with separate Android and iPhone instructions comes up.
    while True:
        step = snapshot.steps[offered(snapshot, evidence).step.key]
        if step.android_html and step.iphone_html:
            break
        evidence.append((engine.FAILED, step.slug))
    iphone = panel(Client(headers={"User-Agent": IPHONE}).get(f"{URL}?{urlencode(evidence)}"))
    android = panel(Client(headers={"User-Agent": ANDROID}).get(f"{URL}?{urlencode(evidence)}"))
    chosen = panel(Client(headers={"User-Agent": IPHONE}).get(f"{URL}?{urlencode(evidence)}&platform=android"))
    unknown = panel(Client().get(f"{URL}?{urlencode(evidence)}"))

    assert iphone.index("On iPhone") < iphone.index("<summary>Steps for Android</summary>")
    assert "Show Android steps first" in iphone
    assert android.index("On Android") < android.index("<summary>Steps for iPhone</summary>")
    assert "<summary>Steps for iPhone</summary>" in chosen  # the address wins over the guess
    assert "On Android" in unknown and "On iPhone" in unknown and "<summary>Steps for" not in unknown
    # The choice stays in the address of the next screen.
    assert 'name="platform" value="android"' in chosen


def test_a_wait_step_says_when_to_come_back_with_a_link_that_resumes_here(phone, snapshot):
    wait = next(slug for slug, step in snapshot.steps.items() if step.is_wait)
    # Someone whose limit only lifts with time: the cause the wait step fixes best.
    step = next(s for s in snapshot.model.steps if s.key == wait)
    # Of the causes it lifts best, one whose visit reaches it before the last screen (some reach
    # the screen cap first, and see it listed there instead).
    visits = (
        engine.visit(
            snapshot.model, lambda q, cause=cause: engine.answer_for(q, cause), max_questions=snapshot.max_questions
        )
        for cause in step.fixes
        if step.fixes[cause] == max(step.fixes.values())
    )
    evidence = next(
        evidence
        for visit in visits
        for evidence, decision in visit
        if decision.kind == engine.STEP and decision.step.key == wait
    )
    page = panel(phone.get(f"{URL}?{urlencode(evidence)}"))

    assert "Come back after" in page and "Bookmark this page" in page
    assert "Still blocked after that, or waiting on an appeal?" in page and "Report a problem" in page
    assert f'href="?{urlencode([*evidence, ("platform", "android")])}"' in page


def test_when_nothing_is_left_the_hand_off_shows_support_and_a_summary_to_copy(phone, snapshot):
    evidence = nothing_left_state(snapshot)
    page = panel(phone.get(f"{URL}?{urlencode(evidence)}"))

    assert "Ask the app's own support" in page
    assert "Report a problem" in page  # the guide's own support text
    summary = re.search(r'<textarea id="support-summary"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "Phone: Android" in summary
    tried = [slug for key, slug in evidence if key == engine.FAILED]
    for slug in tried:
        assert snapshot.steps[slug].title + ": didn't fix it" in summary
    assert "I'm not sure" in summary


def test_screens_run_no_sql_once_the_snapshot_is_built_and_their_views_are_written_later(phone, snapshot):
    evidence = first_step_state(snapshot)
    phone.get(URL)  # builds this process's snapshot
    page_views.flush()
    screens = ("", urlencode(evidence), urlencode([*evidence, (engine.FAILED, offered(snapshot, evidence).step.key)]))
    for query in screens:
        with CaptureQueriesContext(connection) as counted:
            assert phone.get(f"{URL}?{query}").status_code == 200
        assert counted.captured_queries == []  # not even the page view: it waits in memory

    assert not QuestionnaireCount.objects.filter(kind=QuestionnaireCount.Kind.STEP).exists()
    with CaptureQueriesContext(connection) as written:
        assert page_views.flush() == 5  # each screen shown, the first one's start, the second one's answer
    statements = [q["sql"] for q in written.captured_queries]
    writes = [sql for sql in statements if not sql.startswith(("SAVEPOINT", "RELEASE"))]
    assert len(writes) == 1 and writes[0].startswith("INSERT"), writes  # one upsert for the guide
    assert len(statements) == 3, statements  # in a savepoint of the test's transaction
    step = offered(snapshot, evidence).step.key
    assert QuestionnaireCount.objects.get(kind=QuestionnaireCount.Kind.STEP, question_slug=step).count == 1


def test_feedback_for_an_unknown_or_draft_guide_is_a_404(phone, seed_guide):
    assert phone.post(reverse("guides:diagnose_feedback", args=["nope"]), {}).status_code == 404
    seed_guide.published = False
    seed_guide.save()
    assert phone.get(URL).status_code == 404
    assert phone.post(FEEDBACK, {}).status_code == 404


def test_feedback_without_csrf_token_is_refused(seed_guide):
    client = Client(enforce_csrf_checks=True, headers={"User-Agent": ANDROID})
    response = client.post(FEEDBACK, {"state": "", "step": "update-app", "outcome": "fixed"})

    assert response.status_code == 403
    assert not StepOutcome.objects.exists()


def test_feedback_only_accepts_post(phone, seed_guide):
    assert phone.get(FEEDBACK).status_code == 405


def test_a_flood_of_feedback_from_one_address_is_slowed_down_with_a_429(phone, snapshot):
    evidence = first_step_state(snapshot)
    codes = [
        phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "not_fixed"}).status_code
        for _ in range(61)
    ]

    assert codes[:60] == [302] * 60
    assert codes[60] == 429
    assert StepOutcome.objects.count() == 60


def test_refused_feedback_over_htmx_explains_itself_inside_the_panel(phone, seed_guide):
    response = phone.post(FEEDBACK, {"outcome": "maybe"}, headers={"HX-Request": "true"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "<html" not in page and 'role="alert"' in page


def test_crawlers_do_not_count_as_visitors(client, seed_guide):
    Client(headers={"User-Agent": "Googlebot/2.1"}).get(URL)
    page_views.flush()
    assert not QuestionnaireCount.objects.exists()
    Client(headers={"User-Agent": ANDROID}).get(URL)
    page_views.flush()
    assert QuestionnaireCount.objects.get(kind="start").count == 1


def test_robots_may_index_the_start_but_not_the_steps(client, db):
    rules = client.get("/robots.txt").content.decode()

    assert "Disallow: /guides/*/diagnose/?" in rules


@pytest.mark.parametrize("evidence", [[], [("failed", "check-network")]])
def test_the_full_page_loads_htmx_from_our_own_static_files(phone, seed_guide, evidence):
    page = phone.get(f"{URL}?{urlencode(evidence)}").content.decode()

    assert re.search(r'<script src="/static/js/htmx-2\.0\.11\.min\.js" defer></script>', page)
    assert "hx-headers" not in page  # htmx posts the form's own fields, CSRF token included
    assert "<script>" not in page and "style=" not in page


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12)), max_size=12))
def test_arbitrary_query_strings_never_cause_a_server_error(phone, seed_guide, pairs):
    response = phone.get(f"{URL}?{urlencode(pairs)}")

    assert response.status_code in (200, 302, 400)
    if response.status_code == 302:  # to the address of what the guide understood, which shows it
        assert phone.get(response["Location"]).status_code == 200


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.dictionaries(st.sampled_from(["state", "step", "outcome", "platform", "token"]), st.text(max_size=40)),
    htmx=st.booleans(),
)
def test_arbitrary_feedback_posts_never_cause_a_server_error(phone, seed_guide, data, htmx):
    from django.core.cache import cache

    cache.clear()  # the rate limit is not what this test is about
    headers = {"HX-Request": "true"} if htmx else {}
    response = phone.post(FEEDBACK, data, headers=headers)

    assert response.status_code in (200, 302, 400)


def test_behind_a_trusted_proxy_each_visitor_has_their_own_feedback_allowance(phone, snapshot, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    evidence = first_step_state(snapshot)

    def answer(address):
        data = {**answer_form(phone, URL, evidence), "outcome": "not_fixed"}
        return phone.post(FEEDBACK, data, headers={"X-Forwarded-For": address}).status_code

    for _ in range(60):
        answer("203.0.113.1")

    assert answer("203.0.113.1") == 429
    assert answer("203.0.113.2") == 302
