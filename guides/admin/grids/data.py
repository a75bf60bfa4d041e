"""What a grid shows: a guide's rows, its causes and the links between them, each read in one query.

A grid page costs the same few queries for a guide of 5 causes or 60; the rows are plain lists and
dicts keyed by (row id, cause id), which the page and the save both read.
"""

from dataclasses import dataclass, field

from guides.models import Answer, AnswerEffect, Cause, CauseFix, ChecklistItem, FixStep, Guide


@dataclass
class FixGrid:
    """Fix steps (rows) × causes (columns): the efficacy of each link, and the checklist."""

    guide: Guide
    steps: list[FixStep]
    causes: list[Cause]
    links: dict[tuple[int, int], CauseFix]  # (fix step id, cause id)
    checklist: list[ChecklistItem]  # in the checklist's order

    @property
    def rows(self) -> list[FixStep]:
        return self.steps

    def positions(self) -> dict[int, int]:
        """Each checklist step's position as the editor reads it: 1, 2, 3…"""
        return {item.fix_step_id: n for n, item in enumerate(self.checklist, start=1)}


@dataclass
class EffectGrid:
    """Answers (rows, grouped by question) × causes (columns): what each answer says about each cause."""

    guide: Guide
    answers: list[Answer]
    causes: list[Cause]
    effects: dict[tuple[int, int], AnswerEffect]  # (answer id, cause id), effects on the cause itself
    about_facets: set[tuple[int, int]] = field(default_factory=set)  # pairs that also speak about a facet

    @property
    def rows(self) -> list[Answer]:
        return self.answers


def _causes(guide: Guide) -> list[Cause]:
    causes = list(guide.causes.all())
    for cause in causes:
        cause.guide = guide  # checks and history read it: no query per cause
    return causes


def load_fix_grid(guide: Guide) -> FixGrid:
    steps = list(guide.fix_steps.all())
    for step in steps:
        step.guide = guide
    causes = _causes(guide)
    links = {(link.fix_step_id, link.cause_id): link for link in CauseFix.objects.filter(cause__guide=guide)}
    checklist = list(guide.checklist_items.all())
    return FixGrid(guide, steps, causes, links, checklist)


def load_effect_grid(guide: Guide) -> EffectGrid:
    answers = list(
        Answer.objects.filter(question__guide=guide)
        .select_related("question")
        .order_by("question__order", "question__id", "order", "id")
    )
    for answer in answers:
        answer.question.guide = guide
    causes = _causes(guide)
    grid = EffectGrid(guide, answers, causes, {})
    for effect in AnswerEffect.objects.filter(answer__question__guide=guide):
        key = (effect.answer_id, effect.cause_id)
        if effect.facet_id is None:
            grid.effects[key] = effect
        else:
            grid.about_facets.add(key)
    return grid


def cause_pages(causes: list, rows: int, max_fields: int | None) -> list[list]:
    """The causes in pages, so that one page's form stays within Django's limit on posted fields.

    Each cell posts one field, each row one more (its checklist position), and the page a few of its own.
    """
    if max_fields is None or not causes:
        return [causes]
    per_page = max(1, (max_fields - rows - 10) // max(rows, 1))
    return [causes[i : i + per_page] for i in range(0, len(causes), per_page)]
