"""Each kind of content object as plain values: once as a content file says it, once as the database holds it.

The loader compares the two to tell an untouched object from one staff edited, and the
export writes the database side back as a file, so the two sides must give equal values
when nothing changed: the same line ends, the same order of related slugs.
"""

from guides.authoring.schema import (
    AnswerItem,
    CauseItem,
    FacetItem,
    FAQItem,
    FixStepItem,
    GuideFile,
    QuestionItem,
    SymptomItem,
)
from guides.markup import with_lf_line_ends
from guides.models import Answer, Cause, Commonness, Efficacy, Facet, FAQEntry, FixStep, Guide, Question, Symptom


def _rows(obj, relation: str, *select: str):
    """`obj.<relation>` with `select` joined in: the rows the export prefetched, else one query as the loader does."""
    manager = getattr(obj, relation)
    if relation in getattr(obj, "_prefetched_objects_cache", {}):
        return manager.all()
    return manager.select_related(*select)


def guide_from_file(content: GuideFile) -> dict:
    return {
        "title": with_lf_line_ends(content.title),
        "summary": with_lf_line_ends(content.summary),
        "published": content.published,
        "max_questions": content.max_questions,
        "max_screens": content.max_screens,
        "long_shot_odds": content.long_shot_odds,
        "introduction": with_lf_line_ends(content.introduction),
        "conclusion": with_lf_line_ends(content.conclusion),
        "support": with_lf_line_ends(content.support),
        "checklist": list(content.checklist),
    }


def guide_from_db(guide: Guide) -> dict:
    return {
        "title": guide.title,
        "summary": guide.summary,
        "published": guide.published,
        "max_questions": guide.max_questions,
        "max_screens": guide.max_screens,
        "long_shot_odds": guide.long_shot_odds,
        "introduction": guide.introduction,
        "conclusion": guide.conclusion,
        "support": guide.support,
        "checklist": [item.fix_step.slug for item in _rows(guide, "checklist_items", "fix_step")],
    }


def cause_from_file(item: CauseItem, order: int) -> dict:
    return {
        "title": with_lf_line_ends(item.title),
        "summary": with_lf_line_ends(item.summary),
        "explanation": with_lf_line_ends(item.explanation),
        "explains": item.explains,
        "what_is_happening": with_lf_line_ends(item.what_is_happening),
        "what_you_can_do": with_lf_line_ends(item.what_you_can_do),
        "where_to_get_help": with_lf_line_ends(item.where_to_get_help),
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
        "explains": cause.explains,
        "what_is_happening": cause.what_is_happening,
        "what_you_can_do": cause.what_you_can_do,
        "where_to_get_help": cause.where_to_get_help,
        "commonness": cause.commonness,
        "reviewed_on": str(cause.reviewed_on),
        "order": cause.order,
        "fixes": [[cf.fix_step.slug, cf.efficacy] for cf in _rows(cause, "cause_fixes", "fix_step")],
        "related": sorted(c.slug for c in cause.related.all()),
    }


def facet_from_file(item: FacetItem, order: int) -> dict:
    return {"title": with_lf_line_ends(item.title), "explanation": with_lf_line_ends(item.explanation), "order": order}


def facet_from_db(facet: Facet) -> dict:
    return {"title": facet.title, "explanation": facet.explanation, "order": facet.order}


def symptom_from_file(item: SymptomItem, order: int) -> dict:
    return {
        "title": with_lf_line_ends(item.title),
        "description": with_lf_line_ends(item.description),
        "order": order,
        "causes": sorted(item.causes),
        "settles": sorted(item.settles),
    }


def symptom_from_db(symptom: Symptom) -> dict:
    return {
        "title": symptom.title,
        "description": symptom.description,
        "order": symptom.order,
        "causes": sorted(c.slug for c in symptom.causes.all()),
        "settles": sorted(f"{a.question.slug}/{a.slug}" for a in _rows(symptom, "settles", "question")),
    }


def fix_step_from_file(item: FixStepItem) -> dict:
    return {
        "title": with_lf_line_ends(item.title),
        "kind": item.kind,
        "risky": item.risky,
        "minutes": item.minutes,
        "where": with_lf_line_ends(item.where),
        "reviewed_on": str(item.reviewed),
        "instructions": with_lf_line_ends(item.instructions),
        "android": with_lf_line_ends(item.android),
        "iphone": with_lf_line_ends(item.iphone),
    }


def fix_step_from_db(step: FixStep) -> dict:
    return {
        "title": step.title,
        "kind": step.kind,
        "risky": step.risky,
        "minutes": step.minutes,
        "where": step.where,
        "reviewed_on": str(step.reviewed_on),
        "instructions": step.instructions,
        "android": step.android,
        "iphone": step.iphone,
    }


def faq_from_file(item: FAQItem, order: int) -> dict:
    return {"question": with_lf_line_ends(item.question), "answer": with_lf_line_ends(item.answer), "order": order}


def faq_from_db(entry: FAQEntry) -> dict:
    return {"question": entry.question, "answer": entry.answer, "order": entry.order}


def question_from_file(item: QuestionItem, order: int) -> dict:
    return {
        "text": with_lf_line_ends(item.text),
        "help_text": with_lf_line_ends(item.help),
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
        "text": with_lf_line_ends(item.text),
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
