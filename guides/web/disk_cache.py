"""The page cache on one machine: files, bounded, least recently used out, and a full disk is only slower.

Django's file cache raises OSError from every write once its disk is full, which turned each page
that keeps a copy into a 500. What lives here is only copies (pages, screens, search-index parts):
without room for them the site renders them each time. What must not be lost lives in the "state"
cache instead (settings.CACHES), where no copy can push it out.
"""

import contextlib
import errno
import logging
import os

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

logger = logging.getLogger(__name__)

NO_ROOM = {errno.ENOSPC, errno.EDQUOT}
_MISSING = object()


def _last_used(name: str) -> float:
    try:
        return os.stat(name).st_mtime
    except OSError:
        return 0.0  # deleted meanwhile: first in line


class DiskCache(FileBasedCache):
    """Django's file cache, least recently used out when full, and quiet about a full disk.

    Django culls a random third of the entries when MAX_ENTRIES is reached, so the article everyone
    reads could go while a one-off screen stayed. Here a hit marks its file as used (its modification
    time: the expiry lives inside the file), and culling removes the third used longest ago.
    """

    def get(self, key, default=None, version=None):
        value = super().get(key, _MISSING, version)
        if value is _MISSING:
            return default
        with contextlib.suppress(OSError):  # gone meanwhile, or a read-only disk: only the order suffers
            os.utime(self._key_to_file(key, version))
        return value

    def _cull(self):
        files = self._list_cache_files()
        if len(files) < self._max_entries:
            return
        if self._cull_frequency == 0:
            self.clear()
            return
        files.sort(key=_last_used)
        for name in files[: len(files) // self._cull_frequency]:
            self._delete(name)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            self.store(key, value, timeout, version)
        except OSError as error:
            logger.warning("The file cache could not keep %s: %s", key, error.strerror or error)

    def store(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Write as Django's file cache does, raising OSError when the disk refuses (for /healthz)."""
        super().set(key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except OSError as error:
            logger.warning("The file cache could not keep %s: %s", key, error.strerror or error)
            return False
