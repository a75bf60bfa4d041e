"""The questionnaire flow: plain GET forms first, htmx partials second, and bad input never a 500."""

import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guides import engine
from guides.models import QuestionnaireEvent, Resolution
from guides.questionnaire import build_snapshot

URL = reverse("guides:diagnose", args=["tiktok-messages"])
FEEDBACK = reverse("guides:diagnose_feedback", args=["tiktok-messages"])


@pytest.fixture
def snapshot(seed_guide):
    return build_snapshot(seed_guide)


def first_question(snapshot):
    return engine.diagnose(snapshot.questionnaire, []).question


def test_first_step_is_a_plain_get_form_with_a_fieldset_and_unsure(client, snapshot):
    page = client.get(URL).content.decode()
    question = first_question(snapshot)

    assert "<html" in page and 'id="panel"' in page
    assert re.search(r'<form method="get" action="' + re.escape(URL), page)
    assert f"<legend>{question.text}</legend>".replace("'", "&#x27;") in page
    for answer in question.answers:
        assert f'name="{question.key}" value="{answer.key}"' in page
    assert f'name="{question.key}" value="unsure"' in page
    assert "Next</button>" in page


def test_htmx_request_gets_the_panel_only(client, snapshot):
    response = client.get(URL, headers={"HX-Request": "true"})
    page = response.content.decode()

    assert "<html" not in page and "<header" not in page
    assert re.match(r"\s*<title>Question 1 · Find my cause[^<]*</title>\s*<div id=\"panel\"", page)
    assert first_question(snapshot).key in page
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_full_page(client, seed_guide):
    response = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    assert "<html" in response.content.decode()


def test_each_answer_moves_to_a_new_question_and_the_address_reproduces_the_page(client, snapshot):
    question = first_question(snapshot)
    query = urlencode({question.key: question.answers[0].key})

    first = _panel(client.get(f"{URL}?{query}").content.decode())
    again = _panel(client.get(f"{URL}?{query}").content.decode())
    fragment = client.get(f"{URL}?{query}", headers={"HX-Request": "true"}).content.decode()

    assert f"<legend>{question.text}" not in first
    assert "Question 2" in first
    assert first == again == _panel(fragment)


PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def test_steps_cost_a_constant_small_number_of_queries(snapshot, django_assert_num_queries):
    client = Client(headers={"User-Agent": PHONE})  # a person: each step also counts one page view
    client.get(URL)  # the first visit builds the questionnaire snapshot
    answers = []
    for _ in range(3):
        with django_assert_num_queries(2):
            response = client.get(f"{URL}?{urlencode(answers)}")
        assert response.status_code == 200
        diagnosis = engine.diagnose(snapshot.questionnaire, answers)
        if diagnosis.question is None:
            break
        answers.append((diagnosis.question.key, diagnosis.question.answers[0].key))
    with django_assert_num_queries(2):
        client.get(f"{URL}?{urlencode(answers)}&show=result")


def test_back_link_drops_the_last_answer(client, snapshot):
    question = first_question(snapshot)
    answers = [(question.key, question.answers[0].key)]
    second = engine.diagnose(snapshot.questionnaire, answers).question
    answers.append((second.key, second.answers[0].key))

    page = client.get(f"{URL}?{urlencode(answers)}").content.decode()

    back = urlencode(answers[:1]).replace("&", "&amp;")
    assert f'href="?{back}">Back</a>' in page


def test_change_link_asks_that_question_again_keeping_the_other_answers(client, snapshot):
    question = first_question(snapshot)
    answers = [(question.key, question.answers[0].key)]
    second = engine.diagnose(snapshot.questionnaire, answers).question
    answers.append((second.key, second.answers[0].key))

    page = client.get(f"{URL}?{urlencode(answers)}").content.decode()
    change = re.findall(r'href="\?([^"]*)">Change', page)[0].replace("&amp;", "&")
    asked = client.get(f"{URL}?{change}").content.decode()

    assert f"<legend>{question.text}".replace("'", "&#x27;") in asked
    assert f'value="{question.answers[0].key}" required checked' in asked
    fields = re.findall(r'<input type="(?:hidden|radio)" name="([^"]+)" value="([^"]+)"', asked)
    names = [name for name, _ in fields]
    assert names.index(question.key) < names.index(second.key), "the later answer stays after the changed one"


def test_garbage_unknown_and_repeated_parameters_are_ignored(client, snapshot):
    question = first_question(snapshot)
    good = (question.key, question.answers[0].key)
    noisy = [("nonsense", "1"), good, (question.key, question.answers[-1].key), ("utm_source", "x"), ("ask", "zzz")]

    clean = _panel(client.get(f"{URL}?{urlencode([good])}").content.decode())
    response = client.get(f"{URL}?{urlencode(noisy)}")

    assert response.status_code == 200
    assert _panel(response.content.decode()) == clean


def test_a_follow_up_answered_before_its_question_may_be_asked_is_ignored(client, snapshot):
    follow_up = next(q for q in snapshot.questionnaire.questions if q.requires)

    response = client.get(f"{URL}?{urlencode({follow_up.key: follow_up.answers[0].key})}")

    assert _panel(response.content.decode()) == _panel(client.get(URL).content.decode())


def test_a_huge_query_string_gets_a_clear_400(client, db, seed_guide):
    response = client.get(f"{URL}?{'x' * 100_000}=1")

    assert response.status_code == 400
    assert "far too long" in response.content.decode()


def test_result_shows_ranked_causes_with_percentages_reasons_and_fixes(client, snapshot):
    question = first_question(snapshot)
    answer = next(a for a in question.answers if a.effects)
    page = client.get(f"{URL}?{urlencode({question.key: answer.key})}&show=result").content.decode()

    ranking = engine.rank(snapshot.questionnaire, [(question.key, answer.key)])
    top = snapshot.causes[ranking[0].cause]
    assert f"Most likely: {top.title}".replace("'", "&#x27;") in page
    assert f"{round(ranking[0].probability * 100)}%" in page
    assert "You said “" in page
    for fix in top.fixes:
        assert fix.title.replace("'", "&#x27;") in page
    assert "Did this fix it?" in page


def test_quick_likely_fixes_come_before_slow_ones(client, snapshot):
    answers = _answers_for(snapshot, "temporary-bans")
    page = client.get(f"{URL}?{urlencode(answers)}&show=result").content.decode()

    titles = {f.slug: f.title for c in snapshot.causes.values() for f in c.fixes}
    minutes = {f.slug: f.minutes for c in snapshot.causes.values() for f in c.fixes}
    shown = [slug for slug in titles if f"<h4>{titles[slug]}</h4>".replace("'", "&#x27;") in page]
    shown.sort(key=lambda s: page.index(f"<h4>{titles[s]}".replace("'", "&#x27;")))
    assert minutes[shown[0]] <= min(minutes[s] for s in shown) or minutes[shown[0]] < minutes[shown[-1]]


def test_yes_records_a_resolution_and_thanks_the_visitor(client, snapshot):
    state = urlencode(_answers_for(snapshot, "spam-detection"))

    response = client.post(FEEDBACK, {"state": state, "cause": "spam-detection", "fixed": "yes"}, follow=True)

    resolution = Resolution.objects.get()
    assert resolution.fixed and resolution.cause_slug == "spam-detection" and resolution.cause.slug == "spam-detection"
    assert resolution.answers == state
    assert "Great, it works again" in response.content.decode()


def test_no_records_a_resolution_and_moves_to_the_next_cause_without_repeating_steps(client, snapshot):
    answers = _answers_for(snapshot, "network-connectivity")
    first_page = client.get(f"{URL}?{urlencode(answers)}&show=result").content.decode()
    first_cause = re.search(r'name="cause" value="([^"]+)"', first_page).group(1)

    response = client.post(FEEDBACK, {"state": urlencode(answers), "cause": first_cause, "fixed": "no"}, follow=True)
    page = response.content.decode()

    assert not Resolution.objects.get().fixed
    assert "Next most likely:" in page
    next_cause = re.search(r'name="cause" value="([^"]+)"', page).group(1)
    assert next_cause != first_cause
    shown_before = {f.slug for f in snapshot.causes[first_cause].fixes}
    for fix in snapshot.causes[next_cause].fixes:
        if fix.slug in shown_before:
            assert f"<h4>{fix.title}</h4>".replace("'", "&#x27;") not in page


def test_when_nothing_helped_the_visitor_gets_support_advice_and_a_summary(client, snapshot):
    tried = "&".join(f"tried={slug}" for slug in snapshot.causes)
    page = client.get(f"{URL}?{tried}&show=result").content.decode()

    assert "Report a problem" in page
    assert '<textarea id="support-summary"' in page


def test_feedback_over_htmx_returns_the_next_panel_and_pushes_its_address(client, snapshot):
    response = client.post(
        FEEDBACK, {"state": "", "cause": "app-glitches", "fixed": "no"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "tried=app-glitches" in response["HX-Push-Url"]


@pytest.mark.parametrize(
    "data",
    [
        {"state": "", "cause": "no-such-cause", "fixed": "yes"},
        {"state": "", "cause": "spam-detection", "fixed": "maybe"},
        {"state": "", "cause": "spam-detection"},
        {},
    ],
)
def test_tampered_feedback_is_refused_with_a_message_and_not_saved(client, seed_guide, data):
    response = client.post(FEEDBACK, data)

    assert response.status_code == 400
    assert "press Yes or No" in response.content.decode()
    assert not Resolution.objects.exists()


def test_feedback_without_csrf_token_is_refused(seed_guide):
    client = Client(enforce_csrf_checks=True)

    response = client.post(FEEDBACK, {"state": "", "cause": "spam-detection", "fixed": "yes"})

    assert response.status_code == 403
    assert not Resolution.objects.exists()


def test_feedback_only_accepts_post(client, seed_guide):
    assert client.get(FEEDBACK).status_code == 405


@pytest.mark.django_db
def test_every_cause_is_found_within_six_questions_by_someone_who_has_it(seed_guide):
    """Generated from the content: a visitor answers each question as someone with that cause would."""
    snapshot = build_snapshot(seed_guide)
    for cause in snapshot.questionnaire.causes:
        answers = _answers_for(snapshot, cause.key, limit=6)
        ranking = engine.rank(snapshot.questionnaire, answers)
        assert ranking[0].cause == cause.key, f"{cause.key}: after {answers} the top is {ranking[0].cause}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(st.text(max_size=30), st.text(max_size=30)), max_size=12))
def test_arbitrary_query_strings_never_cause_a_server_error(client, seed_guide, pairs):
    response = client.get(f"{URL}?{urlencode(pairs)}")

    assert response.status_code in (200, 400)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.dictionaries(
        st.sampled_from(["state", "cause", "fixed", "tried", "x"]),
        st.one_of(st.text(max_size=200), st.sampled_from(["yes", "no", "spam-detection", "a=b&c=d"])),
    ),
    htmx=st.booleans(),
)
def test_arbitrary_feedback_posts_never_cause_a_server_error(client, seed_guide, monkeypatch, data, htmx):
    monkeypatch.setattr("guides.views.FEEDBACK_POSTS_PER_WINDOW", 10**9)  # every example reaches the parsing
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(FEEDBACK, data, headers=headers)

    assert response.status_code in (200, 302, 400)


def _answers_for(snapshot, cause_key, limit=6):
    """Answer as someone with this cause would (the engine's own notion of such a visitor)."""
    return list(engine.consistent_answers(snapshot.questionnaire, cause_key, limit=limit))


def _panel(page: str) -> str:
    """The swapped panel without the per-response CSRF token and the focus hint only htmx swaps carry."""
    start = page.index('<div id="panel"')
    panel = page[start:].replace(" autofocus", "")
    panel = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", panel)
    return re.sub(r"<title>.*?</title>", "", panel, flags=re.S).split("</main>")[0].strip()


def test_after_two_failed_causes_the_support_advice_appears_beside_the_next_fixes(client, snapshot):
    first, second = list(snapshot.causes)[:2]

    page = client.get(f"{URL}?tried={first}&tried={second}&show=result").content.decode()

    assert "Next most likely:" in page
    assert "Report a problem" in page
    summary = re.search(r'<textarea id="support-summary"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    for slug in (first, second):
        assert snapshot.causes[slug].title.replace("'", "&#x27;") in summary


def test_the_full_page_loads_htmx_from_our_own_static_files_with_the_csrf_header(client, seed_guide):
    page = client.get(URL).content.decode()

    assert '<script src="/static/js/htmx-2.0.11.min.js" defer></script>' in page
    assert 'hx-headers=\'{"X-CSRFToken": "' in page


def test_a_flood_of_feedback_from_one_address_is_slowed_down_with_a_429(client, seed_guide):
    data = {"state": "", "cause": "spam-detection", "fixed": "no"}
    statuses = [client.post(FEEDBACK, data).status_code for _ in range(35)]

    assert statuses[:30] == [302] * 30
    assert statuses[30:] == [429] * 5
    assert Resolution.objects.count() == 30
    assert "wait a few minutes" in client.post(FEEDBACK, data).content.decode()


def test_refused_feedback_over_htmx_explains_itself_inside_the_panel(client, seed_guide):
    response = client.post(FEEDBACK, {"cause": "nope", "fixed": "yes"}, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "<html" not in page and page.lstrip().startswith('<div id="panel"')
    assert "press Yes or No" in page
    full = client.get(URL).content.decode()
    assert '{"code": "4..", "swap": true, "error": true}' in full  # htmx shows 4xx answers instead of ignoring them


def test_links_to_other_pages_are_not_swapped_into_the_panel(client, seed_guide):
    page = client.get(f"{URL}?show=result").content.decode()

    panel_tag = re.search(r'<div id="panel"[^>]*>', page).group(0)
    assert "hx-boost" not in panel_tag
    assert re.search(r'<form method="post"[^>]*hx-boost="true"', page)


def test_a_form_without_its_csrf_cookie_gets_a_plain_explanation(seed_guide):
    client = Client(enforce_csrf_checks=True)

    response = client.post(FEEDBACK, {"state": "", "cause": "spam-detection", "fixed": "yes"})

    assert response.status_code == 403
    assert "security cookie" in response.content.decode()


def test_robots_may_index_the_questionnaire_start_but_not_its_steps(client, db):
    robots = client.get("/robots.txt").content.decode()

    assert "Disallow: /guides/*/diagnose/?" in robots
    assert "Disallow: /guides/*/diagnose/\n" not in robots


def test_crawlers_do_not_count_as_visitors(client, seed_guide):
    client.get(URL, headers={"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"})
    client.get(URL, headers={"User-Agent": PHONE})

    assert QuestionnaireEvent.objects.filter(kind="start").count() == 1


def test_behind_a_trusted_proxy_each_visitor_has_their_own_feedback_allowance(client, seed_guide, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    data = {"state": "", "cause": "spam-detection", "fixed": "no"}

    statuses = [
        client.post(FEEDBACK, data, headers={"X-Forwarded-For": f"203.0.113.{n % 40}"}).status_code for n in range(80)
    ]

    assert statuses == [302] * 80  # 40 visitors, two answers each, all through the same proxy address
