from django.core.management.base import BaseCommand, CommandError

from guides import same_guide
from guides.authoring.checks import ERROR, check_guide
from guides.authoring.problems import Problem
from guides.models import Guide

# Links into another guide that check_guide does not look at (it reads the rest with the content it checks).
_LINKS_CHECKED_HERE = {("Cause", "related"), ("Question", "not_after_answers"), ("Question", "not_after_steps"),
                       ("Answer", "skips")}  # fmt: skip


class Command(BaseCommand):
    help = (
        "Check guides for content problems: causes without fix steps, questions that are never asked, "
        "links into another guide, empty text, ... Fails when any guide has an error."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Slugs of the guides to check (default: every guide).")

    def handle(self, *args, slugs, **options):
        guides = Guide.objects.order_by("title")
        if slugs:
            guides = list(guides.filter(slug__in=slugs))
            unknown = sorted(set(slugs) - {guide.slug for guide in guides})
            if unknown:
                raise CommandError(f"No guide with the slug {', '.join(unknown)}.")
        errors = warnings = checked = 0
        for guide in guides:
            checked += 1
            problems = check_guide(guide) + _other_links_into_other_guides(guide)
            self.stdout.write(self.style.MIGRATE_HEADING(f"{guide.title} ({guide.slug})"))
            if not problems:
                self.stdout.write("  No problems found.")
            for problem in problems:
                if problem.level == ERROR:
                    errors += 1
                    self.stdout.write(self.style.ERROR(f"  ERROR: {problem.message}"))
                else:
                    warnings += 1
                    self.stdout.write(self.style.WARNING(f"  WARNING: {problem.message}"))
        summary = f"Checked {_count(checked, 'guide')}: {_count(errors, 'error')}, {_count(warnings, 'warning')}."
        self.stdout.write(self.style.SUCCESS(summary) if not errors and not warnings else summary)
        if errors:
            raise CommandError(f"{_count(errors, 'error')} to fix: see above.")


def _other_links_into_other_guides(guide: Guide) -> list[Problem]:
    """A database from before the same-guide guards may hold these; export_guide would refuse the guide."""
    links = same_guide.links_into_other_guides(guide, only=_LINKS_CHECKED_HERE)
    return [Problem(ERROR, f"{link}. Pick one of this guide.", None, "cross_guide") for link in links]


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"
