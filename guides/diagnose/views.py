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
from guides.diagnose.records import TOKEN_MAX_AGE_SECONDS, read_answer_token, record_outcome
from guides.diagnose.screen_cache import platform_from, render_screen
from guides.diagnose.snapshot import Snapshot, evidence_from_query, snapshot_for, state_query
from guides.feedback.rate_limit import TOO_MANY_ANSWERS, CannotCount, too_many_posts
from guides.models import StepOutcome
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
    """Record what happened with the fix step the visitor was shown, then show the next screen."""
    try:
        snapshot = _visible_snapshot(request, slug)
    except DatabaseError:
        logger.exception("The troubleshooter of %s could not be read from the database", slug)
        return _outage(request, slug, SAVE_FAILED)
    try:
        if too_many_posts(request):
            return _problem(request, snapshot, TOO_MANY_ANSWERS, 429)
    except CannotCount:
        logger.warning("An answer for %s was refused: the rate limit cannot count", snapshot.slug)
        return _outage(request, snapshot.slug, SAVE_FAILED)
    state = request.POST.get("state", "")[:DIAGNOSE_QUERY_MAX]
    platform = platform_from(request.POST.get("platform", ""))
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
    return push_url(render_screen(request, snapshot, next_query), next_url)


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
