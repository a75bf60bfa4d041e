from django.core.management.base import BaseCommand, CommandError

from guides.learning import relearn
from guides.models import Guide


class Command(BaseCommand):
    help = (
        "Learn each guide's numbers again (how common each cause is, how often each step fixes it) from every "
        "verified answer visitors gave. Staff's words are never changed: the learned numbers sit beside them, "
        "and the troubleshooter plans with them only in guides set to use learned numbers. Run it from cron, "
        "for example nightly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--guide", action="append", metavar="SLUG", help="Only this guide (repeat for more). Default: every guide."
        )

    def handle(self, *args, guide, verbosity, **options):
        guides = Guide.objects.order_by("slug")
        if guide:
            guides = guides.filter(slug__in=guide)
            missing = sorted(set(guide) - set(guides.values_list("slug", flat=True)))
            if missing:
                known = ", ".join(Guide.objects.order_by("slug").values_list("slug", flat=True)) or "none"
                raise CommandError(f"No guide with slug {', '.join(missing)}. Known guides: {known}")
        for one in guides:
            done = relearn(one)
            if verbosity > 0:
                self.stdout.write(done.summary())
