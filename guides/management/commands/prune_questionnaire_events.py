from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from guides.models import QuestionnaireEvent


class Command(BaseCommand):
    help = (
        "Delete questionnaire page-view records older than the feedback report reads (90 days by default). "
        "Run it daily from cron; resolutions and step outcomes (what each Yes / No / couldn't said) are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="Keep this many days (at least 90).")

    def handle(self, *args, days, **options):
        if days < 90:
            raise CommandError("Keep at least 90 days: the feedback report shows up to the last 90.")
        cutoff = timezone.now() - timedelta(days=days)
        deleted, _ = QuestionnaireEvent.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} questionnaire page views older than {days} days.")
