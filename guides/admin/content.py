"""The admin pages of every content model: history, diffs and recovery, Markdown previews, a guide's tools."""

import nested_admin
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from guides.admin.history import VersionHistoryAdmin
from guides.admin.inlines import (
    AnswerEffectInline,
    AnswerInline,
    CauseFixInline,
    CauseInline,
    ChecklistItemInline,
    FacetInline,
    FAQEntryInline,
)  # fmt: skip
from guides.admin.markdown import MARKDOWN, markdown_preview
from guides.admin.not_saved import unless_unwritable
from guides.authoring.checks import check_guide
from guides.feedback.reports import WINDOWS, build_report, days_from
from guides.models import (
    Answer,
    AnswerEffect,
    Cause,
    CauseFix,
    ChecklistItem,
    Facet,
    FAQEntry,
    FixStep,
    Guide,
    Question,
    Symptom,
)  # fmt: skip


class ContentAdmin(VersionHistoryAdmin, nested_admin.NestedModelAdmin):
    """Every content model: versioned (history, diff, undo, recover deleted) and with Markdown previews.

    Save writes only when the editor changed something on the page. Writing an unchanged object would
    still move its `updated_at`, add a "changed" entry to its History and the admin log.
    """

    formfield_overrides = MARKDOWN
    save_on_top = True

    def changeform_view(self, request, *args, **kwargs):
        return unless_unwritable(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return unless_unwritable(request, super().delete_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return unless_unwritable(request, super().changelist_view, *args, **kwargs)

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


@admin.register(Guide)
class GuideAdmin(ContentAdmin):
    list_display = ["title", "published", "updated_at", "tools"]
    list_filter = ["published"]
    search_fields = ["title", "summary", "introduction", "conclusion"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CauseInline, FAQEntryInline, ChecklistItemInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "published"]}),
        ("Article", {"fields": ["introduction", "conclusion"]}),
        ("When nothing helped", {"fields": ["support"]}),
        ("Troubleshooter", {"fields": ["max_questions"]}),
    ]

    @admin.display(description="Tools")
    def tools(self, guide):
        return format_html(
            '<span class="guide-tools"><a href="{}">Check</a> <a href="{}">Feedback report</a></span>',
            reverse("admin:guides_guide_check", args=[guide.pk]),
            reverse("admin:guides_guide_report", args=[guide.pk]),
        )

    @admin.action(description="Publish the selected guides")
    def publish(self, request, queryset):
        for guide in queryset:
            guide.published = True
            guide.save(update_fields=["published", "updated_at"])
        self.message_user(request, "Published. Visitors can see these guides now.", messages.SUCCESS)

    @admin.action(description="Unpublish the selected guides (back to draft)")
    def unpublish(self, request, queryset):
        for guide in queryset:
            guide.published = False
            guide.save(update_fields=["published", "updated_at"])
        self.message_user(request, "Unpublished. Only staff can see these guides now.", messages.SUCCESS)

    def get_urls(self):
        own = [
            path("preview/", self.admin_site.admin_view(markdown_preview), name="guides_markdown_preview"),
            path("<int:pk>/check/", self.admin_site.admin_view(self.check_view), name="guides_guide_check"),
            path("<int:pk>/report/", self.admin_site.admin_view(self.report_view), name="guides_guide_report"),
        ]
        return own + super().get_urls()

    def check_view(self, request, pk):
        guide = self._viewable(request, pk)
        problems = sorted(check_guide(guide), key=lambda p: p.level != "error")
        rows = [{"level": p.level, "message": p.message, "url": _change_url(p.obj)} for p in problems]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Check: {guide.title}",
            "guide": guide,
            "rows": rows,
            "errors": sum(p.level == "error" for p in problems),
            "warnings": sum(p.level == "warning" for p in problems),
        }
        return TemplateResponse(request, "admin/guides/guide/check.html", context)

    def report_view(self, request, pk):
        guide = self._viewable(request, pk)
        days = days_from(request.GET.get("days"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Feedback report: {guide.title}",
            "guide": guide,
            "report": build_report(guide, days=days),
            "days": days,
            "windows": WINDOWS,
        }
        return TemplateResponse(request, "admin/guides/guide/report.html", context)

    def _viewable(self, request, pk):
        guide = get_object_or_404(Guide, pk=pk)
        if not self.has_view_permission(request, guide):
            raise PermissionDenied
        return guide


def _change_url(obj) -> str:
    if obj is None:
        return ""
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


class SameGuideLinksForm(forms.ModelForm):
    """Refuse links to another guide's causes: they would show up on the wrong article."""

    def clean(self):
        cleaned = super().clean()
        guide = cleaned.get("guide")
        for name in ("causes", "related"):
            others = [c for c in cleaned.get(name) or () if guide and c.guide_id != guide.pk]
            if others:
                names = ", ".join(f"“{c}”" for c in others)
                self.add_error(name, f"{names} belong to another guide. Pick causes of “{guide}”.")
        return cleaned


@admin.register(Cause)
class CauseAdmin(ContentAdmin):
    form = SameGuideLinksForm
    list_display = ["title", "guide", "commonness", "order", "reviewed_on"]
    list_select_related = ["guide"]
    list_editable = ["order"]
    list_filter = ["guide", "guide__published", "commonness"]
    search_fields = ["title", "summary", "explanation"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["related"]
    inlines = [FacetInline, CauseFixInline]
    fields = ["guide", "title", "slug", "summary", "explanation", "commonness", "reviewed_on", "related", "order"]


@admin.register(Facet)
class FacetAdmin(ContentAdmin):
    list_display = ["title", "cause", "order"]
    list_select_related = ["cause"]
    list_filter = ["cause__guide", "cause"]
    search_fields = ["title", "explanation"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Symptom)
class SymptomAdmin(ContentAdmin):
    form = SameGuideLinksForm
    list_display = ["title", "guide", "order"]
    list_select_related = ["guide"]
    list_filter = ["guide", "guide__published"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["causes"]


@admin.register(FixStep)
class FixStepAdmin(ContentAdmin):
    list_display = ["title", "guide", "kind", "minutes", "where", "reviewed_on"]
    list_select_related = ["guide"]
    list_filter = ["guide", "guide__published", "kind"]
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
    raw_id_fields = ["asked_after"]
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
