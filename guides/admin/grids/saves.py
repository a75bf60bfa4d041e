"""Saving a grid: read every posted cell, refuse the whole POST if any cell is wrong, then write only what changed.

Every write goes through the models (their checks, their signals, django-reversion), in one revision
with the editor and a comment, so History shows who changed what from the grid. A cell the POST does not
carry is left as it is: a grid saved from an older page never touches a row or cause added since.
"""

import math
from dataclasses import dataclass, field

import reversion
from django.core.exceptions import ValidationError
from django.db import models, transaction

from guides import content_cache
from guides.admin.forged import is_id
from guides.admin.grids.data import EffectGrid, FixGrid
from guides.models import Answer, AnswerEffect, Cause, CauseFix, ChecklistItem, Efficacy, FixStep, Strength

MAX_POSITION = 999


class Refused(Exception):
    """A grid POST that cannot be saved as it is; `reasons` say why, in words. Nothing was written."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass
class Plan:
    """The writes one grid POST asks for, checked, not yet made."""

    added: list[models.Model] = field(default_factory=list)
    changed: list[models.Model] = field(default_factory=list)
    removed: list[models.Model] = field(default_factory=list)
    checklist_changed: bool = False

    def __bool__(self):
        return bool(self.added or self.changed or self.removed)


def edited_fields(post) -> dict[str, str]:
    """The grid's fields the editor changed: those that differ from what the page showed them ("seen").

    A cell someone else changed since the page was opened keeps their word unless this editor changed
    it too. The checklist counts as a whole: change one position and every position on the page is used.
    A POST without "seen" (made by hand) counts every field it carries.
    """
    fields = {key: post.get(key, "") for key in post if key.startswith(("fix-", "effect-", "checklist-"))}
    if "seen" not in post:
        return fields
    seen = dict(pair.split("=", 1) for pair in post.get("seen", "").split() if "=" in pair)
    edited = {key: value for key, value in fields.items() if value.strip() != seen.get(key, "")}
    if any(key.startswith("checklist-") for key in edited):
        edited |= {key: value for key, value in fields.items() if key.startswith("checklist-")}
    return edited


def posted_cells(post, prefix: str, allowed: set[str]) -> dict[tuple[int, int], str]:
    """The cells `prefix-<row id>-<cause id>` of the POST, by (row id, cause id); 400 for a malformed one."""
    cells, reasons = {}, []
    for key in post:
        if not key.startswith(f"{prefix}-"):
            continue
        parts, value = key.split("-"), post.get(key, "")
        if len(parts) != 3 or not is_id(parts[1]) or not is_id(parts[2]):
            reasons.append(f"“{key}” is not a cell of this grid.")
        elif value not in allowed:
            reasons.append(f"“{value}” is not a word this grid offers.")
        else:
            cells[int(parts[1]), int(parts[2])] = value
    if reasons:
        raise Refused(reasons)
    return cells


def refuse_outsiders(cells, rows: list, causes: list, row_model, row_word: str, guide) -> None:
    """Refuse cells that name a row or a cause that is not this guide's (another guide's, or gone)."""
    row_ids, cause_ids = {row.pk for row in rows}, {cause.pk for cause in causes}
    foreign_rows = sorted({r for r, _ in cells if r not in row_ids})
    foreign_causes = sorted({c for _, c in cells if c not in cause_ids})
    reasons = [_outsider(obj, row_word, guide) for obj in row_model.objects.filter(pk__in=foreign_rows)]
    reasons += [_outsider(obj, "cause", guide) for obj in Cause.objects.filter(pk__in=foreign_causes)]
    if len(reasons) < len(foreign_rows) + len(foreign_causes):
        reasons.append("Some cells name things that no longer exist. Open the grid again.")
    if reasons:
        raise Refused(reasons)


def _outsider(obj, word: str, guide) -> str:
    owner = obj.question.guide if isinstance(obj, Answer) else obj.guide
    return f"The {word} “{obj}” belongs to the guide “{owner}”, not to “{guide}”. This grid only links “{guide}”."


def _cells_plan(plan: Plan, cells: dict, existing: dict, field_name: str, make) -> set:
    """Add, change or remove one link per changed cell; returns the (row, cause) pairs written."""
    touched = set()
    for key, value in cells.items():
        link = existing.get(key)
        if not value and link is not None:
            plan.removed.append(link)
        elif value and link is None:
            plan.added.append(make(key, value))
        elif value and getattr(link, field_name) != value:
            setattr(link, field_name, value)
            plan.changed.append(link)
        else:
            continue
        touched.add(key)
    return touched


def plan_fix_grid(grid: FixGrid, post) -> Plan:
    cells = posted_cells(post, "fix", {"", *Efficacy.values})
    positions = _posted_positions(post, grid)
    refuse_outsiders(cells, grid.steps, grid.causes, FixStep, "fix step", grid.guide)
    steps = {step.pk: step for step in grid.steps}
    causes = {cause.pk: cause for cause in grid.causes}
    next_order = {}
    for link in grid.links.values():
        next_order[link.cause_id] = max(next_order.get(link.cause_id, 0), link.order + 1)

    def make(key, value):
        step_id, cause_id = key
        order = next_order.get(cause_id, 0)
        next_order[cause_id] = order + 1
        return CauseFix(cause=causes[cause_id], fix_step=steps[step_id], efficacy=value, order=order)

    plan = Plan()
    _cells_plan(plan, cells, grid.links, "efficacy", make)
    _checklist_plan(plan, grid, positions)
    _check(plan)
    return plan


def _posted_positions(post, grid: FixGrid) -> dict[int, int | None]:
    """Each posted checklist position by fix step id: a whole number from 1, or None for "not in the checklist"."""
    positions, reasons = {}, []
    steps = {step.pk: step for step in grid.steps}
    for key in post:
        if not key.startswith("checklist-"):
            continue
        step_id, text = key.removeprefix("checklist-"), post.get(key, "").strip()
        step = steps.get(int(step_id)) if is_id(step_id) else None
        if step is None:
            reasons.append("A checklist position names a fix step that is not this guide's. Open the grid again.")
        elif text and not (is_id(text) and 1 <= int(text) <= MAX_POSITION):
            reasons.append(
                f"The checklist position of “{step}” must be a whole number from 1 to {MAX_POSITION}, or empty."
            )
        else:
            positions[step.pk] = int(text) if text else None
    if reasons:
        raise Refused(reasons)
    return positions


def _checklist_plan(plan: Plan, grid: FixGrid, positions: dict[int, int | None]) -> None:
    """The checklist in the order of the positions typed. On a tie the step given that number now goes first:
    typing 2 for a step puts it second and moves the step that was second down one."""
    current = [item.fix_step_id for item in grid.checklist]
    rank = {step_id: n for n, step_id in enumerate(current, start=1)}
    row = {step.pk: n for n, step in enumerate(grid.steps)}
    wanted = {step_id: positions.get(step_id, rank.get(step_id)) for step_id in {*row, *rank}}
    ordered = sorted(
        (step_id for step_id, position in wanted.items() if position),
        key=lambda s: (wanted[s], wanted[s] == rank.get(s), rank.get(s, math.inf), row.get(s, math.inf)),
    )
    if ordered == current:
        return
    items = {item.fix_step_id: item for item in grid.checklist}
    steps = {step.pk: step for step in grid.steps}
    plan.removed += [item for item in grid.checklist if item.fix_step_id not in wanted or not wanted[item.fix_step_id]]
    for order, step_id in enumerate(ordered):
        item = items.get(step_id)
        if item is None:
            plan.added.append(ChecklistItem(guide=grid.guide, fix_step=steps[step_id], order=order))
        elif item.order != order:
            item.order = order
            plan.changed.append(item)
    plan.checklist_changed = True


def plan_effect_grid(grid: EffectGrid, post) -> Plan:
    cells = posted_cells(post, "effect", {"", *Strength.values})
    refuse_outsiders(cells, grid.answers, grid.causes, Answer, "answer", grid.guide)
    answers = {answer.pk: answer for answer in grid.answers}
    causes = {cause.pk: cause for cause in grid.causes}

    def make(key, value):
        answer_id, cause_id = key
        return AnswerEffect(answer=answers[answer_id], cause=causes[cause_id], strength=value)

    plan = Plan()
    _cells_plan(plan, cells, grid.effects, "strength", make)
    _check(plan)
    return plan


def _check(plan: Plan) -> None:
    """Run each new or changed link's own checks (the models' clean()); uniqueness the plan already keeps."""
    reasons = []
    for obj in [*plan.added, *plan.changed]:
        try:
            obj.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            reasons += [f"{obj}: {message}" for message in error.messages]
    if reasons:
        raise Refused(reasons)


def save_plan(plan: Plan, user, comment: str) -> None:
    """Make the writes in one transaction and one revision; the content version changes once."""
    if not plan:
        return
    with transaction.atomic(), content_cache.one_change(), reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        for obj in plan.removed:
            obj.delete()
        for obj in plan.added:
            obj.save()
        for obj in plan.changed:
            obj.save()
        # Each write puts its owner (the cause, the question, the guide for its checklist) in this
        # revision too (guides/versioning.py), so the change shows in the owner's History and Compare.


def summary(plan: Plan, link_words: tuple[str, str]) -> str:
    """What the save did, in words: "2 links added, 1 changed; the checklist changed"."""
    if not plan:
        return "Nothing changed, so nothing was saved."
    singular, plural = link_words
    counts = [
        (sum(not isinstance(obj, ChecklistItem) for obj in group), verb)
        for group, verb in ((plan.added, "added"), (plan.changed, "changed"), (plan.removed, "removed"))
    ]
    parts = [f"{n} {singular if n == 1 else plural} {verb}" for n, verb in counts if n]
    if plan.checklist_changed:
        parts.append("the checklist changed")
    return "Saved: " + ", ".join(parts) + "."
