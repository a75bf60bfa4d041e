from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from guides.models import QuestionnaireCount


class Command(BaseCommand):
    help = (
        "Delete the troubleshooter's daily page-view counters older than the feedback report reads "
        "(90 days by default). Run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="Keep this many days of counters (at least 90).")

    def handle(self, *args, days, **options):
        if days < 90:
            raise CommandError("Keep at least 90 days: the feedback report shows up to the last 90.")
        cutoff = timezone.localdate() - timedelta(days=days)
        deleted, _ = QuestionnaireCount.objects.filter(day__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} daily page-view counters older than {days} days.")
