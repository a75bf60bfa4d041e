"""The list of deleted objects to recover, each row telling one from another: its name, guide, and when and
by whom it was deleted. reversion's list shows a date and a name, and one cause's rows looked alike.
"""

from django.utils.formats import date_format
from django.utils.timezone import template_localtime
from reversion.models import Version

from guides.models import Guide

RECORDED_BEFORE_DELETING = "Recorded before deleting"  # how a delete from the admin starts its revision comment


def deleted_rows(model, deleted) -> list[dict]:
    """A row per deleted object (reversion's last version of it): what it was, its guide, when it went and who."""
    deleted = list(deleted)
    saved = {v.pk: v._object_version.object for v in deleted}
    guide_ids = {_guide_id(obj) for obj in saved.values()}
    guides = Guide.objects.in_bulk([pk for pk in guide_ids if pk is not None])
    return [
        {
            "version": version,
            "name": version.object_repr,
            "guide": guides.get(_guide_id(saved[version.pk])),
            "when": _when(version),
        }
        for version in deleted
    ]


def _guide_id(obj):
    """The guide an object was part of, as its saved version says (a facet's through its cause)."""
    if hasattr(obj, "guide_id"):
        return obj.guide_id
    for name in ("cause", "question", "answer"):
        parent_id = getattr(obj, f"{name}_id", None)
        if parent_id is not None:
            parent = type(obj)._meta.get_field(name).related_model._base_manager.filter(pk=parent_id).first()
            return _guide_id(parent) if parent is not None else None
    return None


def _when(version: Version) -> str:
    revision = version.revision
    at = date_format(template_localtime(revision.date_created), "j F Y, H:i")
    who = f" by {revision.user.get_username()}" if revision.user_id else ""
    if revision.get_comment().startswith(RECORDED_BEFORE_DELETING):
        return f"Deleted on {at}{who}"
    return f"Last saved on {at}{who}; deleted later"
