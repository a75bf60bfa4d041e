"""What a server process does while a Redis it uses is down: give up at once, and say so once a minute.

django-redis already turns a Redis error into a cache miss (IGNORE_EXCEPTIONS). Left at that, each
request still tries to connect for every cache call (up to the connect timeout each when the host
drops packets) and logs a full traceback for each: megabytes of log and half the throughput.
"""

import logging
import threading
import time

import redis

# After a failed connection, this process does not try that Redis again for this long.
RETRY_SECONDS = 2.0
# At most one line per logger in this long, per process.
LOG_EVERY_SECONDS = 60.0


class QuickFailPool(redis.ConnectionPool):
    """A connection pool that, once a connection failed, fails at once until RETRY_SECONDS have passed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._down_until = 0.0

    def get_connection(self, *args, **kwargs):
        if time.monotonic() < self._down_until:
            raise redis.ConnectionError(f"Redis failed less than {RETRY_SECONDS:g} s ago; not trying again yet")
        try:
            return super().get_connection(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError):
            self._down_until = time.monotonic() + RETRY_SECONDS
            raise


class OncePerMinute(logging.Filter):
    """Lets one record per logger through each LOG_EVERY_SECONDS, as one line: the error's name, no traceback."""

    def __init__(self, name: str = ""):
        super().__init__(name)
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self._lock:
            if now < self._next.get(record.name, 0.0):
                return False
            self._next[record.name] = now + LOG_EVERY_SECONDS
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()}: {error.__class__.__name__}: {error}"
            record.args = None
            record.exc_info = record.exc_text = None
        record.msg = f"{record.msg} (further messages like this are held back for {LOG_EVERY_SECONDS:g} s)"
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
