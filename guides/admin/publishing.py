"""No publishing with errors: the guide's Published box and the "Publish" list action both run Check first.

Errors break something visitors see, so a guide with errors stays a draft and the editor gets the
list, each with an "Open it" link (everything else on the page is still saved). Warnings only make
a guide weaker: the editor is asked once, on a page that lists them, and "Publish with these
warnings" publishes it. The confirmation carries a digest of the warnings it showed: if the guide
changed since and the warnings are not the same, the editor is asked again about the new ones.
A guide that is already published is not asked about again when it is saved.
"""

from __future__ import annotations

import hashlib

import reversion
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from guides.admin.checked_saves import change_url, show_problems
from guides.authoring.checks import ERROR, check_guide
from guides.models import Guide

CONFIRM_FIELD = "confirm"


def digest(problems) -> str:
    """A short fingerprint of the warnings an editor was shown, to tell whether they confirmed these ones."""
    text = "\n".join(sorted(p.message for p in problems if p.level != ERROR))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def publish_now(request, guide, comment: str) -> None:
    """Publish and record it in the guide's History, as a save on its page would be."""
    with reversion.create_revision():
        reversion.set_user(request.user)
        reversion.set_comment(comment)
        guide.published = True
        guide.save(update_fields=["published", "updated_at"])


def _refused_heading(guide, errors) -> str:
    count = f"{len(errors)} error{'' if len(errors) == 1 else 's'}"
    return format_html(
        "“{}” was not published: it has {}, and visitors would see them. Fix them, then publish again. "
        "Everything else you changed was saved.",
        guide.title,
        count,
    )


class PublishGate:
    """GuideAdmin's part: the Published box, the publish confirmation page and the "Publish" list action."""

    def get_urls(self):
        confirm = path(
            "<int:pk>/publish/", self.admin_site.admin_view(self.publish_view), name="guides_guide_publish"
        )  # fmt: skip
        return [confirm, *super().get_urls()]

    def save_model(self, request, obj, form, change):
        """A box ticked now (not one already published) publishes only once Check allows it (``save_related``)."""
        if obj.published and (not change or "published" in form.changed_data):
            obj.published = False
            request.publish_wanted = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not getattr(request, "publish_wanted", False):
            return
        guide = form.instance
        problems = check_guide(guide)
        request.checked_problems = problems
        errors = [p for p in problems if p.level == ERROR]
        if errors or problems:
            request.publish_refused = bool(errors)
            request.publish_confirm = not errors
            if "published" in form.changed_data:  # the History must not say "Changed Published"
                form.changed_data.remove("published")
            return
        guide.published = True
        guide.save(update_fields=["published", "updated_at"])
        messages.success(request, f"Published. Visitors can see “{guide.title}” now.")

    def response_add(self, request, obj, *args, **kwargs):
        return self._gate(request, obj) or super().response_add(request, obj, *args, **kwargs)

    def response_change(self, request, obj):
        return self._gate(request, obj) or super().response_change(request, obj)

    def _gate(self, request, guide):
        """Refused: say why above the usual page. Warnings only: go and ask (Check's list is on that page)."""
        if getattr(request, "publish_refused", False):
            errors = [p for p in request.checked_problems if p.level == ERROR]
            request.check_heading = _refused_heading(guide, errors)
            return None
        if getattr(request, "publish_confirm", False):
            request.skip_check_messages = True
            messages.info(request, f"Your changes to “{guide.title}” were saved. It is not published yet.")
            return redirect("admin:guides_guide_publish", guide.pk)
        return None

    def publish_view(self, request, pk):
        """Ask before publishing a guide with warnings; publish when the editor confirms the same warnings."""
        guide = get_object_or_404(Guide, pk=pk)
        if not self.has_change_permission(request, guide):
            raise PermissionDenied
        change_url = reverse("admin:guides_guide_change", args=[guide.pk])
        if guide.published:
            messages.info(request, f"“{guide.title}” is published already.")
            return redirect(change_url)
        problems = check_guide(guide)
        errors = [p for p in problems if p.level == ERROR]
        if request.method == "POST" and not errors and request.POST.get(CONFIRM_FIELD) == digest(problems):
            publish_now(request, guide, "Published after its warnings were confirmed.")
            messages.success(request, f"Published. Visitors can see “{guide.title}” now.")
            return redirect(change_url)
        if request.method == "POST" and errors:
            show_problems(request, guide, heading=_refused_heading(guide, errors), problems=problems)
            return redirect(change_url)
        return self._confirm_page(request, [(guide, problems)], reverse("admin:guides_guide_publish", args=[pk]), [])

    def _confirm_page(self, request, checked, form_action, hidden):
        rows = [
            {
                "guide": guide,
                "problems": [_row(p) for p in problems if p.level != ERROR],
                "errors": [_row(p) for p in _errors(problems)],
            }
            for guide, problems in checked
        ]
        can_publish = not any(row["errors"] for row in rows)
        any_warnings = any(row["problems"] for row in rows)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _title(can_publish, any_warnings),
            "rows": rows,
            "can_publish": can_publish,
            "any_warnings": any_warnings,
            "form_action": form_action,
            "hidden": hidden,
            "confirm": digest([p for _, problems in checked for p in problems]),
            "confirm_field": CONFIRM_FIELD,
        }
        return TemplateResponse(request, "admin/guides/guide/publish_confirm.html", context)

    @admin.action(description="Publish the selected guides (Check runs first)", permissions=["change"])
    def publish(self, request, queryset):
        """Publish the selected drafts that Check allows: refuse those with errors, ask once about warnings."""
        waiting = []
        for guide in queryset.filter(published=False):
            problems = check_guide(guide)
            errors = _errors(problems)
            if errors:
                show_problems(request, guide, heading=_refused_heading(guide, errors), problems=errors)
            elif problems:
                waiting.append((guide, problems))
            else:
                publish_now(request, guide, "Published from the list of guides.")
                messages.success(request, f"Published. Visitors can see “{guide.title}” now.")
        if not waiting:
            return None
        confirmed = request.POST.get(CONFIRM_FIELD)
        if request.POST.get("post") == "yes" and confirmed == digest([p for _, ps in waiting for p in ps]):
            for guide, _ in waiting:
                publish_now(request, guide, "Published from the list of guides, after its warnings were confirmed.")
                messages.success(request, f"Published. Visitors can see “{guide.title}” now.")
            return None
        hidden = [("action", "publish"), ("post", "yes")] + [(ACTION_CHECKBOX_NAME, g.pk) for g, _ in waiting]
        return self._confirm_page(request, waiting, reverse("admin:guides_guide_changelist"), hidden)


def _row(problem) -> dict:
    return {"message": problem.message, "url": change_url(problem.obj)}


def _errors(problems):
    return [p for p in problems if p.level == ERROR]


def _title(can_publish: bool, any_warnings: bool) -> str:
    if not can_publish:
        return "Not ready to publish"
    return "Publish with warnings?" if any_warnings else "Publish?"
