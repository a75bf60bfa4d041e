"""What browsers, proxies and CDNs may keep: public guide pages with ETags, nothing personal, HTML compressed once."""

import gzip
import re

import pytest
from django.core.cache import caches

from guides import content_cache

HOME = "/"
ARTICLE = "/guides/tiktok-messages/"
CAUSE = "/guides/tiktok-messages/causes/connection-problems/"
PUBLIC_PAGES = [HOME, ARTICLE, CAUSE]
PHONE = "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36"


@pytest.fixture
def cause_url(seed_guide) -> str:
    return seed_guide.causes.first().get_absolute_url()


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("path", [HOME, ARTICLE])
def test_anonymous_pages_may_be_kept_five_minutes_by_browsers_and_five_seconds_by_shared_caches(
    client, seed_guide, path
):
    response = client.get(path)

    assert response.status_code == 200
    assert {"public", "max-age=300", "s-maxage=5", "stale-while-revalidate=60"} <= cache_control(response)
    assert response.headers["ETag"].startswith('"')
    assert "Set-Cookie" not in response.headers


def test_a_cause_page_is_public_too(client, cause_url):
    response = client.get(cause_url)

    assert "public" in cache_control(response)
    assert "ETag" in response.headers


@pytest.mark.parametrize("path", [HOME, ARTICLE])
def test_asking_again_with_the_etag_answers_304_without_rendering_or_reading(
    client, seed_guide, path, django_assert_num_queries, monkeypatch
):
    etag = client.get(path).headers["ETag"]
    from guides.web import http_caching

    reads = []
    monkeypatch.setattr(http_caching.cache, "get", lambda *args, **kwargs: reads.append(args))

    with django_assert_num_queries(0):
        response = client.get(path, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["ETag"] == etag
    assert "public" in cache_control(response)
    assert reads == []  # not even the cached copy is read


def test_a_content_save_changes_the_etag_so_browsers_get_the_new_page(client, seed_guide):
    etag = client.get(ARTICLE).headers["ETag"]

    seed_guide.summary = "A summary saved a moment ago."
    seed_guide.save()
    response = client.get(ARTICLE, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.headers["ETag"] != etag
    assert "A summary saved a moment ago." in response.content.decode()


def test_signed_in_staff_get_private_pages_no_shared_cache_may_keep(admin_client, seed_guide):
    response = admin_client.get(ARTICLE)

    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_control(response)
    assert "public" not in cache_control(response)
    assert "ETag" not in response.headers


def test_a_staff_member_with_an_old_etag_still_gets_the_page(admin_client, client, seed_guide):
    etag = client.get(ARTICLE).headers["ETag"]

    assert admin_client.get(ARTICLE, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_fix_step_screen_with_its_form_and_cookie_is_never_public(client, seed_guide):
    """A screen that carries a CSRF token (and sets its cookie) is for one visitor only."""
    from guides import engine
    from guides.diagnose.snapshot import build_snapshot, state_query

    snapshot = build_snapshot(seed_guide)
    evidence = []
    while (decision := engine.next_step(snapshot.model, evidence)).kind == engine.QUESTION:
        evidence.append((decision.question.key, engine.UNSURE))
    response = client.get(f"/guides/tiktok-messages/diagnose/?{state_query(evidence)}")

    assert b"csrfmiddlewaretoken" in response.content
    assert {"private", "no-store"} <= cache_control(response)
    assert "public" not in cache_control(response)
    assert "ETag" not in response.headers


def test_html_is_compressed_once_when_it_enters_the_cache_not_per_request(client, seed_guide, monkeypatch):
    from guides.web import http_caching

    calls = []
    compress = gzip.compress
    monkeypatch.setattr(http_caching.gzip, "compress", lambda *a, **k: (calls.append(1), compress(*a, **k))[1])

    plain = client.get(ARTICLE).content
    squeezed = [client.get(ARTICLE, HTTP_ACCEPT_ENCODING="gzip, deflate, br") for _ in range(3)]

    assert len(calls) == 1
    for response in squeezed:
        assert response.headers["Content-Encoding"] == "gzip"
        assert int(response.headers["Content-Length"]) == len(response.content)
        assert gzip.decompress(response.content) == plain
        assert "Accept-Encoding" in response.headers["Vary"]
    assert len(squeezed[0].content) < len(plain) / 3


def test_a_client_that_does_not_ask_for_gzip_gets_plain_html(client, seed_guide):
    client.get(ARTICLE, HTTP_ACCEPT_ENCODING="gzip")

    response = client.get(ARTICLE, HTTP_ACCEPT_ENCODING="identity")

    assert "Content-Encoding" not in response.headers
    assert b"<!doctype html>" in response.content


@pytest.mark.parametrize("path", [HOME, ARTICLE])
def test_a_warm_anonymous_hit_runs_no_sql_and_no_cache_round_trip(client, seed_guide, path, django_assert_num_queries):
    from guides.web import http_caching

    client.get(path)
    reads = []
    get = http_caching.cache.get

    def counting_get(*args, **kwargs):
        reads.append(args[0])
        return get(*args, **kwargs)

    state = caches["state"]
    read_state = state.get
    http_caching.cache.get = counting_get
    state.get = lambda *args, **kwargs: (reads.append(args[0]), read_state(*args, **kwargs))[1]
    try:
        with django_assert_num_queries(0):
            assert client.get(path).status_code == 200
    finally:
        http_caching.cache.get = get
        state.get = read_state

    # The content version is held by the process for a second, the page itself in its memory.
    assert reads == []


SCREENS = ["/guides/tiktok-messages/diagnose/", "/guides/tiktok-messages/diagnose/?error-notice=yes-notice"]


@pytest.mark.parametrize("path", SCREENS)
def test_a_warm_troubleshooter_screen_runs_no_sql_and_no_cache_round_trip(
    client, seed_guide, path, django_assert_num_queries, monkeypatch
):
    from django.core.cache import cache

    first = client.get(path, headers={"User-Agent": PHONE})
    reads = []
    get = cache.get
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: reads.append(args[0]) or get(*args, **kwargs))

    with django_assert_num_queries(0):
        again = client.get(path, headers={"User-Agent": PHONE})

    assert again.status_code == 200
    assert again.content == first.content
    assert reads == []  # the screen from this process's memory, the content version held for a second


def test_subdomains_of_a_wildcard_host_share_one_cached_copy(client, seed_guide, settings, monkeypatch):
    from guides.web import http_caching

    settings.ALLOWED_HOSTS = ["example.com", ".example.com"]
    stored = []
    store = http_caching.cache.set
    monkeypatch.setattr(http_caching.cache, "set", lambda key, *a, **k: (stored.append(key), store(key, *a, **k)))
    for host in ("example.com", "a.example.com", "b.example.com", "example.com:8080"):
        assert client.get(ARTICLE, HTTP_HOST=host).status_code == 200

    assert len([key for key in stored if ":page:" in key]) == 1


def test_another_process_sees_a_save_within_a_second(client, seed_guide, monkeypatch):
    """The version is held per process for a second: a save elsewhere (simulated) shows once that has passed."""
    import time

    client.get(ARTICLE)
    content_cache._new_version()  # as another process would, without telling this one
    content_cache._local["until"] = time.monotonic() + 1.0  # pretend this process read it just now
    first = client.get(ARTICLE).headers["ETag"]

    content_cache._local["until"] = 0.0  # a second later
    assert client.get(ARTICLE).headers["ETag"] != first


def test_the_questionnaire_start_is_public_with_an_etag_and_answers_304(client, seed_guide, django_assert_num_queries):
    start = "/guides/tiktok-messages/diagnose/"
    first = client.get(start)

    assert {"public", "max-age=300"} <= cache_control(first)
    assert "Set-Cookie" not in first.headers
    with django_assert_num_queries(0):
        again = client.get(start, HTTP_IF_NONE_MATCH=first.headers["ETag"])
    assert again.status_code == 304


def test_a_screen_after_answers_is_not_public(client, seed_guide):
    start = client.get("/guides/tiktok-messages/diagnose/").content.decode()
    answer = re.search(r'href="(/guides/tiktok-messages/diagnose/\?[^"]+)"', start)
    if answer is None:  # answers are a GET form: build the first answer from its fields
        question = re.search(r'name="([a-z0-9-]+)" value="([a-z0-9-]+)"', start)
        url = f"/guides/tiktok-messages/diagnose/?{question.group(1)}={question.group(2)}"
    else:
        url = answer.group(1).replace("&amp;", "&")

    response = client.get(url)

    assert response.status_code == 200
    assert "public" not in cache_control(response)
    assert "ETag" not in response.headers


def test_a_deploy_that_changes_templates_or_static_files_serves_fresh_copies(
    client, seed_guide, monkeypatch, django_assert_num_queries
):
    from guides.diagnose import screen_cache
    from guides.web import http_caching

    old = client.get(ARTICLE).headers["ETag"]
    monkeypatch.setattr(http_caching, "deploy_fingerprint", lambda: "next-release")
    monkeypatch.setattr(screen_cache, "deploy_fingerprint", lambda: "next-release")

    with django_assert_num_queries(6):  # rendered again, not the copy the old templates made
        response = client.get(ARTICLE, HTTP_IF_NONE_MATCH=old)
    assert response.status_code == 200
    assert response.headers["ETag"] != old
