"""Read an admin form back from its HTML, so tests post exactly what a browser would, and save it as staff do."""

import re
from html.parser import HTMLParser

from django.urls import reverse

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
)

# Every content model staff edit in the admin, each with its own pages and history.
ALL_MODELS = [Guide, Cause, Facet, Symptom, FixStep, CauseFix, FAQEntry, ChecklistItem, Question, Answer, AnswerEffect]


class _FormParser(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file", "image"}:
            if attrs.get("type") in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            else:
                self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            value = value[1:] if value.startswith("\n") else value
            # Browsers submit a textarea's line breaks as CR LF, whatever the page had.
            self.fields.append((name, value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")))
            self._textarea = None


def admin_form(html: str, form_id: str) -> dict[str, list[str]]:
    """Return the form's fields as a browser would submit them (multi-valued)."""
    parser = _FormParser(form_id)
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data


def admin_url(obj_or_model, view="change"):
    opts = obj_or_model._meta
    args = [obj_or_model.pk] if view in {"change", "history", "delete"} else []
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def save_change(client, obj, **changes):
    """Open the change page, change some fields as staff would, and press Save."""
    url = admin_url(obj)
    page = client.get(url)
    assert page.status_code == 200
    data = admin_form(page.content.decode(), f"{obj._meta.model_name}_form")
    for name, value in changes.items():
        data[name] = [value]
    response = client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    return response


def form_errors(response):
    """The admin's error lists on a page, to say why a save was refused."""
    return re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
