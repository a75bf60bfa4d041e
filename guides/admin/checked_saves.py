"""Check runs where the editor is: after every admin save of a guide's content, its problems at the top of the page.

The save has happened by then (a warning, even an error, does not undo it): the editor is told at
once what the guide still needs, in Check's own words, each with an "Open it" link to the object to
edit. Publishing is where errors stop the editor (``publishing``).

The check reads the whole guide and walks every cause: about half a second for the bundled guide.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from guides.authoring.checks import ERROR, check_guide

logger = logging.getLogger(__name__)

# More than this many problems of one level are summed up with a link to Check, not listed.
LISTED = 5
# How each content model reaches its guide: follow these attributes until a Guide.
_TO_GUIDE = ("guide", "cause", "question", "answer")


def guide_of(obj):
    """The guide this content object belongs to (itself for a guide), or None."""
    for _ in range(4):
        if obj is None or obj._meta.model_name == "guide":
            return obj
        obj = next((getattr(obj, name) for name in _TO_GUIDE if hasattr(obj, name)), None)
    return None


def show_problems(request, guide, *, heading: str = "", problems=None) -> None:
    """Add the guide's problems to the messages shown on the next page, errors first.

    ``heading`` replaces the first line (for example, why publishing was refused); ``problems``,
    when the caller has just checked the guide, saves checking it again.
    """
    try:
        problems = check_guide(guide) if problems is None else problems
    except Exception:  # the save is done: a check that fails must not turn it into an error page
        logger.exception("The check of %s failed after a save", guide.slug)
        messages.warning(request, f"Check could not run on “{guide.title}”. Open Check to try again.")
        return
    check_url = reverse("admin:guides_guide_check", args=[guide.pk])
    errors = [p for p in problems if p.level == ERROR]
    warnings = [p for p in problems if p.level != ERROR]
    if not problems:
        messages.success(request, heading or f"Check found no problems in “{guide.title}”.")
        return
    level = messages.ERROR if errors else messages.WARNING
    messages.add_message(request, level, heading or _summary(guide, errors, warnings, check_url))
    url = check_url
    for group, group_level in ((errors, messages.ERROR), (warnings, messages.WARNING)):
        for problem in group[:LISTED]:
            messages.add_message(request, group_level, _line(problem))
        if len(group) > LISTED:
            messages.add_message(
                request,
                group_level,
                format_html('And {} more. <a href="{}">Open Check</a> to see them all.', len(group) - LISTED, url),
            )


def _summary(guide, errors, warnings, check_url) -> str:
    counts = " and ".join(
        f"{len(group)} {word}{'' if len(group) == 1 else 's'}"
        for group, word in ((errors, "error"), (warnings, "warning"))
        if group
    )
    why = (
        "Errors break something visitors see: fix them before you publish."
        if errors
        else "Warnings make the guide weaker but break nothing."
    )
    return format_html('Check found {} in “{}”. {} <a href="{}">Open Check</a>', counts, guide.title, why, check_url)


def _line(problem) -> str:
    url = change_url(problem.obj)
    if not url:
        return problem.message
    return format_html('{} <a href="{}">Open it</a>', problem.message, url)


def change_url(obj) -> str:
    if obj is None or obj.pk is None:
        return ""
    try:
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""


class CheckedSaves:
    """ContentAdmin's part: after an add, a change or a delete, show the guide's problems on the next page.

    Not in a "+" pop-up (it closes at once; its page would carry the messages) nor when the page
    itself says the save failed. A view that saves and wants no list (publishing asks instead)
    sets ``request.skip_check_messages``.
    """

    def response_add(self, request, obj, *args, **kwargs):
        response = super().response_add(request, obj, *args, **kwargs)
        self._show(request, obj)  # after Django's "was added successfully": messages are stored as the response leaves
        return response

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        self._show(request, obj)
        return response

    def delete_model(self, request, obj):
        guide = guide_of(obj) if obj._meta.model_name != "guide" else None
        super().delete_model(request, obj)
        request.guide_after_delete = guide

    def response_delete(self, request, obj_display, obj_id):
        response = super().response_delete(request, obj_display, obj_id)
        guide = getattr(request, "guide_after_delete", None)
        if guide is not None and not _quiet(request):
            show_problems(request, guide)
        return response

    def _show(self, request, obj):
        guide = guide_of(obj)
        if guide is not None and guide.pk and not _quiet(request):
            heading = getattr(request, "check_heading", "")
            show_problems(request, guide, heading=heading, problems=getattr(request, "checked_problems", None))


def _quiet(request) -> bool:
    return IS_POPUP_VAR in request.POST or IS_POPUP_VAR in request.GET or getattr(request, "skip_check_messages", False)
