"""Record "Was this page helpful?" on the article and the cause pages: one vote per page view, nothing personal.

The pages themselves are cached and shared by every visitor, so they carry no form that could be
posted. The vote form is fetched separately (by htmx, or as its own page without JavaScript) and
carries a signed vote token over (guide, cause page, time) with a random id inside. The id is stored
with the vote, once: a retried POST stores nothing twice, and a reason sent after "No" completes
that same vote instead of adding another.
"""

import secrets

from django.core import signing
from django.db import IntegrityError, transaction

from guides.feedback import TokenMismatch
from guides.models import Cause, Guide, PageVote

# Keeps these signatures apart from any other the site makes with the same secret key.
TOKEN_SALT = "guides.helpfulness.vote-token"
# How long a vote form stays good after it was shown: a page left open in a tab overnight still counts.
TOKEN_MAX_AGE_SECONDS = 24 * 60 * 60
REASONS = PageVote.Reason


def vote_token(slug: str, cause_slug: str) -> str:
    """Sign the page this vote form is for, with a fresh id: one token per form shown, never cached."""
    return signing.dumps([slug, cause_slug, secrets.token_urlsafe(12)], salt=TOKEN_SALT)


def read_vote_token(token: str, *, slug: str, cause_slug: str, max_age: int = TOKEN_MAX_AGE_SECONDS) -> str:
    """The token's id, if we signed it for this guide and page no more than `max_age` seconds ago.

    Raises `signing.SignatureExpired` for a genuine but old token, `signing.BadSignature` for anything else.
    """
    signed = signing.loads(token, salt=TOKEN_SALT)  # the signature first: an old token is only "old" if it is ours
    if not (isinstance(signed, list) and len(signed) == 3 and signed[:2] == [slug, cause_slug]):
        raise TokenMismatch("The token was made for another page")
    if not (isinstance(signed[2], str) and 0 < len(signed[2]) <= PageVote._meta.get_field("token").max_length):
        raise TokenMismatch("The token has no usable id")
    signing.loads(token, salt=TOKEN_SALT, max_age=max_age)
    return signed[2]


def record_vote(*, guide: Guide, cause: Cause | None, token: str, helpful: bool, reason: str = "") -> bool:
    """Store a vote, or give the "No" vote of this token its reason; True when anything was stored.

    A token votes once: a retry, or a second answer with the same form, stores nothing. A reason
    is only ever added to a "No" vote that has none yet.
    """
    if reason and not helpful and PageVote.objects.filter(token=token, helpful=False, reason="").update(reason=reason):
        return True
    try:
        with transaction.atomic():
            PageVote.objects.create(
                guide=guide,
                cause=cause,
                cause_slug=cause.slug if cause else "",
                helpful=helpful,
                reason=reason,
                token=token,
            )
    except IntegrityError:
        if PageVote.objects.filter(token=token).exists():
            return False
        raise
    return True
