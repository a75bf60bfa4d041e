import os
import shutil

import pytest
from django.core.management import call_command

from guides.authoring.loader import load_guide
from guides.authoring.schema import content_files, read_content_file
from guides.models import Guide

SEED_SLUG = "tiktok-messages"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the bundled guides once; each test's transaction rolls back to this state."""
    with django_db_blocker.unblock():
        call_command("load_guides", verbosity=0)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    from django.core.cache import cache, caches
    from django.core.cache.backends.db import BaseDatabaseCache

    from guides.content_cache import forget_local_version
    from guides.diagnose.screen_cache import forget_local_screens
    from guides.web.http_caching import forget_local_pages

    # The state cache in the database is emptied with each test's transaction, except where the
    # test commits (transactional tests, the live server); elsewhere (Redis) it is cleared here.
    clears_state = "transactional_db" in request.fixturenames or not isinstance(caches["state"], BaseDatabaseCache)

    def forget_everything():
        cache.clear()
        if clears_state:
            caches["state"].clear()
        forget_local_version()
        forget_local_pages()
        forget_local_screens()

    forget_everything()
    yield
    forget_everything()


@pytest.fixture(autouse=True)
def _no_page_views_counted():
    """Page views wait in memory until a flush: none may leak from one test into the next."""
    from guides.diagnose import page_views

    page_views.forget()
    yield
    page_views.forget()


@pytest.fixture
def seed_guide(db) -> Guide:
    return Guide.objects.get(slug=SEED_SLUG)


@pytest.fixture
def seed_data() -> dict:
    return read_content_file(next(p for p in content_files() if p.stem == SEED_SLUG))


@pytest.fixture
def load(db):
    """Load a guide from plain data, as the content files hold it."""

    def _load(data, **kwargs):
        return load_guide(data, **kwargs)

    return _load


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("No Chromium found: CI must install Debian's chromium package (see .ci/run).")
        pytest.skip("No Chromium found; install Debian's chromium package to run the browser tests.")
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
    }


@pytest.fixture(scope="session")
def base_url():
    """No base URL: the tests use the live server's address.

    Overrides pytest-playwright 0.10's fallback `base_url` fixture (used when pytest-base-url is
    not installed), which is a session fixture defined as an instance method: pytest 9 warns
    about that with a PytestRemovedIn10Warning, which pyproject's filterwarnings turns into an error.
    """
    return None


@pytest.fixture
def seeded(live_server):
    """Load the bundled guides: a transactional test empties the database when it ends."""
    call_command("load_guides", verbosity=0)
    return live_server
