import logging

from django.core.cache import caches
from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from guides.web.client_address import client_address

logger = logging.getLogger(__name__)


# A visit presses "Did this fix it?" one to four times. Each press now needs a token from a step screen
# shown, so this limit only slows a script down; it is set for the many visitors one address can carry
# (an office, a school, a phone carrier's shared address): fifteen such visits in ten minutes.
FEEDBACK_POSTS_PER_WINDOW = 60


FEEDBACK_WINDOW_SECONDS = 600


# Said the same way by the questionnaire's feedback and by the votes, which each have an allowance.
TOO_MANY_ANSWERS = "You have sent a lot of answers in a short time. Please wait a few minutes and try again."


def too_many_posts(request: HttpRequest, bucket: str = "feedback-posts") -> bool:
    """Count feedback posts per address in the shared cache, so a script cannot flood the report.

    Each kind of feedback counts in its own `bucket` ("feedback-posts" for the troubleshooter's answers,
    "helpful-votes" for "Was this page helpful?"), so a busy shared address using one is not stopped in the other.
    The key is a keyed hash of the address: whoever reads the cache cannot test addresses against it.
    The counters live in the "state" cache, where no page copy can push them out; when it is down,
    the limit fails open: a visitor is never stopped because a counter cannot be read.
    """
    address = client_address(request)
    key = f"{bucket}:" + salted_hmac(bucket, address, algorithm="sha256").hexdigest()[:32]
    state = caches["state"]
    try:
        state.add(key, 0, timeout=FEEDBACK_WINDOW_SECONDS)
        count = state.incr(key)
    except ValueError:  # the key expired between add and incr
        return False
    except DatabaseError:
        count = None
    if count is None:  # the state cache is unreachable: let people through
        logger.warning("Feedback rate limit not applied: the cache is unreachable")
        return False
    return count > FEEDBACK_POSTS_PER_WINDOW
