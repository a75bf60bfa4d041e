"""Feedback the report can trust: only answers to screens we showed, each stored once, and nothing kept for long.

A fix step's form carries a signed answer token for its guide, state and step; an answer without
one, with someone else's, or with an old one is refused and stores nothing. Sending the same
answer twice (a retry after a lost response) stores it once and moves the visitor on both times.
Question screens carry no token and set no cookie, so they are the same for everyone.
"""

import hashlib
import re
import time
from datetime import datetime
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.core import signing
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse

from guides import engine
from guides.diagnose import page_views
from guides.diagnose.records import read_answer_token
from guides.diagnose.snapshot import build_snapshot
from guides.feedback import rate_limit, shown_forms
from guides.feedback.rate_limit import FEEDBACK_WINDOW_SECONDS
from guides.feedback.reports import build_report
from guides.models import Guide, QuestionnaireCount, Resolution, StepOutcome
from guides.web.client_address import client_address
from tests.builders import troubleshooter_data
from tests.screens import ANDROID, answer_form, first_step_state, nothing_left_state, offered

DAY = 24 * 60 * 60
SLUG = "walkable"
URL = reverse("guides:diagnose", args=[SLUG])
FEEDBACK = reverse("guides:diagnose_feedback", args=[SLUG])


@pytest.fixture
def guide(load):
    """A purpose-made guide: what is tested here is how answers are taken, whatever the content."""
    load(troubleshooter_data(SLUG))
    return Guide.objects.get(slug=SLUG)


@pytest.fixture
def snapshot(guide):
    return build_snapshot(guide)


def nothing_stored() -> bool:
    return not StepOutcome.objects.exists() and not Resolution.objects.exists()


def issued_ago(monkeypatch, seconds: int) -> None:
    """Tokens made from now on carry a time `seconds` in the past, as if the screen had been open that long."""
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(int(time.time()) - seconds)
    )


# Screens


def test_question_hand_off_and_fixed_screens_set_no_cookie_and_carry_no_token(snapshot):
    step_state = first_step_state(snapshot)
    hand_off = nothing_left_state(snapshot)
    fixed = [*step_state, ("fixed", offered(snapshot, step_state).step.key)]

    for evidence in ([], hand_off, fixed):
        response = Client(headers={"User-Agent": ANDROID}).get(f"{URL}?{urlencode(evidence)}")
        page = response.content.decode()

        assert response.status_code == 200
        assert not response.cookies and "Set-Cookie" not in response.headers
        assert "csrfmiddlewaretoken" not in page and "X-CSRFToken" not in page and 'name="token"' not in page


def test_each_showing_of_a_step_gets_its_own_answer_token_and_no_shared_cache_keeps_it(phone, snapshot):
    evidence = first_step_state(snapshot)
    first = phone.get(f"{URL}?{urlencode(evidence)}")
    second = phone.get(f"{URL}?{urlencode(evidence)}")
    tokens = [re.search(r'name="token" value="([^"]+)"', r.content.decode()).group(1) for r in (first, second)]

    assert tokens[0] != tokens[1]
    assert "csrftoken" in first.cookies  # the cookie that goes with the form's CSRF token
    for response in (first, second):
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control


# Answers that are not ours


@pytest.mark.parametrize(
    "forge",
    [
        lambda form: {k: v for k, v in form.items() if k != "token"},
        lambda form: {**form, "token": "not-a-token"},
        lambda form: {**form, "token": form["token"][:-2] + ("AA" if form["token"][-2:] != "AA" else "BB")},
        lambda form: {**form, "token": signing.dumps([SLUG, "x", form["step"], "n"], salt="other")},
    ],
    ids=["missing", "garbage", "tampered", "signed-for-something-else"],
)
def test_an_answer_without_a_valid_token_is_refused_and_nothing_is_stored(phone, snapshot, forge):
    evidence = first_step_state(snapshot)
    data = {**forge(answer_form(phone, URL, evidence)), "outcome": "fixed"}

    response = phone.post(FEEDBACK, data)

    assert response.status_code == 400
    assert "could not read your answer" in response.content.decode()
    assert nothing_stored()


def test_a_token_only_answers_the_screen_it_was_shown_on(phone, snapshot):
    evidence = first_step_state(snapshot)
    first_step = offered(snapshot, evidence).step.key
    later = [*evidence, (engine.FAILED, first_step)]
    later_step = offered(snapshot, later).step.key
    form = answer_form(phone, URL, evidence)

    # The tester's forgery: a genuine token, sent with another state that puts another step on top.
    other_state = phone.post(FEEDBACK, {**form, "state": urlencode(later), "step": later_step, "outcome": "fixed"})
    other_step = phone.post(FEEDBACK, {**form, "step": later_step, "outcome": "fixed"})

    assert other_state.status_code == other_step.status_code == 400
    assert nothing_stored()
    with pytest.raises(signing.BadSignature):
        read_answer_token(form["token"], slug="another-guide", state=form["state"], step=form["step"], max_age=DAY)


def test_an_old_answer_form_is_refused_with_a_link_back_to_its_step(phone, snapshot, monkeypatch):
    evidence = first_step_state(snapshot)
    issued_ago(monkeypatch, DAY + 60 * 60)  # longer than a quick step waits, plus a day
    form = answer_form(phone, URL, evidence)
    monkeypatch.undo()

    response = phone.post(FEEDBACK, {**form, "outcome": "fixed"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "This answer form is too old. Please go back to the step" in page
    back = f"{URL}?{urlencode([*evidence, ('platform', 'android')])}".replace("&", "&amp;")
    assert f'href="{back}">Go back to the step</a>' in page
    assert nothing_stored()


def test_an_answer_form_dated_in_the_future_is_refused(phone, snapshot, monkeypatch):
    evidence = first_step_state(snapshot)
    issued_ago(monkeypatch, -(60 * 60))  # signed an hour ahead: a key that leaked, or a clock set wrong
    form = answer_form(phone, URL, evidence)
    monkeypatch.undo()

    response = phone.post(FEEDBACK, {**form, "outcome": "fixed"})

    assert response.status_code == 400
    assert "could not read your answer" in response.content.decode()
    assert nothing_stored()


@pytest.mark.parametrize(("ahead", "accepted"), [(30, True), (50, True), (90, False), (10 * 365 * DAY, False)])
def test_a_token_may_be_dated_at_most_a_minute_ahead(monkeypatch, ahead, accepted):
    issued_ago(monkeypatch, -ahead)
    token = shown_forms.make("test-salt", "guide", "step")
    monkeypatch.undo()

    if accepted:
        assert shown_forms.read(token, salt="test-salt", shown=["guide", "step"], max_age=DAY)
    else:
        with pytest.raises(shown_forms.TokenFromTheFuture):
            shown_forms.read(token, salt="test-salt", shown=["guide", "step"], max_age=DAY)


def test_a_wait_step_form_stays_good_for_its_waiting_time_and_a_day(phone, snapshot, monkeypatch):
    wait = next(step for step in snapshot.steps.values() if step.is_wait)
    fixes = next(s for s in snapshot.model.steps if s.key == wait.slug).fixes
    someone_who_must_wait = max(fixes, key=fixes.get)
    walk = engine.visit(
        snapshot.model, lambda q: engine.answer_for(q, someone_who_must_wait), max_questions=snapshot.max_questions
    )
    evidence = next(e for e, d in walk if d.kind == engine.STEP and d.step.key == wait.slug)

    def answer_after(seconds):
        issued_ago(monkeypatch, seconds)
        form = answer_form(phone, URL, evidence)
        monkeypatch.undo()
        return phone.post(FEEDBACK, {**form, "outcome": "not_fixed"})

    assert wait.minutes * 60 > 60 * 60
    assert answer_after(DAY + 60 * 60).status_code == 302  # came back the next day, as the step asked
    too_late = answer_after(DAY + wait.minutes * 60 + 60)
    assert too_late.status_code == 400 and "too old" in too_late.content.decode()
    assert StepOutcome.objects.count() == 1


# Retries


@pytest.mark.parametrize("htmx", [False, True])
def test_the_same_answer_sent_twice_is_stored_once_and_moves_the_visitor_on_both_times(phone, snapshot, htmx):
    evidence = first_step_state(snapshot)
    headers = {"HX-Request": "true"} if htmx else {}
    data = {**answer_form(phone, URL, evidence, headers=headers), "outcome": "fixed"}

    first = phone.post(FEEDBACK, data, headers=headers)
    retry = phone.post(FEEDBACK, data, headers=headers)

    if htmx:
        assert first.status_code == retry.status_code == 200
        assert first["HX-Push-Url"] == retry["HX-Push-Url"]
        assert "Great, it works again" in retry.content.decode()
    else:
        assert first.status_code == retry.status_code == 302
        assert first["Location"] == retry["Location"]
    assert StepOutcome.objects.count() == 1
    assert Resolution.objects.count() == 1


def test_replaying_one_form_cannot_lift_a_step_in_the_report(phone, snapshot, guide):
    evidence = first_step_state(snapshot)
    step = offered(snapshot, evidence).step.key
    data = {**answer_form(phone, URL, evidence), "outcome": "fixed"}

    codes = {phone.post(FEEDBACK, data).status_code for _ in range(20)}

    assert codes == {302}
    row = next(row for row in build_report(guide, days=7).fix_steps if row.slug == step)
    assert (row.fixed, row.answered) == (1, 1)
    assert build_report(guide, days=7).fixed == 1


def test_an_answer_that_could_not_be_saved_can_be_sent_again_with_the_same_form(phone, snapshot):
    evidence = first_step_state(snapshot)
    data = {**answer_form(phone, URL, evidence), "outcome": "not_fixed"}

    def database_down_for_writes(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT"):
            raise OperationalError("the database is down")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(database_down_for_writes):
        assert phone.post(FEEDBACK, data).status_code == 503
    assert nothing_stored()

    assert phone.post(FEEDBACK, data).status_code == 302
    assert StepOutcome.objects.count() == 1


# Who is counted as one visitor, for the rate limit


def test_without_a_trusted_proxy_a_made_up_forwarded_for_does_not_buy_more_answers(phone, snapshot, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    evidence = first_step_state(snapshot)
    codes = [
        phone.post(
            FEEDBACK,
            {**answer_form(phone, URL, evidence), "outcome": "not_fixed"},
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
        ).status_code
        for n in range(61)
    ]

    assert codes[:60] == [302] * 60  # a shared address (an office, a school) has room for fifteen visits
    assert codes[60] == 429


def answer_from(phone, evidence, address: str) -> int:
    form = {**answer_form(phone, URL, evidence), "outcome": "not_fixed"}
    return phone.post(FEEDBACK, form, headers={"X-Forwarded-For": address}).status_code


def test_two_addresses_in_one_ipv6_64_share_one_allowance(phone, snapshot, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    evidence = first_step_state(snapshot)

    codes = [answer_from(phone, evidence, f"2001:db8:5:6::{n:x}") for n in range(1, 61)]
    other_half_of_the_64 = answer_from(phone, evidence, "2001:db8:5:6:ffff:ffff:ffff:ffff")
    next_64 = answer_from(phone, evidence, "2001:db8:5:7::1")

    assert codes == [302] * 60
    assert other_half_of_the_64 == 429
    assert next_64 == 302


def test_ipv4_visitors_each_keep_their_own_allowance(phone, snapshot, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    evidence = first_step_state(snapshot)

    codes = [answer_from(phone, evidence, "203.0.113.9") for _ in range(61)]
    neighbour = answer_from(phone, evidence, "203.0.113.10")

    assert codes[60] == 429
    assert neighbour == 302


def test_the_rate_limit_keeps_no_plain_hash_of_the_address(phone, snapshot):
    evidence = first_step_state(snapshot)
    phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "not_fixed"})

    # A plain hash of an IPv4 address is undone by hashing all four billion of them.
    keys = state_keys()
    assert [key for key in keys if "feedback-posts:" in key]  # the counter is there
    assert not [key for key in keys if hashlib.sha256(b"127.0.0.1").hexdigest()[:16] in key]


def state_keys() -> list[str]:
    """Every key in the state cache's table (the tests' state cache is the database's)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM guides_state_cache")
        return [row[0] for row in cursor.fetchall()]


def test_an_answer_counter_lasts_to_the_end_of_its_window_whatever_the_posts(phone, snapshot, monkeypatch):
    """The database cache's incr writes the key again with its default timeout: that must not end the
    window early, or an address at its limit would get a fresh allowance after a short pause."""
    started = time.time()
    into_window = started % FEEDBACK_WINDOW_SECONDS - 1  # the rate limit's clock: a window began a second ago
    monkeypatch.setattr(rate_limit, "time", SimpleNamespace(time=lambda: time.time() - into_window))
    evidence = first_step_state(snapshot)
    for _ in range(3):
        phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "not_fixed"})

    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM guides_state_cache WHERE cache_key LIKE '%feedback-posts:%'")
        (expires,) = cursor.fetchone()
    if isinstance(expires, str):  # SQLite hands the timestamp back as text
        expires = datetime.fromisoformat(expires)
    assert expires.timestamp() >= started + FEEDBACK_WINDOW_SECONDS - 2  # the whole window, not 5 minutes


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "address"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # nothing in front: the header is anyone's to write
        (1, "", "10.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),  # nginx appended the address it was reached from
        (1, "1.2.3.4, 5.6.7.8, 203.0.113.9", "203.0.113.9"),  # what the client sent sits to the left
        (1, "not-an-address", "10.0.0.1"),
        (2, "198.51.100.7, 203.0.113.9", "198.51.100.7"),  # a CDN, then nginx
        (2, "203.0.113.9", "10.0.0.1"),  # one entry: the request skipped the CDN
        (2, "1.2.3.4, 198.51.100.7, 203.0.113.9", "198.51.100.7"),
        (1, "2001:db8:1:2:a:b:c:d", "2001:db8:1:2::"),  # an IPv6 visitor is their /64
        (1, "2001:db8:1:3:a:b:c:d", "2001:db8:1:3::"),  # the next /64 is another visitor
        (1, "::ffff:203.0.113.9", "203.0.113.9"),
    ],
)
def test_the_client_address_is_the_one_our_outermost_proxy_saw(settings, proxies, forwarded_for, address):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.1", headers={"X-Forwarded-For": forwarded_for})

    assert client_address(request) == address


# Page views


def test_page_views_add_to_one_daily_counter_per_screen_whatever_the_traffic(phone, snapshot):
    question = offered(snapshot, []).question.key
    for _ in range(200):
        phone.get(URL)
    answered = [(question, engine.UNSURE)]
    for _ in range(3):
        phone.get(f"{URL}?{urlencode(answered)}")

    assert page_views.flush() == 406  # 203 screens shown, 200 starts and 3 answers
    counters = {(c.kind, c.question_slug, c.answer_slug): c.count for c in QuestionnaireCount.objects.all()}
    assert counters[("start", "", "")] == 200
    assert counters[("question", question, "")] == 200
    assert counters[("answer", question, "unsure")] == 3
    assert len(counters) == 4  # the answer's next screen is the fourth
