import hashlib
import logging
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url

from guides import content_cache, engine, structured_data
from guides.models import CauseFix, ChecklistItem, FAQEntry, Guide, QuestionnaireEvent, Resolution, Symptom
from guides.questionnaire import answers_from_query, plan, snapshot_for, state_query
from guides.search_index import get_index

logger = logging.getLogger(__name__)

SEARCH_QUERY_MAX = 200
# Rendered pages are kept this long at most; a content save replaces them sooner.
PAGE_CACHE_SECONDS = 60 * 60
# A person answers "Did this fix it?" a few times per visit; far more from one address is a script.
FEEDBACK_POSTS_PER_WINDOW = 30
FEEDBACK_WINDOW_SECONDS = 600
# A questionnaire address longer than this is not one we made; real ones stay under 1 KB.
DIAGNOSE_QUERY_MAX = 4096


def visible_guides(request: HttpRequest):
    """Staff see drafts (with a banner); everybody else only what is published."""
    if request.user.is_staff:
        return Guide.objects.all()
    return Guide.objects.published()


def cached_for_visitors(view):
    """Serve visitors who are not signed in a copy rendered once per content version.

    Any content save changes the version, so a new copy is rendered on the next visit;
    signed-in staff always get a fresh page (with the draft banner where it applies).
    The query string is ignored: these pages take none.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = content_cache.versioned_key(f"page:{request.get_host()}{request.path}")
        body = cache.get(key)
        if body is not None:
            return HttpResponse(body)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            cache.set(key, response.content, timeout=PAGE_CACHE_SECONDS)
        return response

    return wrapper


@require_safe
@cached_for_visitors
def index(request: HttpRequest) -> HttpResponse:
    guides = visible_guides(request).only("title", "slug", "summary", "published")
    return render(request, "guides/index.html", {"guides": guides})


@require_safe
@cached_for_visitors
def article(request: HttpRequest, slug: str) -> HttpResponse:
    guide = get_object_or_404(visible_guides(request), slug=slug)
    causes = guide.causes.prefetch_related(
        "facets", Prefetch("symptoms", queryset=Symptom.objects.only("title", "slug", "description_html"))
    )
    checklist = ChecklistItem.objects.filter(guide=guide).select_related("fix_step")
    faq = FAQEntry.objects.filter(guide=guide)
    context = {
        "guide": guide,
        "causes": causes,
        "checklist": checklist,
        "faq": faq,
        "canonical": request.build_absolute_uri(guide.get_absolute_url()),
    }
    context["json_ld"] = structured_data.article_json_ld(guide, faq, checklist, context["canonical"])
    return render(request, "guides/article.html", context)


@require_safe
@cached_for_visitors
def cause(request: HttpRequest, slug: str, cause_slug: str) -> HttpResponse:
    guide = get_object_or_404(visible_guides(request), slug=slug)
    cause = get_object_or_404(
        guide.causes.prefetch_related(
            "facets",
            "symptoms",
            "related",
            Prefetch("cause_fixes", queryset=CauseFix.objects.select_related("fix_step")),
        ),
        slug=cause_slug,
    )
    return render(
        request,
        "guides/cause.html",
        {
            "guide": guide,
            "cause": cause,
            "canonical": request.build_absolute_uri(cause.get_absolute_url()),
        },
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    if len(query) > SEARCH_QUERY_MAX:
        return render(
            request,
            "guides/search.html",
            {
                "query": query[:SEARCH_QUERY_MAX],
                "error": f"Please keep your search under {SEARCH_QUERY_MAX} characters.",
            },
            status=400,
        )
    results = get_index().search(query) if query else None
    return render(request, "guides/search.html", {"query": query, "results": results})


@require_safe
@cache_control(no_store=True)
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 -- any database failure means "unhealthy"
        return JsonResponse({"status": "error", "database": str(error.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; point them at the real icon."""
    return redirect(static("favicon.svg"))  # not permanent: the hashed name changes with each deploy


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /guides/*/diagnose/?",  # the start page may be indexed; the steps, with their answers, not
        "Disallow: /guides/*/diagnose/feedback/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form was sent without its security token, usually because cookies are blocked."""
    message = (
        "Your browser did not send the security cookie that goes with this form, so we could not accept it. "
        "If cookies are blocked for this site, allow them, reload the page and try again."
    )
    template = "guides/diagnose.html#problem" if request.htmx else "400.html"
    return render(request, template, {"message": message, "retry": request.path.removesuffix("feedback/")}, status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Render without context processors' database work: the database may be why we are here.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)


@require_safe
@vary_on_headers("HX-Request")
def diagnose(request: HttpRequest, slug: str) -> HttpResponse:
    guide = get_object_or_404(visible_guides(request), slug=slug)
    if len(request.META.get("QUERY_STRING", "")) > DIAGNOSE_QUERY_MAX:
        return _problem(request, guide, "This questionnaire address is far too long to be one of ours.", 400)
    return _render_step(request, guide, request.GET)


@require_POST
def diagnose_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    """Record whether the suggested fixes helped, then show the next step of the loop."""
    guide = get_object_or_404(visible_guides(request), slug=slug)
    if _too_many_feedback_posts(request):
        message = "You have sent a lot of answers in a short time. Please wait a few minutes and try again."
        return _problem(request, guide, message, 429)
    snapshot = snapshot_for(guide)
    cause_slug = request.POST.get("cause", "")
    fixed = request.POST.get("fixed", "")
    if cause_slug not in snapshot.causes or fixed not in {"yes", "no"}:
        message = "We could not read your answer to “Did this fix it?”. Please go back and press Yes or No."
        return _problem(request, guide, message, 400)
    query = QueryDict(request.POST.get("state", "")[:DIAGNOSE_QUERY_MAX])
    answers = engine.clean_answers(snapshot.questionnaire, answers_from_query(query))
    tried = [t for t in query.getlist("tried") if t in snapshot.causes and t != cause_slug]
    shown = plan(snapshot, engine.rank(snapshot.questionnaire, answers), tried)
    Resolution.objects.create(
        guide=guide,
        answers=state_query(answers)[:2000],
        cause_id=snapshot.causes[cause_slug].pk,
        cause_slug=cause_slug,
        fixed=fixed == "yes",
        fix_steps=",".join(fix.slug for fix in shown.fixes if shown.cause and shown.cause.slug == cause_slug)[:1000],
    )
    if fixed == "yes":
        next_query = state_query(answers, tried=tried, fixed=cause_slug)
    else:
        next_query = state_query(answers, tried=[*tried, cause_slug], show="result")
    next_url = f"{reverse('guides:diagnose', args=[guide.slug])}?{next_query}"
    if not request.htmx:
        return redirect(next_url)
    return push_url(_render_step(request, guide, QueryDict(next_query)), next_url)


def _problem(request: HttpRequest, guide: Guide, message: str, status: int) -> HttpResponse:
    """Explain what went wrong: in the questionnaire panel for htmx, as a page otherwise."""
    context = {"guide": guide, "message": message, "retry": reverse("guides:diagnose", args=[guide.slug])}
    template = "guides/diagnose.html#problem" if request.htmx else "400.html"
    return render(request, template, context, status=status)


def _too_many_feedback_posts(request: HttpRequest) -> bool:
    """Count feedback posts per address in the shared cache, so a script cannot flood the report."""
    key = "feedback-posts:" + hashlib.sha256(_client_address(request).encode()).hexdigest()[:32]
    cache.add(key, 0, timeout=FEEDBACK_WINDOW_SECONDS)
    try:
        return cache.incr(key) > FEEDBACK_POSTS_PER_WINDOW
    except ValueError:  # the key expired between add and incr
        return False


def _client_address(request: HttpRequest) -> str:
    """The visitor's address: behind N trusted proxies, the one the outermost of them saw."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def _render_step(request: HttpRequest, guide: Guide, query: QueryDict) -> HttpResponse:
    snapshot = snapshot_for(guide)
    try:
        diagnosis = engine.diagnose(snapshot.questionnaire, answers_from_query(query))
    except engine.QuestionnaireError:
        logger.exception("The questionnaire of %s cannot run", guide.slug)
        if request.htmx:  # a whole page, not a panel: let the browser load it
            return HttpResponseClientRedirect(request.get_full_path())
        return render(request, "guides/diagnose_unavailable.html", {"guide": guide})
    answers = diagnosis.answers
    tried = [t for t in query.getlist("tried") if t in snapshot.causes]
    question, before, after, selected = diagnosis.question, answers, (), None
    asked = query.get("ask", "")
    answered = [q for q, _ in answers]
    if asked in answered:
        # Changing an earlier answer: ask it again in its place, so the answers after it keep their order.
        position = answered.index(asked)
        question, selected = snapshot.questions[asked], answers[position][1]
        before, after = answers[:position], answers[position + 1 :]
    elif asked in {q.key for q in engine.askable(snapshot.questionnaire, answers)}:
        question = snapshot.questions[asked]
    if query.get("show") == "result":
        question = None
    fixed = snapshot.causes.get(query.get("fixed", ""))
    context = {
        "guide": guide,
        "snapshot": snapshot,
        "question": question,
        "help_text": snapshot.help_texts.get(question.key, "") if question else "",
        "number": len(before) + 1,
        "more": max(diagnosis.remaining - 1, 0) if question is diagnosis.question else 0,
        "answers": answers,
        "before": before,
        "after": after,
        "selected": selected,
        "given": _given(snapshot, answers, tried),
        "ranking": _ranking(snapshot, diagnosis.ranking),
        "plan": None if question or fixed else plan(snapshot, diagnosis.ranking, tried),
        "fixed": fixed,
        "tried": tried,
        "tried_causes": [snapshot.causes[slug] for slug in tried],
        "state": state_query(answers, tried=tried),
        "back": state_query(answers[:-1], tried=tried),
        "canonical": request.build_absolute_uri(reverse("guides:diagnose", args=[guide.slug])),
    }
    restoring = request.htmx and request.htmx.history_restore_request
    if not restoring and not fixed and not _looks_like_a_robot(request):
        _record_visit(guide, query, answers, question)
    context["partial"] = bool(request.htmx) and not restoring
    return render(request, "guides/diagnose.html#panel" if context["partial"] else "guides/diagnose.html", context)


ROBOT_WORDS = ("bot", "crawl", "spider", "slurp", "lighthouse", "headless")


def _looks_like_a_robot(request: HttpRequest) -> bool:
    """Crawlers and page checkers would count as visitors in the feedback report."""
    agent = request.headers.get("User-Agent", "").lower()
    return not agent or any(word in agent for word in ROBOT_WORDS)


def _record_visit(guide: Guide, query: QueryDict, answers, question) -> None:
    """Count what this page shows, for the feedback report: one INSERT, nothing personal."""
    kind = QuestionnaireEvent.Kind
    rows = []
    if not any(key in query for key in ("ask", "tried", "show")):
        rows.append((kind.ANSWER, *answers[-1]) if answers else (kind.START, "", ""))
    rows.append((kind.QUESTION, question.key, "") if question else (kind.RESULT, "", ""))
    QuestionnaireEvent.objects.bulk_create(
        QuestionnaireEvent(guide=guide, kind=k, question_slug=q, answer_slug=a) for k, q, a in rows
    )


def _given(snapshot, answers, tried) -> list[dict]:
    """The answers so far, each with the address that asks its question again."""
    rows = []
    for question_key, answer_key in answers:
        question = snapshot.questions[question_key]
        answer = snapshot.answer_text(question_key, answer_key)
        change = state_query(answers, tried=tried, ask=question_key)
        rows.append({"question": question.text, "answer": answer, "change": change})
    return rows


def _ranking(snapshot, ranking) -> list[dict]:
    """Ranked causes with the answers that moved each one, in words."""
    rows = []
    for ranked in ranking:
        cause = snapshot.causes[ranked.cause]
        reasons = []
        for reason in ranked.reasons:
            question = snapshot.questions[reason.question]
            answer = snapshot.answer_text(reason.question, reason.answer)
            raised = reason.strength in (engine.Strength.MORE, engine.Strength.STRONG)
            reasons.append({"question": question.text, "answer": answer, "raised": raised})
        rows.append(
            {
                "cause": cause,
                "percent": round(ranked.probability * 100),
                "facet": cause.facets.get(ranked.facet) if ranked.facet else None,
                "reasons": reasons,
            }
        )
    return rows
