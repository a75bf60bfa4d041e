"""Load guides from the version-controlled content files in `guides/content/`.

The file has been checked against the schema (`content_schema`) before this runs. Each
object it describes is then compared three ways: what the file says now, what the
database holds, and what the last load wrote (kept as a digest in `LoadedContent`). An
object nobody touched since the last load follows the file; an object staff edited is
left alone unless `overwrite` is asked for. Relations (a cause's fix steps, a symptom's
causes, the checklist, an answer's effects) count as part of the object that owns them.
Nothing is deleted, and a top-level section the file leaves out is left as it is.
"""

import hashlib
import json
from dataclasses import dataclass, field

import reversion
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from guides.authoring.schema import (
    AnswerItem,
    CauseItem,
    ContentError,
    FacetItem,
    FAQItem,
    FixStepItem,
    GuideFile,
    QuestionItem,
    SymptomItem,
    parse_guide,
)
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


def _text(value: str) -> str:
    # One kind of line end, as models save Markdown, so file and database compare equal.
    return value.replace("\r\n", "\n")


# What each kind of object looks like as plain values: once as the file says it,
# once as the database holds it. The two must match when nothing changed.


def _rows(obj, relation: str, *select: str):
    """`obj.<relation>` with `select` joined in: the rows the export prefetched, else one query as the loader does."""
    manager = getattr(obj, relation)
    if relation in getattr(obj, "_prefetched_objects_cache", {}):
        return manager.all()
    return manager.select_related(*select)


def guide_from_file(content: GuideFile) -> dict:
    return {
        "title": _text(content.title),
        "summary": _text(content.summary),
        "published": content.published,
        "max_questions": content.max_questions,
        "introduction": _text(content.introduction),
        "conclusion": _text(content.conclusion),
        "support": _text(content.support),
        "checklist": list(content.checklist),
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


def cause_from_file(item: CauseItem, order: int) -> dict:
    return {
        "title": _text(item.title),
        "summary": _text(item.summary),
        "explanation": _text(item.explanation),
        "commonness": Commonness[item.commonness.upper()].value,
        "reviewed_on": str(item.reviewed),
        "order": order,
        # A fix step listed without an efficacy (a plain list of slugs, or a blank word) fixes it "sometimes".
        "fixes": [[slug, word or Efficacy.SOMETIMES.value] for slug, word in item.fixes.items()],
        "related": sorted(item.related),
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


def facet_from_file(item: FacetItem, order: int) -> dict:
    return {"title": _text(item.title), "explanation": _text(item.explanation), "order": order}


def facet_from_db(facet: Facet) -> dict:
    return {"title": facet.title, "explanation": facet.explanation, "order": facet.order}


def symptom_from_file(item: SymptomItem, order: int) -> dict:
    return {
        "title": _text(item.title),
        "description": _text(item.description),
        "order": order,
        "causes": sorted(item.causes),
    }


def symptom_from_db(symptom: Symptom) -> dict:
    return {
        "title": symptom.title,
        "description": symptom.description,
        "order": symptom.order,
        "causes": sorted(c.slug for c in symptom.causes.all()),
    }


def fix_step_from_file(item: FixStepItem) -> dict:
    return {
        "title": _text(item.title),
        "kind": item.kind,
        "minutes": item.minutes,
        "where": _text(item.where),
        "reviewed_on": str(item.reviewed),
        "instructions": _text(item.instructions),
        "android": _text(item.android),
        "iphone": _text(item.iphone),
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


def faq_from_file(item: FAQItem, order: int) -> dict:
    return {"question": _text(item.question), "answer": _text(item.answer), "order": order}


def faq_from_db(entry: FAQEntry) -> dict:
    return {"question": entry.question, "answer": entry.answer, "order": entry.order}


def question_from_file(item: QuestionItem, order: int) -> dict:
    return {
        "text": _text(item.text),
        "help_text": _text(item.help),
        "effort": item.effort,
        "order": order,
        "asked_after": item.asked_after,
        "not_after": sorted(item.not_after),
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


def answer_from_file(item: AnswerItem, order: int) -> dict:
    return {
        "text": _text(item.text),
        "order": order,
        "effects": dict(sorted(item.effects.items())),
        "skips": sorted(item.skips),
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
    def __init__(self, content: GuideFile, overwrite: bool):
        self.content = content
        self.overwrite = overwrite
        self.report = LoadReport()
        self.records = {r.key: r for r in LoadedContent.objects.filter(key__startswith=f"{content.slug}/")}
        self.records.update(LoadedContent.objects.filter(key=content.slug).in_bulk(field_name="key"))

    def decide(self, key: str, obj, wanted: dict, current: dict | None, partial: bool) -> bool:
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
            if not partial:  # the values the file left out may be staff edits: not the load's to vouch for
                self._remember(key, wanted)
            return False
        if self.overwrite or self._untouched(key, current):
            self.report.updated.append(key)
            return True
        self.report.kept_edits.append(key)
        return False

    def _untouched(self, key: str, current: dict) -> bool:
        """Whether the object still holds what the last load wrote."""
        record = self.records.get(key)
        return record is not None and record.digest in _digests_of(current)

    def _remember(self, key: str, values: dict) -> None:
        digest = _digest(values)
        record = self.records.get(key)
        if record is None:
            self.records[key] = LoadedContent.objects.create(key=key, digest=digest)
        elif record.digest != digest:
            record.digest = digest
            record.save(update_fields=["digest"])

    def sync(self, path, key, obj, wanted, to_db, new, scalars, *, partial=False):
        """Create (from the unsaved `new`) or update one object from file values; return it and whether it changed.

        `partial` says `wanted` holds database values for what the file left out. Those count as
        written by the load only when the object held nothing but loaded values before.
        """
        current = to_db(obj) if obj is not None else None
        if not self.decide(key, obj, wanted, current, partial):
            return obj, False
        if obj is None:
            obj = new
        for name in scalars:
            setattr(obj, name, wanted[name])
        self._validate(obj, path)
        obj.save()
        if not partial or current is None or self._untouched(key, current):
            self._remember(key, wanted)
        return obj, True

    def run(self) -> LoadReport:
        content, slug = self.content, self.content.slug
        guide = Guide.objects.filter(slug=slug).first()
        wanted = guide_from_file(content)
        left_out = [name for name in wanted if not content.given(name)]
        if guide is not None and left_out:
            current = guide_from_db(guide)
            wanted |= {name: current[name] for name in left_out}
        guide, guide_changed = self.sync(
            (), slug, guide, wanted, guide_from_db, Guide(slug=slug),
            ["title", "summary", "published", "max_questions", "introduction", "conclusion", "support"],
            partial=bool(left_out),
        )  # fmt: skip
        if guide is None:
            return self.report

        steps = {s.slug: s for s in guide.fix_steps.all()}
        for index, item in enumerate(content.fix_steps):
            s = item.slug
            steps[s], _ = self.sync(
                ("fix_steps", index), f"{slug}/fix-step/{s}", steps.get(s), fix_step_from_file(item),
                fix_step_from_db, FixStep(guide=guide, slug=s),
                ["title", "kind", "minutes", "where", "reviewed_on", "instructions", "android", "iphone"],
            )  # fmt: skip

        causes = {c.slug: c for c in guide.causes.all()}
        cause_updates = []
        for order, item in enumerate(content.causes):
            s, path = item.slug, ("causes", order)
            wanted = cause_from_file(item, order)
            causes[s], changed = self.sync(
                path, f"{slug}/cause/{s}", causes.get(s), wanted, cause_from_db, Cause(guide=guide, slug=s),
                ["title", "summary", "explanation", "commonness", "reviewed_on", "order"],
            )  # fmt: skip
            if causes[s] is None:
                continue
            if changed:
                cause_updates.append((causes[s], wanted, path))
            facets = {f.slug: f for f in causes[s].facets.all()}
            for facet_order, facet_item in enumerate(item.facets):
                fs = facet_item.slug
                self.sync(
                    (*path, "facets", facet_order), f"{slug}/cause/{s}/facet/{fs}", facets.get(fs),
                    facet_from_file(facet_item, facet_order), facet_from_db, Facet(cause=causes[s], slug=fs),
                    ["title", "explanation", "order"],
                )  # fmt: skip
        for cause, wanted, path in cause_updates:
            CauseFix.objects.filter(cause=cause).delete()
            efficacy = dict(wanted["fixes"])
            fix_steps = self._existing(steps, [slug for slug, _ in wanted["fixes"]], "fix step", (*path, "fixes"))
            CauseFix.objects.bulk_create(
                CauseFix(cause=cause, fix_step=step, order=i, efficacy=efficacy[step.slug])
                for i, step in enumerate(fix_steps)
            )
            cause.related.set(self._existing(causes, wanted["related"], "cause", (*path, "related")))

        symptoms = {s.slug: s for s in guide.symptoms.all()}
        for order, item in enumerate(content.symptoms):
            s, path = item.slug, ("symptoms", order)
            wanted = symptom_from_file(item, order)
            symptom, changed = self.sync(
                path, f"{slug}/symptom/{s}", symptoms.get(s), wanted, symptom_from_db,
                Symptom(guide=guide, slug=s), ["title", "description", "order"],
            )  # fmt: skip
            if changed:
                symptom.causes.set(self._existing(causes, wanted["causes"], "cause", (*path, "causes")))

        faq = {e.slug: e for e in guide.faq_entries.all()}
        for order, item in enumerate(content.faq):
            s = item.slug
            self.sync(
                ("faq", order), f"{slug}/faq/{s}", faq.get(s), faq_from_file(item, order), faq_from_db,
                FAQEntry(guide=guide, slug=s), ["question", "answer", "order"],
            )  # fmt: skip

        if guide_changed and content.given("checklist"):
            guide.checklist_items.all().delete()
            ChecklistItem.objects.bulk_create(
                ChecklistItem(guide=guide, fix_step=step, order=i)
                for i, step in enumerate(self._existing(steps, content.checklist, "fix step", ("checklist",)))
            )

        self.load_questions(guide, causes, steps)
        if reversion.is_active():
            # Again, now that its FAQ and checklist exist: they were bulk-created after the guide was saved,
            # and History could not put them back otherwise.
            reversion.add_to_revision(guide)
        return self.report

    def load_questions(self, guide: Guide, causes: dict, steps: dict) -> None:
        slug = guide.slug
        questions = {q.slug: q for q in guide.questions.select_related("asked_after__question")}
        answers = {}
        pending_after = []
        for order, item in enumerate(self.content.questions):
            qs, path = item.slug, ("questions", order)
            wanted = question_from_file(item, order)
            question, changed = self.sync(
                path, f"{slug}/question/{qs}", questions.get(qs), wanted, question_from_db,
                Question(guide=guide, slug=qs), ["text", "help_text", "effort", "order"],
            )  # fmt: skip
            if question is None:  # deleted by staff, and its answers with it
                answers.update((f"{qs}/{answer_item.slug}", None) for answer_item in item.answers)
                continue
            if changed:
                pending_after.append((question, wanted["asked_after"], wanted["not_after"], path))
            existing = {a.slug: a for a in question.answers.all()}
            for answer_order, answer_item in enumerate(item.answers):
                a_slug, answer_path = answer_item.slug, (*path, "answers", answer_order)
                wanted_answer = answer_from_file(answer_item, answer_order)
                answer, answer_changed = self.sync(
                    answer_path, f"{slug}/question/{qs}/answer/{a_slug}", existing.get(a_slug), wanted_answer,
                    answer_from_db, Answer(question=question, slug=a_slug), ["text", "order"],
                )  # fmt: skip
                answers[f"{qs}/{a_slug}"] = answer
                if answer_changed:
                    self.set_effects(answer, wanted_answer["effects"], causes, answer_path)
                    answer.skips.set(self._existing(steps, wanted_answer["skips"], "fix step", (*answer_path, "skips")))
        for question, after, not_after, path in pending_after:
            after_path, not_after_path = (*path, "asked_after"), (*path, "not_after")
            question.asked_after = (
                next(iter(self._existing(answers, [after], "answer", after_path)), None) if after else None
            )
            question.save(update_fields=["asked_after"])
            names = [n for n in not_after if "/" in n]
            question.not_after_answers.set(self._existing(answers, names, "answer", not_after_path))
            names = [n for n in not_after if "/" not in n]
            question.not_after_steps.set(self._existing(steps, names, "fix step", not_after_path))

    def set_effects(self, answer: Answer, effects: dict, causes: dict, path: tuple) -> None:
        answer.effects.all().delete()
        for target, strength in effects.items():
            where = (*path, "effects", target)
            cause_slug, _, facet_slug = target.partition("/")
            cause = self._lookup(causes, cause_slug, "cause", where)
            if cause is None:  # deleted by staff
                continue
            facet = None
            if facet_slug:
                facet = cause.facets.filter(slug=facet_slug).first()
                if facet is None and f"{self.content.slug}/cause/{cause_slug}/facet/{facet_slug}" in self.records:
                    continue  # deleted by staff
                if facet is None:
                    raise ContentError(
                        self.content.source.locate(where, f"cause {cause_slug} has no facet {facet_slug!r}")
                    )
            effect = AnswerEffect(answer=answer, cause=cause, facet=facet, strength=strength)
            self._validate(effect, where)
            effect.save()

    def _validate(self, obj, path: tuple) -> None:
        """Run the model's own checks; relations are resolved by the loader itself."""
        relations = [f.name for f in obj._meta.fields if f.is_relation]
        try:
            obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            words = "; ".join(
                " ".join(messages) if name == NON_FIELD_ERRORS else f"{name}: {' '.join(messages)}"
                for name, messages in error.message_dict.items()
            )
            raise ContentError(self.content.source.locate(path, words)) from error

    def _lookup(self, objects: dict, slug: str, kind: str, path: tuple):
        """The object the file names; None when staff deleted it. Unknown names are an error in the file."""
        try:
            return objects[slug]
        except KeyError:
            raise ContentError(self.content.source.locate(path, f"unknown {kind} {slug!r}")) from None

    def _existing(self, objects: dict, slugs: list[str], kind: str, path: tuple) -> list:
        """The objects the file names, in order, leaving out those staff deleted."""
        return [obj for obj in (self._lookup(objects, slug, kind, path) for slug in slugs) if obj is not None]


def load_guide(content: GuideFile | dict, *, overwrite: bool = False) -> LoadReport:
    """Create or update one guide from a checked content file (or its plain data), in one transaction."""
    if not isinstance(content, GuideFile):
        content = parse_guide(content)
    with transaction.atomic():
        return _Loader(content, overwrite).run()
