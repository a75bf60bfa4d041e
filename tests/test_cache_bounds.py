"""The cache cannot be filled from outside, and page copies never push out what must stay.

Made-up troubleshooter addresses are redirected before the cache is touched; real but distinct
screens fill a page cache of bounded size; the rate-limit counters and the content version live in
the "state" cache, which no page copy can evict.
"""

import random
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.cache.backends.filebased import FileBasedCache
from django.db import OperationalError, connection
from django.urls import reverse

from guides import engine
from guides.content_cache import forget_local_version
from guides.diagnose import screen_cache
from guides.diagnose.snapshot import build_snapshot
from guides.web.http_caching import forget_local_pages

URL = reverse("guides:diagnose", args=["tiktok-messages"])
FEEDBACK = reverse("guides:diagnose_feedback", args=["tiktok-messages"])
ARTICLE = reverse("guides:article", args=["tiktok-messages"])
FLOOD = 2000
# The page cache the size test runs against: small, so 2,000 screens overflow it several times.
SMALL_PAGE_CACHE_ENTRIES = 300
# The largest screen copy is about 30 KB; pages with their gzip about 100 KB.
LARGEST_ENTRY_BYTES = 100 * 1024


def entries(alias: str) -> int:
    """How many entries a cache holds, read from where it keeps them."""
    store = caches[alias]
    if isinstance(store, FileBasedCache):
        return len(list(Path(store._dir).glob("*.djcache")))
    if isinstance(store, BaseDatabaseCache):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(store._table)}")
            return cursor.fetchone()[0]
    return store.client.get_client().dbsize()  # Redis


@pytest.fixture
def snapshot(seed_guide):
    return build_snapshot(seed_guide)


def first_answer(snapshot) -> list[tuple[str, str]]:
    question = snapshot.model.questions[0]
    return [(question.key, question.answers[0].key)]


def made_up_addresses(snapshot, count: int) -> list[str]:
    """Addresses a script could invent: stray parameters, unknown slugs and answers, repeats, view words."""
    rng = random.Random(13)
    questions = list(snapshot.model.questions)
    real = first_answer(snapshot)
    words = lambda: "".join(rng.choice("abcdefghijklmnopqrstuvwxyz-0123456789") for _ in range(rng.randint(1, 12)))  # noqa: E731
    kinds = [
        lambda: [("ask", words())],
        lambda: [*real, ("ask", words())],
        lambda: [("fixed", words())],
        lambda: [*real, ("fixed", words())],
        lambda: [(words(), words())],
        lambda: [(rng.choice(questions).key, words())],
        lambda: [*real, *real, (words(), "1")],
        lambda: [("platform", words())],
        lambda: [(engine.FAILED, words())],
        lambda: [(engine.SEEN, words())],
        lambda: [*real, ("utm_source", words())],
    ]
    addresses = set()
    while len(addresses) < count:
        addresses.add(f"{URL}?{urlencode(rng.choice(kinds)())}")
    return sorted(addresses)


def distinct_real_states(snapshot, count: int) -> list[str]:
    """Addresses of different states a visitor can be in: answers, tried steps and symptoms in many combinations."""
    rng = random.Random(7)
    pairs = [(q.key, a.key) for q in snapshot.model.questions for a in q.answers] + [
        (q.key, engine.UNSURE) for q in snapshot.model.questions
    ]
    pairs += [(engine.FAILED, s.key) for s in snapshot.model.steps] + [
        (engine.COULDNT, s.key) for s in snapshot.model.steps
    ]
    pairs += [(engine.SEEN, o.key) for o in snapshot.model.observations]
    states = set()
    while len(states) < count:
        evidence = engine.clean_evidence(snapshot.model, rng.sample(pairs, rng.randint(1, 6)))
        states.add(urlencode(evidence))
    return [f"{URL}?{state}" for state in sorted(states)]


def answer_limit_reached(client) -> None:
    """Use up this address's allowance of answers: the next one gets a 429."""
    codes = [client.post(FEEDBACK, {"outcome": "fixed"}).status_code for _ in range(61)]
    assert codes[-1] == 429


def test_made_up_addresses_are_redirected_before_they_reach_the_cache(client, snapshot):
    assert client.get(URL).status_code == 200  # the content version, the snapshot and the first screen exist
    before = entries("default") + entries("state")

    answers = [client.get(address) for address in made_up_addresses(snapshot, FLOOD)]

    assert [r.status_code for r in answers] == [302] * FLOOD
    assert entries("default") + entries("state") - before <= 3
    # Each goes to what the guide understood of it: nothing, or the one real answer it carried.
    assert {r["Location"] for r in answers} == {URL, f"{URL}?{urlencode(first_answer(snapshot))}"}


def test_distinct_real_screens_stay_within_the_page_cache_and_evict_no_state(client, snapshot, settings, tmp_path):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "pages"),
            "OPTIONS": {"MAX_ENTRIES": SMALL_PAGE_CACHE_ENTRIES},
        },
    }
    answer_limit_reached(client)
    etag = client.get(ARTICLE)["ETag"]
    addresses = distinct_real_states(snapshot, FLOOD)

    answers = [client.get(address).status_code for address in addresses]

    assert answers == [200] * FLOOD
    files = list((tmp_path / "pages").glob("*.djcache"))
    assert SMALL_PAGE_CACHE_ENTRIES // 2 < len(files) <= SMALL_PAGE_CACHE_ENTRIES  # filled, and held to its size
    assert sum(f.stat().st_size for f in files) <= SMALL_PAGE_CACHE_ENTRIES * LARGEST_ENTRY_BYTES
    assert client.post(FEEDBACK, {"outcome": "fixed"}).status_code == 429  # still at its limit
    assert client.get(ARTICLE)["ETag"] == etag  # the content version is the same: no edit, no new ETag
    forget_local_pages()  # the copy this process keeps in memory: ask the page cache itself
    built = []
    build = screen_cache._build_screen
    screen_cache._build_screen = lambda *args, **kwargs: (built.append(1), build(*args, **kwargs))[1]
    try:
        assert client.get(addresses[-1]).status_code == 200
    finally:
        screen_cache._build_screen = build
    assert built == []  # the newest screen is still the page cache's copy


def test_an_emptied_page_cache_keeps_the_answer_limit_and_the_content_version(client, seed_guide):
    answer_limit_reached(client)
    etag = client.get(ARTICLE)["ETag"]

    cache.clear()  # a page cache that dropped everything to make room (a cull, an eviction, a flush)

    assert client.post(FEEDBACK, {"outcome": "fixed"}).status_code == 429
    assert client.get(ARTICLE)["ETag"] == etag


def test_with_the_state_in_a_database_that_is_down_cached_pages_still_show(client, seed_guide, settings):
    state = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": settings.STATE_CACHE_TABLE}
    settings.CACHES = {**settings.CACHES, "state": state}  # as without REDIS_STATE_URL
    first = client.get(ARTICLE)
    forget_local_version()  # a second later: the process asks the state cache again

    def database_down(execute, sql, params, many, context):
        raise OperationalError("the database is down")

    with connection.execute_wrapper(database_down):
        again = client.get(ARTICLE)

    assert again.status_code == 200
    assert again["ETag"] == first["ETag"]  # nothing can be saved while it is down: the version it knew holds
