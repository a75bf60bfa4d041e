import hashlib
import logging
from urllib.parse import parse_qsl

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect

from guides import content_cache, engine
from guides.diagnose import screens
from guides.diagnose.records import answer_form, answer_token, record_visit
from guides.diagnose.snapshot import PLATFORMS, Snapshot, evidence_from_query, state_query
from guides.local_copies import LocalCopies
from guides.minutes import wait_words
from guides.web.http_caching import deploy_fingerprint
from guides.web.site_address import absolute_url

logger = logging.getLogger(__name__)


# Rendered pages are kept this long at most; a content save replaces them sooner.
PAGE_CACHE_SECONDS = 60 * 60
# Each process also keeps the screens it served last in memory (about 40 KB each).
_local_screens = LocalCopies(300)


# Stand-ins for what differs between visitors on the same screen; swapped in after the cache.
CSRF_PLACEHOLDER = "csrf-token-placeholder-0c9f"


TOKEN_PLACEHOLDER = "answer-token-placeholder-7d2e"


def render_screen(request: HttpRequest, snapshot: Snapshot, query_string: str) -> HttpResponse:
    """Render a screen, or take it from the cache: each (content version, state) is rendered once.

    Only a canonical address reaches the cache: anything the guide does not know (an unknown question,
    answer, step or symptom, a repeat, a stray parameter) is dropped by a redirect first, so made-up
    addresses cannot add entries. The cached HTML holds no token; they are filled in per request, and its
    canonical link names the configured site (DJANGO_SITE_URL), never the request's host, so one copy serves
    every host. Only answer forms (a fix step's, an explanation's, the long shots') carry tokens (CSRF, and a
    fresh answer token per render), so only those screens set the CSRF cookie and are marked private:
    questions, the hand-off, "fixed" and "explained" are the same for everyone.
    """
    query = QueryDict(query_string)
    restoring = bool(request.htmx and request.htmx.history_restore_request)
    partial = bool(request.htmx) and not restoring
    try:
        evidence = engine.clean_evidence(snapshot.model, evidence_from_query(query_string))
    except engine.ModelError:
        logger.exception("The troubleshooter of %s cannot run", snapshot.slug)
        if request.htmx:  # a whole page, not a panel: let the browser load it
            return HttpResponseClientRedirect(request.get_full_path())
        return render(request, "guides/diagnose_unavailable.html", {"guide": snapshot}, status=503)
    chosen = platform_from(query.get("platform", ""))
    fixed = query.get("fixed", "") if query.get("fixed", "") in snapshot.steps else ""
    explained = query.get("explained", "")
    explained = explained if explained in snapshot.causes and snapshot.causes[explained].explains and not fixed else ""
    answered = {key for key, _ in evidence if key in snapshot.questions}
    ask = query.get("ask", "") if query.get("ask", "") in answered and not (fixed or explained) else ""
    canonical = state_query(evidence, platform=chosen, ask=ask, fixed=fixed, explained=explained)
    # Where the view's own words (platform, ask, fixed, explained) stand among the answers changes nothing: the
    # key puts them last. Anything dropped from the address is a redirect.
    if sorted(parse_qsl(query_string, keep_blank_values=True)) != sorted(parse_qsl(canonical)):
        return redirect(f"{snapshot.troubleshooter_url}?{canonical}" if canonical else snapshot.troubleshooter_url)
    platform = chosen or guess_platform(request)
    state = state_query(evidence, platform=platform, ask=ask, fixed=fixed, explained=explained)
    staff = request.user.is_staff  # drafts carry a banner for staff: never share their screens
    key = content_cache.versioned_key(
        f"screen:{deploy_fingerprint()}:{snapshot.slug}:{partial}:{staff}:"
        f"{hashlib.sha256(state.encode()).hexdigest()[:32]}"
    )
    cached = _local_screens.get(key) or cache.get(key)
    if not (isinstance(cached, tuple) and len(cached) == 3):  # absent, or cached by an older release
        cached = _build_screen(request, snapshot, evidence, platform, partial, ask=ask, ending=(fixed, explained))
        cache.set(key, cached, timeout=PAGE_CACHE_SECONDS)
    if not key.endswith(content_cache.UNREACHABLE):  # no version to retire the copy by
        _local_screens.keep(key, cached)
    html, counted, form = cached
    if counted and not restoring and not _looks_like_a_robot(request):
        record_visit(snapshot, evidence, *counted, started=not ask)
    if form is None:
        return HttpResponse(html)
    form_state, signed_for = form
    html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    html = html.replace(TOKEN_PLACEHOLDER, answer_token(snapshot.slug, form_state, signed_for))
    response = HttpResponse(html)
    patch_cache_control(response, private=True, no_store=True)
    return response


def forget_local_screens() -> None:
    """Drop this process's copies (tests; the versioned keys retire them on their own in production)."""
    _local_screens.clear()


def _build_screen(request, snapshot: Snapshot, evidence, platform: str, partial: bool, *, ask: str, ending):
    """The screen's HTML, its page-view count ((kind, slug) or None) and its form ((state, signed) or None).

    ``ending`` is (fixed step, explained cause): the end screen to show, or ("", "").
    The HTML holds placeholders for the CSRF and answer tokens: it is cached and shared between visitors.
    """
    decision = engine.next_step(snapshot.model, evidence, max_questions=snapshot.max_questions)
    fixed, explained = snapshot.steps.get(ending[0]), snapshot.causes.get(ending[1])
    question = decision.question if decision.kind == engine.QUESTION and not (fixed or explained) else None
    selected, before, after = None, evidence, ()
    if ask:
        # Changing an earlier answer: ask it again in its place, so what came after keeps its order.
        position = [key for key, _ in evidence].index(ask)
        selected = evidence[position][1]
        question = next(q for q in snapshot.model.questions if q.key == ask)
        before, after = evidence[:position], evidence[position + 1 :]
    kind = "fixed" if fixed else "explained" if explained else (engine.QUESTION if question else decision.kind)
    context = _context(snapshot, decision, kind, platform)
    context.update(
        question=snapshot.questions[question.key] if question else None,
        selected=selected,
        before=before,
        after=after,
        fixed=fixed,
        fixed_cause=snapshot.causes[screens.likely_reason(snapshot, decision.ranking, fixed.slug)] if fixed else None,
        explained=explained,
        partial=partial,
    )
    context["screen_title"] = screen_title(context)
    template = "guides/diagnose.html#panel" if partial else "guides/diagnose.html"
    html = render_to_string(template, context, request)
    step, cause = context["step"], context["cause"]
    shown = {
        engine.QUESTION: question and question.key,
        engine.STEP: step and step.slug,
        engine.EXPLAIN: cause and cause.slug,
        engine.LONG_SHOTS: "",
        engine.HAND_OFF: "",
    }
    signed_for = answer_form(decision) if kind in (engine.STEP, engine.EXPLAIN, engine.LONG_SHOTS) else None
    form = (context["state"], signed_for) if signed_for is not None else None
    return html, ((kind, shown[kind]) if kind in shown else None), form


def _context(snapshot: Snapshot, decision: engine.Decision, kind: str, platform: str) -> dict:
    """What the template needs for the screen of this decision, besides the question being asked."""
    evidence = decision.evidence
    step = snapshot.steps[decision.step.key] if kind == engine.STEP else None
    likeliest = snapshot.causes[decision.ranking[0].cause] if decision.ranking else None
    other = {"android": "iphone", "iphone": "android"}.get(platform, "")
    phones = _phone_steps(step, platform) if step else ([], [])
    return {
        "guide": snapshot,
        "kind": kind,
        "decision": decision,
        "unsure": engine.UNSURE,
        "step": step,
        "cause": snapshot.causes[decision.cause] if kind == engine.EXPLAIN else None,
        "long_shots": [snapshot.steps[shot.key] for shot, _ in decision.long_shots if shot.key in snapshot.steps],
        # The likely reason on the last screens: the likeliest cause, when it is an explanation not rejected.
        "likely_explanation": snapshot.causes[decision.cause]
        if kind in (engine.LONG_SHOTS, engine.HAND_OFF) and decision.cause
        else None,
        # The hand-off's help: the likeliest cause's own (an appeal route, Family Pairing), else the guide's.
        "help_html": (likeliest and likeliest.where_to_get_help_html) or snapshot.support_html,
        "screen": screens.screen(snapshot, decision, platform),
        "platform": platform,
        "state": state_query(evidence),
        "here": state_query(evidence, platform=platform),
        "here_other": state_query(evidence, platform=other),
        "wait_for": wait_words(step.minutes) if step else "",
        "phone_steps": phones[0],
        "other_phone_steps": phones[1],
        "back": state_query(evidence[:-1], platform=platform) if evidence else None,
        "canonical": absolute_url(snapshot.troubleshooter_url),
        "csrf_token": CSRF_PLACEHOLDER,
        "answer_token": TOKEN_PLACEHOLDER,
    }


def _phone_steps(step, platform: str) -> tuple[list, list]:
    """(name, html) of the phone steps shown before the answer buttons, and of those folded after them.

    The visitor's phone comes first and the other is folded; when we can't tell the phone, both are shown.
    """
    present = [(key, name, html) for key, name, html in (("android", "Android", step.android_html),
               ("iphone", "iPhone", step.iphone_html)) if html]  # fmt: skip
    present.sort(key=lambda item: item[0] != platform)
    pairs = [(name, html) for _, name, html in present]
    return (pairs[:1], pairs[1:]) if platform else (pairs, [])


def screen_title(context) -> str:
    """What the screen is, for the page's <title>: without script, that is all a tab or a screen reader says."""
    kind = context["kind"]
    if kind == engine.QUESTION:
        return context["question"].text
    if kind == engine.STEP:
        return context["step"].title
    if kind == engine.EXPLAIN:
        return context["cause"].title
    return SCREEN_TITLES[kind]


SCREEN_TITLES = {
    "fixed": "Great, it works again",
    "explained": "That explains it",
    engine.LONG_SHOTS: "We've run out of likely fixes",
    engine.HAND_OFF: "Where to get help now",
}


ROBOT_WORDS = ("bot", "crawl", "spider", "slurp", "lighthouse", "headless")


def _looks_like_a_robot(request: HttpRequest) -> bool:
    """Crawlers and page checkers would count as visitors in the feedback report."""
    agent = request.headers.get("User-Agent", "").lower()
    return not agent or any(word in agent for word in ROBOT_WORDS)


def platform_from(value: str) -> str:
    return value if value in PLATFORMS else ""


def guess_platform(request: HttpRequest) -> str:
    """The visitor's phone from the User-Agent, to show its steps first; "" when we can't tell."""
    agent = request.headers.get("User-Agent", "")
    if "iPhone" in agent or "iPad" in agent or "iPod" in agent:
        return "iphone"
    if "Android" in agent:
        return "android"
    return ""
