import logging
import time

from django.core.cache import caches
from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from guides.web.client_address import client_address

logger = logging.getLogger(__name__)


# A visit presses "Did this fix it?" one to four times. Each press needs a token from a step screen
# shown, so this limit only slows a script down; it is set for the many visitors one address can carry
# (an office, a school, a phone carrier's shared address): fifteen such visits in ten minutes are recorded.
# Over it, the troubleshooter still takes a visitor with a genuine answer form on to their next screen and
# only leaves the answer unrecorded (guides/diagnose/views.py); anything else over it gets a 429.
FEEDBACK_POSTS_PER_WINDOW = 60


FEEDBACK_WINDOW_SECONDS = 600


# Said the same way by the troubleshooter's fix-step answers and by the votes, which each have an allowance.
TOO_MANY_ANSWERS = "You have sent a lot of answers in a short time. Please wait a few minutes and try again."


class CannotCount(Exception):
    """The cache answers but keeps no counter: its disk is full (guides/web/disk_cache.py)."""


def too_many_posts(request: HttpRequest, bucket: str = "feedback-posts") -> bool:
    """Count feedback posts per address in the shared cache, so a script cannot flood the report.

    Each kind of feedback counts in its own `bucket` ("feedback-posts" for the troubleshooter's answers,
    "helpful-votes" for "Was this page helpful?"), so a busy shared address using one is not stopped in the other.
    The key is a keyed hash of the address: whoever reads the cache cannot test addresses against it.
    The counters live in the "state" cache, where no page copy can push them out. When that store is
    unreachable the limit fails open: a visitor is never stopped because a counter cannot be read. A
    store that answers but keeps no counter (a full disk) raises CannotCount, and the answer is not
    taken: filling the disk must not switch the limit off.
    """
    address = client_address(request)
    # A fixed window per key: a steady trickle from a busy shared address starts afresh each window
    # instead of keeping one counter alive for as long as posts keep coming.
    window = int(time.time()) // FEEDBACK_WINDOW_SECONDS
    key = f"{bucket}:" + salted_hmac(bucket, address, algorithm="sha256").hexdigest()[:32] + f":{window}"
    try:
        count = _count(key)
    except DatabaseError:
        count = None
    if count is None:  # the state cache is unreachable (its backend ignores the error): let people through
        logger.warning("Feedback rate limit not applied: the cache is unreachable")
        return False
    return count > FEEDBACK_POSTS_PER_WINDOW


def _count(key: str) -> int | None:
    state = caches["state"]
    for _ in range(2):  # a second try for a key that expired between add and incr
        state.add(key, 0, timeout=FEEDBACK_WINDOW_SECONDS)
        try:
            return state.incr(key)
        except ValueError:
            continue
    raise CannotCount(f"The cache kept no counter for {key}")
