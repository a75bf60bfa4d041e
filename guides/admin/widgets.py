"""A Markdown textarea with a live, sanitised preview beside it, refreshed by htmx."""

from django import forms
from django.urls import reverse_lazy

from guides.markup import render_markdown


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
        return context
