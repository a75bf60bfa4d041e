"""Build the search index from the published guides, once per content version."""

from django.utils.html import strip_tags

from guides import content_cache
from guides.models import Cause, FAQEntry, FixStep, Guide, Symptom
from guides.search import Document, Index

# This process's index of the current content version only.
_built: dict[str, Index] = {}


def get_index() -> Index:
    version = content_cache.current_version()
    index = _built.get(version)
    if index is None:
        index = Index(list(_documents()))
        _built.clear()
        _built[version] = index
    return index


def _documents():
    guides = Guide.objects.published()
    for guide in guides:
        yield Document("guide", guide.title, guide.get_absolute_url(), [(guide.title, 1.0), (guide.summary, 0.6)],
                       snippet=guide.summary)  # fmt: skip

    causes = Cause.objects.filter(guide__published=True).select_related("guide").prefetch_related("facets")
    for cause in causes:
        fields = [(cause.title, 2.0), (cause.summary, 1.0), (strip_tags(cause.explanation_html), 0.4)]
        for facet in cause.facets.all():
            fields += [(facet.title, 1.2), (strip_tags(facet.explanation_html), 0.3)]
        yield Document("cause", cause.title, cause.get_absolute_url(), fields, causes=(_key(cause),),
                       snippet=cause.summary)  # fmt: skip

    symptoms = Symptom.objects.filter(guide__published=True).prefetch_related("causes")
    for symptom in symptoms:
        causes = tuple(_key(c) for c in symptom.causes.all())
        fields = [(symptom.title, 3.0), (strip_tags(symptom.description_html), 1.0)]
        yield Document("symptom", symptom.title, "", fields, causes=causes)

    steps = FixStep.objects.filter(guide__published=True).select_related("guide").prefetch_related("causes__guide")
    for step in steps:
        fields = [(step.title, 2.0), (step.where, 1.0), (strip_tags(step.instructions_html), 0.5)]
        yield Document("fix_step", step.title, step.get_absolute_url(), fields, snippet=step.where)

    entries = FAQEntry.objects.filter(guide__published=True).select_related("guide")
    for entry in entries:
        fields = [(entry.question, 2.0), (strip_tags(entry.answer_html), 0.5)]
        yield Document("faq", entry.question, entry.get_absolute_url(), fields)


def _key(cause: Cause) -> str:
    return f"{cause.guide_id}/{cause.slug}"
