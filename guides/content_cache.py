"""A content version in the shared cache that changes on every content save.

Everything derived from content (cached pages, the search index, troubleshooter
snapshots) is keyed by the version, so a save on one server process is seen by
all of them at once without hunting down individual keys. The version is a
random token, not a counter: a cache that is flushed or evicts the key starts a
new version that no process can have seen before.

The version lives in the "state" cache, where no page copy can push it out (settings.CACHES).
"""

import logging
import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import caches
from django.db import DatabaseError, transaction

VERSION_KEY = "guides:content-version"
# While the cache is unreachable: nothing derived from content is kept there, and this process's
# snapshots stay as they are until it answers again.
UNREACHABLE = "cache-unreachable"

# Each process keeps the version it read for this long, so a cached page costs one cache round
# trip, not two; another process's save reaches it at most this late (a save here, at once).
LOCAL_SECONDS = 1.0

logger = logging.getLogger(__name__)
_local = {"version": "", "until": 0.0}
# Inside `one_change()`: whether anything changed yet; None outside.
_held: ContextVar[dict | None] = ContextVar("guides_content_changes_held", default=None)


def current_version() -> str:
    now = time.monotonic()
    if now < _local["until"]:
        return _local["version"]
    version = _shared_version()
    if version != UNREACHABLE:
        _local.update(version=version, until=now + LOCAL_SECONDS)
    return version


def forget_local_version() -> None:
    """Read the shared version again on the next call (after this process changed it, or a cache flush)."""
    _local["until"] = 0.0


def _shared_version() -> str:
    state = caches["state"]
    try:
        version = state.get(VERSION_KEY)
        if version is None:
            state.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = state.get(VERSION_KEY)
    except DatabaseError:
        # The state is in the database with the content: while it is down nothing can be saved,
        # so the version this process read last is still the current one.
        logger.warning("The content version cannot be read: the database is unreachable")
        return _local["version"] or UNREACHABLE
    if version is None:
        logger.warning("The cache is unreachable: pages are served uncached until it is back")
        return UNREACHABLE
    return version


def content_changed() -> None:
    """Change the version now, and again once the surrounding transaction commits.

    A request served between the save and the commit still sees the old rows and
    may cache what it built under the new version; the second change retires that.
    Inside `one_change()` the change waits for its end.
    """
    held = _held.get()
    if held is not None:
        held["changed"] = True
        return
    _new_version()
    transaction.on_commit(_new_version, robust=True)


@contextmanager
def one_change():
    """Change the version once for everything saved inside, rather than once per saved row.

    A load saves hundreds of rows; a new version per row is a cache write each, and every
    process re-reads the version and rebuilds its snapshot and search index for nothing.
    Use it inside the transaction, so the version also changes again once it commits.
    Nested, the outermost one changes the version.
    """
    if _held.get() is not None:
        yield
        return
    held = {"changed": False}
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
        if held["changed"]:
            content_changed()


class VersionNotChanged(Exception):
    """The cache answers but kept the old version (its disk is full): every process would go on
    serving pages from before the save, so the save is refused instead."""


def _new_version() -> None:
    state = caches["state"]
    old = state.get(VERSION_KEY)
    state.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    forget_local_version()
    # Another process's save may change it again meanwhile; only the old version means this one was lost.
    if old is not None and state.get(VERSION_KEY) == old:
        raise VersionNotChanged("The cache kept the old content version")


def versioned_key(name: str) -> str:
    return f"guides:{name}:{current_version()}"
