import logging

from django.core import signing
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from guides.feedback import votes
from guides.feedback.rate_limit import TOO_MANY_ANSWERS, CannotCount, too_many_posts
from guides.models import Guide
from guides.pages.views import visible_guides

logger = logging.getLogger(__name__)


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
    context = _helpful_context(guide, cause, token=votes.vote_token(guide.slug, cause_slug))
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
    try:
        if too_many_posts(request, bucket="helpful-votes"):
            return _helpful_problem(request, TOO_MANY_ANSWERS, 429)
    except CannotCount:
        logger.warning("A vote on %s was refused: the rate limit cannot count", request.path)
        return _helpful_problem(request, HELPFUL_SAVE_FAILED, 503)
    answer = request.POST.get("answer", "")
    reason = request.POST.get("reason", "")
    if answer not in HELPFUL_ANSWERS or (reason and (answer == "yes" or reason not in votes.REASONS.values)):
        return _helpful_problem(request, HELPFUL_UNREADABLE, 400, retry=urls["page"], retry_label="Go back to the page")
    token = request.POST.get("token", "")
    try:
        token_id = votes.read_vote_token(token, slug=guide.slug, cause_slug=cause_slug)
    except signing.SignatureExpired:
        retry = f"{urls['form']}?answer={answer}"
        return _helpful_problem(request, HELPFUL_TOO_OLD, 400, retry=retry, retry_label="Answer again")
    except signing.BadSignature:
        return _helpful_problem(request, HELPFUL_UNREADABLE, 400, retry=urls["page"], retry_label="Go back to the page")
    try:
        # False for a retry, or a second answer from the same form: nothing more is stored, the visitor is thanked.
        helpful_vote = HELPFUL_ANSWERS[answer]
        votes.record_vote(guide=guide, cause=cause, token=token_id, helpful=helpful_vote, reason=reason)
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
        "reasons": votes.REASONS.choices,
    }


def _helpful_problem(request: HttpRequest, message: str, status: int, *, retry: str = "", retry_label: str = ""):
    """Explain what went wrong: in place of the vote block for htmx, as a page otherwise."""
    context = {"message": message, "retry": retry, "retry_label": retry_label or "Try again"}
    if status == 503:
        context["heading"] = "Something is down for a moment"
    template = "guides/helpful.html#problem" if request.htmx else "problem.html"
    return render(request, template, context, status=status)
