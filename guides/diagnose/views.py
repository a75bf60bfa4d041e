import itertools
import logging

from django.core import signing
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from guides import engine
from guides.diagnose.records import (
    TOKEN_MAX_AGE_SECONDS,
    answer_form,
    learning_source,
    read_answer_token,
    record_outcome,
)
from guides.diagnose.screen_cache import platform_from, render_screen
from guides.diagnose.snapshot import Snapshot, evidence_from_query, snapshot_for, state_query
from guides.feedback.rate_limit import TOO_MANY_ANSWERS, CannotCount, too_many_posts
from guides.models import StepOutcome
from guides.web.client_address import client_address
from guides.web.http_caching import public_start

logger = logging.getLogger(__name__)


# A troubleshooter address longer than this is not one we made; real ones stay under 1 KB.
DIAGNOSE_QUERY_MAX = 4096


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
    return render_screen(request, snapshot, request.META.get("QUERY_STRING", ""))


@require_POST
def diagnose_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    """Record the visitor's answer about the step, explanation or long shot they were shown, then show the next screen.

    Over the answer limit (``too_many_posts``) an answer from a form we showed still takes the visitor
    on to their next screen: only its record is dropped, and counted in the log. Anything else over
    the limit (a forged, mangled or stale form) gets the 429 as before; under it, a 400.
    """
    try:
        snapshot = _visible_snapshot(request, slug)
    except DatabaseError:
        logger.exception("The troubleshooter of %s could not be read from the database", slug)
        return _outage(request, slug, SAVE_FAILED)
    try:
        over_limit = too_many_posts(request)
    except CannotCount:
        logger.warning("An answer for %s was refused: the rate limit cannot count", snapshot.slug)
        return _outage(request, snapshot.slug, SAVE_FAILED)
    state = request.POST.get("state", "")[:DIAGNOSE_QUERY_MAX]
    platform = platform_from(request.POST.get("platform", ""))
    try:
        decision = engine.next_step(snapshot.model, evidence_from_query(state), max_questions=snapshot.max_questions)
    except engine.ModelError:
        logger.exception("The troubleshooter of %s cannot run", snapshot.slug)
        return _problem(request, snapshot, UNAVAILABLE, 503)
    try:
        token = _shown_form(request, snapshot, decision, state)
        outcome, chosen = _answer(request, decision)
    except signing.SignatureExpired:
        if over_limit:
            return _problem(request, snapshot, TOO_MANY_ANSWERS, 429)
        here = state_query(evidence_from_query(state), platform=platform)
        retry = f"{reverse('guides:diagnose', args=[snapshot.slug])}?{here}{SCREEN_ANCHOR}"
        return _problem(request, snapshot, TOO_OLD, 400, retry=retry, retry_label="Go back to the step")
    except signing.BadSignature:
        return _problem(request, snapshot, *((TOO_MANY_ANSWERS, 429) if over_limit else (UNREADABLE, 400)))
    if over_limit:
        # A real visitor behind a busy shared address (a school, a phone carrier): they go on, unrecorded.
        logger.warning(
            "An answer for %s was not recorded: its address is over the answer limit (%d so far in this process)",
            snapshot.slug,
            next(_unrecorded),
        )
    else:
        try:
            # False for a retry of an answer already stored: nothing more is stored, and the visitor moves on.
            source = learning_source(client_address(request))
            record_outcome(snapshot, decision, outcome, chosen=chosen, token=token, source=source)
        except DatabaseError:
            logger.exception("An answer for %s could not be saved", snapshot.slug)
            return _outage(request, snapshot.slug, SAVE_FAILED)
    next_query = _next_query(decision.evidence, outcome, chosen, platform)
    next_url = f"{reverse('guides:diagnose', args=[snapshot.slug])}?{next_query}"
    if not request.htmx:
        return redirect(next_url + SCREEN_ANCHOR)  # without script, the next screen opens at its heading
    return push_url(render_screen(request, snapshot, next_query), next_url)


# Answers over the limit that went unrecorded, since this process started: the log says how many.
_unrecorded = itertools.count(1)


# Each screen's heading has this id: a new screen opens there, below the site's header.
SCREEN_ANCHOR = "#screen"


STEP_OUTCOMES = frozenset({StepOutcome.Outcome.FIXED, StepOutcome.Outcome.NOT_FIXED, StepOutcome.Outcome.COULDNT})


EXPLAIN_OUTCOMES = frozenset({StepOutcome.Outcome.EXPLAINED, StepOutcome.Outcome.NOT_IT})


def _shown_form(request: HttpRequest, snapshot: Snapshot, decision: engine.Decision, state: str) -> str:
    """The answer token's id, when the POST comes from the answer form we showed for this state.

    Its token was signed for this guide, state and form when the screen was rendered; the guide may
    have changed since, and then the form is not this state's any more. Raises ``signing.BadSignature``
    (``SignatureExpired`` for a form of ours that is too old) otherwise.
    """
    form = answer_form(decision)
    if form is None:
        raise signing.BadSignature("This state's screen has no answer form")
    return read_answer_token(
        request.POST.get("token", ""),
        slug=snapshot.slug,
        state=state,
        step=form,
        max_age=TOKEN_MAX_AGE_SECONDS + _waiting(snapshot, decision),
    )


def _answer(request: HttpRequest, decision: engine.Decision) -> tuple[str, str]:
    """(outcome, step or cause) when the POST answers this decision's screen as its form allows.

    Raises ``signing.BadSignature`` otherwise: an answer the form could not have sent is no answer of ours.
    """
    outcome, step, cause = (request.POST.get(name, "") for name in ("outcome", "step", "explain"))
    if decision.kind == engine.STEP and outcome in STEP_OUTCOMES and step == decision.step.key:
        return outcome, step
    if decision.kind == engine.EXPLAIN and outcome in EXPLAIN_OUTCOMES and cause == decision.cause:
        return outcome, decision.cause
    listed = {shot.key for shot, _ in decision.long_shots}
    if decision.kind == engine.LONG_SHOTS and outcome == StepOutcome.Outcome.FIXED and step in listed:
        return outcome, step
    raise signing.BadSignature("The answer is not one the form offers")


def _next_query(evidence, outcome: str, chosen: str, platform: str) -> str:
    """The address of the screen after this answer."""
    if outcome == StepOutcome.Outcome.FIXED:
        return state_query(evidence, platform=platform, fixed=chosen)
    if outcome == StepOutcome.Outcome.EXPLAINED:
        return state_query(evidence, platform=platform, explained=chosen)
    key = {
        StepOutcome.Outcome.NOT_FIXED: engine.FAILED,
        StepOutcome.Outcome.COULDNT: engine.COULDNT,
        StepOutcome.Outcome.NOT_IT: engine.NOT_IT,
    }[outcome]
    return state_query([*evidence, (key, chosen)], platform=platform)


def _waiting(snapshot: Snapshot, decision: engine.Decision) -> int:
    """Seconds a form stays good on top of the usual: the longest step it asks about (a wait step's waiting)."""
    steps = [decision.step] if decision.kind == engine.STEP else [shot for shot, _ in decision.long_shots]
    return max((snapshot.steps[s.key].minutes * 60 for s in steps if s.key in snapshot.steps), default=0)


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
    template = "guides/diagnose.html#problem" if request.htmx else "problem.html"
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
    template = "guides/diagnose.html#problem" if request.htmx else "problem.html"
    return render(request, template, context, status=status)
