"""A throwaway site for in-process benchmarks: production settings on its own SQLite database and file cache.

Each bench runs in a process of its own, so setting the environment and Django up here is safe;
nothing touches the project's own database, cache or Redis.
"""

import os
import tempfile
from pathlib import Path


def set_up(prefix: str) -> Path:
    """Configure and set up Django on a new temporary folder, migrate and load the bundled guides."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="troubleshooter.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-only-not-a-secret-" + "0123456789abcdef" * 3,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        DJANGO_CACHE_DIR=str(folder / "cache"),
        DJANGO_LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("REDIS_STATE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_guides", verbosity=0)
    return folder
