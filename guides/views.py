import hashlib
import logging
import uuid

from django.core import signing
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Case, Prefetch, Value, When
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url

from guides import content_cache, engine, helpfulness, screens, structured_data
from guides.client_address import client_address
from guides.feedback import TOKEN_MAX_AGE_SECONDS, answer_token, count_views, read_answer_token, record_outcome
from guides.http_caching import deploy_fingerprint, public_start, shared_page
from guides.minutes import in_words, wait_words
from guides.models import CauseFix, ChecklistItem, FAQEntry, Guide, QuestionnaireCount, StepOutcome, Symptom
from guides.questionnaire import PLATFORMS, Snapshot, evidence_from_query, snapshot_for, state_query
from guides.search_index import get_index

logger = logging.getLogger(__name__)

SEARCH_QUERY_MAX = 200
# Rendered pages are kept this long at most; a content save replaces them sooner.
PAGE_CACHE_SECONDS = 60 * 60
# A visit presses "Did this fix it?" one to four times. Each press now needs a token from a step screen
# shown, so this limit only slows a script down; it is set for the many visitors one address can carry
# (an office, a school, a phone carrier's shared address): fifteen such visits in ten minutes.
FEEDBACK_POSTS_PER_WINDOW = 60
FEEDBACK_WINDOW_SECONDS = 600
# Said the same way by the questionnaire's feedback and by the votes, which each have an allowance.
TOO_MANY_ANSWERS = "You have sent a lot of answers in a short time. Please wait a few minutes and try again."
# A questionnaire address longer than this is not one we made; real ones stay under 1 KB.
DIAGNOSE_QUERY_MAX = 4096


def visible_guides(request: HttpRequest):
    """Staff see drafts (with a banner); everybody else only what is published."""
    if request.user.is_staff:
        return Guide.objects.all()
    return Guide.objects.published()


@require_safe
@shared_page
def index(request: HttpRequest) -> HttpResponse:
    guides = visible_guides(request).only("title", "slug", "summary", "published")
    return render(request, "guides/index.html", {"guides": guides})


# A cause's fix steps, the one most likely to fix it first (ties in the editors' order): the first one a
# visitor sees on the cause's page, and the "Try first" step on the article's card for that cause.
MOST_LIKELY_FIX_FIRST = (
    Case(*(When(efficacy=word.value, then=Value(-chance)) for word, chance in engine.EFFICACY.items())),
    "order",
    "id",
)
# The symptoms shown as choices before "Something else": enough to cover the common signs at a glance.
SYMPTOMS_UP_FRONT = 6


@require_safe
@shared_page
def article(request: HttpRequest, slug: str) -> HttpResponse:
    """The guide on one page: what you see first, then the causes, most common first, each with the step to try."""
    guide = get_object_or_404(visible_guides(request), slug=slug)
    causes = guide.causes.order_by("-commonness", "order", "id").prefetch_related(
        Prefetch("symptoms", queryset=Symptom.objects.only("title", "slug", "order")),
        Prefetch(
            "cause_fixes",
            queryset=CauseFix.objects.select_related("fix_step")
            .only("cause_id", "efficacy", "fix_step__slug", "fix_step__title", "fix_step__minutes")
            .order_by(*MOST_LIKELY_FIX_FIRST),
        ),
    )
    causes_of: dict[Symptom, list] = {}
    cards = []
    for each in causes:
        for symptom in each.symptoms.all():
            causes_of.setdefault(symptom, []).append(each)
        best = next(iter(each.cause_fixes.all()), None)
        cards.append((each, best, in_words(best.fix_step.minutes) if best else ""))
    # A symptom of one cause leads straight to it; one of several, into the questionnaire, which starts from it.
    symptoms = [
        (symptom, found[0] if len(found) == 1 else None)
        for symptom, found in sorted(causes_of.items(), key=lambda item: (item[0].order, item[0].pk))
    ]
    checklist = ChecklistItem.objects.filter(guide=guide).select_related("fix_step")
    faq = FAQEntry.objects.filter(guide=guide)
    context = {
        "guide": guide,
        "symptoms_up_front": symptoms[:SYMPTOMS_UP_FRONT],
        "symptoms_more": symptoms[SYMPTOMS_UP_FRONT:],
        "cards": cards,
        "checklist": [(item, in_words(item.fix_step.minutes)) for item in checklist],
        "faq": faq,
        "canonical": request.build_absolute_uri(guide.get_absolute_url()),
    }
    context["json_ld"] = structured_data.article_json_ld(guide, faq, checklist, context["canonical"])
    return render(request, "guides/article.html", context)


@require_safe
@shared_page
def cause(request: HttpRequest, slug: str, cause_slug: str) -> HttpResponse:
    """A cause's page: how to fix it first, the step most likely to work on top; why it happens after."""
    guide = get_object_or_404(visible_guides(request), slug=slug)
    cause = get_object_or_404(
        guide.causes.prefetch_related(
            "facets",
            "symptoms",
            "related",
            Prefetch(
                "cause_fixes", queryset=CauseFix.objects.select_related("fix_step").order_by(*MOST_LIKELY_FIX_FIRST)
            ),
        ),
        slug=cause_slug,
    )
    fixes = [(cause_fix.fix_step, in_words(cause_fix.fix_step.minutes)) for cause_fix in cause.cause_fixes.all()]
    return render(
        request,
        "guides/cause.html",
        {
            "guide": guide,
            "cause": cause,
            "fixes": fixes,
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
    """The database and the cache, each in a word: 503 only without a database; a site without cache still serves."""
    report = {"status": "ok", "database": "ok", "cache": "ok" if _cache_answers() else "down"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 -- any database failure means "unhealthy"
        report |= {"status": "error", "database": str(error.__class__.__name__)}
        return JsonResponse(report, status=503)
    return JsonResponse(report)


def _cache_answers() -> bool:
    """Whether the cache keeps what it is given; a backend that ignores outages would otherwise hide one."""
    token = uuid.uuid4().hex
    try:
        cache.set("healthz:probe", token, timeout=10)
        return cache.get("healthz:probe") == token
    except Exception:
        logger.warning("Health check: the cache is unreachable", exc_info=True)
        return False


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
        "Disallow: /guides/*/was-this-helpful/",  # the vote forms and their thank-you pages, article's and causes'
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form was sent without its security token, usually because cookies are blocked."""
    message = (
        "Your browser did not send the security cookie that goes with this form, so we could not accept it. "
        "If cookies are blocked for this site, allow them, reload the page and try again."
    )
    context = {"message": message, "retry": request.path.removesuffix("feedback/")}
    template = "guides/diagnose.html#problem" if request.htmx else "400.html"
    if "/was-this-helpful/" in request.path:  # the vote block, not the questionnaire's panel
        context["retry_label"] = "Answer again"
        template = "guides/helpful.html#problem" if request.htmx else template
    return render(request, template, context, status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Render without context processors' database work: the database may be why we are here.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)


@require_safe
@vary_on_headers("HX-Request")
@public_start
def diagnose(request: HttpRequest, slug: str) -> HttpResponse:
    """One screen of the troubleshooter: a question, a fix step, the hand-off, or "fixed"."""
    try:
        snapshot = _visible_snapshot(request, slug)
    except DatabaseError:
        logger.exception("The troubleshooter of %s could not be read from the database", slug)
        return _outage(request, slug, "The troubleshooter can't load right now. Please try again in a minute.")
    if len(request.META.get("QUERY_STRING", "")) > DIAGNOSE_QUERY_MAX:
        return _problem(request, snapshot, "This troubleshooter address is far too long to be one of ours.", 400)
    return _render_screen(request, snapshot, request.META.get("QUERY_STRING", ""))


@require_POST
def diagnose_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    """Record what happened with the fix step the visitor was shown, then show the next screen."""
    try:
        snapshot = _visible_snapshot(request, slug)
    except DatabaseError:
        logger.exception("The troubleshooter of %s could not be read from the database", slug)
        return _outage(request, slug, SAVE_FAILED)
    if _too_many_feedback_posts(request):
        return _problem(request, snapshot, TOO_MANY_ANSWERS, 429)
    state = request.POST.get("state", "")[:DIAGNOSE_QUERY_MAX]
    platform = _platform(request.POST.get("platform", ""))
    outcome = request.POST.get("outcome", "")
    step = request.POST.get("step", "")
    # Only a form we showed counts: its token was signed for this guide, state and step when the screen
    # was rendered, and a wait step's form stays good for its waiting time on top.
    waiting = snapshot.steps[step].minutes * 60 if step in snapshot.steps else 0
    try:
        token = read_answer_token(
            request.POST.get("token", ""),
            slug=snapshot.slug,
            state=state,
            step=step,
            max_age=TOKEN_MAX_AGE_SECONDS + waiting,
        )
    except signing.SignatureExpired:
        here = state_query(evidence_from_query(state), platform=platform)
        retry = f"{reverse('guides:diagnose', args=[snapshot.slug])}?{here}"
        return _problem(request, snapshot, TOO_OLD, 400, retry=retry, retry_label="Go back to the step")
    except signing.BadSignature:
        return _problem(request, snapshot, UNREADABLE, 400)
    try:
        decision = engine.next_step(snapshot.model, evidence_from_query(state), max_questions=snapshot.max_questions)
    except engine.ModelError:
        logger.exception("The troubleshooter of %s cannot run", snapshot.slug)
        return _problem(request, snapshot, UNAVAILABLE, 503)
    # The guide may have changed since the screen was shown: the answer must still be about the step offered.
    if outcome not in OUTCOMES or decision.kind != engine.STEP or decision.step.key != step:
        return _problem(request, snapshot, UNREADABLE, 400)
    try:
        # False for a retry of an answer already stored: nothing more is stored, and the visitor moves on.
        record_outcome(snapshot, decision, outcome, token=token)
    except DatabaseError:
        logger.exception("A step outcome for %s could not be saved", snapshot.slug)
        return _outage(request, snapshot.slug, SAVE_FAILED)
    evidence = decision.evidence
    if outcome == StepOutcome.Outcome.FIXED:
        next_query = state_query(evidence, platform=platform, fixed=step)
    else:
        key = engine.FAILED if outcome == StepOutcome.Outcome.NOT_FIXED else engine.COULDNT
        next_query = state_query([*evidence, (key, step)], platform=platform)
    next_url = f"{reverse('guides:diagnose', args=[snapshot.slug])}?{next_query}"
    if not request.htmx:
        return redirect(next_url)
    return push_url(_render_screen(request, snapshot, next_query), next_url)


OUTCOMES = frozenset(StepOutcome.Outcome.values)
UNREADABLE = "We could not read your answer about this step. Please go back to the step and press a button."
TOO_OLD = "This answer form is too old. Please go back to the step and press the button again."
SAVE_FAILED = (
    "We couldn't save your answer just now, so nothing was recorded. "
    "Please go back and press the button again in a minute."
)
UNAVAILABLE = "The troubleshooter for this guide is being fixed right now. The guide itself lists every fix."


def _visible_snapshot(request: HttpRequest, slug: str) -> Snapshot:
    """The guide's snapshot, if this visitor may see the guide (staff see drafts); else 404."""
    snapshot = snapshot_for(slug)
    if snapshot is None or not (snapshot.published or request.user.is_staff):
        raise Http404("No such guide")
    return snapshot


def _outage(request: HttpRequest, slug: str, message: str) -> HttpResponse:
    """The database is down: say so in words, in the panel for htmx (it swaps 503s in), as a page otherwise."""
    context = {
        "heading": "Something is down for a moment",
        "message": message,
        "retry": request.get_full_path() if request.method == "GET" else "",
        "retry_label": "Try again",
    }
    template = "guides/diagnose.html#problem" if request.htmx else "400.html"
    return render(request, template, context, status=503)


def _problem(
    request: HttpRequest, snapshot: Snapshot, message: str, status: int, *, retry: str = "", retry_label: str = ""
) -> HttpResponse:
    """Explain what went wrong: in the troubleshooter panel for htmx, as a page otherwise."""
    context = {
        "message": message,
        "retry": retry or reverse("guides:diagnose", args=[snapshot.slug]),
        "retry_label": retry_label,
    }
    template = "guides/diagnose.html#problem" if request.htmx else "400.html"
    return render(request, template, context, status=status)


def _too_many_feedback_posts(request: HttpRequest, bucket: str = "feedback-posts") -> bool:
    """Count feedback posts per address in the shared cache, so a script cannot flood the report.

    Each kind of feedback counts in its own `bucket` ("feedback-posts" for the troubleshooter's answers,
    "helpful-votes" for "Was this page helpful?"), so a busy shared address using one is not stopped in the other.
    The key is a keyed hash of the address: whoever reads the cache cannot test addresses against it.
    """
    address = client_address(request)
    key = f"{bucket}:" + salted_hmac(bucket, address, algorithm="sha256").hexdigest()[:32]
    cache.add(key, 0, timeout=FEEDBACK_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        return False
    if count is None:  # the cache is unreachable (its backend ignores the error): let people through
        logger.warning("Feedback rate limit not applied: the cache is unreachable")
        return False
    return count > FEEDBACK_POSTS_PER_WINDOW


def _platform(value: str) -> str:
    return value if value in PLATFORMS else ""


def _guess_platform(request: HttpRequest) -> str:
    """The visitor's phone from the User-Agent, to show its steps first; "" when we can't tell."""
    agent = request.headers.get("User-Agent", "")
    if "iPhone" in agent or "iPad" in agent or "iPod" in agent:
        return "iphone"
    if "Android" in agent:
        return "android"
    return ""


# Stand-ins for what differs between visitors on the same screen; swapped in after the cache.
CSRF_PLACEHOLDER = "csrf-token-placeholder-0c9f"
TOKEN_PLACEHOLDER = "answer-token-placeholder-7d2e"
CANONICAL_PLACEHOLDER = "https://canonical-placeholder.invalid/"


def _render_screen(request: HttpRequest, snapshot: Snapshot, query_string: str) -> HttpResponse:
    """Render a screen, or take it from the cache: each (content version, state) is rendered once.

    The cached HTML holds no token and no host name; they are filled in per request. Only a fix step's
    answer form carries tokens (CSRF, and a fresh answer token per render), so only those screens set
    the CSRF cookie and are marked private: questions, the hand-off and "fixed" are the same for everyone.
    """
    query = QueryDict(query_string)
    platform = _platform(query.get("platform", "")) or _guess_platform(request)
    restoring = bool(request.htmx and request.htmx.history_restore_request)
    partial = bool(request.htmx) and not restoring
    try:
        evidence = engine.clean_evidence(snapshot.model, evidence_from_query(query_string))
    except engine.ModelError:
        logger.exception("The troubleshooter of %s cannot run", snapshot.slug)
        if request.htmx:  # a whole page, not a panel: let the browser load it
            return HttpResponseClientRedirect(request.get_full_path())
        return render(request, "guides/diagnose_unavailable.html", {"guide": snapshot}, status=503)
    state = state_query(evidence, platform=platform, ask=query.get("ask", ""), fixed=query.get("fixed", ""))
    staff = request.user.is_staff  # drafts carry a banner for staff: never share their screens
    key = content_cache.versioned_key(
        f"screen:{deploy_fingerprint()}:{snapshot.slug}:{partial}:{staff}:"
        f"{hashlib.sha256(state.encode()).hexdigest()[:32]}"
    )
    cached = cache.get(key)
    if not (isinstance(cached, tuple) and len(cached) == 3):  # absent, or cached by an older release
        cached = _build_screen(request, snapshot, query, evidence, platform, partial)
        cache.set(key, cached, timeout=PAGE_CACHE_SECONDS)
    html, counted, form = cached
    if counted and not restoring and not _looks_like_a_robot(request):
        _record_visit(snapshot, evidence, *counted, started="ask" not in query)
    html = html.replace(CANONICAL_PLACEHOLDER, request.build_absolute_uri(snapshot.troubleshooter_url))
    if form is None:
        return HttpResponse(html)
    form_state, step = form
    html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    html = html.replace(TOKEN_PLACEHOLDER, answer_token(snapshot.slug, form_state, step))
    response = HttpResponse(html)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _build_screen(request, snapshot: Snapshot, query: QueryDict, evidence, platform: str, partial: bool):
    """The screen's HTML; what it shows, for the page-view count: (kind, slug) or None; its form: (state, step) or None.

    The HTML holds placeholders for the CSRF and answer tokens: it is cached and shared between visitors.
    """
    decision = engine.next_step(snapshot.model, evidence, max_questions=snapshot.max_questions)
    fixed = snapshot.steps.get(query.get("fixed", ""))
    question = decision.question if decision.kind == engine.QUESTION and not fixed else None
    selected, before, after = None, evidence, ()
    asked = query.get("ask", "")
    answered = [key for key, _ in evidence]
    if asked in answered and not fixed and asked in snapshot.questions:
        # Changing an earlier answer: ask it again in its place, so what came after keeps its order.
        position = answered.index(asked)
        selected = evidence[position][1]
        question = next(q for q in snapshot.model.questions if q.key == asked)
        before, after = evidence[:position], evidence[position + 1 :]
    kind = "fixed" if fixed else (engine.QUESTION if question else decision.kind)
    step = snapshot.steps[decision.step.key] if decision.kind == engine.STEP and decision.step else None
    other = {"android": "iphone", "iphone": "android"}.get(platform, "")
    context = {
        "guide": snapshot,
        "kind": kind,
        "decision": decision,
        "question": snapshot.questions[question.key] if question else None,
        "selected": selected,
        "before": before,
        "after": after,
        "step": step,
        "fixed": fixed,
        "fixed_cause": snapshot.causes[decision.ranking[0].cause] if fixed else None,
        "screen": screens.screen(snapshot, decision, platform),
        "platform": platform,
        "state": state_query(evidence),
        "here": state_query(evidence, platform=platform),
        "here_other": state_query(evidence, platform=other),
        "wait_for": wait_words(step.minutes) if step else "",
        "back": state_query(evidence[:-1], platform=platform) if evidence else None,
        "canonical": CANONICAL_PLACEHOLDER,
        "csrf_token": CSRF_PLACEHOLDER,
        "answer_token": TOKEN_PLACEHOLDER,
        "partial": partial,
    }
    template = "guides/diagnose.html#panel" if partial else "guides/diagnose.html"
    html = render_to_string(template, context, request)
    shown = {engine.QUESTION: question and question.key, engine.STEP: step and step.slug, engine.HAND_OFF: ""}
    form = (context["state"], step.slug) if kind == engine.STEP else None
    return html, ((kind, shown[kind]) if kind in shown else None), form


ROBOT_WORDS = ("bot", "crawl", "spider", "slurp", "lighthouse", "headless")


def _looks_like_a_robot(request: HttpRequest) -> bool:
    """Crawlers and page checkers would count as visitors in the feedback report."""
    agent = request.headers.get("User-Agent", "").lower()
    return not agent or any(word in agent for word in ROBOT_WORDS)


def _record_visit(snapshot: Snapshot, evidence, kind: str, slug: str, *, started: bool) -> None:
    """Count what this screen shows, for the feedback report: one upsert of daily counters, nothing personal.

    ``started`` is false when the visitor came back to change an answer: that is not a new answer.
    """
    counted = QuestionnaireCount.Kind
    rows = []
    if started:
        last = evidence[-1] if evidence else None
        if all(key == engine.SEEN for key, _ in evidence):  # nothing yet, or only a symptom tapped on the guide
            rows.append((counted.START, "", ""))
        elif last[0] not in (engine.FAILED, engine.COULDNT, engine.SEEN):
            rows.append((counted.ANSWER, *last))
    shown = {engine.QUESTION: counted.QUESTION, engine.STEP: counted.STEP, engine.HAND_OFF: counted.HAND_OFF}
    rows.append((shown[kind], slug, ""))
    try:
        count_views(snapshot.guide_pk, rows)
    except DatabaseError:  # the screen is still worth showing; only the count is lost
        logger.warning("A troubleshooter page view of %s was not counted: the database is unavailable", snapshot.slug)


# "Was this page helpful?" on the article and the cause pages. Those pages are shared by every visitor,
# so the vote form, with its CSRF and vote tokens, comes from these views: fetched by htmx into the page,
# or as a page of its own without JavaScript. A GET never records anything; a POST records, then redirects.

HELPFUL_ANSWERS = {"yes": True, "no": False}
HELPFUL_UNREADABLE = "We could not read your answer. Please go back to the page and answer again."
HELPFUL_TOO_OLD = "This answer form is too old. Please answer again."
HELPFUL_SAVE_FAILED = "We couldn't save your answer just now, so nothing was recorded. Please try again in a minute."
HELPFUL_DOWN = "This page can't load right now. Please try again in a minute."


@require_safe
@vary_on_headers("HX-Request")
@cache_control(private=True, no_store=True)
def helpful(request: HttpRequest, slug: str, cause_slug: str = "") -> HttpResponse:
    """The vote form: the fragment htmx swaps into the page, or, without JavaScript, a page of its own."""
    try:
        guide, cause = _voted_page(request, slug, cause_slug)
    except DatabaseError:
        logger.exception("The helpfulness form of %s could not be read from the database", request.path)
        return _helpful_problem(request, HELPFUL_DOWN, 503, retry=request.get_full_path(), retry_label="Try again")
    context = _helpful_context(guide, cause, token=helpfulness.vote_token(guide.slug, cause_slug))
    if request.htmx:
        return render(request, "guides/helpful.html#form", context)
    answer = request.GET.get("answer", "")
    context["answer"] = answer if answer in HELPFUL_ANSWERS else ""
    return render(request, "guides/helpful.html", context)


@require_POST
def helpful_feedback(request: HttpRequest, slug: str, cause_slug: str = "") -> HttpResponse:
    """Record a vote, or the reason after a "No"; then thank the visitor, or with htmx after "No" ask why."""
    try:
        guide, cause = _voted_page(request, slug, cause_slug)
    except DatabaseError:
        logger.exception("The page voted on at %s could not be read from the database", request.path)
        return _helpful_problem(request, HELPFUL_SAVE_FAILED, 503)
    urls = _helpful_urls(guide, cause)
    if _too_many_feedback_posts(request, bucket="helpful-votes"):
        return _helpful_problem(request, TOO_MANY_ANSWERS, 429)
    answer = request.POST.get("answer", "")
    reason = request.POST.get("reason", "")
    if answer not in HELPFUL_ANSWERS or (reason and (answer == "yes" or reason not in helpfulness.REASONS.values)):
        return _helpful_problem(request, HELPFUL_UNREADABLE, 400, retry=urls["page"], retry_label="Go back to the page")
    token = request.POST.get("token", "")
    try:
        token_id = helpfulness.read_vote_token(token, slug=guide.slug, cause_slug=cause_slug)
    except signing.SignatureExpired:
        retry = f"{urls['form']}?answer={answer}"
        return _helpful_problem(request, HELPFUL_TOO_OLD, 400, retry=retry, retry_label="Answer again")
    except signing.BadSignature:
        return _helpful_problem(request, HELPFUL_UNREADABLE, 400, retry=urls["page"], retry_label="Go back to the page")
    try:
        # False for a retry, or a second answer from the same form: nothing more is stored, the visitor is thanked.
        helpful_vote = HELPFUL_ANSWERS[answer]
        helpfulness.record_vote(guide=guide, cause=cause, token=token_id, helpful=helpful_vote, reason=reason)
    except DatabaseError:
        logger.exception("A helpfulness vote on %s could not be saved", request.path)
        return _helpful_problem(request, HELPFUL_SAVE_FAILED, 503)
    if not request.htmx:
        return redirect(f"{urls['thanks']}?answer={answer}")
    context = {**_helpful_context(guide, cause, token=token), "answer": answer}
    # A first "No" from the in-page form: the vote is saved; ask why, with the same token, so the reason completes it.
    if answer == "no" and not reason and "asked" not in request.POST:
        response = render(request, "guides/helpful.html#reasons", context)
        patch_cache_control(response, private=True, no_store=True)
        return response
    return render(request, "guides/helpful.html#thanks", context)


@require_safe
def helpful_thanks(request: HttpRequest, slug: str, cause_slug: str = "") -> HttpResponse:
    """Where a vote sent without JavaScript lands (after the redirect): thanks, and the way back."""
    try:
        guide, cause = _voted_page(request, slug, cause_slug)
    except DatabaseError:
        logger.exception("The helpfulness thanks of %s could not be read from the database", request.path)
        return _helpful_problem(request, HELPFUL_DOWN, 503, retry=request.get_full_path(), retry_label="Try again")
    answer = "no" if request.GET.get("answer") == "no" else "yes"
    return render(request, "guides/helpful.html", {**_helpful_context(guide, cause), "answer": answer, "thanks": True})


def _voted_page(request: HttpRequest, slug: str, cause_slug: str):
    """The guide and, on a cause page, the cause a vote is about, if this visitor may see them; else 404."""
    guide = get_object_or_404(visible_guides(request).only("title", "slug", "published"), slug=slug)
    cause = get_object_or_404(guide.causes.only("title", "slug", "guide"), slug=cause_slug) if cause_slug else None
    return guide, cause


def _helpful_urls(guide: Guide, cause) -> dict[str, str]:
    """The page voted on, and the vote form, the address it posts to and the thank-you page for it."""
    if cause is None:
        args, prefix = [guide.slug], "guides:helpful"
        page = reverse("guides:article", args=args)
    else:
        args, prefix = [guide.slug, cause.slug], "guides:cause_helpful"
        page = reverse("guides:cause", args=args)
    return {
        "page": page,
        "form": reverse(prefix, args=args),
        "feedback": reverse(f"{prefix}_feedback", args=args),
        "thanks": reverse(f"{prefix}_thanks", args=args),
    }


def _helpful_context(guide: Guide, cause, *, token: str = "") -> dict:
    return {
        "guide": guide,
        "cause": cause,
        "page_title": cause.title if cause else guide.title,
        "urls": _helpful_urls(guide, cause),
        "token": token,
        "reasons": helpfulness.REASONS.choices,
    }


def _helpful_problem(request: HttpRequest, message: str, status: int, *, retry: str = "", retry_label: str = ""):
    """Explain what went wrong: in place of the vote block for htmx, as a page otherwise."""
    context = {"message": message, "retry": retry, "retry_label": retry_label or "Try again"}
    if status == 503:
        context["heading"] = "Something is down for a moment"
    template = "guides/helpful.html#problem" if request.htmx else "400.html"
    return render(request, template, context, status=status)
