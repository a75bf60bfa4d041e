"""A full disk under SQLite or the file cache: nothing is lost silently, nobody sees a 500.

Answers and votes that cannot be saved get the "not saved, try again in a minute" page (503); a
content save in the admin gets a page saying it was not saved; pages are still served, uncached;
/healthz names the part that cannot write. The disk is filled without privileges: SQLite's
`max_page_count` caps the test database at its current size (and the tables written to are topped
up until not one more row fits); on PostgreSQL each write gets PostgreSQL's own "No space left on
device" error; the file cache's writes fail with ENOSPC as on a full disk.
"""

import errno
import html
import re
from contextlib import ExitStack

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.filebased import FileBasedCache
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.urls import reverse

from guides.diagnose.snapshot import build_snapshot
from guides.models import Cause, PageVote, StepOutcome
from tests.admin_forms import admin_form
from tests.screens import answer_form, first_step_state

ARTICLE = reverse("guides:article", args=["tiktok-messages"])
VOTE = reverse("guides:helpful", args=["tiktok-messages"])
DIAGNOSE = reverse("guides:diagnose", args=["tiktok-messages"])
FEEDBACK = reverse("guides:diagnose_feedback", args=["tiktok-messages"])
VOTE_FEEDBACK = reverse("guides:helpful_feedback", args=["tiktok-messages"])
NOT_SAVED = "We couldn't save your answer just now, so nothing was recorded."


@pytest.fixture
def fill_the_database():
    """Make the database refuse new data from now on, as a full disk does; undone after the test.

    SQLite: no room for one more page, and the tables named by `rows` (makers of a row) topped up until
    not one more row fits. PostgreSQL (which cannot be capped without privileges): each write fails
    with the error PostgreSQL gives when it cannot extend a file.
    """
    with ExitStack() as undo:

        def fill(*rows):
            if connection.vendor != "sqlite":
                undo.enter_context(connection.execute_wrapper(no_space_for_writes))
                return
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA page_count")
                cursor.execute(f"PRAGMA max_page_count = {cursor.fetchone()[0]}")
            # Straight on the sqlite3 connection: a failed write may have left Django's transaction unusable.
            undo.callback(connection.connection.execute, "PRAGMA max_page_count = 1073741823")
            for make in rows:
                assert top_up(make) > 0

        yield fill


def top_up(make) -> int:
    added = 0
    while True:
        try:
            with transaction.atomic():
                make(added).save()
        except OperationalError as error:
            assert "full" in str(error)
            return added
        added += 1
        assert added < 100_000


def no_space_for_writes(execute, sql, params, many, context):
    if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
        raise OperationalError('could not extend file "base/16384/16385": No space left on device')
    return execute(sql, params, many, context)


@pytest.fixture
def read_only_database(db):
    """The database answers reads and refuses writes, as one mounted read-only does."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET TRANSACTION READ ONLY")  # the test's transaction, rolled back after it
    yield
    if connection.vendor == "sqlite":
        connection.connection.execute("PRAGMA query_only = OFF")


@pytest.fixture
def file_cache(settings, tmp_path):
    """The page cache an operator gets without REDIS_URL, in this test's own folder; the state stays in the database."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "guides.web.disk_cache.DiskCache", "LOCATION": str(tmp_path)},
    }


def fill_the_cache_disk(monkeypatch):
    """Every write of the file cache fails as on a full disk; reads still work."""

    def no_room(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileBasedCache, "_write_content", no_room)


def vote_form(client) -> dict[str, str]:
    page = client.get(VOTE, headers={"HX-Request": "true"}).content.decode()
    form = re.search(r'<form method="post".*?</form>', page, re.S).group(0)
    return {
        name: html.unescape(value) for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }


def save_cause(client, cause, explanation):
    url = reverse("admin:guides_cause_change", args=[cause.pk])
    data = admin_form(client.get(url).content.decode(), "cause_form")
    data["explanation"] = [explanation]
    return client.post(url, data)


# The database out of room


def test_an_answer_the_full_database_cannot_keep_gets_the_not_saved_page(phone, seed_guide, fill_the_database):
    evidence = first_step_state(build_snapshot(seed_guide))
    form = answer_form(phone, DIAGNOSE, evidence)
    fill_the_database(lambda n: StepOutcome(guide=seed_guide, step_slug="filler", outcome="fixed", token=f"f{n}"))
    stored = StepOutcome.objects.count()

    response = phone.post(FEEDBACK, {**form, "outcome": "not_fixed"})

    assert response.status_code == 503
    assert NOT_SAVED in html.unescape(response.content.decode())
    assert StepOutcome.objects.count() == stored


def test_a_vote_the_full_database_cannot_keep_gets_the_not_saved_page(phone, seed_guide, fill_the_database):
    form = vote_form(phone)
    fill_the_database(lambda n: PageVote(guide=seed_guide, helpful=True, token=f"f{n}"))
    stored = PageVote.objects.count()

    response = phone.post(VOTE_FEEDBACK, {**form, "answer": "yes"})

    assert response.status_code == 503
    assert NOT_SAVED in html.unescape(response.content.decode())
    assert PageVote.objects.count() == stored


def test_a_content_save_the_full_database_cannot_keep_says_so_in_the_admin(
    editor_client, seed_guide, fill_the_database
):
    cause = seed_guide.causes.first()
    before = cause.explanation
    editor_client.get(reverse("admin:guides_cause_change", args=[cause.pk]))
    fill_the_database()

    response = save_cause(editor_client, cause, before + "\n\n" + "A longer explanation. " * 400)

    assert response.status_code == 503
    page = html.unescape(response.content.decode())
    assert "Nothing was saved: the database's disk is full." in page
    assert "your changes are still in the form" in page
    assert Cause.objects.get(pk=cause.pk).explanation == before


def test_healthz_says_the_database_is_full(client, db, fill_the_database):
    fill_the_database()

    response = client.get("/healthz")

    assert response.status_code == 200  # pages are still served
    assert response.json() == {"status": "ok", "database": "full", "cache": "ok"}


def test_healthz_says_the_database_is_read_only(client, read_only_database):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "read-only", "cache": "ok"}


# The file cache's disk out of room


def test_an_answer_is_saved_and_counted_while_the_page_cache_disk_is_full(phone, seed_guide, file_cache, monkeypatch):
    """Only page copies live on the file cache: its full disk costs speed, never an answer or its rate limit."""
    form = answer_form(phone, DIAGNOSE, first_step_state(build_snapshot(seed_guide)))
    fill_the_cache_disk(monkeypatch)

    response = phone.post(FEEDBACK, {**form, "outcome": "not_fixed"})

    assert response.status_code == 302
    assert StepOutcome.objects.count() == 1


def test_a_vote_is_saved_while_the_page_cache_disk_is_full(phone, seed_guide, file_cache, monkeypatch):
    form = vote_form(phone)
    fill_the_cache_disk(monkeypatch)

    response = phone.post(VOTE_FEEDBACK, {**form, "answer": "yes"})

    assert response.status_code == 302
    assert PageVote.objects.count() == 1


def test_an_answer_the_state_store_keeps_no_counter_for_gets_the_not_saved_page(phone, seed_guide, monkeypatch):
    """A state store that answers but keeps nothing (a full Redis with noeviction) must not switch the limit off."""
    form = answer_form(phone, DIAGNOSE, first_step_state(build_snapshot(seed_guide)))
    monkeypatch.setattr(DatabaseCache, "incr", lambda *args, **kwargs: (_ for _ in ()).throw(ValueError("no key")))

    response = phone.post(FEEDBACK, {**form, "outcome": "not_fixed"})

    assert response.status_code == 503
    assert NOT_SAVED in html.unescape(response.content.decode())
    assert not StepOutcome.objects.exists()


def test_pages_are_still_served_uncached(phone, seed_guide, file_cache, monkeypatch):
    evidence = first_step_state(build_snapshot(seed_guide))
    fill_the_cache_disk(monkeypatch)

    article = phone.get(ARTICLE)
    step = phone.get(reverse("guides:diagnose", args=["tiktok-messages"]), evidence)

    assert article.status_code == 200
    assert seed_guide.title in html.unescape(article.content.decode())
    assert step.status_code == 200
    assert 'name="outcome"' in step.content.decode()


def test_a_content_save_shows_at_once_while_the_page_cache_disk_is_full(
    editor_client, seed_guide, file_cache, monkeypatch
):
    cause = seed_guide.causes.first()
    editor_client.get(reverse("admin:guides_cause_change", args=[cause.pk]))
    fill_the_cache_disk(monkeypatch)

    response = save_cause(editor_client, cause, cause.explanation + "\n\nOne more sentence.")

    assert response.status_code == 302
    assert "One more sentence." in Cause.objects.get(pk=cause.pk).explanation
    page = Client().get(cause.get_absolute_url())
    assert "One more sentence." in html.unescape(page.content.decode())


def test_healthz_says_the_cache_is_full(client, db, file_cache, monkeypatch):
    fill_the_cache_disk(monkeypatch)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "full"}
