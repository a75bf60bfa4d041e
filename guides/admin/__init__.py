"""Staff edit every word here. History, diffs and recovery of deleted objects come from django-reversion."""

import logging
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import groupby

import nested_admin
import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models import Min
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import template_localtime
from django.views.decorators.http import require_POST
from reversion.errors import RevertError
from reversion.models import Version
from reversion.revisions import _follow_relations_recursive, _get_options  # reversion's own follow rules
from reversion.utils import mute_signals
from reversion_compare.admin import CompareVersionAdmin

from guides.admin.widgets import MarkdownWidget
from guides.authoring.checks import check_guide
from guides.content_cache import VersionNotChanged
from guides.feedback.reports import WINDOWS, build_report, days_from
from guides.markup import render_markdown
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
    Resolution,
    Symptom,
)  # fmt: skip

logger = logging.getLogger(__name__)

MARKDOWN = {models.TextField: {"widget": MarkdownWidget}}
SAVED_ON = "j F Y, H:i"  # when a restored version was saved: on its page and in the history comment

# What a version of each object carries, so that undoing or recovering it brings back its parts.
# A cause's fix steps travel as CauseFix rows (with their order), not as the many-to-many list.
# A guide's causes are left out: restoring a guide must not roll back every cause's text.
reversion.register(Guide, follow=["faq_entries", "checklist_items"])
reversion.register(Cause, exclude=["fix_steps"], follow=["facets", "cause_fixes", "answer_effects"])
reversion.register(Question, follow=["answers"])
reversion.register(Answer, follow=["effects"])


class ContentAdmin(CompareVersionAdmin, nested_admin.NestedModelAdmin):
    """Every content model: versioned (history, diff, undo, recover deleted) and with Markdown previews.

    Restoring a version puts back that object and its parts only. reversion would put back its whole
    revision, and a load saves a whole guide in one revision: one cause's undo would silently undo
    everyone's later edits to the guide. Restoring a revision as a whole is not offered.
    """

    formfield_overrides = MARKDOWN
    save_on_top = True
    revision_form_template = "admin/guides/revision_form.html"
    recover_form_template = "admin/guides/recover_form.html"

    def changeform_view(self, request, *args, **kwargs):
        return _unless_unwritable(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return _unless_unwritable(request, super().delete_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return _unless_unwritable(request, super().changelist_view, *args, **kwargs)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Open only a version of this very object: any other version id is a 404, never someone else's undo."""
        get_object_or_404(Version.objects.get_for_object_reference(self.model, unquote(object_id)), pk=version_id)
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        """Recover only what this page lists: the last version of a deleted object of this kind."""
        get_object_or_404(Version.objects.get_deleted(self.model), pk=version_id)
        return super().recover_view(request, version_id, extra_context)

    def compare_view(self, request, object_id, extra_context=None):
        """Answer a malformed object id with a 404; reversion-compare would crash on it."""
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().compare_view(request, object_id, extra_context)

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        """Show the object as `version` has it (rolled back), and keep that when the editor presses Save.

        Replaces reversion's view, which reverts the version's whole revision.
        """
        # A look must not clear caches or notify anyone: signals fire only when the editor saves.
        quiet = mute_signals(pre_save, post_save, pre_delete, post_delete, m2m_changed)
        try:
            with transaction.atomic(using=version.db), quiet if request.method == "GET" else nullcontext():
                restored = restore_version(version)
                context = {**(extra_context or {}), "restored": restored}
                with self.create_revision(request):
                    response = self.changeform_view(request, quote(version.object_id), request.path, context)
                    if request.method == "POST" and response.status_code == 302:
                        reversion.set_comment(f"Restored as saved on {restored.saved_on}.")
                        return response
                if response.status_code != 200:
                    raise RevertError(f"“{version.object_repr}” could not be opened.")
                response.template_name = template_name
                response.render()  # now, while the restored rows exist
                raise _Preview(response)
        except _Preview as preview:
            return preview.response
        except (RevertError, IntegrityError) as error:
            messages.error(request, str(error) if isinstance(error, RevertError) else _clash(version))
            return redirect(self._back_from(version))

    def _back_from(self, version):
        """Where to go when a restore fails: the object's history, or the recover list if it is gone."""
        info = self.opts.app_label, self.opts.model_name
        if self.model._default_manager.filter(pk=version.object_id).exists():
            return reverse(f"admin:{info[0]}_{info[1]}_history", args=[quote(version.object_id)])
        return reverse(f"admin:{info[0]}_{info[1]}_recoverlist")


def _unless_unwritable(request: HttpRequest, view, *args, **kwargs) -> HttpResponse:
    """A save the database or the cache cannot write (a full disk, a read-only database) is rolled back by
    the view's transaction; tell the editor so in words, with their form one Back away, instead of a 500."""
    try:
        return view(request, *args, **kwargs)
    except (DatabaseError, OSError, VersionNotChanged) as error:
        if request.method != "POST":
            raise
        logger.warning("An admin save to %s failed: %s", request.path, error)
        context = {**admin.site.each_context(request), "title": "Not saved", "reason": _why(error)}
        return TemplateResponse(request, "admin/guides/not_saved.html", context, status=503)


def _why(error: Exception) -> str:
    text = str(error).lower()
    if isinstance(error, VersionNotChanged):
        return "the cache's disk is full"
    if "full" in text or "no space" in text:
        return "the database's disk is full"
    if "readonly" in text or "read-only" in text:
        return "the database is read-only"
    return "the database did not answer"


class _Preview(Exception):
    """Carries a rendered restore preview out of its transaction, so the restore is rolled back."""

    def __init__(self, response):
        self.response = response


def _clash(version) -> str:
    return (
        f"“{version.object_repr}” can't be restored as it was: it clashes with what was saved since "
        "(the same web address or the same link twice). Change that first, then try again."
    )


@dataclass
class Restored:
    """What restoring a version does, for the page that asks the editor to confirm it."""

    saved_on: str
    parts: list[str]
    removed: list[str]
    skipped: list[str]


def restore_version(version: Version) -> Restored:
    """Put back the object of `version` and the parts it had then; delete only parts added to it since."""
    versions = _object_and_parts(version)
    counts = Counter(v._model._meta for v in versions[1:])
    parts = [f"{n} {meta.verbose_name if n == 1 else meta.verbose_name_plural}" for meta, n in counts.items()]
    removed = _remove_parts_added_since(versions)
    skipped = []
    for part in versions:
        problem = _missing_reference(part)
        if problem is None:
            try:
                with transaction.atomic(using=part.db):
                    part.revert()
                continue
            except IntegrityError:
                problem = "it clashes with what was saved since"
        if part is version:
            raise RevertError(f"“{version.object_repr}” can't be restored as it was: {problem}.")
        skipped.append(f"{part._model._meta.verbose_name} “{part.object_repr}” ({problem})")
    saved_on = date_format(template_localtime(version.revision.date_created), SAVED_ON)
    return Restored(saved_on=saved_on, parts=parts, removed=removed, skipped=skipped)


def _object_and_parts(version: Version) -> list[Version]:
    """The version, then the versions of its revision that were its parts then (by its `follow`), parents first.

    Read from the saved data, not today's database, so parts deleted since come back. Every `follow`
    registered above is a reverse foreign key (a guide's FAQ entries), which is all this reads.
    """
    revision_versions = version.revision.version_set.filter(db=version.db)
    by_model: dict[type, list[Version]] = {}
    tree = [version]
    for parent in tree:  # the list grows as parts are found
        for name in _get_options(parent._model).follow:
            relation = next(r for r in parent._model._meta.related_objects if r.get_accessor_name() == name)
            model = relation.related_model
            if model not in by_model:
                by_model[model] = [v for v in revision_versions if v._model is model]
            fk = relation.field.attname
            tree += [
                v
                for v in by_model[model]
                if str(getattr(v._object_version.object, fk)) == parent.object_id and v not in tree
            ]
    return tree


def _remove_parts_added_since(versions: list[Version]) -> list[str]:
    """Delete what now belongs to these objects, did not then, and was first saved after then.

    reversion deletes every part missing from the version. Parts saved without a version (a load
    bulk-creates the checklist) would go too, so only parts whose history starts later are deleted.
    """
    then = set()
    for v in versions:
        then.update(v._model._base_manager.using(v.db).filter(pk=v.object_id))
    now = set().union(*(_follow_relations_recursive(obj) for obj in then))
    added = [
        obj
        for obj in sorted(now - then, key=lambda obj: (obj._meta.label, obj.pk))
        if (Version.objects.get_for_object(obj).aggregate(first=Min("revision_id"))["first"] or 0)
        > versions[0].revision_id
    ]
    collector = Collector(using=versions[0].db)
    try:
        for _, group in groupby(added, type):
            collector.collect(list(group))
    except (ProtectedError, RestrictedError) as error:
        needed = ", ".join(f"“{obj}”" for obj in list(error.args[1])[:3])
        raise RevertError(
            f"Restoring “{versions[0].object_repr}” would delete what was added to it since, "
            f"and {needed} still needs that. Change that first, then try again."
        ) from error
    collector.delete()
    return [f"{obj._meta.verbose_name} “{obj}”" for obj in added]


def _missing_reference(version: Version) -> str | None:
    """Say what this version points to that was deleted since; drop many-to-many links to deleted objects.

    Foreign keys are checked only at commit, so a part pointing at a deleted answer would
    otherwise fail the whole restore with a server error instead of being left out.
    """
    saved = version._object_version
    obj = saved.object
    for fk in obj._meta.concrete_fields:
        value = getattr(obj, fk.attname)
        target = fk.related_model._base_manager.filter(**{fk.target_field.attname: value}) if fk.is_relation else None
        if value is not None and target is not None and not target.exists():
            return f"its {fk.verbose_name} was deleted since"
    for name, ids in (saved.m2m_data or {}).items():
        related = obj._meta.get_field(name).related_model
        saved.m2m_data[name] = list(related._base_manager.filter(pk__in=ids).values_list("pk", flat=True))
    return None


class OrderedTabularInline(nested_admin.NestedTabularInline):
    """Rows that staff reorder by dragging; the order field is filled in for them."""

    sortable_field_name = "order"
    extra = 0
    formfield_overrides = MARKDOWN


class OrderedStackedInline(nested_admin.NestedStackedInline):
    sortable_field_name = "order"
    extra = 0
    formfield_overrides = MARKDOWN


class FAQEntryInline(OrderedStackedInline):
    model = FAQEntry
    fields = ["question", "slug", "answer", "order"]
    prepopulated_fields = {"slug": ["question"]}


class ChecklistItemInline(OrderedTabularInline):
    model = ChecklistItem
    fields = ["fix_step", "order"]
    autocomplete_fields = ["fix_step"]


class CauseInline(OrderedTabularInline):
    model = Cause
    fields = ["title", "slug", "commonness", "reviewed_on", "order"]
    show_change_link = True
    verbose_name_plural = "causes (open one to edit its explanation, facets and fix steps)"

    def has_add_permission(self, request, obj=None):
        return False  # a new cause needs an explanation: add it on its own page


class FacetInline(OrderedStackedInline):
    model = Facet
    fields = ["title", "slug", "explanation", "order"]
    prepopulated_fields = {"slug": ["title"]}


class CauseFixInline(OrderedTabularInline):
    model = CauseFix
    fields = ["fix_step", "efficacy", "order"]
    autocomplete_fields = ["fix_step"]
    verbose_name_plural = "fix steps, and how often each fixes this cause (the order is the cause page's)"


class AnswerEffectInline(nested_admin.NestedTabularInline):
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
        return super().get_queryset(request).select_related("question")


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


@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """Render the posted Markdown exactly as the site will.

    htmx posts the whole admin form and names the textarea that changed in HX-Trigger-Name;
    other callers post the text as `text`.
    """
    text = request.POST.get(request.htmx.trigger_name or "text", "")
    if len(text) > 100_000:
        return HttpResponse("Too long to preview (over 100,000 characters).", status=413)
    return TemplateResponse(request, "admin/guides/markdown_preview.html", {"html": render_markdown(text)})


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


@admin.register(Resolution)
class ResolutionAdmin(admin.ModelAdmin):
    """Read-only: what visitors reported. Nothing personal is stored."""

    list_display = ["created_at", "guide", "step_slug", "cause_slug", "fixed"]
    list_filter = ["guide", "fixed", "step_slug", "cause_slug"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
