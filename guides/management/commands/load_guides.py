from pathlib import Path

import reversion
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from guides import content_cache
from guides.authoring.learned import is_learned_file, learned_path, load_learned, read_learned_file
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
        parser.add_argument(
            "--learned",
            action="store_true",
            help="Also load each guide's learned numbers from <slug>.learned.yaml beside its content file (or "
            "the .learned.yaml files named). They replace the learned numbers in the database; staff's content "
            "is never changed by them.",
        )
        parser.add_argument("files", nargs="*", help="Content files to load (default: every bundled guide).")

    def handle(self, *args, files, overwrite, learned, verbosity, **options):
        given = [Path(f) for f in files]
        paths = [p for p in given if not is_learned_file(p)] if given else content_files()
        learned_files, problems = _learned_files(given, paths, learned)
        guides, learned_data, problems = _read(paths, learned_files, problems)
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
            learned_counts = []
            for path, (data, source) in learned_data:
                try:
                    learned_counts.append((path, load_learned(data, source)))
                except ContentError as error:
                    problems += error.messages
            if problems:
                raise CommandError(_refusal(problems))

        if verbosity == 0:
            return
        for path, count in learned_counts:
            self.stdout.write(f"{path.name}: {count} learned numbers")
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


def _read(paths: list[Path], learned_files: list[Path], problems: list[str]):
    """Every file read and checked before anything is written: the guides, the learned numbers, the problems."""
    guides, learned_data, slugs = [], [], {}
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
    for path in learned_files:
        try:
            learned_data.append((path, read_learned_file(path)))
        except ContentError as error:
            problems += error.messages
    return guides, learned_data, problems


def _learned_files(given: list[Path], paths: list[Path], learned: bool) -> tuple[list[Path], list[str]]:
    """The learned-number files to load: only with --learned, those named and those beside the content files."""
    named = [p for p in given if is_learned_file(p)]
    if not learned:
        return [], [f"{p.name}: holds learned numbers, not a guide. Add --learned to load them." for p in named]
    beside = [learned_path(p) for p in paths if learned_path(p).exists()]
    return list(dict.fromkeys([*beside, *named])), []


def _refusal(problems: list[str]) -> str:
    first = "Nothing was loaded. Fix this problem, then load again:"
    if len(problems) > 1:
        first = f"Nothing was loaded. Fix these {len(problems)} problems, then load again:"
    return "\n".join([first, *problems])
