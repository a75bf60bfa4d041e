"""A limit on wrong passwords for one username from all addresses together.

django-axes locks a username out per address (five tries, then fifteen minutes), which a guesser
with many addresses multiplies. axes counts every lockout parameter against one failure limit, so
it cannot also say "twenty an hour from anywhere"; this backend does, reading axes' own log of
failed sign-ins (AccessFailureLog, one row per wrong password actually checked).

A guesser must not be able to keep a real editor out: the pause never applies at an address
where that username signed in successfully within the last KNOWN_ADDRESS_DAYS (axes' AccessLog),
and elsewhere it ends DJANGO_LOGIN_LOCKOUT_MINUTES after the last wrong password that was checked;
tries refused during the pause are not checked and not counted, so they do not extend it.
"""

from datetime import timedelta

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import HttpRequest
from django.utils import timezone

from guides.web.client_address import client_address

WINDOW = timedelta(hours=1)
# How long a successful sign-in makes its address (its IPv6 /64) a known one; sign-in records older
# than this are deleted by prune_questionnaire_events.
KNOWN_ADDRESS_DAYS = 90


class UsernameLockoutBackend:
    """Refuses a sign-in, before any password is checked, while its username is paused everywhere."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, **credentials):
        if request is None or not username:
            return None
        if is_paused(username, client_address(request)):
            # axes then shows its lockout page and, as for its own lockouts, records nothing.
            request.axes_locked_out = True
            raise PermissionDenied("Signing in with this username is paused")
        return None


def is_paused(username: str, address: str) -> bool:
    now = timezone.now()
    failures = AccessFailureLog.objects.filter(username=username, attempt_time__gte=now - WINDOW).aggregate(
        count=Count("id"), last=Max("attempt_time")
    )
    if failures["count"] < settings.SIGN_IN_USERNAME_FAILURE_LIMIT:
        return False
    if failures["last"] < now - settings.AXES_COOLOFF_TIME:
        return False
    known = AccessLog.objects.filter(
        username=username, ip_address=address, attempt_time__gte=now - timedelta(days=KNOWN_ADDRESS_DAYS)
    )
    return not known.exists()
