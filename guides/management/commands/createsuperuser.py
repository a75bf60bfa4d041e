"""Django's createsuperuser with the staff password rules enforced in every mode.

Django skips the password rules with --no-input (DJANGO_SUPERUSER_PASSWORD is taken as it is) and,
when asking, offers to bypass them. A superuser guards every word on the site, so neither is allowed.
This command takes precedence over Django's because "guides" is listed before "django.contrib.auth".
"""

import os
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

BYPASS_QUESTION = "Bypass password validation"


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        if not options["interactive"] and "DJANGO_SUPERUSER_PASSWORD" in os.environ:
            self.refuse_weak(os.environ["DJANGO_SUPERUSER_PASSWORD"], options)
        # Django asks its bypass question with input(); the answer is always no.
        with mock.patch.object(createsuperuser, "input", self.ask, create=True):
            super().handle(*args, **options)

    def refuse_weak(self, password: str, options: dict) -> None:
        User = get_user_model()
        username = options.get(User.USERNAME_FIELD) or os.environ.get("DJANGO_SUPERUSER_USERNAME", "")
        email = options.get("email") or os.environ.get("DJANGO_SUPERUSER_EMAIL", "")
        try:
            validate_password(password, User(username=username, email=email, is_staff=True, is_superuser=True))
        except ValidationError as error:
            raise CommandError("DJANGO_SUPERUSER_PASSWORD: " + " ".join(error.messages)) from error

    def ask(self, question: str) -> str:
        if question.startswith(BYPASS_QUESTION):
            self.stderr.write("Staff passwords cannot bypass the rules. Choose another password.")
            return "n"
        return input(question)
