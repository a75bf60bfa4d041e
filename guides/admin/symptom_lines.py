"""A cause's symptoms typed one per line on the guide's page.

A line is a symptom's title. The same line under two causes is one symptom pointing to both, and a line
that matches a symptom the guide already has links that symptom instead of making a copy (case, spaces
and line ends do not count). Removing a line unlinks the symptom from that cause; the symptom is deleted
only when no cause points to it any more (History can still recover it).
"""

from django import forms
from django.db.models import Max

from guides.admin.slugs import slug_from
from guides.models import Symptom

TITLE_LENGTH = Symptom._meta.get_field("title").max_length
SLUG_LENGTH = Symptom._meta.get_field("slug").max_length


def line_key(line: str) -> str:
    return " ".join(line.split()).casefold()


def symptom_lines(text: str) -> list[str]:
    """The lines of ``text`` that name a symptom: trimmed, not empty, each once."""
    lines: dict[str, str] = {}
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if line and line_key(line) not in lines:
            lines[line_key(line)] = line
    return list(lines.values())


class SymptomLinesField(forms.CharField):
    """The lines as one text, normalised, so an unchanged box (CR LF, a trailing line break) is no edit."""

    widget = forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"})

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Symptoms, one per line")
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text", "What a person sees when this is the cause, in their own words. One symptom a line."
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return "\n".join(symptom_lines(super().to_python(value)))

    def validate(self, value):
        super().validate(value)
        long = [line for line in value.splitlines() if len(line) > TITLE_LENGTH]
        if long:
            raise forms.ValidationError(
                f"A symptom is at most {TITLE_LENGTH} characters; this one is longer: “{long[0][:60]}…”"
            )


def save_symptom_lines(guide, formset) -> None:
    """Link each cause of ``formset`` whose box changed to the symptoms its lines name, as the module says."""
    forms_changed = [
        form
        for form in formset.forms
        if form.instance.pk
        and form not in formset.deleted_forms
        and "symptom_lines" in getattr(form, "cleaned_data", {})
        and "symptom_lines" in form.changed_data
    ]
    if not forms_changed:
        return
    known = {line_key(s.title): s for s in guide.symptoms.all()}
    taken = {s.slug for s in known.values()}
    next_order = (guide.symptoms.aggregate(Max("order"))["order__max"] or 0) + 1
    unlinked: set[Symptom] = set()
    for form in forms_changed:
        cause = form.instance
        lines = {line_key(line): line for line in form.cleaned_data["symptom_lines"].splitlines()}
        current = {line_key(s.title): s for s in Symptom.objects.filter(causes=cause)}
        for key, line in lines.items():
            if key in current:
                continue
            if key not in known:
                slug = slug_from(line, SLUG_LENGTH, taken=taken)
                taken.add(slug)
                known[key] = Symptom.objects.create(guide=guide, title=line, slug=slug, order=next_order)
                next_order += 1
            known[key].causes.add(cause)
        for key, symptom in current.items():
            if key not in lines:
                symptom.causes.remove(cause)
                unlinked.add(symptom)
    for symptom in unlinked:
        if not symptom.causes.exists():
            symptom.delete()
