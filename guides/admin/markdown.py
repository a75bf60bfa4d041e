"""Markdown in the admin: a textarea with a live, sanitised preview beside it, refreshed by htmx."""

from django import forms
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from guides.markup import MAX_CHARS, dropped, render_markdown, with_lf_line_ends


class MarkdownWidget(forms.Textarea):
    template_name = "admin/guides/markdown_widget.html"

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/htmx-2.0.11.min.js", "js/admin-preview.js"]

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 6, "class": "vLargeTextField markdown-input", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["preview_url"] = reverse_lazy("admin:guides_markdown_preview")
        context["preview_html"] = render_markdown(value or "")
        context["dropped"] = dropped(value or "")
        return context


class MarkdownField(forms.CharField):
    """Markdown as typed, with LF line ends, as the models and the loader store it.

    Django's text fields trim the text and keep the CR LF browsers send: pressing Save on an unchanged
    page would drop the final line break a file loaded, count as an edit, and make the next load keep
    the object as "edited in the database".
    """

    def __init__(self, **kwargs):
        # Longer text would render as plain text (guides/markup.py), and load_guides refuses it: say so here.
        super().__init__(**{**kwargs, "strip": False, "max_length": MAX_CHARS})

    def to_python(self, value):
        text = super().to_python(value)
        return with_lf_line_ends(text) if text else text

    def validate(self, value):
        """A required text of only spaces and line breaks is still missing."""
        super().validate(value.strip() if value else value)


MARKDOWN = {models.TextField: {"widget": MarkdownWidget, "form_class": MarkdownField}}


@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """Render the posted Markdown exactly as the site will.

    htmx posts the whole admin form and names the textarea that changed in HX-Trigger-Name;
    other callers post the text as `text`.
    """
    text = request.POST.get(request.htmx.trigger_name or "text", "")
    if len(text) > MAX_CHARS:
        return HttpResponse(f"Too long to preview: a text holds at most {MAX_CHARS:,} characters.", status=413)
    context = {"html": render_markdown(text), "dropped": dropped(text)}
    return TemplateResponse(request, "admin/guides/markdown_preview.html", context)
