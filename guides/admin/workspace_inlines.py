"""The parts of a guide edited on the guide's own page, the workspace: causes, fix steps, questions, FAQ, checklist.

One "Save and continue editing" on a new guide creates all of them together, so the editor never has to
know which must exist first. Slugs are not asked for: a new object's is made from its title (each object's
own page can change it). Texts here are plain textareas: the live Markdown preview posts on every edit,
and a page of twenty texts would cost twenty requests; each object's own page keeps the preview.
"""

import nested_admin
from django import forms
from django.conf import settings
from django.db import models
from django.db.models import F, Func, OuterRef, Subquery
from reversion.models import Version

from guides import engine
from guides.admin.markdown import MarkdownField
from guides.admin.slugs import slug_from
from guides.admin.symptom_lines import SymptomLinesField
from guides.diagnose.address import RESERVED_QUESTION_SLUGS
from guides.models import Answer, Cause, ChecklistItem, FAQEntry, FixStep, Guide, Question

PLAIN_MARKDOWN = {
    models.TextField: {
        "widget": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        "form_class": MarkdownField,
    }
}


class SluggedFormSet(nested_admin.formsets.NestedInlineFormSet):
    """Gives each new row a slug made from its title, unique among its siblings, never a reserved word."""

    slug_source = "title"
    reserved_slugs: frozenset[str] = frozenset()

    def clean(self):
        super().clean()
        new = [
            form
            for form in self.forms
            if not form.instance.pk
            and form.has_changed()
            and not self._should_delete_form(form)
            and getattr(form, "cleaned_data", {}).get(self.slug_source)
        ]
        if not new:
            return
        siblings = self.model._default_manager.filter(**{self.fk.name: self.instance}) if self.instance.pk else None
        taken = set(siblings.values_list("slug", flat=True)) if siblings is not None else set()
        max_length = self.model._meta.get_field("slug").max_length
        for form in new:
            form.instance.slug = slug_from(form.cleaned_data[self.slug_source], max_length, self.reserved_slugs, taken)
            taken.add(form.instance.slug)


class QuestionFormSet(SluggedFormSet):
    slug_source = "text"
    reserved_slugs = frozenset(RESERVED_QUESTION_SLUGS)


class AnswersFormSet(SluggedFormSet):
    """A question's answers, read from the answers prefetched with all the questions: one query, not one each."""

    slug_source = "text"
    reserved_slugs = frozenset({engine.UNSURE})

    def get_queryset(self):
        cache = getattr(self.instance, "_prefetched_objects_cache", {})
        if not self.data and "answers" in cache:
            return list(cache["answers"])
        return super().get_queryset()


class FAQFormSet(SluggedFormSet):
    slug_source = "question"


class CauseForm(forms.ModelForm):
    symptom_lines = SymptomLinesField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # the inline's queryset prefetched them: no query per cause
            self.initial["symptom_lines"] = "\n".join(s.title for s in self.instance.symptoms.all())


class WorkspacePart:
    """One part of the guide. ``fields_per_row`` is at most how many form fields a row posts; a guide too
    big for Django's limit on fields shows some parts "add only" (``add_only``): their rows are opened from
    the overview instead (see ``show_what_fits``)."""

    formset = SluggedFormSet
    sortable_field_name = "order"
    extra = 0
    formfield_overrides = PLAIN_MARKDOWN
    show_change_link = True
    fields_per_row = 10
    add_only = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.none() if self.add_only else queryset


class WorkspaceInline(WorkspacePart, nested_admin.NestedStackedInline):
    pass


class GuideCauseInline(WorkspaceInline):
    model = Cause
    form = CauseForm
    fields_per_row = 13
    verbose_name_plural = "causes"
    fieldsets = [
        (
            None,
            {
                "fields": ["title", "summary", "explanation", "symptom_lines", "commonness", "order"],
                "description": "Symptoms: one per line. The same line under two causes is one symptom "
                "pointing to both. Fix steps and how well each fixes each cause are set in the grid of "
                "fix steps and causes; facets and related causes on the cause's own page.",
            },
        ),
        (
            "Explanation ending: only for a cause nothing on the visitor's side fixes",
            {
                "classes": ["collapse"],
                "fields": ["explains", "what_is_happening", "what_you_can_do", "where_to_get_help"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("symptoms")


class FixStepInline(WorkspaceInline):
    model = FixStep
    fields_per_row = 11
    sortable_field_name = ""  # listed by title: a step's place is set on each cause and in the checklist
    fields = ["title", "kind", "minutes", "risky", "where", "instructions", "android", "iphone"]


class WorkspaceAnswerInline(nested_admin.NestedTabularInline):
    model = Answer
    formset = AnswersFormSet
    sortable_field_name = "order"
    extra = 0
    fields = ["text", "order"]
    verbose_name_plural = "answers (what each says about the causes is set in the grid of answers and causes)"


class QuestionInline(WorkspaceInline):
    model = Question
    formset = QuestionFormSet
    fields_per_row = 17  # its own fields, and its answers' management form and empty row
    fields_per_answer = 5
    fields = ["text", "help_text", "effort", "asked_after", "order"]
    inlines = [WorkspaceAnswerInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("answers")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name != "asked_after":
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        answers = Answer.objects.select_related("question").order_by("question__order", "question_id", "order", "id")
        kwargs["queryset"] = answers.filter(question__guide_id=workspace_guide_id(request))
        kwargs["widget"] = forms.Select  # an answer is added under its question, here: no "+" pop-up
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        field.label_from_instance = lambda answer: f"{answer.question.text} → {answer.text}"
        return _choices_read_once(field)


class FAQEntryInline(WorkspaceInline):
    model = FAQEntry
    formset = FAQFormSet
    fields_per_row = 6
    show_change_link = False
    verbose_name_plural = "FAQ entries"
    fields = ["question", "answer", "order"]


class ChecklistItemInline(WorkspacePart, nested_admin.NestedTabularInline):
    model = ChecklistItem
    formset = nested_admin.formsets.NestedInlineFormSet
    fields_per_row = 5
    show_change_link = False
    fields = ["fix_step", "order"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("fix_step")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name != "fix_step":
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        kwargs["queryset"] = FixStep.objects.filter(guide_id=workspace_guide_id(request))
        kwargs["widget"] = forms.Select
        return _choices_read_once(super().formfield_for_foreignkey(db_field, request, **kwargs))


# Fields a page may post beside the parts' existing rows: the guide's own fields, each part's management
# form and empty row, and the rows an editor adds before saving (a small guide's worth).
FIELDS_KEPT_FREE = 400
PARTS = (Cause, FixStep, Question, FAQEntry, ChecklistItem)


def show_what_fits(request, guide, inlines) -> None:
    """Make "add only" the parts whose existing rows would take the page past Django's limit on fields.

    Parts are taken in the page's order; one that does not fit is skipped and the next ones still tried.
    """
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    if limit is None:
        return
    counts = _part_counts(request, guide)
    room = limit - FIELDS_KEPT_FREE
    for inline in inlines:
        rows = counts.get(inline.model, 0)
        needed = rows * inline.fields_per_row
        if inline.model is Question:
            needed += counts["answers"] * QuestionInline.fields_per_answer
        if needed <= room:
            room -= needed
            continue
        inline.add_only = True
        name = inline.model._meta.verbose_name_plural
        inline.verbose_name_plural = f"{name}: add new ones here (open the {rows} it has from the overview above)"


def _part_counts(request, guide) -> dict:
    """How many rows each part of the guide has, in one query, read once per request."""
    if "_workspace_counts" not in request.__dict__:
        counted = {model: _count(model.objects.filter(guide=OuterRef("pk"))) for model in PARTS}
        answers = _count(Answer.objects.filter(question__guide=OuterRef("pk")))
        row = Guide.objects.filter(pk=guide.pk).values(
            **{model.__name__: count for model, count in counted.items()}, answers=answers
        )[0]
        request._workspace_counts = {
            **{model: row[model.__name__] for model in PARTS},
            "answers": row["answers"],
        }
    return request._workspace_counts


def _count(queryset) -> Subquery:
    """COUNT(*) of ``queryset`` as a subquery (a plain Func, so no GROUP BY)."""
    return Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"))


def _choices_read_once(field):
    """Render the options from one read of the queryset, not one per row (validation still uses the queryset)."""
    field.choices = list(iter(field.choices))  # iter(): list() would first ask the queryset for its length
    return field


def workspace_guide_id(request) -> int | None:
    """The guide whose page this is: its change page, a version of it or a deleted one from History.

    None on the add page. Read once per request.
    """
    if "_workspace_guide_id" not in request.__dict__:
        request._workspace_guide_id = _find_workspace_guide_id(request.resolver_match)
    return request._workspace_guide_id


def _find_workspace_guide_id(match) -> int | None:
    if match is None or not match.url_name.startswith("guides_guide_"):
        return None
    found = match.kwargs.get("object_id") or next(iter(match.args), None)  # reversion's URLs pass it by position
    if not str(found).isdigit():
        return None
    if match.url_name == "guides_guide_recover":  # the number is the deleted guide's version
        version = Version.objects.filter(pk=found).values_list("object_id", flat=True).first()
        return int(version) if version and version.isdigit() else None
    return int(found)
