"""Load guides from the version-controlled content files in `guides/content/`.

Each object the file describes is compared three ways: what the file says now,
what the database holds, and what the last load wrote (kept as a digest in
`LoadedContent`). An object nobody touched since the last load follows the
file; an object staff edited is left alone unless `overwrite` is asked for.
Relations (a cause's fix steps, a symptom's causes, the checklist, an answer's
effects) count as part of the object that owns them.
"""

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch

from guides.models import (
    Answer,
    AnswerEffect,
    Cause,
    CauseFix,
    ChecklistItem,
    Commonness,
    Efficacy,
    Effort,
    Facet,
    FAQEntry,
    FixStep,
    Guide,
    LoadedContent,
    Question,
    StepKind,
    Symptom,
)  # fmt: skip

CONTENT_DIR = Path(__file__).resolve().parent / "content"


class ContentError(ValueError):
    """The content file is not usable; the message says where and why."""


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_edits: list[str] = field(default_factory=list)
    kept_deletions: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.kept_edits)} skipped (edited in the database), "
            f"{len(self.kept_deletions)} not recreated (deleted in the database)"
        )


def content_files() -> list[Path]:
    return sorted(p for p in CONTENT_DIR.glob("*.yaml") if not p.name.startswith("_"))


def read_content_file(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ContentError(f"{path.name}: not valid YAML: {error}") from error
    if not isinstance(data, dict) or not data.get("slug"):
        raise ContentError(f"{path.name}: expected a mapping with at least a 'slug'")
    return data


def _digest(values: dict) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def _digests_of(current: dict) -> set[str]:
    """The digests under which a load could have recorded these values, older formats included.

    Loads before the troubleshooter recorded causes without efficacies, fix steps without a
    kind, questions without an effort or "not after", answers without skips, and guides with
    a confidence threshold. Values that still hold those formats' defaults, and match such a
    record, were written by a load and not edited since: they follow the file, as before.
    """
    digests = {_digest(current)}
    old = dict(current)
    defaults = {"kind": StepKind.DO_NOW, "effort": Effort.IN_APP, "not_after": [], "skips": []}
    for name, default in defaults.items():
        if name in old and old.pop(name) != default:
            return digests
    if "fixes" in old:
        if any(word != Efficacy.SOMETIMES for _, word in old["fixes"]):
            return digests
        old["fixes"] = [slug for slug, _ in old["fixes"]]
    if "max_questions" in old and "checklist" in old:  # a guide: its threshold was between 50 and 99
        return digests | {_digest({**old, "confidence_threshold": t}) for t in range(50, 100)}
    return digests | {_digest(old)}


def _text(value) -> str:
    # One kind of line end, as models save Markdown, so file and database compare equal.
    return "" if value is None else str(value).replace("\r\n", "\n")


def _reviewed(item: dict, kind: str) -> str:
    if not item.get("reviewed"):
        raise ContentError(f"{kind} {item.get('slug')}: needs a 'reviewed' date (YYYY-MM-DD)")
    return _text(item["reviewed"])


# What each kind of object looks like as plain values: once as the file says it,
# once as the database holds it. The two must match when nothing changed.


def _rows(obj, relation: str, *select: str):
    """`obj.<relation>` with `select` joined in: the rows the export prefetched, else one query as the loader does."""
    manager = getattr(obj, relation)
    if relation in getattr(obj, "_prefetched_objects_cache", {}):
        return manager.all()
    return manager.select_related(*select)


def guide_from_file(data: dict) -> dict:
    return {
        "title": _text(data.get("title")),
        "summary": _text(data.get("summary")),
        "published": bool(data.get("published", False)),
        "max_questions": int(data.get("max_questions", 8)),
        "introduction": _text(data.get("introduction")),
        "conclusion": _text(data.get("conclusion")),
        "support": _text(data.get("support")),
        "checklist": list(data.get("checklist") or []),
    }


def guide_from_db(guide: Guide) -> dict:
    return {
        "title": guide.title,
        "summary": guide.summary,
        "published": guide.published,
        "max_questions": guide.max_questions,
        "introduction": guide.introduction,
        "conclusion": guide.conclusion,
        "support": guide.support,
        "checklist": [item.fix_step.slug for item in _rows(guide, "checklist_items", "fix_step")],
    }


def _choice(value, choices, default, where: str) -> str:
    """A word from a content file that must be one of a model's choices; the default when left out."""
    word = _text(value if value is not None else default)
    if word not in choices.values:
        raise ContentError(f"{where} must be one of {', '.join(choices.values)}, not {word!r}")
    return word


def _fix_links(item: dict) -> list[list[str]]:
    """A cause's fix steps as [slug, efficacy] pairs, in order.

    Files written before efficacies existed list slugs only; each link then gets the
    documented default, "sometimes".
    """
    fixes = item.get("fixes") or []
    if isinstance(fixes, list):
        fixes = dict.fromkeys(fixes, None)
    if not isinstance(fixes, dict):
        raise ContentError(f"cause {item.get('slug')}: fixes must map fix step slugs to how often they fix it")
    where = f"cause {item.get('slug')}: the efficacy of"
    return [[str(slug), _choice(word, Efficacy, Efficacy.SOMETIMES, f"{where} {slug}")] for slug, word in fixes.items()]


def cause_from_file(item: dict, order: int) -> dict:
    commonness = _text(item.get("commonness", "common")).upper()
    if commonness not in Commonness.names:
        raise ContentError(f"cause {item.get('slug')}: commonness must be one of {', '.join(Commonness.names).lower()}")
    return {
        "title": _text(item.get("title")),
        "summary": _text(item.get("summary")),
        "explanation": _text(item.get("explanation")),
        "commonness": Commonness[commonness].value,
        "reviewed_on": _reviewed(item, "cause"),
        "order": order,
        "fixes": _fix_links(item),
        "related": sorted(item.get("related") or []),
    }


def cause_from_db(cause: Cause) -> dict:
    return {
        "title": cause.title,
        "summary": cause.summary,
        "explanation": cause.explanation,
        "commonness": cause.commonness,
        "reviewed_on": str(cause.reviewed_on),
        "order": cause.order,
        "fixes": [[cf.fix_step.slug, cf.efficacy] for cf in _rows(cause, "cause_fixes", "fix_step")],
        "related": sorted(c.slug for c in cause.related.all()),
    }


def facet_from_file(item: dict, order: int) -> dict:
    return {"title": _text(item.get("title")), "explanation": _text(item.get("explanation")), "order": order}


def facet_from_db(facet: Facet) -> dict:
    return {"title": facet.title, "explanation": facet.explanation, "order": facet.order}


def symptom_from_file(item: dict, order: int) -> dict:
    return {
        "title": _text(item.get("title")),
        "description": _text(item.get("description")),
        "order": order,
        "causes": sorted(item.get("causes") or []),
    }


def symptom_from_db(symptom: Symptom) -> dict:
    return {
        "title": symptom.title,
        "description": symptom.description,
        "order": symptom.order,
        "causes": sorted(c.slug for c in symptom.causes.all()),
    }


def fix_step_from_file(item: dict) -> dict:
    return {
        "title": _text(item.get("title")),
        "kind": _choice(item.get("kind"), StepKind, StepKind.DO_NOW, f"fix step {item.get('slug')}: kind"),
        "minutes": int(item.get("minutes", 2)),
        "where": _text(item.get("where")),
        "reviewed_on": _reviewed(item, "fix step"),
        "instructions": _text(item.get("instructions")),
        "android": _text(item.get("android")),
        "iphone": _text(item.get("iphone")),
    }


def fix_step_from_db(step: FixStep) -> dict:
    return {
        "title": step.title,
        "kind": step.kind,
        "minutes": step.minutes,
        "where": step.where,
        "reviewed_on": str(step.reviewed_on),
        "instructions": step.instructions,
        "android": step.android,
        "iphone": step.iphone,
    }


def faq_from_file(item: dict, order: int) -> dict:
    return {"question": _text(item.get("question")), "answer": _text(item.get("answer")), "order": order}


def faq_from_db(entry: FAQEntry) -> dict:
    return {"question": entry.question, "answer": entry.answer, "order": entry.order}


def question_from_file(item: dict, order: int) -> dict:
    return {
        "text": _text(item.get("text")),
        "help_text": _text(item.get("help")),
        "effort": _choice(item.get("effort"), Effort, Effort.IN_APP, f"question {item.get('slug')}: effort"),
        "order": order,
        "asked_after": _text(item.get("asked_after")),
        "not_after": sorted(str(name) for name in item.get("not_after") or []),
    }


def question_from_db(question: Question) -> dict:
    after = question.asked_after
    return {
        "text": question.text,
        "help_text": question.help_text,
        "effort": question.effort,
        "order": question.order,
        "asked_after": f"{after.question.slug}/{after.slug}" if after else "",
        "not_after": sorted(
            [f"{a.question.slug}/{a.slug}" for a in _rows(question, "not_after_answers", "question")]
            + [step.slug for step in question.not_after_steps.all()]
        ),
    }


def answer_from_file(item: dict, order: int) -> dict:
    effects = item.get("effects") or {}
    if not isinstance(effects, dict):
        raise ContentError(f"answer {item.get('slug')}: effects must map cause (or cause/facet) to a strength")
    return {
        "text": _text(item.get("text")),
        "order": order,
        "effects": {str(target): str(strength) for target, strength in sorted(effects.items())},
        "skips": sorted(str(slug) for slug in item.get("skips") or []),
    }


def answer_from_db(answer: Answer) -> dict:
    effects = {}
    for effect in _rows(answer, "effects", "cause", "facet"):
        target = f"{effect.cause.slug}/{effect.facet.slug}" if effect.facet_id else effect.cause.slug
        effects[target] = effect.strength
    return {
        "text": answer.text,
        "order": answer.order,
        "effects": dict(sorted(effects.items())),
        "skips": sorted(step.slug for step in answer.skips.all()),
    }


class _Loader:
    def __init__(self, data: dict, overwrite: bool):
        self.data = data
        self.overwrite = overwrite
        self.report = LoadReport()
        self.records = {r.key: r for r in LoadedContent.objects.filter(key__startswith=f"{data['slug']}/")}
        self.records.update(LoadedContent.objects.filter(key=data["slug"]).in_bulk(field_name="key"))

    def decide(self, key: str, obj, wanted: dict, current: dict | None) -> bool:
        """Return True when `obj` should take the file's values; log what happens."""
        record = self.records.get(key)
        if obj is None and record is not None and not self.overwrite:
            # An earlier load wrote it and it is gone: staff deleted it on purpose.
            self.report.kept_deletions.append(key)
            return False
        if obj is None:
            self.report.created.append(key)
            return True
        if current == wanted:
            self.report.unchanged.append(key)
            self._remember(key, wanted)
            return False
        if self.overwrite or (record is not None and record.digest in _digests_of(current)):
            self.report.updated.append(key)
            return True
        self.report.kept_edits.append(key)
        return False

    def _remember(self, key: str, values: dict) -> None:
        digest = _digest(values)
        record = self.records.get(key)
        if record is None:
            self.records[key] = LoadedContent.objects.create(key=key, digest=digest)
        elif record.digest != digest:
            record.digest = digest
            record.save(update_fields=["digest"])

    def sync(self, key, obj, wanted, to_db, new, scalars):
        """Create (from the unsaved `new`) or update one object from file values; return it and whether it changed."""
        current = to_db(obj) if obj is not None else None
        if not self.decide(key, obj, wanted, current):
            return obj, False
        if obj is None:
            obj = new
        for name in scalars:
            setattr(obj, name, wanted[name])
        _validate(obj, key)
        obj.save()
        self._remember(key, wanted)
        return obj, True

    def run(self) -> LoadReport:
        data, slug = self.data, self.data["slug"]
        guide = Guide.objects.filter(slug=slug).first()
        wanted = guide_from_file(data)
        guide, guide_changed = self.sync(
            slug, guide, wanted, guide_from_db, Guide(slug=slug),
            ["title", "summary", "published", "max_questions", "introduction", "conclusion", "support"],
        )  # fmt: skip
        if guide is None:
            return self.report

        steps = {s.slug: s for s in guide.fix_steps.all()}
        for item in data.get("fix_steps") or []:
            s = _slug(item, "fix step")
            steps[s], _ = self.sync(
                f"{slug}/fix-step/{s}", steps.get(s), fix_step_from_file(item), fix_step_from_db,
                FixStep(guide=guide, slug=s),
                ["title", "kind", "minutes", "where", "reviewed_on", "instructions", "android", "iphone"],
            )  # fmt: skip

        causes = {c.slug: c for c in guide.causes.all()}
        cause_updates = []
        for order, item in enumerate(data.get("causes") or []):
            s = _slug(item, "cause")
            wanted = cause_from_file(item, order)
            causes[s], changed = self.sync(
                f"{slug}/cause/{s}", causes.get(s), wanted, cause_from_db, Cause(guide=guide, slug=s),
                ["title", "summary", "explanation", "commonness", "reviewed_on", "order"],
            )  # fmt: skip
            if causes[s] is None:
                continue
            if changed:
                cause_updates.append((causes[s], wanted))
            facets = {f.slug: f for f in causes[s].facets.all()}
            for facet_order, facet_item in enumerate(item.get("facets") or []):
                fs = _slug(facet_item, "facet")
                self.sync(
                    f"{slug}/cause/{s}/facet/{fs}", facets.get(fs), facet_from_file(facet_item, facet_order),
                    facet_from_db, Facet(cause=causes[s], slug=fs), ["title", "explanation", "order"],
                )  # fmt: skip
        for cause, wanted in cause_updates:
            CauseFix.objects.filter(cause=cause).delete()
            efficacy = dict(wanted["fixes"])
            CauseFix.objects.bulk_create(
                CauseFix(cause=cause, fix_step=step, order=i, efficacy=efficacy[step.slug])
                for i, step in enumerate(_existing(steps, [slug for slug, _ in wanted["fixes"]], "fix step"))
            )
            cause.related.set(_existing(causes, wanted["related"], "cause"))

        symptoms = {s.slug: s for s in guide.symptoms.all()}
        for order, item in enumerate(data.get("symptoms") or []):
            s = _slug(item, "symptom")
            wanted = symptom_from_file(item, order)
            symptom, changed = self.sync(
                f"{slug}/symptom/{s}", symptoms.get(s), wanted, symptom_from_db,
                Symptom(guide=guide, slug=s), ["title", "description", "order"],
            )  # fmt: skip
            if changed:
                symptom.causes.set(_existing(causes, wanted["causes"], "cause"))

        faq = {e.slug: e for e in guide.faq_entries.all()}
        for order, item in enumerate(data.get("faq") or []):
            s = _slug(item, "FAQ entry")
            self.sync(
                f"{slug}/faq/{s}", faq.get(s), faq_from_file(item, order), faq_from_db,
                FAQEntry(guide=guide, slug=s), ["question", "answer", "order"],
            )  # fmt: skip

        if guide_changed:
            guide.checklist_items.all().delete()
            ChecklistItem.objects.bulk_create(
                ChecklistItem(guide=guide, fix_step=step, order=i)
                for i, step in enumerate(_existing(steps, guide_from_file(data)["checklist"], "fix step"))
            )

        self.load_questions(guide, causes, steps)
        return self.report

    def load_questions(self, guide: Guide, causes: dict, steps: dict) -> None:
        slug = guide.slug
        questions = {q.slug: q for q in guide.questions.select_related("asked_after__question")}
        answers = {}
        pending_after = []
        for order, item in enumerate(self.data.get("questions") or []):
            qs = _slug(item, "question")
            wanted = question_from_file(item, order)
            question, changed = self.sync(
                f"{slug}/question/{qs}", questions.get(qs), wanted, question_from_db,
                Question(guide=guide, slug=qs), ["text", "help_text", "effort", "order"],
            )  # fmt: skip
            if question is None:
                continue
            if changed:
                pending_after.append((question, wanted["asked_after"], wanted["not_after"]))
            existing = {a.slug: a for a in question.answers.all()}
            for answer_order, answer_item in enumerate(item.get("answers") or []):
                a_slug = _slug(answer_item, "answer")
                wanted_answer = answer_from_file(answer_item, answer_order)
                answer, answer_changed = self.sync(
                    f"{slug}/question/{qs}/answer/{a_slug}", existing.get(a_slug), wanted_answer, answer_from_db,
                    Answer(question=question, slug=a_slug), ["text", "order"],
                )  # fmt: skip
                answers[f"{qs}/{a_slug}"] = answer
                if answer_changed:
                    self.set_effects(answer, wanted_answer["effects"], causes)
                    answer.skips.set(_existing(steps, wanted_answer["skips"], "fix step"))
        for question, after, not_after in pending_after:
            question.asked_after = next(iter(_existing(answers, [after], "answer")), None) if after else None
            question.save(update_fields=["asked_after"])
            question.not_after_answers.set(_existing(answers, [n for n in not_after if "/" in n], "answer"))
            question.not_after_steps.set(_existing(steps, [n for n in not_after if "/" not in n], "fix step"))

    def set_effects(self, answer: Answer, effects: dict, causes: dict) -> None:
        answer.effects.all().delete()
        for target, strength in effects.items():
            cause_slug, _, facet_slug = target.partition("/")
            cause = _lookup(causes, cause_slug, "cause")
            if cause is None:  # deleted by staff
                continue
            facet = None
            if facet_slug:
                facet = cause.facets.filter(slug=facet_slug).first()
                if facet is None and f"{cause.guide.slug}/cause/{cause_slug}/facet/{facet_slug}" in self.records:
                    continue  # deleted by staff
                if facet is None:
                    raise ContentError(f"answer {answer.slug}: cause {cause_slug} has no facet {facet_slug!r}")
            effect = AnswerEffect(answer=answer, cause=cause, facet=facet, strength=strength)
            _validate(effect, f"answer {answer.slug}, effect on {target}")
            effect.save()


def _validate(obj, where: str) -> None:
    """Run the model's own checks; relations are resolved by the loader itself."""
    relations = [f.name for f in obj._meta.fields if f.is_relation]
    try:
        obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ContentError(f"{where}: {'; '.join(error.messages)}") from error


def _slug(item: dict, kind: str) -> str:
    if not isinstance(item, dict) or not item.get("slug"):
        raise ContentError(f"every {kind} needs a slug: {item!r:.80}")
    return str(item["slug"])


def _lookup(objects: dict, slug: str, kind: str):
    """The object the file names; None when staff deleted it. Unknown names are an error in the file."""
    try:
        return objects[slug]
    except KeyError:
        raise ContentError(f"unknown {kind} {slug!r}") from None


def _existing(objects: dict, slugs: list[str], kind: str) -> list:
    """The objects the file names, in order, leaving out those staff deleted."""
    return [obj for obj in (_lookup(objects, slug, kind) for slug in slugs) if obj is not None]


def load_guide(data: dict, *, overwrite: bool = False) -> LoadReport:
    """Create or update one guide from a content file's data, in one transaction."""
    with transaction.atomic():
        return _Loader(data, overwrite).run()


# Export: a guide as it stands in the database, written back as a content file that
# `load_guide` reads, laid out like the hand-written files. The values come from the
# `*_from_db` helpers above, so an export always says what the loader compares against.

# Top-level keys preceded by a blank line, as in the hand-written files.
_SPACED_KEYS = frozenset(
    {"introduction", "conclusion", "support", "causes", "symptoms", "fix_steps", "faq", "checklist", "questions"}
)
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
        "faq_entries",
        Prefetch("questions", queryset=Question.objects.select_related("asked_after__question")),
        Prefetch("questions__not_after_answers", queryset=Answer.objects.select_related("question")),
        "questions__not_after_steps",
        "questions__answers",
        "questions__answers__skips",
        Prefetch("questions__answers__effects", queryset=AnswerEffect.objects.select_related("cause", "facet")),
    ).get(pk=guide.pk)


def _cause_item(cause: Cause) -> dict:
    values = cause_from_db(cause)
    return {
        "slug": cause.slug,
        "title": values["title"],
        "summary": values["summary"],
        "commonness": Commonness(values["commonness"]).name.lower(),
        "reviewed": cause.reviewed_on,
        "explanation": values["explanation"],
        "facets": [{"slug": facet.slug, **_without_order(facet_from_db(facet))} for facet in cause.facets.all()],
        "fixes": _Links(values["fixes"]),
        "related": _Slugs(values["related"]),
    }


def _symptom_item(symptom: Symptom) -> dict:
    values = symptom_from_db(symptom)
    return {
        "slug": symptom.slug,
        "title": values["title"],
        "description": values["description"],
        "causes": _Slugs(values["causes"]),
    }


def _fix_step_item(step: FixStep) -> dict:
    values = fix_step_from_db(step)
    item = {"slug": step.slug, "title": values["title"]}
    if values["kind"] != StepKind.DO_NOW:
        item["kind"] = values["kind"]
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


def export_data(guide: Guide) -> dict:
    """The guide, questionnaire included, as content-file data: what `load_guide` takes."""
    guide = _with_content(guide)
    values = guide_from_db(guide)
    return {
        "slug": guide.slug,
        "title": values["title"],
        "summary": values["summary"],
        "published": values["published"],
        "max_questions": values["max_questions"],
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
