"""What a server process served last, kept in its own memory: the shared pages and the troubleshooter's screens.

A hit then reads no file and makes no cache round trip; on PostgreSQL + Redis the round trip for a
screen's 40 KB was half of the screen's time. Keys carry the content version and the deploy
fingerprint, so a save or a deploy retires every copy at once; the least recently used go first.
"""

import threading
from collections import OrderedDict


class LocalCopies:
    """A small least-recently-used map, safe for threaded workers."""

    def __init__(self, size: int):
        self.size = size
        self._copies: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        return self._copies.get(key)

    def keep(self, key: str, value) -> None:
        with self._lock:
            self._copies[key] = value
            self._copies.move_to_end(key)
            while len(self._copies) > self.size:
                self._copies.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._copies.clear()
