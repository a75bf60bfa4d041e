"""Build the search index from the published guides once per content version, and share it.

Each guide's part of the index is shared through the cache under a fingerprint of its content,
and each content version gets a list of those fingerprints. After a save, the first process to
need the new version reads the guides (ten queries), indexes only the guides that changed and
shares them; every other process fetches just those parts and keeps the rest from memory. While
one process builds, the others keep answering from the index they have, so a save never holds a
worker up: a search is at most one build behind, and only for that long.
"""

import hashlib
import html
import logging
import re
from pathlib import Path

from django.core.cache import cache
from django.db import DatabaseError
from django.urls import reverse

from guides import content_cache, engine
from guides.models import Answer, AnswerEffect, Cause, CauseFix, Facet, FAQEntry, FixStep, Guide, StepKind, Symptom
from guides.search import scoring
from guides.search.scoring import Document, GuideContent, GuideIndex, Index

# A build takes up to two seconds at 200 guides; a process that died building frees the lock after this.
BUILD_LOCK_SECONDS = 60
# A content save replaces the list of parts sooner (a new version); this only bounds an idle one.
INDEX_CACHE_SECONDS = 24 * 60 * 60
# A guide's part is kept while guides stay unchanged; one that has expired is simply built again.
PART_CACHE_SECONDS = 7 * 24 * 60 * 60
# The parts are pickled: a deploy that changes their classes must not read the old shape.
CODE_DIGEST = hashlib.sha256(b"".join(Path(f).read_bytes() for f in (scoring.__file__, __file__))).hexdigest()[:12]

logger = logging.getLogger(__name__)
BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|br|h[1-6]|blockquote|pre|table|tr|td|th)\b[^>]*>", re.IGNORECASE)
ANY_TAG = re.compile(r"<[^>]+>")

# This process's index and the version it belongs to.
_local: dict = {"version": None, "index": None}


def get_index() -> Index:
    version = content_cache.current_version()
    if _local["version"] != version or _local["index"] is None:
        try:
            index, current = _index_for(version)
        except DatabaseError:
            if _local["index"] is None:
                raise
            logger.warning("Search answers from its previous index: the database is unreachable", exc_info=True)
            return _local["index"]
        _local["index"] = index
        # An older index served while another process builds is not this version's: ask again next time.
        _local["version"] = version if current else None
    return _local["index"]


def forget_local_index() -> None:
    """Forget this process's index (tests, and a process that must read the shared copy again)."""
    _local.update(version=None, index=None)


def parts_key(version: str) -> str:
    return f"guides:search-parts:{CODE_DIGEST}:{version}"


def _index_for(version: str) -> tuple[Index, bool]:
    """This version's index from the shared parts, else built here (by one process at a time).

    Returns the index and whether it is this version's.
    """
    if version == content_cache.UNREACHABLE:
        return build_index(_local["index"]), True
    key = parts_key(version)
    digests = cache.get(key)
    if digests is not None:
        guides = _shared_parts(digests)
        if guides is not None:
            return Index(guides), True
    elif not cache.add(f"{key}:building", True, timeout=BUILD_LOCK_SECONDS) and _local["index"] is not None:
        return _local["index"], False  # another process is building it
    index = build_index(_local["index"], share=True)
    cache.set(key, [guide.digest for guide in index.guides], timeout=INDEX_CACHE_SECONDS)
    return index, True


def build_index(previous: Index | None = None, *, share: bool = False) -> Index:
    """Index the published guides; a guide unchanged since ``previous`` (or, with ``share``, in the cache) is kept."""
    contents = published_guides()
    known = _parts(previous)
    digests = [scoring.digest(content) for content in contents]
    fetched = _fetch([d for d in digests if d not in known]) if share else {}
    known |= fetched
    unshared = {}
    for content, fingerprint in zip(contents, digests, strict=True):
        if fingerprint not in known:
            known[fingerprint] = unshared[fingerprint] = GuideIndex(content)
        elif share and fingerprint not in fetched and not cache.has_key(_part_key(fingerprint)):
            unshared[fingerprint] = known[fingerprint]  # kept from memory, but gone from the cache (a flush)
    if share and unshared:
        cache.set_many({_part_key(d): guide for d, guide in unshared.items()}, timeout=PART_CACHE_SECONDS)
    return Index([known[d] for d in digests])


def _part_key(fingerprint: str) -> str:
    return f"guides:search-part:{CODE_DIGEST}:{fingerprint}"


def _parts(index: Index | None) -> dict[str, GuideIndex]:
    return {guide.digest: guide for guide in index.guides} if index is not None else {}


def _fetch(fingerprints: list[str]) -> dict[str, GuideIndex]:
    found = cache.get_many([_part_key(d) for d in fingerprints]) if fingerprints else {}
    parts = {d: found.get(_part_key(d)) for d in fingerprints}
    return {d: part for d, part in parts.items() if isinstance(part, GuideIndex)}


def _shared_parts(digests: list[str]) -> list[GuideIndex] | None:
    """The guides' parts from this process's memory and the shared cache, or None if one has gone."""
    known = _parts(_local["index"])
    known |= _fetch([d for d in digests if d not in known])
    return [known[d] for d in digests] if all(d in known for d in digests) else None


def published_guides() -> list[GuideContent]:
    """Every published guide as plain data, in ten queries whatever the number of guides."""
    published = Guide.objects.published()
    guides = list(Guide.objects.published().values_list("pk", "slug", "title", "summary"))
    causes = list(
        Cause.objects.filter(guide__in=published).values_list(
            "pk", "guide_id", "slug", "title", "summary", "explanation_html", "commonness"
        )
    )
    # Addresses from one reverse() each, not one per row: at 200 guides that is 20,000 calls saved.
    article = reverse("guides:article", args=["guide-slug"])
    slug_of = {pk: slug for pk, slug, *_ in guides}
    cause_slug = {pk: (guide, slug) for pk, guide, slug, *_ in causes}
    documents: dict[int, list[Document]] = {pk: [] for pk in slug_of}

    commonness = _cause_documents(published, causes, slug_of, documents)
    _symptom_documents(published, cause_slug, documents)
    steps_by_cause, hand_offs = _fix_step_documents(published, cause_slug, documents)
    _faq_documents(published, article, slug_of, documents)
    _answer_documents(published, cause_slug, documents)
    return [
        GuideContent(
            slug=slug,
            title=title,
            url=article.replace("guide-slug", slug),
            summary=summary,
            documents=tuple(documents[pk]),
            steps_by_cause=steps_by_cause.get(pk, {}),
            commonness=commonness[pk],
            hand_off=hand_offs.get(pk, ""),
        )
        for pk, slug, title, summary in guides
    ]


def _cause_documents(published, causes: list, slug_of: dict, documents: dict) -> dict[int, dict[str, int]]:
    """Add a document per cause (with its facets); returns each guide's commonness by cause slug."""
    facets = Facet.objects.filter(cause__guide__in=published).values_list("cause_id", "title", "explanation_html")
    cause_page = reverse("guides:cause", args=["guide-slug", "cause-slug"])
    facet_fields: dict[int, list] = {}
    for cause_pk, title, explanation in facets:
        facet_fields.setdefault(cause_pk, []).extend(
            [(title, scoring.FACET_TITLE), (_plain_text(explanation), scoring.FACET_TEXT)]
        )
    commonness: dict[int, dict[str, int]] = {pk: {} for pk in slug_of}
    for pk, guide, slug, title, summary, explanation, common in causes:
        fields = [
            (title, scoring.CAUSE_TITLE),
            (summary, scoring.CAUSE_SUMMARY),
            (_plain_text(explanation), scoring.CAUSE_TEXT),
        ]
        fields += facet_fields.get(pk, [])
        url = cause_page.replace("guide-slug", slug_of[guide]).replace("cause-slug", slug)
        documents[guide].append(Document("cause", slug, title, url, tuple(fields), ((slug, 1.0),), summary))
        commonness[guide][slug] = common
    return commonness


def _symptom_documents(published, cause_slug: dict, documents: dict) -> None:
    symptoms = Symptom.objects.filter(guide__in=published).values_list(
        "pk", "guide_id", "slug", "title", "description_html"
    )
    symptom_causes = Symptom.causes.through.objects.filter(symptom__guide__in=published).values_list(
        "symptom_id", "cause_id"
    )
    causes_of_symptom: dict[int, list[str]] = {}
    for symptom_pk, cause_pk in symptom_causes:
        causes_of_symptom.setdefault(symptom_pk, []).append(cause_pk)
    for pk, guide, slug, title, description in symptoms:
        # A link to another guide's cause is a content error (the checks report it): leave it out.
        linked = tuple(
            (cause_slug[c][1], 1.0) for c in causes_of_symptom.get(pk, ()) if cause_slug.get(c, (None,))[0] == guide
        )
        fields = ((title, scoring.SYMPTOM_TITLE), (_plain_text(description), scoring.SYMPTOM_TEXT))
        documents[guide].append(Document("symptom", slug, title, "", fields, linked))


def _fix_step_documents(
    published, cause_slug: dict, documents: dict
) -> tuple[dict[int, dict[str, tuple[str, ...]]], dict[int, str]]:
    """Add a document per fix step.

    Returns each guide's causes with their steps in the order they are tried, and each guide's hand-off step.
    """
    steps = list(
        FixStep.objects.filter(guide__in=published).values_list(
            "pk", "guide_id", "slug", "title", "where", "kind", "instructions_html", "android_html", "iphone_html"
        )
    )
    links = CauseFix.objects.filter(cause__guide__in=published).values_list(
        "cause_id", "fix_step_id", "efficacy", "order", "pk"
    )
    step_guide = {pk: guide for pk, guide, *_ in steps}
    step_slug = {pk: slug for pk, _, slug, *_ in steps}
    hand_offs = {pk for pk, _, _, _, _, kind, *_ in steps if kind == StepKind.HAND_OFF}
    fixes: dict[int, list] = {}  # fix step → causes it fixes
    ordered: dict[int, list] = {}  # cause → (sort key, step slug)
    for cause_pk, step_pk, efficacy, order, pk in links:
        guide, slug = cause_slug[cause_pk]
        if step_guide.get(step_pk) != guide:
            continue  # a link across guides is a content error; the checks report it
        fixes.setdefault(step_pk, []).append((slug, scoring.STEP_SHARE))
        # The order the troubleshooter tries a cause's steps: the likeliest fix first, the hand-off last.
        chance = engine.EFFICACY[engine.Efficacy(efficacy)]
        ordered.setdefault(cause_pk, []).append(((step_pk in hand_offs, -chance, order, pk), step_slug[step_pk]))
    for pk, guide, slug, title, where, _, instructions, android, iphone in steps:
        fields = (
            (title, scoring.STEP_TITLE),
            (where, scoring.STEP_WHERE),
            (_plain_text(instructions), scoring.STEP_TEXT),
            (_plain_text(android), scoring.STEP_PHONE_TEXT),
            (_plain_text(iphone), scoring.STEP_PHONE_TEXT),
        )
        documents[guide].append(Document("fix_step", slug, title, "", fields, tuple(fixes.get(pk, ())), where))

    steps_by_cause: dict[int, dict[str, tuple[str, ...]]] = {}
    for cause_pk, found in ordered.items():
        guide, slug = cause_slug[cause_pk]
        steps_by_cause.setdefault(guide, {})[slug] = tuple(step for _, step in sorted(found))
    hand_off_of = {step_guide[pk]: step_slug[pk] for pk in sorted(hand_offs, reverse=True)}  # the first, if several
    return steps_by_cause, hand_off_of


def _faq_documents(published, article: str, slug_of: dict, documents: dict) -> None:
    faq = FAQEntry.objects.filter(guide__in=published).values_list("guide_id", "slug", "question", "answer_html")
    for guide, slug, question, answer in faq:
        url = f"{article.replace('guide-slug', slug_of[guide])}#faq-{slug}"
        fields = ((question, scoring.FAQ_QUESTION), (_plain_text(answer), scoring.FAQ_ANSWER))
        documents[guide].append(Document("faq", slug, question, url, fields))


def _answer_documents(published, cause_slug: dict, documents: dict) -> None:
    """Add a document per answer that points to a cause of its own guide."""
    answers = list(
        Answer.objects.filter(question__guide__in=published).values_list(
            "pk", "question__guide_id", "question__slug", "slug", "text"
        )
    )
    effects = AnswerEffect.objects.filter(answer__question__guide__in=published).values_list(
        "answer_id", "cause_id", "strength"
    )
    answer_guide = {pk: guide for pk, guide, *_ in answers}
    shares: dict[int, dict[str, float]] = {}  # answer → the causes it points to, and how strongly
    for answer_pk, cause_pk, strength in effects:
        guide, slug = cause_slug.get(cause_pk, (None, ""))
        share = scoring.ANSWER_SHARE.get(strength, 0.0)
        if share and guide == answer_guide.get(answer_pk):
            found = shares.setdefault(answer_pk, {})
            found[slug] = max(found.get(slug, 0.0), share)
    for pk, guide, question, slug, text in answers:
        if pk in shares:
            fields = ((text, scoring.ANSWER_TEXT),)
            documents[guide].append(
                Document("answer", f"{question}/{slug}", text, "", fields, tuple(shares[pk].items()))
            )


def _plain_text(rendered: str) -> str:
    """Plain text of sanitised HTML: each block on its own line, so a sentence never runs into the next item."""
    return html.unescape(ANY_TAG.sub("", BLOCK_TAG.sub("\n", rendered))).strip()
