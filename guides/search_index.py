"""Build the search index from the published guides once per content version, and share it.

A content save starts a new version. The first process to need the new index builds it (a
fixed number of queries, about a second at 200 guides) and puts it in the shared cache; every
other process loads that copy. While one process builds, the others keep answering from the
index they have, so a save never holds a worker up: searches are at most one build behind.
"""

import hashlib
import html
import re
from pathlib import Path

from django.core.cache import cache
from django.urls import reverse

from guides import content_cache, engine, search
from guides.models import Answer, AnswerEffect, Cause, CauseFix, Facet, FAQEntry, FixStep, Guide, StepKind, Symptom
from guides.search import Document, GuideContent, Index

# A build takes about a second at 200 guides; a process that died building frees the lock after this.
BUILD_LOCK_SECONDS = 60
# A content save replaces the shared index sooner (a new version); this only bounds an idle one.
INDEX_CACHE_SECONDS = 24 * 60 * 60
# The shared copy is pickled: a deploy that changes its classes must not read the old shape.
CODE_DIGEST = hashlib.sha256(b"".join(Path(f).read_bytes() for f in (search.__file__, __file__))).hexdigest()[:12]

BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|br|h[1-6]|blockquote|pre|table|tr|td|th)\b[^>]*>", re.IGNORECASE)
ANY_TAG = re.compile(r"<[^>]+>")

# This process's index and the version it belongs to.
_local: dict = {"version": None, "index": None}


def get_index() -> Index:
    version = content_cache.current_version()
    if _local["version"] != version or _local["index"] is None:
        index, current = _index_for(version)
        _local["index"] = index
        # An older index served while another process builds is not this version's: ask again next time.
        _local["version"] = version if current else None
    return _local["index"]


def forget_local_index() -> None:
    """Forget this process's index (tests, and a process that must read the shared copy again)."""
    _local.update(version=None, index=None)


def _index_for(version: str) -> tuple[Index, bool]:
    """This version's index from the shared cache, else built here (once across processes).

    Returns the index and whether it is this version's.
    """
    if version == content_cache.UNREACHABLE:
        return build_index(), True
    key = f"guides:search-index:{CODE_DIGEST}:{version}"
    shared = cache.get(key)
    if isinstance(shared, Index):
        return shared, True
    if cache.add(f"{key}:building", True, timeout=BUILD_LOCK_SECONDS):
        index = build_index()
        cache.set(key, index, timeout=INDEX_CACHE_SECONDS)
        return index, True
    if _local["index"] is not None:
        return _local["index"], False
    return build_index(), True  # a new process with nothing to answer from builds its own


def build_index() -> Index:
    return Index(published_guides())


def published_guides() -> list[GuideContent]:
    """Every published guide as plain data, in ten queries whatever the number of guides."""
    guides = list(Guide.objects.published().values_list("pk", "slug", "title", "summary"))
    published = Guide.objects.published()
    causes = list(
        Cause.objects.filter(guide__in=published).values_list(
            "pk", "guide_id", "slug", "title", "summary", "explanation_html", "commonness"
        )
    )
    facets = Facet.objects.filter(cause__guide__in=published).values_list("cause_id", "title", "explanation_html")
    symptoms = list(
        Symptom.objects.filter(guide__in=published).values_list("pk", "guide_id", "slug", "title", "description_html")
    )
    symptom_causes = Symptom.causes.through.objects.filter(symptom__guide__in=published).values_list(
        "symptom_id", "cause_id"
    )
    steps = list(
        FixStep.objects.filter(guide__in=published).values_list(
            "pk", "guide_id", "slug", "title", "where", "kind", "instructions_html", "android_html", "iphone_html"
        )
    )
    links = CauseFix.objects.filter(cause__guide__in=published).values_list(
        "cause_id", "fix_step_id", "efficacy", "order", "pk"
    )
    faq = FAQEntry.objects.filter(guide__in=published).values_list("guide_id", "slug", "question", "answer_html")
    answers = Answer.objects.filter(question__guide__in=published).values_list(
        "pk", "question__guide_id", "question__slug", "slug", "text"
    )
    effects = AnswerEffect.objects.filter(answer__question__guide__in=published).values_list(
        "answer_id", "cause_id", "strength"
    )

    # Addresses from one reverse() each, not one per row: at 200 guides that is 20,000 calls saved.
    article = reverse("guides:article", args=["guide-slug"])
    cause_page = reverse("guides:cause", args=["guide-slug", "cause-slug"])
    slug_of = {pk: slug for pk, slug, *_ in guides}
    cause_slug = {pk: (guide, slug) for pk, guide, slug, *_ in causes}
    cause_url = {
        pk: cause_page.replace("guide-slug", slug_of[guide]).replace("cause-slug", slug)
        for pk, guide, slug, *_ in causes
    }

    facet_fields: dict[int, list] = {}
    for cause_pk, title, explanation in facets:
        facet_fields.setdefault(cause_pk, []).extend(
            [(title, search.FACET_TITLE), (_text(explanation), search.FACET_TEXT)]
        )
    documents: dict[int, list[Document]] = {pk: [] for pk in slug_of}
    commonness: dict[int, dict[str, int]] = {pk: {} for pk in slug_of}
    for pk, guide, slug, title, summary, explanation, common in causes:
        fields = [(title, search.CAUSE_TITLE), (summary, search.CAUSE_SUMMARY), (_text(explanation), search.CAUSE_TEXT)]
        fields += facet_fields.get(pk, [])
        documents[guide].append(Document("cause", slug, title, cause_url[pk], tuple(fields), ((slug, 1.0),), summary))
        commonness[guide][slug] = common

    causes_of_symptom: dict[int, list[str]] = {}
    for symptom_pk, cause_pk in symptom_causes:
        causes_of_symptom.setdefault(symptom_pk, []).append(cause_pk)
    for pk, guide, slug, title, description in symptoms:
        linked = tuple((cause_slug[c][1], 1.0) for c in causes_of_symptom.get(pk, ()) if cause_slug[c][0] == guide)
        fields = ((title, search.SYMPTOM_TITLE), (_text(description), search.SYMPTOM_TEXT))
        documents[guide].append(Document("symptom", slug, title, "", fields, linked))

    step_guide = {pk: guide for pk, guide, *_ in steps}
    step_slug = {pk: slug for pk, _, slug, *_ in steps}
    hand_offs = {pk for pk, _, _, _, _, kind, *_ in steps if kind == StepKind.HAND_OFF}
    fixes: dict[int, list] = {}  # fix step → causes it fixes
    ordered: dict[int, list] = {}  # cause → (sort key, step slug)
    for cause_pk, step_pk, efficacy, order, pk in links:
        guide, slug = cause_slug[cause_pk]
        if step_guide.get(step_pk) != guide:
            continue  # a link across guides is a content error; the checks report it
        fixes.setdefault(step_pk, []).append((slug, search.STEP_SHARE))
        # The order the questionnaire tries a cause's steps: the likeliest fix first, the hand-off last.
        chance = engine.EFFICACY[engine.Efficacy(efficacy)]
        ordered.setdefault(cause_pk, []).append(((step_pk in hand_offs, -chance, order, pk), step_slug[step_pk]))
    for pk, guide, slug, title, where, _, instructions, android, iphone in steps:
        fields = (
            (title, search.STEP_TITLE),
            (where, search.STEP_WHERE),
            (_text(instructions), search.STEP_TEXT),
            (_text(android), search.STEP_PHONE_TEXT),
            (_text(iphone), search.STEP_PHONE_TEXT),
        )
        documents[guide].append(Document("fix_step", slug, title, "", fields, tuple(fixes.get(pk, ())), where))

    for guide, slug, question, answer in faq:
        url = f"{article.replace('guide-slug', slug_of[guide])}#faq-{slug}"
        fields = ((question, search.FAQ_QUESTION), (_text(answer), search.FAQ_ANSWER))
        documents[guide].append(Document("faq", slug, question, url, fields))

    answers = list(answers)
    answer_guide = {pk: guide for pk, guide, *_ in answers}
    shares: dict[int, dict[str, float]] = {}  # answer → the causes it points to, and how strongly
    for answer_pk, cause_pk, strength in effects:
        guide, slug = cause_slug.get(cause_pk, (None, ""))
        share = search.ANSWER_SHARE.get(strength, 0.0)
        if share and guide == answer_guide.get(answer_pk):
            found = shares.setdefault(answer_pk, {})
            found[slug] = max(found.get(slug, 0.0), share)
    for pk, guide, question, slug, text in answers:
        if pk in shares:
            fields = ((text, search.ANSWER_TEXT),)
            documents[guide].append(
                Document("answer", f"{question}/{slug}", text, "", fields, tuple(shares[pk].items()))
            )

    steps_by_cause: dict[int, dict[str, tuple[str, ...]]] = {pk: {} for pk in slug_of}
    for cause_pk, found in ordered.items():
        guide, slug = cause_slug[cause_pk]
        steps_by_cause[guide][slug] = tuple(step for _, step in sorted(found))
    return [
        GuideContent(
            slug=slug,
            title=title,
            url=article.replace("guide-slug", slug),
            summary=summary,
            documents=tuple(documents[pk]),
            steps_by_cause=steps_by_cause[pk],
            commonness=commonness[pk],
        )
        for pk, slug, title, summary in guides
    ]


def _text(rendered: str) -> str:
    """Plain text of sanitised HTML: each block on its own line, so a sentence never runs into the next item."""
    return html.unescape(ANY_TAG.sub("", BLOCK_TAG.sub("\n", rendered))).strip()
