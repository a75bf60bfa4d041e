"""The two grids of a guide's workspace: one page each sets every link of its kind, one Save writes them.

Fix steps × causes: how often each step fixes each cause (a blank cell: not linked), and each step's
place in the checklist. Answers × causes: what each answer says about each cause. A cell is a row of
radio buttons, a click each and no dropdown, and works without JavaScript. A big guide's causes come
in pages, so that no form posts more fields than Django accepts.
"""

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from guides.admin.checked_saves import show_problems
from guides.admin.forged import is_id
from guides.admin.grids.cells import cell_html
from guides.admin.grids.data import cause_pages, load_effect_grid, load_fix_grid
from guides.admin.grids.saves import Refused, edited_fields, plan_effect_grid, plan_fix_grid, save_plan, summary
from guides.admin.grids.words import EFFICACY_WORDS, STRENGTH_WORDS
from guides.admin.not_saved import unless_unwritable
from guides.models import Guide


@dataclass(frozen=True)
class Kind:
    """What differs between the two grids."""

    name: str  # the URL name's end and the template's name
    title: str
    load: object
    plan: object
    words: tuple
    prefix: str  # a cell's field is <prefix>-<row id>-<cause id>
    link_words: tuple[str, str]
    permissions: tuple[str, ...]
    comment: str


FIX = Kind(
    "fix_grid",
    "Fix steps × causes",
    load_fix_grid,
    plan_fix_grid,
    EFFICACY_WORDS,
    "fix",
    ("link", "links"),
    tuple(f"guides.{a}_{m}" for m in ("causefix", "checklistitem") for a in ("add", "change", "delete")),
    "Changed in the fix steps × causes grid.",
)
EFFECT = Kind(
    "effect_grid",
    "Answers × causes",
    load_effect_grid,
    plan_effect_grid,
    STRENGTH_WORDS,
    "effect",
    ("answer effect", "answer effects"),
    tuple(f"guides.{a}_answereffect" for a in ("add", "change", "delete")),
    "Changed in the answers × causes grid.",
)


def grid_urls(model_admin) -> list:
    """The grids' URLs, for GuideAdmin.get_urls: admin:guides_guide_fix_grid and admin:guides_guide_effect_grid."""
    return [
        path(
            f"<int:pk>/{kind.name.replace('_', '-')}/",
            model_admin.admin_site.admin_view(partial(grid_view, model_admin, kind)),
            name=f"guides_guide_{kind.name}",
        )
        for kind in (FIX, EFFECT)
    ]


def grid_view(model_admin, kind: Kind, request, pk: int):
    return unless_unwritable(request, _grid_view, model_admin, kind, pk)


def _grid_view(request, model_admin, kind: Kind, pk: int):
    guide = get_object_or_404(Guide, pk=pk)
    if not model_admin.has_view_permission(request, guide):
        raise PermissionDenied
    can_save = request.user.has_perms(kind.permissions)
    grid = kind.load(guide)
    pages = cause_pages(grid.causes, len(grid.rows), settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
    page = _page_number(request, len(pages))
    if request.method == "POST":
        if not can_save:
            raise PermissionDenied
        try:
            plan = kind.plan(grid, edited_fields(request.POST))
        except Refused as refused:
            return _refused(model_admin, kind, request, guide, refused.reasons)
        save_plan(plan, request.user, kind.comment)
        said = summary(plan, kind.link_words)
        if plan:  # the admin's "Recent actions" list it under the guide
            model_admin.log_change(request, guide, f"{kind.comment} {said}")
        messages.success(request, f"{kind.title}: {said}")
        if plan:
            show_problems(request, guide)
        if "_next" in request.POST and page < len(pages):
            return redirect(f"{reverse(f'admin:guides_guide_{kind.name}', args=[pk])}?page={page + 1}")
        return redirect("admin:guides_guide_change", pk)
    context = {
        **_context(model_admin, kind, request, guide),
        **_table(kind, grid, pages[page - 1]),
        "page": page,
        "pages": len(pages),
        "can_save": can_save,
        "words": kind.words,
    }
    return TemplateResponse(request, f"admin/guides/guide/{kind.name}.html", context)


def _page_number(request, pages: int) -> int:
    """The page of causes asked for; a page that is not there is the nearest one, never an error."""
    asked = request.GET.get("page", "")
    return min(max(int(asked), 1), pages) if is_id(asked) else 1


def _context(model_admin, kind: Kind, request, guide) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"{kind.title}: {guide.title}",
        "grid_title": kind.title,
        "guide": guide,
    }


def _table(kind: Kind, grid, causes: list) -> dict:
    """The rows as the template reads them: the row's object, its checklist position, and one cell per cause."""
    values = grid.links if kind is FIX else grid.effects
    field = "efficacy" if kind is FIX else "strength"
    positions = grid.positions() if kind is FIX else {}
    rows, seen = [], [f"checklist-{step_id}={n}" for step_id, n in positions.items()]
    for row in grid.rows:
        cells = []
        for cause in causes:
            link = values.get((row.pk, cause.pk))
            if link:
                seen.append(f"{kind.prefix}-{row.pk}-{cause.pk}={getattr(link, field)}")
            cells.append(
                cell_html(
                    f"{kind.prefix}-{row.pk}-{cause.pk}",
                    getattr(link, field) if link else "",
                    f"{_row_label(row)} — {cause.title}",
                    kind.words,
                    about_facets=kind is EFFECT and (row.pk, cause.pk) in grid.about_facets,
                )
            )
        rows.append({"obj": row, "cells": cells, "position": positions.get(row.pk, "")})
    return {"causes": causes, "rows": rows, "seen": " ".join(seen)}


def _row_label(row) -> str:
    """How a row is named to a screen reader in each of its cells."""
    return f"{row.question.text} {row.text}" if hasattr(row, "question") else row.title


def _refused(model_admin, kind: Kind, request, guide, reasons: list[str]):
    grid_url = reverse(f"admin:guides_guide_{kind.name}", args=[guide.pk])
    context = {**_context(model_admin, kind, request, guide), "reasons": reasons, "grid_url": grid_url}
    return TemplateResponse(request, "admin/guides/guide/grid_refused.html", context, status=400)
