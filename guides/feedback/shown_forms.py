"""Proof that we showed a form: a token signed over what the form was for, with a random id used once.

The troubleshooter's answer forms and the "Was this page helpful?" forms both count toward reports,
so both only accept a POST that carries such a token. The id is stored (unique) with what was
recorded, so a retried POST is recognised instead of counted twice.
"""

import secrets
import time

from django.core import signing

# Longest id `read` accepts: what the models' token columns hold.
ID_MAX_LENGTH = 32
# How far ahead of this server's clock a token may be dated: the clocks of the servers behind one
# load balancer differ by a few seconds, never by minutes.
CLOCK_LEEWAY_SECONDS = 60


class TokenMismatch(signing.BadSignature):
    """A genuine token, but made for another form than the one it came with."""


class TokenFromTheFuture(signing.BadSignature):
    """A token dated later than now: made with a clock set ahead or with a leaked key, never by this site."""


def make(salt: str, *shown: str) -> str:
    """Sign what this form is for, with a fresh id: one token per form shown, never cached."""
    return signing.dumps([*shown, secrets.token_urlsafe(12)], salt=salt)


def read(token: str, *, salt: str, shown: list[str], max_age: int) -> str:
    """The token's id, if we signed it for `shown` no more than `max_age` seconds ago.

    Raises `signing.SignatureExpired` for a genuine but old token, `signing.BadSignature` for anything else,
    a token dated more than CLOCK_LEEWAY_SECONDS ahead included.
    """
    signed = signing.loads(token, salt=salt)  # the signature first: an old token is only "old" if it is ours
    if not (isinstance(signed, list) and len(signed) == len(shown) + 1 and signed[:-1] == shown):
        raise TokenMismatch("The token was made for another form")
    if not (isinstance(signed[-1], str) and 0 < len(signed[-1]) <= ID_MAX_LENGTH):
        raise TokenMismatch("The token has no usable id")
    signing.loads(token, salt=salt, max_age=max_age)
    # Django's max_age only bounds a token's age from above, so one dated ahead would stay good until then.
    stamped = signing.Signer(salt=salt).unsign(token)
    if signing.b62_decode(stamped.rsplit(":", 1)[1]) > time.time() + CLOCK_LEEWAY_SECONDS:
        raise TokenFromTheFuture("The token is dated in the future")
    return signed[-1]
