"""Time search at 1 and 200 guides: a query, the whole search page, and building and loading the index.

Run from the project root: ``python -m bench.search`` (``make bench-search``). It sets up a
throwaway SQLite database and file cache, loads the bundled guide, and times; then adds 199
copies of it and times again. Each copy names a made-up app instead of TikTok, so every copy
has a word of its own, and a query that names no app is scored against all 200 guides. Copies
of one guide share all their other words: for search that is the hard case, since every common
word ("message") is in every guide.

Targets: a query at 200 guides under 10 ms; after a content save, no server process spends
seconds on the new index (one builds what changed, the others fetch it).
"""

import pickle
import statistics
import sys
import time

from bench.scratch_site import set_up

RUNS = 200
GUIDES = 200
QUERY_TARGET_MS = 10.0
# What people type: the examples, a typo, chat spelling and an app without a guide.
QUERIES = (
    "tiktok says sending too fast",
    "messages stuck sending",
    "im 15 cant message",
    "my freind never gets my mesages",
    "dms dont send when my vpn is on",
    "instagram dm",
)


def copy_guide(source, number: int) -> None:
    """Add a copy of ``source`` about a made-up app, row for row, without the loader's checks and history."""
    from guides.models import Cause, CauseFix, Facet, FAQEntry, FixStep, Guide, Symptom

    app = f"Chatapp{number}"

    def about(text: str) -> str:
        return text.replace("TikTok", app)

    guide = Guide.objects.get(pk=source.pk)
    guide.pk = None
    guide.slug, guide.title, guide.summary = f"{source.slug}-{number}", about(guide.title), about(guide.summary)
    Guide.objects.bulk_create([guide])
    causes = {}
    for cause in source.causes.all():
        old = cause.pk
        cause.pk, cause.guide = None, guide
        cause.title, cause.summary, cause.explanation_html = map(
            about, (cause.title, cause.summary, cause.explanation_html)
        )
        causes[old] = cause
    Cause.objects.bulk_create(causes.values())
    facets = list(Facet.objects.filter(cause__guide=source))
    for facet in facets:
        facet.pk, facet.cause = None, causes[facet.cause_id]
        facet.title, facet.explanation_html = about(facet.title), about(facet.explanation_html)
    Facet.objects.bulk_create(facets)
    steps = {}
    for step in source.fix_steps.all():
        old = step.pk
        step.pk, step.guide = None, guide
        step.title, step.where = about(step.title), about(step.where)
        step.instructions_html, step.android_html, step.iphone_html = map(
            about, (step.instructions_html, step.android_html, step.iphone_html)
        )
        steps[old] = step
    FixStep.objects.bulk_create(steps.values())
    CauseFix.objects.bulk_create(
        CauseFix(
            cause=causes[link.cause_id], fix_step=steps[link.fix_step_id], efficacy=link.efficacy, order=link.order
        )
        for link in CauseFix.objects.filter(cause__guide=source)
    )
    symptoms = []
    for symptom in source.symptoms.prefetch_related("causes"):
        linked = [causes[c.pk] for c in symptom.causes.all()]
        symptom.pk, symptom.guide = None, guide
        symptom.title, symptom.description_html = about(symptom.title), about(symptom.description_html)
        symptoms.append((symptom, linked))
    Symptom.objects.bulk_create(s for s, _ in symptoms)
    Symptom.causes.through.objects.bulk_create(
        Symptom.causes.through(symptom=s, cause=c) for s, linked in symptoms for c in linked
    )
    entries = list(source.faq_entries.all())
    for entry in entries:
        entry.pk, entry.guide = None, guide
        entry.question, entry.answer_html = about(entry.question), about(entry.answer_html)
    FAQEntry.objects.bulk_create(entries)


def timings_ms(function, runs: int = RUNS) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[-1]


def measure(guides: int) -> dict:
    from django.core.cache import cache
    from django.test import Client

    from guides import content_cache
    from guides.models import Symptom
    from guides.search import index as search_index

    def seconds(function) -> float:
        started = time.perf_counter()
        function()
        return time.perf_counter() - started

    cache.clear()
    builds = [seconds(search_index.build_index) for _ in range(3)]
    index = search_index.build_index()
    queries = [timings_ms(lambda q=q: index.search(q)) for q in QUERIES]

    # A save to one guide, as each process meets it: the one that builds the new version keeps the
    # other guides' parts from memory; every other process fetches only the changed part; a process
    # started afterwards fetches every part. (The bench plays all three by swapping this process's index.)
    symptom = Symptom.objects.order_by("pk").first()
    builder, follower, newcomer = [], [], []
    for run in range(3):
        Symptom.objects.filter(pk=symptom.pk).update(title=f"{symptom.title} ({run})")
        content_cache.content_changed()
        search_index._local.update(index=index, version=None)
        builder.append(seconds(search_index.get_index))
        search_index._local.update(index=index, version=None)
        follower.append(seconds(search_index.get_index))
        search_index.forget_local_index()
        newcomer.append(seconds(search_index.get_index))

    content_cache.content_changed()  # a new version: the page's first request builds and shares the index
    client = Client()
    client.get("/search/", {"q": QUERIES[0]})
    pages = [timings_ms(lambda q=q: client.get("/search/", {"q": q}), runs=RUNS // 4) for q in QUERIES]
    return {
        "guides": guides,
        "documents": sum(len(g.content.documents) for g in index.guides),
        "build_ms": statistics.median(builds) * 1000,
        "builder_ms": statistics.median(builder) * 1000,
        "follower_ms": statistics.median(follower) * 1000,
        "newcomer_ms": statistics.median(newcomer) * 1000,
        "pickle_mb": len(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)) / 1e6,
        "queries": queries,
        "pages": pages,
    }


def report(rows: list[dict]) -> bool:
    print(f"search, in process (SQLite, file cache); median and p95 of {RUNS} runs per query")
    print(f"  {'query':36} " + " ".join(f"{str(r['guides']) + ' guide(s)':>22}" for r in rows))
    for n, query in enumerate(QUERIES):
        cells = " ".join(f"{r['queries'][n][0]:8.3f} ms {r['queries'][n][1]:7.3f} ms" for r in rows)
        print(f"  {query:36} {cells}")
    print("whole search page (Django's request cycle, template included), median")
    for n, query in enumerate(QUERIES):
        print(f"  {query:36} " + " ".join(f"{r['pages'][n][0]:19.2f} ms" for r in rows))
    print("the index: a full build, and after a save to one guide what each server process spends on it")
    for r in rows:
        print(
            f"  {r['guides']:>3} guide(s), {r['documents']:>5} documents, {r['pickle_mb']:4.1f} MB pickled:"
            f" full build {r['build_ms']:5.0f} ms; after a save: the process that builds {r['builder_ms']:4.0f} ms,"
            f" each other process {r['follower_ms']:4.0f} ms, a process started afterwards {r['newcomer_ms']:4.0f} ms"
        )
    worst = max(p95 for _, p95 in rows[-1]["queries"])
    met = worst < QUERY_TARGET_MS
    print(f"target: a query at {rows[-1]['guides']} guides under {QUERY_TARGET_MS:.0f} ms (p95): ", end="")
    print(f"{'met' if met else 'MISSED'} ({worst:.2f} ms)")
    return met


def main() -> int:
    set_up("bench-search-")
    from guides.models import Guide

    rows = [measure(1)]
    source = Guide.objects.get(slug="tiktok-messages")
    for number in range(1, GUIDES):
        copy_guide(source, number)
    rows.append(measure(GUIDES))
    return 0 if report(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
