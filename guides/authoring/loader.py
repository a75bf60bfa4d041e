"""Load guides from the version-controlled content files in `guides/content/`.

The file has been checked against the schema (`authoring.schema`) before this runs. Each
object it describes is then compared three ways: what the file says, what the
database holds, and what the last load wrote (kept as a digest in `LoadedContent`). An
object nobody touched since the last load follows the file; an object staff edited is
left alone unless `overwrite` is asked for. Relations (a cause's fix steps, a symptom's
causes, the checklist, an answer's effects) count as part of the object that owns them.
Nothing is deleted, and a top-level section the file leaves out is left as it is.

It is long because one `_Loader` walks every kind of object in the order their
links need (fix steps before the causes that name them, answers before "asked after"),
and splitting that walk across modules would hide the order.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import reversion
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from guides import content_cache, engine, same_guide
from guides.authoring.reading import ContentError
from guides.authoring.schema import CauseItem, GuideFile, QuestionItem, parse_guide
from guides.authoring.values import (
    answer_from_db,
    answer_from_file,
    cause_from_db,
    cause_from_file,
    facet_from_db,
    facet_from_file,
    faq_from_db,
    faq_from_file,
    fix_step_from_db,
    fix_step_from_file,
    guide_from_db,
    guide_from_file,
    question_from_db,
    question_from_file,
    symptom_from_db,
    symptom_from_file,
)
from guides.models import (
    Answer,
    AnswerEffect,
    Cause,
    CauseFix,
    ChecklistItem,
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
)


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


# Values added for explanation causes, risky steps, settled answers and the screen cap, at their defaults.
_EXPLANATIONS_DEFAULTS = {
    "max_screens": engine.MAX_SCREENS,
    "long_shot_odds": round(1 / engine.LONG_SHOT_FLOOR),
    "explains": False,
    "what_is_happening": "",
    "what_you_can_do": "",
    "where_to_get_help": "",
    "risky": False,
    "settles": [],
}


def _digests_of(current: dict) -> set[str]:
    """The digests under which a load could have recorded these values, older formats included.

    Records of the older formats hold causes without efficacies, fix steps without a kind,
    questions without an effort or "not after", answers without skips, and guides with a
    confidence threshold; before those, records made before explanations held no guide screen
    cap or long-shot odds, no explanation texts, no "risky" and no settled answers. Values that
    still hold those formats' defaults, and match such a record, were written by a load and not
    edited since: they follow the file.
    """
    digests = {_digest(current)}
    old = dict(current)
    for name, default in _EXPLANATIONS_DEFAULTS.items():
        if name in old and old.pop(name) != default:
            return digests
    return digests | {_digest(old)} | _older_digests(old)


def _older_digests(current: dict) -> set[str]:
    """The digests of records made before step kinds, efforts, skips and efficacies (see `_digests_of`)."""
    digests = set()
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


@dataclass(frozen=True)
class _Kind:
    """How the loader saves one kind of object: its values as the database holds them, and the fields it sets."""

    to_db: Callable[[Any], dict]
    fields: tuple[str, ...]


_GUIDE = _Kind(
    guide_from_db,
    (
        "title",
        "summary",
        "published",
        "max_questions",
        "max_screens",
        "long_shot_odds",
        "introduction",
        "conclusion",
        "support",
    ),
)
_FIX_STEP = _Kind(
    fix_step_from_db,
    ("title", "kind", "risky", "minutes", "where", "reviewed_on", "instructions", "android", "iphone"),
)
_CAUSE = _Kind(
    cause_from_db,
    (
        "title",
        "summary",
        "explanation",
        "explains",
        "what_is_happening",
        "what_you_can_do",
        "where_to_get_help",
        "commonness",
        "reviewed_on",
        "order",
    ),
)
_FACET = _Kind(facet_from_db, ("title", "explanation", "order"))
_SYMPTOM = _Kind(symptom_from_db, ("title", "description", "order"))
_FAQ = _Kind(faq_from_db, ("question", "answer", "order"))
_QUESTION = _Kind(question_from_db, ("text", "help_text", "effort", "order"))
_ANSWER = _Kind(answer_from_db, ("text", "order"))


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

    def sync(self, kind: _Kind, *, key: str, path: tuple, obj, new, wanted: dict, partial: bool = False):
        """Create (from the unsaved `new`) or update one object from file values; return it and whether it changed.

        `partial` says `wanted` holds database values for what the file left out. Those count as
        written by the load only when the object held nothing but loaded values before.
        """
        current = kind.to_db(obj) if obj is not None else None
        if not self.decide(key, obj, wanted, current, partial):
            return obj, False
        if obj is None:
            obj = new
        for name in kind.fields:
            setattr(obj, name, wanted[name])
        self._validate(obj, path)
        obj.save()
        if not partial or current is None or self._untouched(key, current):
            self._remember(key, wanted)
        return obj, True

    def run(self) -> LoadReport:
        guide, guide_changed = self.load_guide_row()
        if guide is None:
            return self.report
        steps = self.load_fix_steps(guide)
        causes = self.load_causes(guide, steps)
        settles = self.load_symptoms(guide, causes)
        self.load_faq(guide)
        if guide_changed and self.content.given("checklist"):
            guide.checklist_items.all().delete()
            items = [
                ChecklistItem(guide=guide, fix_step=step, order=i)
                for i, step in enumerate(self._existing(steps, self.content.checklist, "fix step", ("checklist",)))
            ]
            ChecklistItem.objects.bulk_create(self._within_the_guide(items, ("checklist",)))
        answers = self.load_questions(guide, causes, steps)
        self.set_settles(guide, settles, answers)
        if reversion.is_active():
            # Once more, with its FAQ and checklist in place: they are bulk-created after the guide is saved,
            # and History could not put them back otherwise.
            reversion.add_to_revision(guide)
        return self.report

    def load_guide_row(self) -> tuple[Guide | None, bool]:
        """The guide's own fields; those the file leaves out keep what the database holds."""
        content, slug = self.content, self.content.slug
        guide = Guide.objects.filter(slug=slug).first()
        wanted = guide_from_file(content)
        left_out = [name for name in wanted if not content.given(name)]
        if guide is not None and left_out:
            current = guide_from_db(guide)
            wanted |= {name: current[name] for name in left_out}
        return self.sync(
            _GUIDE, key=slug, path=(), obj=guide, new=Guide(slug=slug), wanted=wanted, partial=bool(left_out)
        )

    def load_fix_steps(self, guide: Guide) -> dict:
        steps = {s.slug: s for s in guide.fix_steps.all()}
        for index, item in enumerate(self.content.fix_steps):
            s = item.slug
            steps[s], _ = self.sync(
                _FIX_STEP,
                key=f"{guide.slug}/fix-step/{s}",
                path=("fix_steps", index),
                obj=steps.get(s),
                new=FixStep(guide=guide, slug=s),
                wanted=fix_step_from_file(item),
            )
        self._refuse_a_second_hand_off(steps)
        return steps

    def _refuse_a_second_hand_off(self, steps: dict) -> None:
        """The file's hand-off step must not join another one made in the admin: a guide has one."""
        given = [i for i, item in enumerate(self.content.fix_steps) if item.kind == StepKind.HAND_OFF]
        hand_offs = sorted(slug for slug, step in steps.items() if step is not None and step.kind == StepKind.HAND_OFF)
        if given and len(hand_offs) > 1:
            mine = self.content.fix_steps[given[0]].slug
            others = ", ".join(repr(slug) for slug in hand_offs if slug != mine)
            raise ContentError(
                self.content.source.locate(
                    ("fix_steps", given[0], "kind"),
                    f"the guide already has a hand-off to the app's support in the database ({others}), and a guide "
                    "has one: change that step's kind in the admin, or this one's here",
                )
            )

    def load_causes(self, guide: Guide, steps: dict) -> dict:
        """Causes and their facets; then, once every cause exists, the fix steps and related causes of each."""
        causes = {c.slug: c for c in guide.causes.all()}
        cause_updates = []
        for order, item in enumerate(self.content.causes):
            s, path = item.slug, ("causes", order)
            wanted = cause_from_file(item, order)
            causes[s], changed = self.sync(
                _CAUSE,
                key=f"{guide.slug}/cause/{s}",
                path=path,
                obj=causes.get(s),
                new=Cause(guide=guide, slug=s),
                wanted=wanted,
            )
            if causes[s] is None:
                continue
            if changed:
                cause_updates.append((causes[s], wanted, path))
            self.load_facets(causes[s], item, path)
        for cause, wanted, path in cause_updates:
            CauseFix.objects.filter(cause=cause).delete()
            efficacy = dict(wanted["fixes"])
            fix_steps = self._existing(steps, [slug for slug, _ in wanted["fixes"]], "fix step", (*path, "fixes"))
            links = [
                CauseFix(cause=cause, fix_step=step, order=i, efficacy=efficacy[step.slug])
                for i, step in enumerate(fix_steps)
            ]
            CauseFix.objects.bulk_create(self._within_the_guide(links, (*path, "fixes")))
            cause.related.set(self._existing(causes, wanted["related"], "cause", (*path, "related")))
        return causes

    def load_facets(self, cause: Cause, item: CauseItem, path: tuple) -> None:
        facets = {f.slug: f for f in cause.facets.all()}
        for order, facet_item in enumerate(item.facets):
            fs = facet_item.slug
            self.sync(
                _FACET,
                key=f"{self.content.slug}/cause/{cause.slug}/facet/{fs}",
                path=(*path, "facets", order),
                obj=facets.get(fs),
                new=Facet(cause=cause, slug=fs),
                wanted=facet_from_file(facet_item, order),
            )

    def load_symptoms(self, guide: Guide, causes: dict) -> list[tuple[Symptom, list[str], tuple]]:
        """Symptoms and their causes; return the changed ones with the answers they settle, set once answers exist."""
        symptoms = {s.slug: s for s in guide.symptoms.all()}
        settles = []
        for order, item in enumerate(self.content.symptoms):
            s, path = item.slug, ("symptoms", order)
            wanted = symptom_from_file(item, order)
            symptom, changed = self.sync(
                _SYMPTOM,
                key=f"{guide.slug}/symptom/{s}",
                path=path,
                obj=symptoms.get(s),
                new=Symptom(guide=guide, slug=s),
                wanted=wanted,
            )
            if changed:
                symptom.causes.set(self._existing(causes, wanted["causes"], "cause", (*path, "causes")))
                settles.append((symptom, wanted["settles"], (*path, "settles")))
        return settles

    def set_settles(self, guide: Guide, settles: list, loaded: dict) -> None:
        """The answers each changed symptom settles, looked up once the file's questions are loaded.

        Symptoms come before questions in a file and in the load, and a file may leave its questions
        out: a settled answer is then one the database already holds.
        """
        if not settles:
            return
        answers = {
            f"{answer.question.slug}/{answer.slug}": answer
            for answer in Answer.objects.filter(question__guide=guide).select_related("question")
        }
        answers.update(loaded)  # None for an answer staff deleted: left out
        for symptom, names, path in settles:
            symptom.settles.set(self._existing(answers, names, "answer", path))

    def load_faq(self, guide: Guide) -> None:
        faq = {e.slug: e for e in guide.faq_entries.all()}
        for order, item in enumerate(self.content.faq):
            s = item.slug
            self.sync(
                _FAQ,
                key=f"{guide.slug}/faq/{s}",
                path=("faq", order),
                obj=faq.get(s),
                new=FAQEntry(guide=guide, slug=s),
                wanted=faq_from_file(item, order),
            )

    def load_questions(self, guide: Guide, causes: dict, steps: dict) -> dict:
        """Questions and their answers; then, once every answer exists, what each question is asked after.

        Return the file's answers by "question/answer" (None for those staff deleted).
        """
        questions = {q.slug: q for q in guide.questions.select_related("asked_after__question")}
        answers = {}
        pending_after = []
        for order, item in enumerate(self.content.questions):
            qs, path = item.slug, ("questions", order)
            wanted = question_from_file(item, order)
            question, changed = self.sync(
                _QUESTION,
                key=f"{guide.slug}/question/{qs}",
                path=path,
                obj=questions.get(qs),
                new=Question(guide=guide, slug=qs),
                wanted=wanted,
            )
            if question is None:  # deleted by staff, and its answers with it
                answers.update((f"{qs}/{answer_item.slug}", None) for answer_item in item.answers)
                continue
            if changed:
                pending_after.append((question, wanted["asked_after"], wanted["not_after"], path))
            answers.update(self.load_answers(question, item, path, causes, steps))
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
        return answers

    def load_answers(self, question: Question, item: QuestionItem, path: tuple, causes: dict, steps: dict) -> dict:
        """A question's answers with their effects and skips, by "question/answer"."""
        existing = {a.slug: a for a in question.answers.all()}
        answers = {}
        for order, answer_item in enumerate(item.answers):
            a_slug, answer_path = answer_item.slug, (*path, "answers", order)
            wanted = answer_from_file(answer_item, order)
            answer, changed = self.sync(
                _ANSWER,
                key=f"{self.content.slug}/question/{question.slug}/answer/{a_slug}",
                path=answer_path,
                obj=existing.get(a_slug),
                new=Answer(question=question, slug=a_slug),
                wanted=wanted,
            )
            answers[f"{question.slug}/{a_slug}"] = answer
            if changed:
                self.set_effects(answer, wanted["effects"], causes, answer_path)
                answer.skips.set(self._existing(steps, wanted["skips"], "fix step", (*answer_path, "skips")))
        return answers

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

    def _within_the_guide(self, objects: list, path: tuple) -> list:
        """Bulk writes send no signal: check here that none of these rows points into another guide."""
        try:
            same_guide.refuse_foreign(objects)
        except ValidationError as error:
            words = "; ".join(" ".join(messages) for messages in error.message_dict.values())
            raise ContentError(self.content.source.locate(path, words)) from error
        return objects

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
    with transaction.atomic(), content_cache.one_change():
        return _Loader(content, overwrite).run()
