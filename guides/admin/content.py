"""The admin pages of every content model: history, diffs and recovery, Markdown previews, a guide's tools."""

import nested_admin
from django.contrib import admin

from guides.admin.checked_saves import CheckedSaves
from guides.admin.forged import forged
from guides.admin.history import VersionHistoryAdmin
from guides.admin.inlines import (
    AnswerEffectInline,
    AnswerInline,
    CauseFixInline,
    FacetInline,
)  # fmt: skip
from guides.admin.markdown import MARKDOWN
from guides.admin.not_saved import unless_unwritable
from guides.admin.same_guide import SameGuideForm, SameGuidePickers
from guides.admin.words import ExplainedWords
from guides.admin.workspace import BackToTheWorkspace
from guides.models import (
    Answer,
    AnswerEffect,
    Cause,
    CauseFix,
    ChecklistItem,
    Facet,
    FAQEntry,
    FixStep,
    Question,
    Symptom,
)  # fmt: skip


class ContentAdmin(
    BackToTheWorkspace,
    CheckedSaves,
    SameGuidePickers,
    ExplainedWords,
    VersionHistoryAdmin,
    nested_admin.NestedModelAdmin,
):
    """Every content model: versioned (history, diff, undo, recover deleted) and with Markdown previews.

    Save writes only when the editor changed something on the page. Writing an unchanged object would
    still move its `updated_at`, add a "changed" entry to its History and the admin log.
    """

    formfield_overrides = MARKDOWN
    save_on_top = True

    class Media:
        js = ["js/admin-unsaved.js"]  # asks before leaving a form with unsaved changes

    def changeform_view(self, request, *args, **kwargs):
        return forged(request) or unless_unwritable(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return unless_unwritable(request, super().delete_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return forged(request) or unless_unwritable(request, super().changelist_view, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        """Add a new object; a changed one is written in save_related, once its inlines were looked at."""
        if not change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """Write the object if anything on its page changed; the inlines write only their changed rows."""
        if change and _edited(form, formsets):
            super().save_model(request, form.instance, form, change)
        super().save_related(request, form, formsets, change)

    def log_change(self, request, obj, message):
        """Log nothing for a Save that changed nothing (Django would log "No fields changed.")."""
        return super().log_change(request, obj, message) if message else None


def _edited(form, formsets) -> bool:
    """Whether the page's own fields or any of its inline rows (nested ones included) were changed."""
    return form.has_changed() or any(formset.has_changed() for formset in formsets)


class SymptomForm(SameGuideForm):
    """One answer per question at most: someone who sees a symptom gives one answer to a question."""

    def clean(self):
        cleaned = super().clean()
        settles = list(cleaned.get("settles") or ())
        by_question: dict[int, list] = {}
        for answer in settles:
            by_question.setdefault(answer.question_id, []).append(answer)
        for answers in by_question.values():
            if len(answers) > 1:
                names = " and ".join(f"“{a.text}”" for a in answers)
                self.add_error(
                    "settles",
                    f"{names} both answer “{answers[0].question.text}”. Someone who sees this symptom gives one "
                    "answer to a question: pick one.",
                )
        return cleaned


@admin.register(Cause)
class CauseAdmin(ContentAdmin):
    list_display = ["title", "guide", "commonness", "explains", "order", "reviewed_on"]
    list_select_related = ["guide"]
    list_editable = ["order"]
    list_filter = ["guide", "guide__published", "commonness", "explains"]
    search_fields = ["title", "summary", "explanation"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["related"]
    inlines = [FacetInline, CauseFixInline]
    fieldsets = [
        (None, {"fields": ["guide", "title", "slug", "summary", "explanation", "commonness", "reviewed_on"]}),
        (
            "Explanation ending",
            {
                "description": "For a cause nothing on the visitor's side fixes (blocked, too young, TikTok is down): "
                "tick the box and say what is happening and what they can do. The troubleshooter then explains it "
                "and asks “Does this match what you see?” instead of offering fix steps. Where to get help is shown "
                "on the hand-off when this is the likely cause, for any cause.",
                "fields": ["explains", "what_is_happening", "what_you_can_do", "where_to_get_help"],
            },
        ),
        (None, {"fields": ["related", "order"]}),
    ]


@admin.register(Facet)
class FacetAdmin(ContentAdmin):
    list_display = ["title", "cause", "order"]
    list_select_related = ["cause"]
    list_filter = ["cause__guide", "cause"]
    search_fields = ["title", "explanation"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Symptom)
class SymptomAdmin(ContentAdmin):
    form = SymptomForm
    list_display = ["title", "guide", "order"]
    list_select_related = ["guide"]
    list_filter = ["guide", "guide__published"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["causes", "settles"]


@admin.register(FixStep)
class FixStepAdmin(ContentAdmin):
    list_display = ["title", "guide", "kind", "risky", "minutes", "where", "reviewed_on"]
    list_select_related = ["guide"]
    list_filter = ["guide", "guide__published", "kind", "risky"]
    search_fields = ["title", "where", "instructions", "android", "iphone"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(FAQEntry)
class FAQEntryAdmin(ContentAdmin):
    prepopulated_fields = {"slug": ["question"]}
    list_display = ["question", "guide", "order"]
    list_select_related = ["guide"]
    list_editable = ["order"]
    list_filter = ["guide", "guide__published"]
    search_fields = ["question", "answer"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ContentAdmin):
    list_display = ["fix_step", "guide", "order"]
    list_select_related = ["fix_step", "guide"]
    list_editable = ["order"]
    list_filter = ["guide"]
    autocomplete_fields = ["fix_step"]


@admin.register(CauseFix)
class CauseFixAdmin(ContentAdmin):
    list_display = ["fix_step", "cause", "efficacy", "order"]
    list_select_related = ["fix_step", "cause"]
    list_filter = ["cause__guide", "efficacy", "cause"]
    autocomplete_fields = ["fix_step", "cause"]


@admin.register(Question)
class QuestionAdmin(ContentAdmin):
    list_display = ["text", "guide", "effort", "asked_after", "order"]
    list_select_related = ["guide", "asked_after__question"]
    list_editable = ["order"]
    list_filter = ["guide", "guide__published", "effort"]
    search_fields = ["text", "help_text"]
    prepopulated_fields = {"slug": ["text"]}
    inlines = [AnswerInline]
    fields = [
        "guide",
        "text",
        "slug",
        "help_text",
        "effort",
        "asked_after",
        "not_after_answers",
        "not_after_steps",
        "order",
    ]
    autocomplete_fields = ["not_after_answers", "not_after_steps"]


@admin.register(Answer)
class AnswerAdmin(ContentAdmin):
    list_display = ["text", "question", "order"]
    list_select_related = ["question"]
    list_filter = ["question__guide"]
    search_fields = ["text", "question__text"]
    prepopulated_fields = {"slug": ["text"]}
    inlines = [AnswerEffectInline]


@admin.register(AnswerEffect)
class AnswerEffectAdmin(ContentAdmin):
    list_display = ["answer", "cause", "facet", "strength"]
    list_select_related = ["answer__question", "cause", "facet__cause"]
    list_filter = ["strength", "cause__guide"]
