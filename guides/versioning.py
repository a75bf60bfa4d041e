"""Which content keeps a history in django-reversion, and what one version of each object carries.

Registered when the app starts (`GuidesConfig.ready`), so a load, a shell or a command records
versions the same way whether or not the admin is installed.
"""

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import router
from django.db.models.signals import post_delete, post_save
from reversion.models import Revision
from reversion.revisions import _current_frame, _get_options  # the open revision; reversion's follow rules

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
)  # fmt: skip


def register_content_models() -> None:
    """Version every content model, each with the parts that undoing or recovering it must bring back.

    A cause's fix steps travel as CauseFix rows (with their order), not as the many-to-many list.
    A cause's answer effects belong to their answers: restoring a cause must not roll back or delete
    what the troubleshooter's answers say about it (recovering a deleted cause brings them back as links to it).
    A guide's causes are left out: restoring a guide must not roll back every cause's text.
    """
    # When the guide last learned is a fact of the database, not an edit: restoring a guide leaves it alone.
    reversion.register(Guide, exclude=["learned_at"], follow=["faq_entries", "checklist_items"])
    reversion.register(Cause, exclude=["fix_steps"], follow=["facets", "cause_fixes"])
    reversion.register(Question, follow=["answers"])
    reversion.register(Answer, follow=["effects"])
    for model in (Facet, Symptom, FixStep, CauseFix, FAQEntry, ChecklistItem, AnswerEffect):
        reversion.register(model)
    for model in reversion.get_registered_models():
        for name in _get_options(model).follow:
            relation = next(r for r in model._meta.related_objects if r.get_accessor_name() == name)
            OWNERS.setdefault(relation.related_model, []).append(relation.field.name)
    for part in OWNERS:
        post_save.connect(_owner_changes_too, sender=part, dispatch_uid=f"owner-of-{part.__name__}-saved")
        post_delete.connect(_owner_changes_too, sender=part, dispatch_uid=f"owner-of-{part.__name__}-deleted")


# A part's foreign keys to the objects whose versions carry it (CauseFix: "cause"; AnswerEffect: "answer").
OWNERS: dict[type, list[str]] = {}


def _owner_changes_too(sender, instance, using, **kwargs):
    """Record the owner with its part: a fix step's efficacy or an answer's strength, changed on its own page
    or in a grid, then shows in the cause's (the answer's, the question's) History and Compare.

    Once per revision: a load saves each cause before its parts, so this adds nothing there.
    """
    if not reversion.is_active() or reversion.is_manage_manually():
        return
    for name in OWNERS.get(type(instance), ()):
        try:
            owner = getattr(instance, name)
        except ObjectDoesNotExist:
            continue  # deleted with its owner
        if owner is not None and not _in_revision(owner, using):
            reversion.add_to_revision(owner, model_db=using)
            _owner_changes_too(type(owner), owner, using)


def _in_revision(obj, using) -> bool:
    revision_db = router.db_for_write(Revision)
    key = (ContentType.objects.db_manager(revision_db).get_for_model(type(obj)), str(obj.pk))
    return key in _current_frame().db_versions.get(revision_db, {})
