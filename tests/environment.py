"""Environment for the test run, set before Django reads its settings (loaded with `-p`)."""

import atexit
import os
import shutil
import tempfile
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret-" + "0123456789abcdef" * 3)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Not the test client's host: links that must name the configured site show where they came from.
os.environ.setdefault("DJANGO_SITE_URL", "https://help.example.com")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
os.environ.setdefault("DJANGO_STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")

# Set by pytest-xdist in each worker (gw0, gw1, ...); workers inherit the main process's environment.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")

# Each test run, and each xdist worker, gets its own cache folder: a test clears the cache, and must
# never clear a running site's cache or another worker's in the middle of its test.
if "DJANGO_CACHE_DIR" not in os.environ or WORKER:
    os.environ["DJANGO_CACHE_DIR"] = tempfile.mkdtemp(prefix=f"troubleshooter-test-cache-{WORKER or 'main'}-")
    atexit.register(shutil.rmtree, os.environ["DJANGO_CACHE_DIR"], ignore_errors=True)

# The same for Redis, whose clear() empties a whole database: worker n uses REDIS_URL's database + n,
# so `make test-postgres` with two workers on .../14 uses databases 14 and 15.
if WORKER and os.environ.get("REDIS_URL"):
    url = urlsplit(os.environ["REDIS_URL"])
    database = int(url.path.strip("/") or 0) + int(WORKER.removeprefix("gw"))
    if database > 15:
        raise SystemExit(
            f"REDIS_URL: worker {WORKER} would use Redis database {database}, past the 16 Redis has by default; "
            "give REDIS_URL a lower database number or run fewer workers (-n)."
        )
    os.environ["REDIS_URL"] = urlunsplit(url._replace(path=f"/{database}"))
