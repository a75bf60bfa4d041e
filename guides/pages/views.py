import logging

from django.db.models import Case, Prefetch, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from guides import engine
from guides.minutes import in_words
from guides.models import CauseFix, ChecklistItem, FAQEntry, Guide, Symptom
from guides.pages import structured_data
from guides.web.http_caching import shared_page
from guides.web.site_address import absolute_url

logger = logging.getLogger(__name__)


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
    # A symptom of one cause leads straight to it; one of several, into the troubleshooter, which starts from it.
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
        "canonical": absolute_url(guide.get_absolute_url()),
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
            "canonical": absolute_url(cause.get_absolute_url()),
        },
    )
