"""A guide's own admin page: the editor's workspace for the whole guide, its Check and its feedback report."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from guides.admin.content import ContentAdmin
from guides.admin.grids.views import grid_urls
from guides.admin.learned import accept_view, relearn_view
from guides.admin.markdown import markdown_preview
from guides.admin.publishing import PublishGate
from guides.admin.symptom_lines import save_symptom_lines
from guides.admin.try_it import TryItWorkspace
from guides.admin.workspace import overview
from guides.admin.workspace_inlines import (
    ChecklistItemInline,
    FAQEntryInline,
    FixStepInline,
    GuideCauseInline,
    QuestionInline,
    show_what_fits,
)  # fmt: skip
from guides.authoring.checks import check_guide
from guides.feedback.learned_report import learned_numbers
from guides.feedback.reports import WINDOWS, build_report, days_from
from guides.models import Cause, Guide


@admin.register(Guide)
class GuideAdmin(PublishGate, TryItWorkspace, ContentAdmin):
    list_display = ["title", "published", "updated_at", "tools"]
    list_filter = ["published"]
    search_fields = ["title", "summary", "introduction", "conclusion"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [GuideCauseInline, FixStepInline, QuestionInline, FAQEntryInline, ChecklistItemInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "published"]}),
        ("Article", {"fields": ["introduction", "conclusion"]}),
        ("When nothing helped", {"fields": ["support"]}),
        ("Troubleshooter", {"fields": ["max_questions", "max_screens", "long_shot_odds"]}),
        ("Learning from visitors", {"fields": ["numbers", "prior_visitors", "learned_max_words", "learned_at"]}),
    ]
    readonly_fields = ["learned_at"]

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is not None:
            show_what_fits(request, obj, inlines)
        else:
            for inline in inlines:
                if isinstance(inline, ChecklistItemInline):
                    inline.verbose_name_plural = inline.title_on_a_new_guide
        return inlines

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["workspace"] = overview(obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Cause:
            save_symptom_lines(form.instance, formset)

    @admin.display(description="Tools")
    def tools(self, guide):
        return format_html(
            '<span class="guide-tools"><a href="{}">Check</a> <a href="{}">Feedback report</a></span>',
            reverse("admin:guides_guide_check", args=[guide.pk]),
            reverse("admin:guides_guide_report", args=[guide.pk]),
        )

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
            path("<int:pk>/relearn/", self.admin_site.admin_view(relearn_view), name="guides_guide_relearn"),
            path(
                "<int:pk>/learned/<int:number>/accept/",
                self.admin_site.admin_view(accept_view),
                name="guides_guide_accept_learned",
            ),
            *grid_urls(self),
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
            "learned": learned_numbers(guide),
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
