"""Write a guide as it stands in the database back as a content file that `load_guide` reads.

The file is laid out like the hand-written ones. The values come from the `*_from_db`
functions of `values`, so an export always says what the loader compares against.
"""

import math

import yaml
from django.db.models import Prefetch

from guides import same_guide
from guides.authoring.values import (
    answer_from_db,
    cause_from_db,
    facet_from_db,
    faq_from_db,
    fix_step_from_db,
    guide_from_db,
    question_from_db,
    symptom_from_db,
)
from guides.models import (
    Answer,
    AnswerEffect,
    Cause,
    CauseFix,
    ChecklistItem,
    Commonness,
    FixStep,
    Guide,
    Question,
    StepKind,
    Symptom,
)

# Top-level keys preceded by a blank line, as in the hand-written files.
_SPACED_KEYS = frozenset(
    {"introduction", "conclusion", "support", "causes", "symptoms", "fix_steps", "faq", "checklist", "questions"}
)
# ... and a learned-numbers file's second list (guides.authoring.learned).
_SPACED_KEYS |= {"links"}
# Line breaks other than "\n": a block scalar or a single-quoted string would not keep them as they are.
_OTHER_BREAKS = frozenset("\r\x85\u2028\u2029")


class _Slugs(list):
    """A list of slugs, written on one line: `related: [app-glitches, software-updates]`."""


class _Links(dict):
    """Slugs with a word each, written on one line: `fixes: {update-app: almost_always, restart-device: rarely}`."""


class ContentDumper(yaml.SafeDumper):
    """Write YAML the way the content files are written by hand.

    Multi-line text becomes a `|` block, lists of slugs stay on one line, lists are
    indented under their key, and blank lines separate the top-level sections and the
    items of the long lists. Text that a block cannot hold exactly (trailing spaces on a
    line, tabs, other control characters, breaks other than "\n") is written
    double-quoted instead, which holds any string.
    """

    def ignore_aliases(self, data):
        return True

    def represent_str(self, data):
        style = None
        if _OTHER_BREAKS.intersection(data):
            style = '"'
        elif "\n" in data:
            style = "|"  # the emitter falls back to double quotes when a block cannot hold the text
        return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    def represent_slugs(self, data):
        return self.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)

    def represent_links(self, data):
        return self.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)

    # Emitter hooks.

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)

    def choose_scalar_style(self):
        style = super().choose_scalar_style()
        if style == "'" and not {'"', "\\"}.intersection(self.event.value):
            return '"'  # "won't" reads better than 'won''t'
        return style

    def expect_block_mapping_key(self, first=False):
        if not first and self.indent == 0 and getattr(self.event, "value", None) in _SPACED_KEYS:
            self._blank_line()
        super().expect_block_mapping_key(first)

    def expect_block_sequence_item(self, first=False):
        if not first and self.indent == 2 and not isinstance(self.event, yaml.SequenceEndEvent):
            self._blank_line()  # between the causes, symptoms, fix steps, FAQ entries and questions
        super().expect_block_sequence_item(first)

    def _blank_line(self):
        if self.open_ended:
            return  # the text just written is a `|+` block, which would take the blank line as its own
        if self.column:
            self.write_line_break()
        self.write_line_break()


ContentDumper.add_representer(str, ContentDumper.represent_str)
ContentDumper.add_representer(_Slugs, ContentDumper.represent_slugs)
ContentDumper.add_representer(_Links, ContentDumper.represent_links)


def dump_content(data: dict) -> str:
    """Content-file data as YAML text, in the hand-written layout; keys keep their order."""
    return yaml.dump(
        data, Dumper=ContentDumper, sort_keys=False, allow_unicode=True, width=math.inf, default_flow_style=False
    )


def _with_content(guide: Guide) -> Guide:
    """The guide again, with everything the export reads fetched in a fixed number of queries."""
    return Guide.objects.prefetch_related(
        Prefetch("checklist_items", queryset=ChecklistItem.objects.select_related("fix_step")),
        # Fix steps have no order of their own; creation order is the order of the file they came from.
        Prefetch("fix_steps", queryset=FixStep.objects.order_by("pk")),
        "causes__facets",
        Prefetch("causes__cause_fixes", queryset=CauseFix.objects.select_related("fix_step")),
        Prefetch("causes__related", queryset=Cause.objects.only("slug")),
        Prefetch("symptoms__causes", queryset=Cause.objects.only("slug")),
        Prefetch("symptoms__settles", queryset=Answer.objects.select_related("question")),
        "faq_entries",
        Prefetch("questions", queryset=Question.objects.select_related("asked_after__question")),
        Prefetch("questions__not_after_answers", queryset=Answer.objects.select_related("question")),
        "questions__not_after_steps",
        "questions__answers",
        "questions__answers__skips",
        Prefetch("questions__answers__effects", queryset=AnswerEffect.objects.select_related("cause", "facet")),
    ).get(pk=guide.pk)


# A cause's explanation ending, written only when the cause has one (each key defaults to nothing).
_EXPLANATION_KEYS = ("what_is_happening", "what_you_can_do", "where_to_get_help")


def _cause_item(cause: Cause) -> dict:
    values = cause_from_db(cause)
    item = {
        "slug": cause.slug,
        "title": values["title"],
        "summary": values["summary"],
        "commonness": Commonness(values["commonness"]).name.lower(),
        "reviewed": cause.reviewed_on,
        "explanation": values["explanation"],
    }
    if values["explains"]:
        item["explains"] = True
    item.update((name, values[name]) for name in _EXPLANATION_KEYS if values[name])
    return item | {
        "facets": [{"slug": facet.slug, **_without_order(facet_from_db(facet))} for facet in cause.facets.all()],
        "fixes": _Links(values["fixes"]),
        "related": _Slugs(values["related"]),
    }


def _symptom_item(symptom: Symptom) -> dict:
    values = symptom_from_db(symptom)
    item = {
        "slug": symptom.slug,
        "title": values["title"],
        "description": values["description"],
        "causes": _Slugs(values["causes"]),
    }
    if values["settles"]:
        item["settles"] = _Slugs(values["settles"])
    return item


def _fix_step_item(step: FixStep) -> dict:
    values = fix_step_from_db(step)
    item = {"slug": step.slug, "title": values["title"]}
    if values["kind"] != StepKind.DO_NOW:
        item["kind"] = values["kind"]
    if values["risky"]:
        item["risky"] = True
    item |= {
        "minutes": values["minutes"],
        "where": values["where"],
        "reviewed": step.reviewed_on,
        "instructions": values["instructions"],
    }
    item.update((phone, values[phone]) for phone in ("android", "iphone") if values[phone])
    return item


def _question_item(question: Question) -> dict:
    values = question_from_db(question)
    item = {"slug": question.slug, "text": values["text"], "help": values["help_text"], "effort": values["effort"]}
    if values["asked_after"]:
        item["asked_after"] = values["asked_after"]
    if values["not_after"]:
        item["not_after"] = _Slugs(values["not_after"])
    item["answers"] = [_answer_item(answer) for answer in question.answers.all()]
    return item


def _answer_item(answer: Answer) -> dict:
    values = answer_from_db(answer)
    item = {"slug": answer.slug, "text": values["text"], "effects": values["effects"]}
    if values["skips"]:
        item["skips"] = _Slugs(values["skips"])
    return item


def _without_order(values: dict) -> dict:
    """A helper's values minus `order`, which a content file says by position."""
    return {name: value for name, value in values.items() if name != "order"}


class LinksIntoOtherGuides(ValueError):
    """The guide links into another guide: its file would name objects `load_guides` cannot find, and refuse."""

    def __init__(self, guide: Guide, links: list[str]):
        self.links = links
        listed = "\n".join(f"- {link}" for link in links)
        super().__init__(
            f"“{guide.title}” links into another guide, so its file could not be loaded back. "
            f"Remove these links in the admin (or pick objects of this guide), then export again:\n{listed}"
        )


def export_data(guide: Guide) -> dict:
    """The guide, questionnaire included, as content-file data: what `load_guide` takes."""
    links = same_guide.links_into_other_guides(guide)
    if links:
        raise LinksIntoOtherGuides(guide, links)
    guide = _with_content(guide)
    values = guide_from_db(guide)
    return {
        "slug": guide.slug,
        "title": values["title"],
        "summary": values["summary"],
        "published": values["published"],
        "max_questions": values["max_questions"],
        "max_screens": values["max_screens"],
        "long_shot_odds": values["long_shot_odds"],
        "introduction": values["introduction"],
        "conclusion": values["conclusion"],
        "support": values["support"],
        "causes": [_cause_item(cause) for cause in guide.causes.all()],
        "symptoms": [_symptom_item(symptom) for symptom in guide.symptoms.all()],
        "fix_steps": [_fix_step_item(step) for step in guide.fix_steps.all()],
        "faq": [{"slug": entry.slug, **_without_order(faq_from_db(entry))} for entry in guide.faq_entries.all()],
        "checklist": _Slugs(values["checklist"]),
        "questions": [_question_item(question) for question in guide.questions.all()],
    }


def export_guide(guide: Guide) -> str:
    """The guide as the text of a content file, which `load_guides` reads back to the same guide."""
    return dump_content(export_data(guide))
