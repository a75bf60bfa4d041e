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
from tests.screens import ANDROID, answer_form, first_step_state, offered, question_state, without_tokens

URL = reverse("guides:diagnose", args=["tiktok-messages"])
FEEDBACK = reverse("guides:diagnose_feedback", args=["tiktok-messages"])
HTMX = {"HX-Request": "true"}
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def panel(response) -> str:
    """The troubleshooter's panel, with HTML entities turned back into the characters people see."""
    page = html.unescape(response.content.decode())
    return page[page.index('<div id="panel"') :]


def test_a_question_is_answered_with_one_tap_each_answer_a_button_of_a_plain_get_form(phone, snapshot):
    before = question_state(snapshot)
    page = panel(phone.get(f"{URL}?{urlencode(before)}"))
    question = offered(snapshot, before).question

    assert 'id="panel"' in page
    assert re.search(r'<form method="get" action="' + re.escape(URL) + "#screen", page)
    assert f'<h1 id="screen" tabindex="-1">{question.text}</h1>' in page
    for answer in question.answers:
        assert (
            f'<button type="submit" class="answer" name="{question.key}" value="{answer.key}">{answer.text}</button>'
            in page
        )
    assert f'name="{question.key}" value="unsure">I\'m not sure</button>' in page
    assert 'type="radio"' not in page and "Next</button>" not in page


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

    assert f'<h1 id="screen" tabindex="-1">{step.title}</h1>' in page
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
    before = question_state(snapshot)
    first = offered(snapshot, before).question
    evidence = [*before, (first.key, first.answers[0].key)]
    page = panel(phone.get(f"{URL}?{urlencode(evidence)}"))

    back = urlencode([*before, ("platform", "android")])  # the phone guessed from the browser is kept
    assert f'href="?{back}#screen" hx-boost="true">Back</a>' in page


def test_changing_an_earlier_answer_asks_it_again_in_place(phone, snapshot):
    before = question_state(snapshot)
    first = offered(snapshot, before).question
    evidence = [*before, (first.key, first.answers[0].key)]
    second = offered(snapshot, evidence)
    if second.kind == engine.QUESTION:
        evidence.append((second.question.key, engine.UNSURE))
    page = panel(phone.get(f"{URL}?{urlencode(evidence)}&ask={first.key}"))

    assert f'class="answer chosen" name="{first.key}" value="{first.answers[0].key}"' in page
    assert page.count("chosen") == 1
    for key, value in [*before, *evidence[len(before) + 1 :]]:
        assert f'<input type="hidden" name="{key}" value="{value}">' in page


def test_garbage_unknown_and_repeated_parameters_are_dropped_from_the_address(phone, snapshot):
    before = question_state(snapshot)
    first = offered(snapshot, before).question
    here = urlencode([*before, (first.key, "unsure")])
    clean = phone.get(f"{URL}?{here}")
    noisy = phone.get(f"{URL}?{here}&{first.key}=nonsense&nope=1&failed=no-such-step&couldnt=")

    assert noisy.status_code == 302
    assert noisy["Location"] == f"{URL}?{here}"
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


def wait_step_state(snapshot):
    """Where a truthful visitor whose limit only lifts with time (from one of its symptoms) is offered the wait."""
    wait = next(step for step in snapshot.model.steps if step.kind == engine.Kind.WAIT)
    for cause in wait.fixes:
        for symptom in [o.key for o in snapshot.model.observations if any(e.cause == cause for e in o.effects)]:
            for evidence, decision in engine.visit(
                snapshot.model,
                lambda q, cause=cause: engine.answer_for(q, cause),
                evidence=[(engine.SEEN, symptom)],
                max_questions=snapshot.max_questions,
            ):
                if decision.kind == engine.STEP and decision.step.key == wait.key:
                    return list(evidence)
    raise AssertionError("No truthful visitor is offered the wait step")


def test_a_wait_step_says_when_to_come_back_with_a_link_that_resumes_here(phone, snapshot):
    evidence = wait_step_state(snapshot)
    page = panel(phone.get(f"{URL}?{urlencode(evidence)}"))

    assert "Come back after" in page and "Bookmark this page" in page
    assert "Still blocked after that, or waiting on an appeal?" in page and "Report a problem" in page
    assert f'href="?{urlencode([*evidence, ("platform", "android")])}#screen"' in page


def nothing_left(snapshot) -> list[tuple[str, str]]:
    """Every fix step tried and failed: only the hand-off is left."""
    return [(engine.FAILED, s.key) for s in snapshot.model.steps if s.kind != engine.Kind.HAND_OFF]


def test_when_nothing_is_left_the_hand_off_shows_the_likeliest_cause_s_help_and_a_summary_to_copy(phone, snapshot):
    evidence = [(engine.COULDNT, "restart-router"), *(e for e in nothing_left(snapshot) if e[1] != "restart-router")]
    decision = offered(snapshot, evidence)
    assert decision.kind == engine.HAND_OFF
    likeliest = snapshot.causes[decision.ranking[0].cause]
    assert likeliest.where_to_get_help_html  # the bundled guide says where to get help for it
    page = panel(phone.get(f"{URL}?{urlencode(evidence)}"))

    assert '<h1 id="screen" tabindex="-1">Where to get help now</h1>' in page
    assert html.unescape(likeliest.where_to_get_help_html) in page
    summary = re.search(r'<textarea id="support-summary"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "Phone: Android" in summary
    tried = [slug for key, slug in evidence if key == engine.FAILED and slug != "restart-router"]
    assert tried
    for slug in tried:
        assert snapshot.steps[slug].title + ": didn't fix it" in summary
    assert snapshot.steps["restart-router"].title + ": couldn't do it" in summary
    assert snapshot.steps["restart-router"].title + ": didn't fix it" not in summary


def test_a_hand_off_with_no_likely_cause_of_its_own_shows_the_guide_s_support(phone, snapshot):
    evidence = nothing_left(snapshot)
    evidence += [(engine.NOT_IT, c.key) for c in snapshot.model.causes if c.explains]
    decision = offered(snapshot, evidence)
    assert decision.kind == engine.HAND_OFF
    page = panel(phone.get(f"{URL}?{urlencode(evidence)}"))
    help_html = snapshot.causes[decision.ranking[0].cause].where_to_get_help_html or snapshot.support_html

    assert html.unescape(help_html) in page
    summary = re.search(r'<textarea id="support-summary"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    for cause in (c for c in snapshot.model.causes if c.explains):
        assert f"- Not it: {snapshot.causes[cause.key].title}" in summary


def test_screens_run_no_sql_once_the_snapshot_is_built_and_their_views_are_written_later(phone, snapshot):
    walk = list(engine.visit(snapshot.model, lambda q: engine.UNSURE, max_questions=snapshot.max_questions))[:3]
    phone.get(URL)  # builds this process's snapshot
    page_views.forget()  # only the screens below count
    for evidence, _ in walk:
        with CaptureQueriesContext(connection) as counted:
            assert phone.get(f"{URL}?{urlencode(evidence)}").status_code == 200
        assert counted.captured_queries == []  # not even the page view: it waits in memory

    assert not QuestionnaireCount.objects.exists()
    # Each screen shown, the first one's start, and each answer to a question.
    answers = sum(1 for evidence, _ in walk[1:] if evidence[-1][0] in snapshot.questions)
    with CaptureQueriesContext(connection) as written:
        assert page_views.flush() == len(walk) + 1 + answers
    statements = [q["sql"] for q in written.captured_queries]
    writes = [sql for sql in statements if not sql.startswith(("SAVEPOINT", "RELEASE"))]
    assert len(writes) == 1 and writes[0].startswith("INSERT"), writes  # one upsert for the guide
    assert len(statements) == 3, statements  # in a savepoint of the test's transaction
    step = next(decision.step.key for _, decision in walk if decision.kind == engine.STEP)
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


def test_over_the_answer_limit_an_answer_still_leads_to_the_next_screen_and_nothing_is_stored(phone, snapshot):
    evidence = first_step_state(snapshot)
    step = offered(snapshot, evidence).step.key
    responses = [phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "not_fixed"}) for _ in range(61)]

    assert [r.status_code for r in responses] == [302] * 61  # nobody behind a shared address is stopped
    assert responses[60]["Location"].endswith(f"failed={step}&platform=android#screen")
    assert StepOutcome.objects.count() == 60  # the 61st answer is not recorded
    next_screen = phone.get(responses[60]["Location"])
    assert next_screen.status_code == 200 and f'name="step" value="{step}"' not in panel(next_screen)


def test_over_the_answer_limit_a_fixed_answer_still_thanks_the_visitor_and_stores_no_resolution(phone, snapshot):
    evidence = first_step_state(snapshot)
    for _ in range(60):
        phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "not_fixed"})

    response = phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "fixed"}, headers=HTMX)

    assert response.status_code == 200
    assert 'data-screen="fixed"' in response.content.decode()
    assert not Resolution.objects.exists()


def test_over_the_answer_limit_a_forged_answer_still_gets_a_429(phone, snapshot):
    evidence = first_step_state(snapshot)
    for _ in range(60):
        phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "not_fixed"})
    forged = {**answer_form(phone, URL, evidence), "outcome": "not_fixed", "token": "made-up"}

    assert phone.post(FEEDBACK, forged).status_code == 429
    assert StepOutcome.objects.count() == 60


def test_an_answer_over_the_limit_is_counted_in_the_log(phone, snapshot, caplog):
    evidence = first_step_state(snapshot)
    for _ in range(61):
        phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "not_fixed"})

    warnings = [r.getMessage() for r in caplog.records if "over the answer limit" in r.getMessage()]
    assert len(warnings) == 1 and "so far in this process" in warnings[0]


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

    assert answer("203.0.113.1") == 302
    assert StepOutcome.objects.count() == 60  # over its allowance: moved on, not recorded
    assert answer("203.0.113.2") == 302
    assert StepOutcome.objects.count() == 61  # a neighbour's answer is recorded


def page_title(response) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1))


def test_without_javascript_each_screen_s_title_names_the_screen(phone, snapshot):
    asking = question_state(snapshot)
    question = offered(snapshot, asking).question
    evidence = first_step_state(snapshot)
    step = snapshot.steps[offered(snapshot, evidence).step.key]
    *_, (end, last) = engine.visit(snapshot.model, lambda q: engine.UNSURE, max_questions=snapshot.max_questions)

    assert page_title(phone.get(f"{URL}?{urlencode(asking)}")).startswith(f"{question.text} · ")
    assert page_title(phone.get(f"{URL}?{urlencode(evidence)}")).startswith(f"{step.title} · ")
    fixed = phone.get(f"{URL}?{urlencode([*evidence, ('fixed', step.slug)])}")
    assert page_title(fixed).startswith("Great, it works again · ")
    assert page_title(phone.get(f"{URL}?{urlencode(end)}")).startswith(
        "We've run out of likely fixes · " if last.kind == engine.LONG_SHOTS else "Where to get help now · "
    )


def test_the_screen_s_question_or_step_is_the_page_s_only_h1_with_no_lead_before_it(phone, snapshot):
    for query in (urlencode(question_state(snapshot)), urlencode(first_step_state(snapshot))):
        page = phone.get(f"{URL}?{query}").content.decode()
        main = page[page.index("<main") : page.index("</main>")]

        assert main.count("<h1") == 1
        assert re.search(r"<h1 id=\"screen\" tabindex=\"-1\">", main)
        assert 'class="lead"' not in main and "Fix it step by step" not in main
        before_heading = re.sub(r"<[^>]+>", "", main[: main.index("<h1")]).split()
        assert len(before_heading) < 25, before_heading  # a short breadcrumb and the progress line only


def test_without_javascript_each_new_screen_opens_at_its_heading(phone, snapshot):
    evidence = first_step_state(snapshot)
    response = phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "not_fixed"})
    page = panel(phone.get(response["Location"]))

    assert response["Location"].endswith("#screen")
    assert 'id="screen"' in page
    links = re.findall(r'<a [^>]*href="(\?[^"]*)"', page)
    assert links and all(link.endswith("#screen") for link in links)  # Back, Go back to here, Remove this
    assert f'href="{URL}#screen">Start again</a>' in page
    question_page = panel(phone.get(f"{URL}?{urlencode(question_state(snapshot))}"))
    assert f'<form method="get" action="{URL}#screen"' in question_page


def test_after_an_htmx_swap_the_new_screen_s_heading_takes_the_focus(phone, snapshot):
    page = phone.get(URL, headers=HTMX).content.decode()

    assert re.search(r'<h1 id="screen" tabindex="-1" autofocus>', page)
    assert "<script" not in page


def test_the_answer_buttons_of_a_step_come_right_after_the_step_s_own_text(phone, snapshot):
    evidence = first_step_state(snapshot)
    page = panel(phone.get(f"{URL}?{urlencode(evidence)}"))

    heading, buttons = page.index('<h1 id="screen"'), page.index("Yes, it works now")
    assert heading < buttons < page.index('<details class="why">')
    assert "<details" not in page[heading:buttons]  # nothing folded sits between the step and its answer
