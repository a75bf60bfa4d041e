import importlib
import os
import shutil
import time
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import setup_databases, teardown_databases
from pytest_django.live_server_helper import LiveServer

from guides.authoring.loader import load_guide
from guides.authoring.schema import content_files, read_content_file
from guides.diagnose.snapshot import build_snapshot
from guides.models import Guide, PageVote, QuestionnaireCount, Resolution, StepOutcome
from tests.screens import ANDROID

SEED_SLUG = "tiktok-messages"
# The database the settings name, before pytest-django points the connection at a test database.
CONFIGURED_DATABASE = settings.DATABASES["default"]["NAME"]


def load_seed() -> None:
    """Commit what every test starts from: the data migration's Editors group and the bundled guides."""
    importlib.import_module("guides.migrations.0003_editors_group").create_editors(apps, None)
    call_command("load_guides", verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the bundled guides once; each test's transaction rolls back to this state.

    pytest-django makes a test database only when a collected test asks for `db`. The browser
    tests ask for none (they share one committed database, see `seeded`), so when they run alone
    the test database is made here: the guides must never be loaded into the configured one.
    """
    made = None
    with django_db_blocker.unblock():
        if connection.settings_dict["NAME"] == CONFIGURED_DATABASE:
            made = setup_databases(verbosity=0, interactive=False, aliases={connection.alias})
        load_seed()
    yield
    if made:
        with django_db_blocker.unblock():
            teardown_databases(made, verbosity=0)


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
def _answer_limit_window_holds(monkeypatch):
    """The answer limit counts in fixed ten-minute windows of the clock. A test that reaches the limit
    and checks it again a minute later must not see a window turn over in between: CI did once, and a
    fresh allowance turned an expected 429 into a 400. Tests of the window itself set their own clock."""
    from guides.feedback import rate_limit

    now = time.time()
    monkeypatch.setattr(rate_limit, "time", SimpleNamespace(time=lambda: now))


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
def snapshot(seed_guide):
    """What the troubleshooter works from for the bundled guide."""
    return build_snapshot(seed_guide)


@pytest.fixture
def phone() -> Client:
    """A visitor's Android phone, without cookies yet."""
    return Client(headers={"User-Agent": ANDROID})


@pytest.fixture
def editor(db):
    """A member of staff in the Editors group: changes content, reads history and reports."""
    user = User.objects.create_user("eddie", "eddie@example.com", "a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


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


@pytest.fixture(scope="module")
def seed_back_after_the_module(django_db_blocker):
    """For a module of transactional tests, which empty the database when they end: commit the seed
    again once the module is done. Under pytest-xdist the files a worker runs next can be any (it
    hands out the biggest first), so pytest-django's "transactional tests last" does not protect them.
    """
    yield
    with django_db_blocker.unblock():
        load_seed()


@pytest.fixture(scope="session")
def _shared_site(django_db_setup, django_db_blocker):
    """One live server for the browser tests of a run (of each xdist worker, which has its own
    database), serving the bundled guides that `django_db_setup` committed.

    pytest-django's `live_server` would make every test transactional: each one would empty the
    database when it ends, and the next would load the guides again (10 to 20 s each).
    """
    server = LiveServer("localhost")
    server._live_server_modified_settings.enable()
    yield server
    server._live_server_modified_settings.disable()
    server.stop()


@pytest.fixture
def seeded(_shared_site, django_db_blocker):
    """The shared live server with the bundled guides, and database access for the test.

    What visitors record through it (answers, votes, screen counts) is deleted after each test,
    so every test starts with none; a test that changes content puts it back itself.
    """
    with django_db_blocker.unblock():
        yield _shared_site
        for model in (PageVote, QuestionnaireCount, Resolution, StepOutcome):
            model.objects.all().delete()
        # The live server commits what it keeps in the state cache's table: a content version bumped by an
        # editor's save there, and the snapshot built for it. Left behind, a later test in this worker that
        # expects to build its own snapshot (or to fail to) would be served that one instead.
        caches["state"].clear()
