"""Forget cached pages and search data whenever any guide content changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from guides import content_cache, models

CONTENT_MODELS = (
    models.Guide, models.Cause, models.Facet, models.Symptom, models.FixStep, models.CauseFix,
    models.FAQEntry, models.ChecklistItem, models.Question, models.Answer, models.AnswerEffect,
)  # fmt: skip


def content_changed(sender, **kwargs):
    content_cache.content_changed()


for model in CONTENT_MODELS:
    post_save.connect(content_changed, sender=model, dispatch_uid=f"content-save-{model.__name__}")
    post_delete.connect(content_changed, sender=model, dispatch_uid=f"content-delete-{model.__name__}")
for relation in (models.Symptom.causes.through, models.Symptom.settles.through, models.Cause.related.through):
    m2m_changed.connect(content_changed, sender=relation, dispatch_uid=f"content-m2m-{relation.__name__}")
