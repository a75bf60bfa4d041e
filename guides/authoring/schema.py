"""What a content file in `guides/content/` may say, and reading one safely.

A file is read and checked completely before the loader writes anything: its size is
capped before parsing, YAML anchors and aliases are refused before composing (a few
hundred bytes of them expand to gigabytes), and the data must match the strict schema
below. Every problem comes back at once, each with the file, its line and the path to
the value: "tiktok-messages.yaml, line 42: causes[3].commonness: ...".

Top-level keys other than `slug` may be left out: the loader then leaves that part of
the guide as the database has it. Inside a cause, fix step, question, ... a field left
out takes its default below.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from django.core.validators import MaxValueValidator, MinValueValidator
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError
from pydantic_core import PydanticCustomError

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

# The bundled guide is 60 KB; reading and checking a 2 MB file takes about half a second.
MAX_FILE_BYTES = 2 * 1024 * 1024
# The format nests six levels deep; far deeper nesting is an attack on the parser, not a guide.
MAX_DEPTH = 20
# More messages than this help nobody: the first ones usually explain the rest.
MAX_MESSAGES = 50

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"  # Django's validate_slug
ANSWER_PATTERN = r"^([-a-zA-Z0-9_]+/[-a-zA-Z0-9_]+)?$"  # question/answer, or nothing
EFFECT_PATTERN = r"^[-a-zA-Z0-9_]+(/[-a-zA-Z0-9_]+)?$"  # cause, or cause/facet
NOT_AFTER_PATTERN = EFFECT_PATTERN  # a fix step, or question/answer
_PATTERN_WORDS = {
    SLUG_PATTERN: "should be a slug: letters, digits, hyphens and underscores only",
    ANSWER_PATTERN: "should name an answer as question-slug/answer-slug",
    EFFECT_PATTERN: "should be a slug, or two joined by a slash",
}


class ContentError(ValueError):
    """A content file is not usable; each message says where and why."""

    def __init__(self, messages: str | list[str]):
        messages = [messages] if isinstance(messages, str) else list(messages)
        if len(messages) > MAX_MESSAGES:
            messages = [*messages[:MAX_MESSAGES], f"... and {len(messages) - MAX_MESSAGES} more problems"]
        self.messages = messages
        super().__init__("\n".join(self.messages))


@dataclass(frozen=True)
class Source:
    """Where a guide's data came from: the file's name and the line of each value in it."""

    name: str = ""
    lines: dict[tuple, int] = field(default_factory=dict)

    def line(self, path: tuple) -> int | None:
        """The line of the value at `path`, else of the closest value around it."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def locate(self, path: tuple, message: str) -> str:
        """The message, preceded by the file, line and path it is about."""
        where = [part for part in (self.name, self.name and f"line {self.line(path) or 1}") if part]
        text = format_path(path)
        return ", ".join(where) + (": " if where else "") + (f"{text}: " if text else "") + message


def format_path(path: tuple) -> str:
    """`("causes", 3, "commonness")` as `causes[3].commonness`."""
    text = ""
    for part in path:
        text += f"[{part}]" if type(part) is int else f".{part}" if text else str(part)
    return text


# ------------------------------------------------------------------------------------
# Reading YAML


class _ContentLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The safe loader, saying at which line a value it cannot build sits."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as error:  # e.g. a date such as 2026-13-45, or a 5000-digit number
            problem = f"cannot read {node.value!r:.60}: {error}"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from error


def _refuse_anchors_and_depth(text: str, name: str) -> None:
    """Check the parser's events before anything is composed: no anchors or aliases, no deep nesting."""
    depth = 0
    for event in yaml.parse(text, Loader=_ContentLoader):
        line = event.start_mark.line + 1
        if getattr(event, "anchor", None) is not None:
            raise ContentError(
                f"{name}, line {line}: YAML anchors and aliases (&{event.anchor}, *{event.anchor}) are not allowed. "
                "Write the value out in full."
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ContentError(f"{name}, line {line}: nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _walk(loader, node, path: tuple, lines: dict, problems: list) -> None:
    """Record the line of every value by its path, and refuse keys that are not plain or that repeat."""
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _walk(loader, item, (*path, index), lines, problems)
    elif isinstance(node, yaml.MappingNode):
        seen = {}
        for key_node, value in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append((path, line, "merge keys (<<) are not allowed: write the keys out in full"))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append((path, line, "a key must be a plain word, not a list or a mapping"))
                continue
            key = loader.construct_object(key_node)
            if key in seen:
                problems.append(((*path, key), line, f"the key {key_node.value!r} is already used on line {seen[key]}"))
                continue
            seen[key] = lines[(*path, key)] = line
            _walk(loader, value, (*path, key), lines, problems)


def read_yaml(path: Path) -> tuple[object, Source]:
    """The data of a YAML file, and where each value sits in it; refuse what is too big or unsafe to parse."""
    name = path.name
    try:
        size = path.stat().st_size
        if size <= MAX_FILE_BYTES:
            with path.open("rb") as file:
                raw = file.read(MAX_FILE_BYTES + 1)  # a pipe or device reports no size
            size = len(raw)
    except OSError as error:
        raise ContentError(f"{name}: cannot be read: {error.strerror or error}") from error
    if size > MAX_FILE_BYTES:
        raise ContentError(
            f"{name}: is {size / 1024 / 1024:.1f} MB; a content file may be at most {MAX_FILE_BYTES // 1024 // 1024} MB"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ContentError(f"{name}, line {line}: is not UTF-8 text; save the file as UTF-8") from error

    lines, problems = {(): 1}, []
    try:
        _refuse_anchors_and_depth(text, name)
        loader = _ContentLoader(text)
        try:
            node = loader.get_single_node()
            data = None
            if node is not None:
                _walk(loader, node, (), lines, problems)
                if not problems:
                    data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        detail = "; ".join(part for part in (error.context, error.problem) if part)
        raise ContentError(f"{name}, line {mark.line + 1 if mark else 1}: not valid YAML: {detail}") from error
    except yaml.YAMLError as error:
        raise ContentError(f"{name}: not valid YAML: {error}") from error
    if problems:
        raise ContentError([Source(name, {where: line}).locate(where, words) for where, line, words in problems])
    return data, Source(name, lines)


# ------------------------------------------------------------------------------------
# The schema


def _text(model, name: str):
    """Text as the model field takes it, so a file and the admin agree on lengths and on what may be empty."""
    model_field = model._meta.get_field(name)
    return Annotated[str, Field(max_length=model_field.max_length, min_length=0 if model_field.blank else 1)]


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
    facets: list[FacetItem] = []
    fixes: Annotated[dict[Slug, _words(Efficacy.values) | None], BeforeValidator(_links)] = {}
    related: list[Slug] = []


class SymptomItem(_Schema):
    slug: _slug(Symptom)
    title: _text(Symptom, "title")
    description: _text(Symptom, "description") = ""
    causes: list[Slug] = []


class FixStepItem(_Schema):
    slug: _slug(FixStep)
    title: _text(FixStep, "title")
    kind: _words(StepKind.values) = StepKind.DO_NOW.value
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
    return sorted(p for p in CONTENT_DIR.glob("*.yaml") if not p.name.startswith("_"))


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
    unique_names(guide.checklist, ("checklist",))
    for index, question in enumerate(guide.questions):
        unique_slugs(question.answers, ("questions", index, "answers"))
        unique_names(question.not_after, ("questions", index, "not_after"))
        for answer_index, answer in enumerate(question.answers):
            unique_names(answer.skips, ("questions", index, "answers", answer_index, "skips"))
    return problems + _asked_after_problems(guide.questions)


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
