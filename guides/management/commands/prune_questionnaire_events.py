from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from guides.models import PageVote, QuestionnaireCount, Resolution, StepOutcome
from guides.sign_in.username_lockout import KNOWN_ADDRESS_DAYS

# The feedback report's longest window: nothing it reads may be deleted.
REPORT_DAYS = 90


class Command(BaseCommand):
    help = (
        "Delete what the troubleshooter stored and no longer needs: daily page-view counters older than the "
        'feedback report reads (90 days by default), and step outcomes, resolutions and "Was this page helpful?" '
        "votes older than FEEDBACK_RETENTION_DAYS (DJANGO_FEEDBACK_RETENTION_DAYS, 400 by default, at least 90: "
        "the site refuses to start with less), and staff sign-in records (address and browser of each sign-in "
        f"and wrong password) older than {KNOWN_ADDRESS_DAYS} days, or than the lockout for attempts that no "
        "longer count. Run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=REPORT_DAYS, help="Keep this many days of page-view counters (at least 90)."
        )

    def handle(self, *args, days, **options):
        answers_days = settings.FEEDBACK_RETENTION_DAYS
        if days < REPORT_DAYS:
            raise CommandError("Keep at least 90 days of counters: the feedback report shows up to the last 90.")
        today = timezone.localdate()
        counters, _ = QuestionnaireCount.objects.filter(day__lt=today - timedelta(days=days)).delete()
        cutoff = timezone.now() - timedelta(days=answers_days)
        outcomes, _ = StepOutcome.objects.filter(created_at__lt=cutoff).delete()
        resolutions, _ = Resolution.objects.filter(created_at__lt=cutoff).delete()
        votes, _ = PageVote.objects.filter(created_at__lt=cutoff).delete()
        sign_ins = self.prune_sign_in_records()
        self.stdout.write(
            f"Deleted {counters} daily page-view counters older than {days} days, {outcomes} step outcomes, "
            f"{resolutions} resolutions and {votes} page votes older than {answers_days} days, "
            f"and {sign_ins} staff sign-in records."
        )

    def prune_sign_in_records(self) -> int:
        """django-axes keeps each sign-in's address and browser for ever; keep what the lockouts read."""
        now = timezone.now()
        records_cutoff = now - timedelta(days=KNOWN_ADDRESS_DAYS)
        expired, _ = AccessAttempt.objects.filter(attempt_time__lt=now - settings.AXES_COOLOFF_TIME).delete()
        failures, _ = AccessFailureLog.objects.filter(attempt_time__lt=records_cutoff).delete()
        successes, _ = AccessLog.objects.filter(attempt_time__lt=records_cutoff).delete()
        return expired + failures + successes
