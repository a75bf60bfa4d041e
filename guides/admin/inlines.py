"""The parts edited on their owner's page.

A cause's facets and fix steps; a question's answers and what each answer says about the causes.
A guide's parts, edited on the guide's page (the workspace), are in guides.admin.workspace_inlines.
"""

import nested_admin

from guides.admin.markdown import MARKDOWN
from guides.admin.words import ExplainedWords
from guides.models import (
    Answer,
    AnswerEffect,
    Cause,
    CauseFix,
    Facet,
    Question,
)  # fmt: skip


class OrderedTabularInline(ExplainedWords, nested_admin.NestedTabularInline):
    """Rows that staff reorder by dragging; the order field is filled in for them."""

    sortable_field_name = "order"
    extra = 0
    formfield_overrides = MARKDOWN


class OrderedStackedInline(ExplainedWords, nested_admin.NestedStackedInline):
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


class AnswerEffectInline(ExplainedWords, nested_admin.NestedTabularInline):
    model = AnswerEffect
    fields = ["cause", "facet", "strength"]
    extra = 0
    verbose_name_plural = "what this answer says about each cause"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cause", "facet__cause")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Offer the causes and facets of the guide being edited, read once per page, not once per row."""
        if db_field.name not in ("cause", "facet"):
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        guide_id = _guide_being_edited(request)
        if db_field.name == "cause":
            causes = Cause.objects.all()
            kwargs["queryset"] = causes.filter(guide_id=guide_id) if guide_id else causes
        else:
            facets = Facet.objects.select_related("cause")
            kwargs["queryset"] = facets.filter(cause__guide_id=guide_id) if guide_id else facets
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        choices = request.__dict__.setdefault("_effect_choices", {})
        if db_field.name not in choices:
            choices[db_field.name] = list(field.choices)
        field.choices = choices[db_field.name]  # validation still checks against the queryset
        return field


def _guide_being_edited(request) -> int | None:
    """The guide of the question or answer whose change page this is, if any (looked up once per request)."""
    if "_guide_being_edited" not in request.__dict__:
        request._guide_being_edited = _find_guide_being_edited(request)
    return request._guide_being_edited


def _find_guide_being_edited(request) -> int | None:
    match = request.resolver_match
    object_id = match.kwargs.get("object_id") if match else None
    if not object_id or not str(object_id).isdigit():
        return None
    if match.url_name == "guides_question_change":
        return Question.objects.filter(pk=object_id).values_list("guide_id", flat=True).first()
    if match.url_name == "guides_answer_change":
        return Answer.objects.filter(pk=object_id).values_list("question__guide_id", flat=True).first()
    return None


class AnswerInline(OrderedStackedInline):
    model = Answer
    fields = ["text", "slug", "skips", "order"]
    autocomplete_fields = ["skips"]
    prepopulated_fields = {"slug": ["text"]}
    inlines = [AnswerEffectInline]

    def get_queryset(self, request):
        # Each answer's form starts from the steps it skips: one query for all of them, not one each.
        return super().get_queryset(request).select_related("question").prefetch_related("skips")
