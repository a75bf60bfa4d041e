"""The parts edited on their owner's page.

A cause's facets and fix steps; a question's answers and what each answer says about the causes.
A guide's parts, edited on the guide's page (the workspace), are in guides.admin.workspace_inlines.
"""

import nested_admin

from guides.admin.markdown import MARKDOWN
from guides.admin.same_guide import SameGuidePickers
from guides.admin.words import ExplainedWords
from guides.models import (
    Answer,
    AnswerEffect,
    CauseFix,
    Facet,
)  # fmt: skip


class OrderedTabularInline(SameGuidePickers, ExplainedWords, nested_admin.NestedTabularInline):
    """Rows that staff reorder by dragging; the order field is filled in for them."""

    sortable_field_name = "order"
    extra = 0
    formfield_overrides = MARKDOWN


class OrderedStackedInline(SameGuidePickers, ExplainedWords, nested_admin.NestedStackedInline):
    sortable_field_name = "order"
    extra = 0
    formfield_overrides = MARKDOWN


class FacetInline(OrderedStackedInline):
    model = Facet
    fields = ["title", "slug", "explanation", "order"]
    prepopulated_fields = {"slug": ["title"]}


class CauseFixInline(OrderedTabularInline):
    model = CauseFix
    fields = ["fix_step", "efficacy", "order"]
    autocomplete_fields = ["fix_step"]
    verbose_name_plural = "fix steps, and how often each fixes this cause (the order is the cause page's)"


class AnswerEffectInline(SameGuidePickers, ExplainedWords, nested_admin.NestedTabularInline):
    model = AnswerEffect
    fields = ["cause", "facet", "strength"]
    extra = 0
    verbose_name_plural = "what this answer says about each cause"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cause", "facet__cause")


class AnswerInline(OrderedStackedInline):
    model = Answer
    fields = ["text", "slug", "skips", "order"]
    autocomplete_fields = ["skips"]
    prepopulated_fields = {"slug": ["text"]}
    inlines = [AnswerEffectInline]

    def get_queryset(self, request):
        # Each answer's form starts from the steps it skips: one query for all of them, not one each.
        return super().get_queryset(request).select_related("question").prefetch_related("skips")
