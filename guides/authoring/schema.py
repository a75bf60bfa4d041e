"""What a content file in `guides/content/` may say: the strict schema, and the checks it cannot express.

A file is read safely first (`reading.read_yaml`), then its data must match the schema
below (Markdown at most `markup.MAX_CHARS` characters, no NUL in any text), and then slugs
must be unique, no answer may take the troubleshooter's `unsure`, a guide has one hand-off
step, and "asked after" must not loop. Every problem comes
back at once, each with the file, its line and the path to the value: "tiktok-messages.yaml,
line 42: causes[3].commonness: ...". Nothing is written to the database before all of
this passes.

Top-level keys other than `slug` may be left out: the loader then leaves that part of
the guide as the database has it. Inside a cause, fix step, question, ... a field left
out takes its default below.

It is long because the schema mirrors every kind of object a content file holds, field by field,
and a reader checking what a file may say should find all of it in one place.
"""

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from django.core.validators import MaxValueValidator, MinValueValidator
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError
from pydantic_core import PydanticCustomError

from guides.authoring.reading import ContentError, Source, format_path, read_yaml
from guides.engine import UNSURE
from guides.markup import MAX_CHARS as MAX_MARKDOWN_CHARS
from guides.models import (
    Answer,
    Cause,
    Commonness,
    Efficacy,
    Effort,
    Facet,
    FAQEntry,
    FixStep,
    Guide,
    Question,
    StepKind,
    Strength,
    Symptom,
)  # fmt: skip

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"  # Django's validate_slug
ANSWER_PATTERN = r"^([-a-zA-Z0-9_]+/[-a-zA-Z0-9_]+)?$"  # question/answer, or nothing
EFFECT_PATTERN = r"^[-a-zA-Z0-9_]+(/[-a-zA-Z0-9_]+)?$"  # cause, or cause/facet
NOT_AFTER_PATTERN = EFFECT_PATTERN  # a fix step, or question/answer
SETTLES_PATTERN = r"^[-a-zA-Z0-9_]+/[-a-zA-Z0-9_]+$"  # question/answer
_PATTERN_WORDS = {
    SLUG_PATTERN: "should be a slug: letters, digits, hyphens and underscores only",
    ANSWER_PATTERN: "should name an answer as question-slug/answer-slug",
    SETTLES_PATTERN: "should name an answer as question-slug/answer-slug",
    EFFECT_PATTERN: "should be a slug, or two joined by a slash",
}


# ------------------------------------------------------------------------------------
# The schema


def _text(model, name: str):
    """Text as the model field takes it, so a file and the admin agree on lengths and on what may be empty."""
    model_field = model._meta.get_field(name)
    longest = MAX_MARKDOWN_CHARS if name in getattr(model, "markdown_fields", ()) else model_field.max_length
    return Annotated[str, Field(max_length=longest, min_length=0 if model_field.blank else 1), AfterValidator(_no_nul)]


def _no_nul(value: str) -> str:
    """Quoted YAML can spell a NUL as "\\0"; PostgreSQL cannot store one in text."""
    if "\x00" in value:
        raise PydanticCustomError("nul", "contains a NUL character (\\0), which cannot be stored: remove it")
    return value


def _number(model, name: str):
    """A whole number within the model field's validators."""
    validators = model._meta.get_field(name).validators
    lowest = max(v.limit_value for v in validators if isinstance(v, MinValueValidator))
    highest = min(v.limit_value for v in validators if isinstance(v, MaxValueValidator))
    return Annotated[int, Field(ge=lowest, le=highest)]


def _reviewed_date(value):
    """A date as YAML reads 2026-01-01; the same date in quotes is fine too."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    if type(value) is not date:
        raise PydanticCustomError(
            "reviewed_date", "should be a date written YYYY-MM-DD, not {value}", {"value": _show(value)}
        )
    return value


def _links(value):
    """A cause's fixes: a plain list of slugs (as files had before efficacies) means "sometimes" for each."""
    if isinstance(value, dict):
        return value
    if not isinstance(value, list) or not all(isinstance(slug, str) for slug in value):
        raise PydanticCustomError("fixes", "should list fix step slugs, or map each slug to how often it fixes this")
    repeated = _repeated(value)
    if repeated:
        raise PydanticCustomError("duplicate", "names {slug} twice", {"slug": repr(repeated)})
    return dict.fromkeys(value)


Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]


def _slug(model):
    """An object's own slug, as long as its model allows."""
    return Annotated[Slug, Field(max_length=model._meta.get_field("slug").max_length)]


Reviewed = Annotated[date, BeforeValidator(_reviewed_date)]


def _words(choices) -> object:
    return Literal[tuple(choices)]


class _Schema(BaseModel):
    # Strict: "false" in quotes is text, not a boolean, and a key nobody reads is a typo.
    model_config = ConfigDict(extra="forbid", strict=True)


class FacetItem(_Schema):
    slug: _slug(Facet)
    title: _text(Facet, "title")
    explanation: _text(Facet, "explanation") = ""


class CauseItem(_Schema):
    slug: _slug(Cause)
    title: _text(Cause, "title")
    summary: _text(Cause, "summary")
    commonness: _words(name.lower() for name in Commonness.names) = "common"
    reviewed: Reviewed
    explanation: _text(Cause, "explanation") = ""
    # An explanation cause: nothing on the visitor's side fixes it, so its ending is "this is why".
    explains: bool = False
    what_is_happening: _text(Cause, "what_is_happening") = ""
    what_you_can_do: _text(Cause, "what_you_can_do") = ""
    where_to_get_help: _text(Cause, "where_to_get_help") = ""
    facets: list[FacetItem] = []
    fixes: Annotated[dict[Slug, _words(Efficacy.values) | None], BeforeValidator(_links)] = {}
    related: list[Slug] = []


class SymptomItem(_Schema):
    slug: _slug(Symptom)
    title: _text(Symptom, "title")
    description: _text(Symptom, "description") = ""
    causes: list[Slug] = []
    # The answers this symptom gives by itself, as question/answer: those questions are never asked.
    settles: list[Annotated[str, Field(pattern=SETTLES_PATTERN)]] = []


class FixStepItem(_Schema):
    slug: _slug(FixStep)
    title: _text(FixStep, "title")
    kind: _words(StepKind.values) = StepKind.DO_NOW.value
    risky: bool = False
    minutes: _number(FixStep, "minutes") = 2
    where: _text(FixStep, "where") = ""
    reviewed: Reviewed
    instructions: _text(FixStep, "instructions")
    android: _text(FixStep, "android") = ""
    iphone: _text(FixStep, "iphone") = ""


class FAQItem(_Schema):
    slug: _slug(FAQEntry)
    question: _text(FAQEntry, "question")
    answer: _text(FAQEntry, "answer")


class AnswerItem(_Schema):
    slug: _slug(Answer)
    text: _text(Answer, "text")
    effects: dict[Annotated[str, Field(pattern=EFFECT_PATTERN)], _words(Strength.values)] = {}
    skips: list[Slug] = []


class QuestionItem(_Schema):
    slug: _slug(Question)
    text: _text(Question, "text")
    help: _text(Question, "help_text") = ""
    effort: _words(Effort.values) = Effort.IN_APP.value
    asked_after: Annotated[str, Field(pattern=ANSWER_PATTERN)] = ""
    not_after: list[Annotated[str, Field(pattern=NOT_AFTER_PATTERN)]] = []
    answers: list[AnswerItem] = []


class GuideFile(_Schema):
    """A whole content file. Any key but `slug` may be left out: that part of the guide is then left alone."""

    slug: _slug(Guide)
    title: _text(Guide, "title") = ""
    summary: _text(Guide, "summary") = ""
    published: bool = False
    max_questions: _number(Guide, "max_questions") = 8
    max_screens: _number(Guide, "max_screens") = Guide._meta.get_field("max_screens").default
    long_shot_odds: _number(Guide, "long_shot_odds") = Guide._meta.get_field("long_shot_odds").default
    introduction: _text(Guide, "introduction") = ""
    conclusion: _text(Guide, "conclusion") = ""
    support: _text(Guide, "support") = ""
    causes: list[CauseItem] = []
    symptoms: list[SymptomItem] = []
    fix_steps: list[FixStepItem] = []
    faq: list[FAQItem] = []
    checklist: list[Slug] = []
    questions: list[QuestionItem] = []
    # Removed: the troubleshooter asks a question when it saves time, not until it is sure. Still read, then ignored.
    confidence_threshold: float | None = None

    _source: Source = PrivateAttr(default_factory=Source)

    @property
    def source(self) -> Source:
        return self._source

    def given(self, name: str) -> bool:
        """Whether the file says `name`, rather than leaving it out."""
        return name in self.model_fields_set


# ------------------------------------------------------------------------------------
# Checking data against the schema


def content_files() -> list[Path]:
    """The bundled guides' content files; a guide's learned numbers (`<slug>.learned.yaml`) are no guide."""
    return sorted(
        p for p in CONTENT_DIR.glob("*.yaml") if not p.name.startswith("_") and not p.name.endswith(".learned.yaml")
    )


def read_guide_file(path: Path) -> GuideFile:
    """A content file, checked completely: any problem raises ContentError listing them all."""
    data, source = read_yaml(path)
    return parse_guide(data, source)


def read_content_file(path: Path) -> dict:
    """A content file's plain data, once it is known to be a valid guide."""
    data, source = read_yaml(path)
    parse_guide(data, source)
    return data


def parse_guide(data, source: Source | None = None) -> GuideFile:
    """Check a guide's data against the schema and for duplicates and loops; raise ContentError with every problem."""
    source = source or Source()
    try:
        guide = GuideFile.model_validate(data)
    except ValidationError as error:
        messages = [source.locate(_error_path(e["loc"]), _error_words(e)) for e in error.errors()]
    else:
        messages = [source.locate(path, words) for path, words in _problems(guide, source)]
    if messages:
        raise ContentError(messages)
    guide._source = source
    return guide


def _error_path(loc: tuple) -> tuple:
    return tuple(part for part in loc if part != "[key]")  # pydantic marks a mapping's key, not its value


def _show(value) -> str:
    """A value as the file would say it, short."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else f"{value[:57]!r}..."
    return str(value)


def _error_words(error: dict) -> str:
    """What pydantic found wrong, in the words of someone writing a content file."""
    shown, ctx = _show(error.get("input")), error.get("ctx") or {}
    match error["type"]:
        case "missing":
            return "is missing"
        case "extra_forbidden":
            return "is not a key a content file may have: check its spelling, or remove it"
        case "bool_type":
            return f"should be true or false, without quotes, not {shown}"
        case "int_type" | "int_from_float":
            return f"should be a whole number, not {shown}"
        case "float_type":
            return f"should be a number, not {shown}"
        case "string_type" if error.get("input") is None:
            return 'should be text, not nothing: write "" for no text'
        case "string_type":
            return f"should be text, not {shown}: put it in quotes"
        case "list_type":
            return f"should be a list, not {shown}"
        case "dict_type" | "model_type" | "model_attributes_type":
            return f"should be a mapping of keys to values, not {shown}"
        case "literal_error":
            return f"should be {ctx.get('expected')}, not {shown}"
        case "string_pattern_mismatch":
            return f"{_PATTERN_WORDS.get(ctx.get('pattern'), error['msg'])}, not {shown}"
        case "string_too_short":
            return "cannot be empty"
        case "string_too_long":
            return f"is {len(error['input'])} characters long; it may be at most {ctx.get('max_length')}"
        case "greater_than_equal":
            return f"should be at least {ctx.get('ge')}, not {shown}"
        case "less_than_equal":
            return f"should be at most {ctx.get('le')}, not {shown}"
    return error["msg"]


def _repeated(slugs: list) -> str | None:
    """The first slug that appears twice in the list, if any."""
    seen = set()
    for slug in slugs:
        if slug in seen:
            return slug
        seen.add(slug)
    return None


def _problems(guide: GuideFile, source: Source) -> list[tuple[tuple, str]]:
    """What the schema alone cannot see: slugs used twice, lists naming something twice, asked-after loops."""
    problems = []

    def unique_slugs(items, path):
        first = {}
        for index, item in enumerate(items):
            if item.slug in first:
                earlier = (*path, first[item.slug])
                line = source.line(earlier)
                on_line = f" (line {line})" if source.name and line else ""
                problems.append(
                    ((*path, index, "slug"), f"{item.slug!r} is already the slug of {format_path(earlier)}{on_line}")
                )
            first.setdefault(item.slug, index)

    def unique_names(slugs, path):
        repeated = _repeated(slugs)
        if repeated is not None:
            problems.append((path, f"names {repeated!r} twice"))

    for name in ("causes", "symptoms", "fix_steps", "faq", "questions"):
        unique_slugs(getattr(guide, name), (name,))
    for index, cause in enumerate(guide.causes):
        unique_slugs(cause.facets, ("causes", index, "facets"))
        unique_names(cause.related, ("causes", index, "related"))
    for index, symptom in enumerate(guide.symptoms):
        unique_names(symptom.causes, ("symptoms", index, "causes"))
        unique_names(symptom.settles, ("symptoms", index, "settles"))
    unique_names(guide.checklist, ("checklist",))
    for index, question in enumerate(guide.questions):
        unique_slugs(question.answers, ("questions", index, "answers"))
        unique_names(question.not_after, ("questions", index, "not_after"))
        for answer_index, answer in enumerate(question.answers):
            unique_names(answer.skips, ("questions", index, "answers", answer_index, "skips"))
    return (
        problems + _reserved_problems(guide, source) + _asked_after_problems(guide.questions) + _settles_problems(guide)
    )


def _reserved_problems(guide: GuideFile, source: Source) -> list[tuple[tuple, str]]:
    """The answer slug the troubleshooter keeps for "I'm not sure", and the one hand-off step a guide may have."""
    problems = []
    for index, question in enumerate(guide.questions):
        for answer_index, answer in enumerate(question.answers):
            if answer.slug == UNSURE:
                where = ("questions", index, "answers", answer_index, "slug")
                problems.append((where, f"{UNSURE!r} is reserved for “I'm not sure”: give this answer another slug"))
    hand_offs = [index for index, step in enumerate(guide.fix_steps) if step.kind == StepKind.HAND_OFF]
    for index in hand_offs[1:]:
        first = ("fix_steps", hand_offs[0])
        on_line = f" (line {source.line((*first, 'kind'))})" if source.name else ""
        problems.append(
            (
                ("fix_steps", index, "kind"),
                f"a guide has one hand-off to the app's support, and {format_path(first)}{on_line} is already it: "
                "give this step another kind",
            )
        )
    return problems


def _asked_after_problems(questions: list[QuestionItem]) -> list[tuple[tuple, str]]:
    """Answers named by "asked after" and "not after" must be in the file; "asked after" must not go round in a loop.

    Questions in a loop each wait for an answer to another: none of them is ever asked.
    """
    problems = []
    answers = {f"{question.slug}/{answer.slug}" for question in questions for answer in question.answers}
    after = {}
    for index, question in enumerate(questions):
        if question.asked_after and question.asked_after not in answers:
            problems.append(
                (("questions", index, "asked_after"), f"unknown answer {question.asked_after!r}: no question has it")
            )
        elif question.asked_after:
            after[question.slug] = question.asked_after.partition("/")[0]
        for name in question.not_after:
            if "/" in name and name not in answers:
                problems.append((("questions", index, "not_after"), f"unknown answer {name!r}: no question has it"))
    looped = set()
    for index, question in enumerate(questions):
        chain = [question.slug]
        while (previous := after.get(chain[-1])) is not None and previous not in chain:
            chain.append(previous)
        if previous == question.slug and frozenset(chain) not in looped:
            looped.add(frozenset(chain))
            problems.append(
                (
                    ("questions", index, "asked_after"),
                    f"questions asked after one another in a loop ({' → '.join([*chain, question.slug])}): "
                    "none of them would ever be asked",
                )
            )
    return problems


def _settles_problems(guide: GuideFile) -> list[tuple[tuple, str]]:
    """A symptom settles answers of this guide, and at most one answer to each question.

    When the file leaves its questions out, the answers are the database's: the loader checks those.
    """
    problems = []
    answers = {f"{question.slug}/{answer.slug}" for question in guide.questions for answer in question.answers}
    for index, symptom in enumerate(guide.symptoms):
        where = ("symptoms", index, "settles")
        for name in symptom.settles:
            if guide.given("questions") and name not in answers:
                problems.append((where, f"unknown answer {name!r}: no question of this guide has it"))
        questions = [name.partition("/")[0] for name in symptom.settles]
        twice = _repeated(questions)
        if twice is not None and _repeated(symptom.settles) is None:
            problems.append((where, f"gives two answers to the question {twice!r}: a symptom settles one at most"))
    return problems
