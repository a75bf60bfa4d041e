from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guides.authoring.export import LinksIntoOtherGuides, export_guide
from guides.authoring.learned import export_learned
from guides.models import Guide


class Command(BaseCommand):
    help = (
        "Write a guide, troubleshooter questions included, as a content file that load_guides reads, "
        "with the edits staff made in the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The guide to export.")
        parser.add_argument("-o", "--output", metavar="FILE", help="Write to FILE (UTF-8) instead of standard output.")
        parser.add_argument(
            "--learned",
            action="store_true",
            help="Write the guide's learned numbers instead, for their own file guides/content/<slug>.learned.yaml.",
        )

    def handle(self, *args, slug, output, learned, verbosity, **options):
        guide = Guide.objects.filter(slug=slug).first()
        if guide is None:
            known = ", ".join(Guide.objects.order_by("slug").values_list("slug", flat=True)) or "none"
            raise CommandError(f"No guide with slug {slug!r}. Known guides: {known}")
        try:
            text = export_learned(guide) if learned else export_guide(guide)
        except LinksIntoOtherGuides as error:
            raise CommandError(str(error)) from error
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8", newline="\n")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error}") from error
        if verbosity > 0:
            self.stdout.write(f"Wrote {slug} to {output}")
