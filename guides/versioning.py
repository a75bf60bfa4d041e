"""Which content keeps a history in django-reversion, and what one version of each object carries.

Registered when the app starts (`GuidesConfig.ready`), so a load, a shell or a command records
versions the same way whether or not the admin is installed.
"""

import reversion

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
    reversion.register(Guide, follow=["faq_entries", "checklist_items"])
    reversion.register(Cause, exclude=["fix_steps"], follow=["facets", "cause_fixes"])
    reversion.register(Question, follow=["answers"])
    reversion.register(Answer, follow=["effects"])
    for model in (Facet, Symptom, FixStep, CauseFix, FAQEntry, ChecklistItem, AnswerEffect):
        reversion.register(model)
