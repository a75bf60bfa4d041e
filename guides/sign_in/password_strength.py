"""Refuse staff passwords a guesser tries early, however long they are.

Length and Django's list of common passwords let through `aaaaaaaaaaaa`, `qwertyuiopas`, twelve
spaces and the site's own name. zxcvbn estimates how many guesses a password takes by looking for
exactly those patterns (repeats, keyboard walks, sequences, dates, dictionary words, l33t), and is
told the site's name and the account's own details so that passwords made of them score low too.
"""

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

# Words a guesser aiming at this site tries first.
SITE_WORDS = ("troubleshooter", "troubleshoot", "admin", "editor", "staff")
# zxcvbn stops at 72 characters; what comes after the first 72 only makes a password harder.
SCORED_LENGTH = 72


class GuessablePasswordValidator:
    """Require zxcvbn's score 3 of 4 ("safely unguessable": about 10^10 guesses or more)."""

    def __init__(self, min_score: int = 3):
        self.min_score = min_score

    def validate(self, password, user=None):
        about_the_user = [getattr(user, name, "") or "" for name in ("username", "first_name", "last_name", "email")]
        result = zxcvbn(password[:SCORED_LENGTH], user_inputs=[*SITE_WORDS, *about_the_user])
        if result["score"] < self.min_score:
            hints = [result["feedback"]["warning"], *result["feedback"]["suggestions"]]
            raise ValidationError(
                " ".join(["This password is too easy to guess.", *[hint for hint in hints if hint]]),
                code="password_too_guessable",
            )

    def get_help_text(self):
        return (
            "Your password cannot be easy to guess: no repeated characters, keyboard rows, "
            "sequences, common words or the site's name on their own. A few unrelated words work well."
        )
