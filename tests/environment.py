"""Environment for the test run, set before Django reads its settings (loaded with `-p`)."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret-" + "0123456789abcdef" * 3)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Not the test client's host: links that must name the configured site show where they came from.
os.environ.setdefault("DJANGO_SITE_URL", "https://help.example.com")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
os.environ.setdefault("DJANGO_STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
# Each test run gets its own cache folder, so it never clears a running site's cache or another run's.
if "DJANGO_CACHE_DIR" not in os.environ:
    os.environ["DJANGO_CACHE_DIR"] = tempfile.mkdtemp(prefix="troubleshooter-test-cache-")
    atexit.register(shutil.rmtree, os.environ["DJANGO_CACHE_DIR"], ignore_errors=True)
