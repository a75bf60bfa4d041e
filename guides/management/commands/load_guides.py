from pathlib import Path

import reversion
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from guides import content_cache
from guides.authoring.loader import load_guide
from guides.authoring.reading import ContentError
from guides.authoring.schema import content_files, read_guide_file


class Command(BaseCommand):
    help = (
        "Load the bundled guides from guides/content/ without touching what staff edited. "
        "Every file is checked first: any problem, and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace content edited in the database with what the files say.",
        )
        parser.add_argument("files", nargs="*", help="Content files to load (default: every bundled guide).")

    def handle(self, *args, files, overwrite, verbosity, **options):
        paths = [Path(f) for f in files] or content_files()
        guides, problems, slugs = [], [], {}
        for path in paths:
            try:
                content = read_guide_file(path)
            except ContentError as error:
                problems += error.messages
                continue
            if content.slug in slugs:
                problems.append(f"{path.name}: the guide {content.slug!r} is already loaded from {slugs[content.slug]}")
                continue
            slugs[content.slug] = path.name
            guides.append((path, content))
        if problems:
            raise CommandError(_refusal(problems))

        # One transaction: a problem only the database can see (an unknown slug, a rule of the
        # models) in any file leaves every guide as it was.
        reports = []
        with transaction.atomic(), content_cache.one_change():
            for path, content in guides:
                try:
                    # One revision per file, so staff can see in History what a load changed and undo it.
                    with reversion.create_revision():
                        reversion.set_comment(f"Loaded from {path.name}")
                        reports.append((path, load_guide(content, overwrite=overwrite)))
                except ContentError as error:
                    problems += error.messages
            if problems:
                raise CommandError(_refusal(problems))

        if verbosity == 0:
            return
        for path, report in reports:
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


def _refusal(problems: list[str]) -> str:
    first = "Nothing was loaded. Fix this problem, then load again:"
    if len(problems) > 1:
        first = f"Nothing was loaded. Fix these {len(problems)} problems, then load again:"
    return "\n".join([first, *problems])
