from pathlib import Path

import reversion
from django.core.management.base import BaseCommand, CommandError

from guides.content_files import ContentError, content_files, load_guide, read_content_file


class Command(BaseCommand):
    help = "Load the bundled guides from guides/content/ without touching what staff edited."

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace content edited in the database with what the files say.",
        )
        parser.add_argument("files", nargs="*", help="Content files to load (default: every bundled guide).")

    def handle(self, *args, files, overwrite, verbosity, **options):
        paths = [Path(f) for f in files] or content_files()
        for path in paths:
            try:
                # One revision per file, so staff can see in History what a load changed and undo it.
                with reversion.create_revision():
                    reversion.set_comment(f"Loaded from {path.name}")
                    report = load_guide(read_content_file(path), overwrite=overwrite)
            except (ContentError, OSError) as error:
                raise CommandError(f"{path}: {error}") from error
            if verbosity == 0:
                continue
            self.stdout.write(f"{path.name}: {report.summary()}")
            if report.kept_edits:
                self.stdout.write(
                    "  Kept staff edits (use --overwrite to replace them): " + ", ".join(report.kept_edits)
                )
            if report.kept_deletions:
                self.stdout.write(
                    "  Not recreated, deleted in the database (use --overwrite to bring them back): "
                    + ", ".join(report.kept_deletions)
                )
            if verbosity > 1:
                for label, keys in (("created", report.created), ("updated", report.updated)):
                    for key in keys:
                        self.stdout.write(f"  {label}: {key}")
