"""The file cache, with a full disk handled the way an unreachable Redis is: the write is dropped and logged.

Django's file cache raises OSError from every write once its disk is full, which turned each page
that keeps a copy, and each answer and vote, into a 500. Pages, snapshots and the search index
are only copies: without room for them the site renders them each time. What must not be lost
says so itself: the rate limit finds its counter missing (guides/feedback/rate_limit.py) and a
content save finds the content version unchanged (guides/content_cache.py).
"""

import errno
import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

logger = logging.getLogger(__name__)

NO_ROOM = {errno.ENOSPC, errno.EDQUOT}


class DiskCache(FileBasedCache):
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
