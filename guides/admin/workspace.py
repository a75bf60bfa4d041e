"""The overview at the top of a guide's page: the whole guide on one screen, read-only, with "add" links.

Per cause its symptoms and its fix steps with how often each fixes it; per question its answers and
what each says about the causes; the fix steps no cause uses. Every "add" link opens the add page with
the guide (and the cause or question) already filled in, and Save comes back here. Built from a fixed
number of queries, whatever the size of the guide.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.admin.options import IS_POPUP_VAR
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.urls import reverse

from guides.models import Answer, AnswerEffect, CauseFix, Guide, Symptom


class BackToTheWorkspace:
    """An object added from a guide's overview goes back to the guide's page on Save, where the editor was.

    The overview's "add" links carry ``?guide=``; the add form posts to the same address. "Save and
    continue editing", "Save and add another" and pop-ups keep Django's own next page.
    """

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        guide = request.GET.get("guide", "")
        if guide.isdigit() and "_save" in request.POST and IS_POPUP_VAR not in request.POST:
            return HttpResponseRedirect(reverse("admin:guides_guide_change", args=[guide]))
        return response


@dataclass
class Link:
    text: str
    url: str


@dataclass
class Row:
    """One object in the overview: its title, its page, and the lines shown under it."""

    title: str
    url: str
    lines: list[Link] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    add: list[Link] = field(default_factory=list)


@dataclass
class Overview:
    causes: list[Row]
    questions: list[Row]
    unused_steps: list[Link]
    add: list[Link]
    counts: list[str]


def overview(guide: Guide) -> Overview:
    causes = list(
        guide.causes.prefetch_related(
            Prefetch("symptoms", queryset=Symptom.objects.order_by("order", "id")),
            Prefetch("cause_fixes", queryset=CauseFix.objects.select_related("fix_step")),
        )
    )
    questions = list(
        guide.questions.prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.prefetch_related(
                    Prefetch("effects", queryset=AnswerEffect.objects.select_related("cause", "facet"))
                ),
            )
        )
    )
    steps = list(guide.fix_steps.all())
    used = {link.fix_step_id for cause in causes for link in cause.cause_fixes.all()}
    return Overview(
        causes=[_cause_row(guide, cause) for cause in causes],
        questions=[_question_row(question) for question in questions],
        unused_steps=[Link(s.title, _change(s)) for s in steps if s.pk not in used],
        add=[
            Link("Add a cause", _add("cause", guide=guide.pk)),
            Link("Add a fix step", _add("fixstep", guide=guide.pk)),
            Link("Add a symptom", _add("symptom", guide=guide.pk)),
            Link("Add a question", _add("question", guide=guide.pk)),
            Link("Add an FAQ entry", _add("faqentry", guide=guide.pk)),
            Link("Add a checklist step", _add("checklistitem", guide=guide.pk)),
        ],
        counts=[
            _count(len(causes), "cause"),
            _count(len({s.pk for cause in causes for s in cause.symptoms.all()}), "symptom"),
            _count(len(steps), "fix step"),
            _count(len(questions), "question"),
            _count(sum(len(q.answers.all()) for q in questions), "answer"),
        ],
    )


def _cause_row(guide: Guide, cause) -> Row:
    symptoms = [s.title for s in cause.symptoms.all()]
    row = Row(
        title=cause.title,
        url=_change(cause),
        lines=[Link(f"{link.fix_step.title}: {link.get_efficacy_display()}", _change(link.fix_step))
               for link in cause.cause_fixes.all()],
        add=[
            Link("add a symptom", _add("symptom", guide=guide.pk, causes=cause.pk)),
            Link("add a fix step link", _add("causefix", cause=cause.pk, guide=guide.pk)),
        ],
    )  # fmt: skip
    row.notes.append(f"Symptoms: {'; '.join(symptoms)}" if symptoms else "No symptoms yet.")
    if cause.explains:
        row.notes.append("Explained, not fixed: the troubleshooter says what is happening.")
    elif not row.lines:
        row.notes.append("No fix step yet: set one in the grid of fix steps and causes.")
    return row


def _question_row(question) -> Row:
    answers = list(question.answers.all())
    row = Row(
        title=question.text, url=_change(question), add=[Link("add an answer", _add("answer", question=question.pk))]
    )
    for answer in answers:
        effects = "; ".join(f"{e.get_strength_display()}: {_target(e)}" for e in answer.effects.all())
        row.lines.append(Link(f"{answer.text} → {effects or 'says nothing about the causes yet'}", _change(answer)))
    if not answers:
        row.notes.append("No answers yet.")
    return row


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _target(effect) -> str:
    return f"{effect.cause.title} / {effect.facet.title}" if effect.facet_id else effect.cause.title


def _change(obj) -> str:
    return reverse(f"admin:guides_{obj._meta.model_name}_change", args=[obj.pk])


def _add(model_name: str, **initial) -> str:
    return f"{reverse(f'admin:guides_{model_name}_add')}?{urlencode(initial)}"
