"""Record "Was this page helpful?" on the article and the cause pages: one vote per page view, nothing personal.

The pages themselves are cached and shared by every visitor, so they carry no form that could be
posted. The vote form is fetched separately (by htmx, or as its own page without JavaScript) and
carries a signed vote token over (guide, cause page, time) with a random id inside. The id is stored
with the vote, once: a retried POST stores nothing twice, and a reason sent after "No" completes
that same vote instead of adding another.
"""

from django.db import IntegrityError, transaction

from guides.feedback import shown_forms
from guides.models import Cause, Guide, PageVote

# Keeps these signatures apart from any other the site makes with the same secret key.
TOKEN_SALT = "guides.helpfulness.vote-token"
# How long a vote form stays good after it was shown: a page left open in a tab overnight still counts.
TOKEN_MAX_AGE_SECONDS = 24 * 60 * 60
REASONS = PageVote.Reason


def vote_token(slug: str, cause_slug: str) -> str:
    """A token for the vote form of this page: the guide and the cause page ("" for the article)."""
    return shown_forms.make(TOKEN_SALT, slug, cause_slug)


def read_vote_token(token: str, *, slug: str, cause_slug: str, max_age: int = TOKEN_MAX_AGE_SECONDS) -> str:
    """The token's id, if we made it for this guide and page no more than `max_age` seconds ago."""
    return shown_forms.read(token, salt=TOKEN_SALT, shown=[slug, cause_slug], max_age=max_age)


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
