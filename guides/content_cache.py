"""A content version number in the shared cache, bumped on every content save.

Derived data (the search index, questionnaire snapshots) is stored under keys
that include the version, so a save on one server is seen by all of them at
once without hunting down individual keys.
"""

from django.core.cache import cache

VERSION_KEY = "guides:content-version"


def current_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def versioned_key(name: str) -> str:
    return f"guides:{name}:v{current_version()}"
