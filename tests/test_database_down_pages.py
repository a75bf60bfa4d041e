"""While the database is unreachable, every page it would be read for says so (503, try again), never a 500."""

import logging

import pytest
from django.contrib.auth.models import User
from django.db import InterfaceError, OperationalError, ProgrammingError, connection
from django.urls import reverse

ARTICLE = reverse("guides:article", args=["tiktok-messages"])
PAGES = [
    reverse("guides:index"),
    ARTICLE,
    reverse("guides:cause", args=["tiktok-messages", "network-connectivity"]),
    reverse("guides:article", args=["no-such-guide"]),  # without the database, nobody can tell it is unknown
    reverse("guides:cause", args=["tiktok-messages", "no-such-cause"]),
    "/sitemap.xml",
]


def database_fails_with(error):
    def fail(execute, sql, params, many, context):
        raise error("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    return fail


def assert_outage_page(response):
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert "no-store" in response.headers["Cache-Control"]
    page = response.content.decode()
    assert "Something is down for a moment" in page
    assert "Please try again in a minute." in page


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
@pytest.mark.parametrize("path", PAGES)
def test_a_page_not_in_the_cache_answers_the_outage_page(client, seed_guide, path, error):
    with connection.execute_wrapper(database_fails_with(error)):
        response = client.get(path)

    assert_outage_page(response)


@pytest.mark.django_db
def test_the_outage_page_offers_the_same_address_again(client, seed_guide):
    with connection.execute_wrapper(database_fails_with(OperationalError)):
        page = client.get(f"{ARTICLE}?from=search").content.decode()

    assert f'href="{ARTICLE}?from=search">Try again</a>' in page


@pytest.fixture
def signed_in_editor(client, seed_guide):
    """A session cookie: every page looks the session up in the database first."""
    editor = User.objects.create_user("alex", password="a long enough password", is_staff=True)
    client.force_login(editor)
    return editor


@pytest.mark.django_db
@pytest.mark.parametrize("path", [reverse("admin:login"), reverse("admin:index"), ARTICLE, "/robots.txt"])
def test_a_signed_in_editor_gets_the_outage_page(client, signed_in_editor, path):
    client.raise_request_exception = False  # robots.txt fails in a middleware, outside any view
    with connection.execute_wrapper(database_fails_with(OperationalError)):
        response = client.get(path)

    assert_outage_page(response)


@pytest.mark.django_db
def test_signing_in_says_the_site_is_down(client, signed_in_editor):
    form = {"username": "alex", "password": "a long enough password", "next": "/admin/"}
    client.logout()
    with connection.execute_wrapper(database_fails_with(OperationalError)):
        response = client.post(reverse("admin:login"), form)

    assert_outage_page(response)
    assert "Try again" not in response.content.decode()  # a link would not send the form again


@pytest.mark.django_db
def test_the_sign_in_form_still_shows_without_a_session(client, seed_guide):
    with connection.execute_wrapper(database_fails_with(OperationalError)):
        response = client.get(reverse("admin:login"))

    assert response.status_code == 200  # it needs no database; signing in then says the site is down
    assert 'name="password"' in response.content.decode()


@pytest.mark.django_db
def test_a_page_cached_before_the_outage_still_shows(client, seed_guide):
    client.get(ARTICLE)  # into the cache

    with connection.execute_wrapper(database_fails_with(OperationalError)):
        response = client.get(ARTICLE)

    assert response.status_code == 200
    assert "Why is TikTok not letting me send messages?" in response.content.decode()


@pytest.mark.django_db
def test_an_outage_is_one_line_in_the_log_not_an_error_report(client, seed_guide, caplog):
    with caplog.at_level(logging.WARNING), connection.execute_wrapper(database_fails_with(OperationalError)):
        client.get(ARTICLE)

    ours = [record for record in caplog.records if record.name == "guides.web.outage"]
    assert [record.levelname for record in ours] == ["WARNING"]
    assert ARTICLE in ours[0].getMessage()
    assert not [record for record in caplog.records if record.exc_info]  # no traceback anywhere


@pytest.mark.django_db
def test_a_bug_in_a_query_is_still_an_error_not_an_outage(client, seed_guide):
    client.raise_request_exception = False
    with connection.execute_wrapper(database_fails_with(ProgrammingError)):
        response = client.get(ARTICLE)

    assert response.status_code == 500
    assert "Something is down for a moment" not in response.content.decode()
