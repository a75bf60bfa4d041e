"""'Was this page helpful?' on the article and every cause page: a vote without JavaScript and with htmx.

The pages stay shared by every visitor (no cookie, no token in them); the vote form comes from its own
private address. A GET never records; one vote per form shown; a reason after "No" completes that vote;
forged or old forms, missing CSRF tokens and floods are refused with a message and store nothing.
"""

import html
import re
import time

import pytest
from django.core import signing
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from guides.feedback.votes import vote_token
from guides.models import Guide, PageVote

SLUG = "tiktok-messages"
ARTICLE = reverse("guides:article", args=[SLUG])
VOTE = reverse("guides:helpful", args=[SLUG])
FEEDBACK = reverse("guides:helpful_feedback", args=[SLUG])
THANKS = reverse("guides:helpful_thanks", args=[SLUG])
HTMX = {"HX-Request": "true"}
DAY = 24 * 60 * 60


@pytest.fixture
def visitor(db):
    """A browser that sends the CSRF token, as a real one does: the test client skips the check otherwise."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def cause(seed_guide):
    return seed_guide.causes.order_by("order", "id").last()


def cause_urls(cause) -> tuple[str, str, str]:
    args = [cause.guide.slug, cause.slug]
    return tuple(
        reverse(name, args=args)
        for name in ("guides:cause_helpful", "guides:cause_helpful_feedback", "guides:cause_helpful_thanks")
    )


def post_form(response) -> dict[str, str]:
    """The hidden fields of the vote form in a response, as a browser would send them."""
    page = response.content.decode()
    form = re.search(r'<form method="post".*?</form>', page, re.S).group(0)
    return {
        name: html.unescape(value) for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }


def text(response) -> str:
    return html.unescape(response.content.decode())


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",") if part.strip()}


def votes() -> list[tuple[str, bool, str]]:
    return list(PageVote.objects.order_by("id").values_list("cause_slug", "helpful", "reason"))


# The shared pages


def test_the_article_and_cause_pages_carry_the_block_but_nothing_per_visitor(visitor, cause):
    vote, *_ = cause_urls(cause)
    visitor.get(VOTE, headers=HTMX)  # this visitor now has a CSRF cookie: the shared pages must not care

    for path, form in ((ARTICLE, VOTE), (cause.get_absolute_url(), vote)):
        response = visitor.get(path)
        page = response.content.decode()

        assert response.status_code == 200
        assert "public" in cache_control(response) and "ETag" in response.headers
        assert "Set-Cookie" not in response.headers
        assert "csrfmiddlewaretoken" not in page and 'name="token"' not in page
        block = page[page.index('<section id="helpful"') :]
        assert f'hx-get="{form}" hx-trigger="revealed" hx-swap="outerHTML"' in block
        assert f'<form method="get" action="{form}"' in block
        assert 'name="answer" value="yes">Yes</button>' in block and 'name="answer" value="no"' in block


def test_robots_stay_out_of_the_vote_pages(client, db):
    assert "Disallow: /guides/*/was-this-helpful/\n" in client.get("/robots.txt").content.decode()
    assert '<meta name="robots" content="noindex">' in client.get(VOTE, {"answer": "yes"}).content.decode()


# Without JavaScript


def test_yes_without_javascript_shows_a_private_form_then_records_and_redirects_to_thanks(visitor, seed_guide):
    page = visitor.get(VOTE, {"answer": "yes"})

    assert page.status_code == 200
    assert {"private", "no-store"} <= cache_control(page)
    assert "Yes, it helped." in text(page)
    assert not PageVote.objects.exists()  # showing the form records nothing

    response = visitor.post(FEEDBACK, post_form(page))

    assert response.status_code == 302
    assert response["Location"] == f"{THANKS}?answer=yes"
    thanks = visitor.get(response["Location"])
    assert "Thanks for telling us" in text(thanks)
    assert f'<a href="{ARTICLE}">Back to “{seed_guide.title}”</a>' in text(thanks)
    vote = PageVote.objects.get()
    assert (vote.guide, vote.cause, vote.cause_slug, vote.helpful, vote.reason) == (seed_guide, None, "", True, "")


def test_no_without_javascript_offers_the_reasons_on_the_same_form(visitor, cause):
    vote, feedback, thanks = cause_urls(cause)
    page = visitor.get(vote, {"answer": "no"})
    labels = re.findall(r'name="reason" value="[a-z_]+"> <span>([^<]+)</span>', text(page))

    assert labels == [
        "It didn't fix my problem",
        "It's hard to follow",
        "It's out of date or wrong",
        "It's not my problem",
    ]
    assert "<textarea" not in page.content.decode() and 'type="text"' not in page.content.decode()

    response = visitor.post(feedback, {**post_form(page), "reason": "hard_to_follow"})

    assert response["Location"] == f"{thanks}?answer=no"
    assert "Answer a few quick questions to find your fix" in text(visitor.get(response["Location"]))
    vote_row = PageVote.objects.get()
    assert (vote_row.cause, vote_row.cause_slug, vote_row.helpful, vote_row.reason) == (
        cause,
        cause.slug,
        False,
        "hard_to_follow",
    )


def test_no_without_a_reason_is_a_vote_too(visitor):
    page = visitor.get(VOTE, {"answer": "no"})

    assert visitor.post(FEEDBACK, post_form(page)).status_code == 302
    assert votes() == [("", False, "")]


# With htmx


def test_with_htmx_the_block_becomes_the_real_form_and_yes_is_one_tap(visitor):
    fragment = visitor.get(VOTE, headers=HTMX)
    page = fragment.content.decode()

    assert fragment.status_code == 200
    assert "<html" not in page and page.strip().startswith('<section id="helpful"')
    assert f'hx-post="{FEEDBACK}" hx-target="#helpful" hx-swap="outerHTML"' in page
    assert "HX-Request" in fragment["Vary"]
    assert {"private", "no-store"} <= cache_control(fragment)
    assert "csrftoken" in fragment.cookies

    response = visitor.post(FEEDBACK, {**post_form(fragment), "answer": "yes"}, headers=HTMX)

    assert response.status_code == 200
    thanks = response.content.decode()
    assert "<html" not in thanks and thanks.strip().startswith('<section id="helpful"')
    assert "Thanks for telling us" in thanks
    assert votes() == [("", True, "")]


def test_with_htmx_no_asks_why_and_the_reason_completes_the_same_vote(visitor, cause):
    vote, feedback, _ = cause_urls(cause)
    form = post_form(visitor.get(vote, headers=HTMX))

    asked = visitor.post(feedback, {**form, "answer": "no"}, headers=HTMX)

    assert votes() == [(cause.slug, False, "")]  # the "No" counts even if the visitor says no more
    assert "What was wrong with this page?" in text(asked)
    assert {"private", "no-store"} <= cache_control(asked)
    reasons_form = post_form(asked)
    assert reasons_form["token"] == form["token"]

    thanks = visitor.post(feedback, {**reasons_form, "reason": "out_of_date"}, headers=HTMX)

    assert "Thanks for telling us" in text(thanks)
    assert votes() == [(cause.slug, False, "out_of_date")]


def test_sending_the_reasons_form_without_picking_one_just_says_thanks(visitor):
    asked = visitor.post(FEEDBACK, {**post_form(visitor.get(VOTE, headers=HTMX)), "answer": "no"}, headers=HTMX)

    thanks = visitor.post(FEEDBACK, post_form(asked), headers=HTMX)

    assert "Thanks for telling us" in text(thanks)
    assert votes() == [("", False, "")]


# One vote per page view


@pytest.mark.parametrize("htmx", [False, True])
def test_the_same_vote_sent_twice_is_stored_once_and_thanked_both_times(visitor, htmx):
    headers = HTMX if htmx else {}
    data = {**post_form(visitor.get(VOTE, headers=HTMX)), "answer": "yes"}

    first = visitor.post(FEEDBACK, data, headers=headers)
    retry = visitor.post(FEEDBACK, data, headers=headers)

    assert first.status_code == retry.status_code == (200 if htmx else 302)
    assert first.content == retry.content
    assert votes() == [("", True, "")]


def test_one_form_cannot_vote_twice_or_change_its_answer_or_its_reason(visitor):
    form = post_form(visitor.get(VOTE, headers=HTMX))
    visitor.post(FEEDBACK, {**form, "answer": "no", "reason": "didnt_fix"})

    for data in ({"answer": "yes"}, {"answer": "no"}, {"answer": "no", "reason": "not_my_problem"}):
        assert visitor.post(FEEDBACK, {**form, **data}).status_code == 302

    assert votes() == [("", False, "didnt_fix")]


def test_each_form_shown_gets_its_own_token(visitor):
    tokens = {post_form(visitor.get(VOTE, headers=HTMX))["token"] for _ in range(3)}

    assert len(tokens) == 3


# Refused


@pytest.mark.parametrize(
    "forge",
    [
        lambda form, cause: {k: v for k, v in form.items() if k != "token"},
        lambda form, cause: {**form, "token": "not-a-token"},
        lambda form, cause: {**form, "token": form["token"][:-2] + ("AA" if form["token"][-2:] != "AA" else "BB")},
        lambda form, cause: {**form, "token": vote_token(SLUG, cause.slug)},  # another page's form
        lambda form, cause: {**form, "token": signing.dumps([SLUG, "", "an-id"], salt="another-salt")},
        lambda form, cause: {**form, "token": signing.dumps([SLUG, "", ""], salt="guides.helpfulness.vote-token")},
    ],
    ids=["missing", "garbage", "tampered", "other-page", "signed-for-something-else", "no-id"],
)
def test_a_vote_without_a_valid_token_is_refused_and_nothing_is_stored(visitor, cause, forge):
    form = post_form(visitor.get(VOTE, headers=HTMX))

    for headers in ({}, HTMX):
        response = visitor.post(FEEDBACK, {**forge(form, cause), "answer": "yes"}, headers=headers)

        assert response.status_code == 400
        assert "We could not read your answer" in text(response)
    assert not PageVote.objects.exists()


def test_an_old_form_is_refused_with_a_way_to_answer_again(visitor, monkeypatch):
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(int(time.time()) - DAY - 60)
    )
    form = post_form(visitor.get(VOTE, headers=HTMX))
    monkeypatch.undo()

    response = visitor.post(FEEDBACK, {**form, "answer": "no"})

    assert response.status_code == 400
    assert "This answer form is too old." in text(response)
    assert f'<a class="button" href="{VOTE}?answer=no">Answer again</a>' in text(response)
    assert not PageVote.objects.exists()


def test_a_form_dated_in_the_future_is_refused(visitor, monkeypatch):
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(int(time.time()) + 60 * 60)
    )
    form = post_form(visitor.get(VOTE, headers=HTMX))
    monkeypatch.undo()

    response = visitor.post(FEEDBACK, {**form, "answer": "no"})

    assert response.status_code == 400
    assert "We could not read your answer" in text(response)
    assert not PageVote.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"answer": "maybe"},
        {"answer": "no", "reason": "I hate this page"},
        {"answer": "yes", "reason": "hard_to_follow"},
    ],
    ids=["no-answer", "unknown-answer", "unknown-reason", "reason-with-yes"],
)
def test_a_vote_that_makes_no_sense_gets_a_400_not_a_500(visitor, data):
    form = post_form(visitor.get(VOTE, headers=HTMX))

    response = visitor.post(FEEDBACK, {**form, **data})

    assert response.status_code == 400
    assert "We could not read your answer" in text(response)
    assert not PageVote.objects.exists()


def test_a_vote_without_its_csrf_token_is_refused_with_a_clear_403(visitor):
    form = post_form(visitor.get(VOTE, headers=HTMX))
    del form["csrfmiddlewaretoken"]

    response = visitor.post(FEEDBACK, {**form, "answer": "yes"})

    assert response.status_code == 403
    assert "did not send the security cookie" in text(response)
    assert f'href="{VOTE}"' in text(response)  # back to this page's vote form
    assert not PageVote.objects.exists()


def test_a_flood_of_votes_from_one_address_gets_a_429_with_a_message(client, seed_guide):
    codes = [client.post(FEEDBACK, {"answer": "yes", "token": vote_token(SLUG, "")}).status_code for _ in range(61)]

    assert codes[:60] == [302] * 60  # a school or an office shares one address
    assert codes[60] == 429
    assert PageVote.objects.count() == 60
    response = client.post(FEEDBACK, {"answer": "yes", "token": vote_token(SLUG, "")}, headers=HTMX)
    assert response.status_code == 429
    assert "You have sent a lot of answers in a short time" in text(response)
    assert "<html" not in response.content.decode()


def test_votes_and_troubleshooter_answers_count_in_separate_allowances(client, seed_guide):
    for _ in range(60):
        client.post(FEEDBACK, {"answer": "yes", "token": vote_token(SLUG, "")})

    troubleshooter = client.post(reverse("guides:diagnose_feedback", args=[SLUG]), {"outcome": "fixed"})

    assert troubleshooter.status_code == 400  # no answer token: refused for that, not for the votes sent


@pytest.mark.parametrize("htmx", [False, True])
def test_a_vote_that_cannot_be_saved_gets_a_503_and_can_be_sent_again(visitor, htmx):
    headers = HTMX if htmx else {}
    data = {**post_form(visitor.get(VOTE, headers=HTMX)), "answer": "yes"}

    def database_down_for_writes(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            raise OperationalError("the database is down")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(database_down_for_writes):
        response = visitor.post(FEEDBACK, data, headers=headers)

    assert response.status_code == 503
    assert "We couldn't save your answer just now, so nothing was recorded." in text(response)
    assert ("<html" in response.content.decode()) is not htmx
    assert not PageVote.objects.exists()
    assert visitor.post(FEEDBACK, data, headers=headers).status_code in (200, 302)
    assert votes() == [("", True, "")]


def test_a_vote_page_that_cannot_be_read_says_so(client, db):
    def database_down(execute, sql, params, many, context):
        raise OperationalError("the database is down")

    with connection.execute_wrapper(database_down):
        response = client.get(VOTE, {"answer": "yes"})

    assert response.status_code == 503
    assert "can't load right now" in text(response)


def test_getting_any_vote_address_records_nothing(client, cause):
    vote, _, thanks = cause_urls(cause)
    for url in (VOTE, vote, THANKS, thanks):
        for params in ({}, {"answer": "yes"}, {"answer": "no", "reason": "didnt_fix"}, {"answer": "x" * 500}):
            for headers in ({}, HTMX):
                assert client.get(url, params, headers=headers).status_code == 200
    assert client.get(FEEDBACK).status_code == 405

    assert not PageVote.objects.exists()


def test_drafts_unknown_pages_and_other_guides_tokens_are_not_found(client, seed_guide, cause):
    Guide.objects.create(title="Draft", slug="a-draft", summary="Not yet.", published=False)
    token = vote_token("a-draft", "")

    assert client.get(reverse("guides:helpful", args=["a-draft"])).status_code == 404
    assert (
        client.post(reverse("guides:helpful_feedback", args=["a-draft"]), {"answer": "yes", "token": token}).status_code
        == 404
    )
    assert client.get(reverse("guides:cause_helpful", args=[SLUG, "no-such-cause"])).status_code == 404
    assert client.post(FEEDBACK, {"answer": "yes", "token": token}).status_code == 400
    assert not PageVote.objects.exists()


def test_a_vote_without_its_csrf_cookie_over_htmx_explains_itself_in_the_vote_block(seed_guide):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        "/guides/tiktok-messages/was-this-helpful/feedback/", {"answer": "yes"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 403
    page = response.content.decode()
    assert 'id="helpful"' in page and "security cookie" in page
    assert 'id="panel"' not in page
