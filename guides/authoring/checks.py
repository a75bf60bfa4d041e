"""Find what is wrong with a guide's content before visitors do.

``check_guide(guide)`` returns a list of ``Problem``: errors first, then warnings, each with
a message in plain words for the staff who write guides and the object concerned, so the
admin's check page can link to its change page (``python manage.py check_guides`` prints
them). Errors break something visitors see (a troubleshooter that crashes or ends without a
fix, a question nobody is asked, a link into another guide, a fix step with no steps);
warnings make a guide weaker without breaking it (a cause the troubleshooter cannot single
out, missing explanations).

It runs a constant number of queries whatever the size of the guide: twelve for the content
below, plus the twelve of ``build_snapshot``, which turns the guide into the very troubleshooter
visitors get. Troubleshooting logic is the engine's: a visitor who has a given cause is
walked through with ``engine.truthful_walk`` (``walk_checks``: within the guide's screens, never
offered a step their answers ruled out, never asked what their symptom answered), and a
question's worth is ``engine.question_values`` (minutes saved by asking it first).

An explanation cause (``Cause.explains``: nothing on the visitor's side fixes it) ends with its
explanation, not a fix step: it needs its "What is happening" text, and no fix step.

Some of these problems cannot be made in the admin's forms (``clean()`` refuses links into
another guide), but they can arrive through the shell, old data or a bulk update.

It is long because every check reads the one `_Content` loaded in a fixed
number of queries; checks in other modules would each be tempted to query again.
"""

from __future__ import annotations

from django.db.models import Prefetch

from guides import engine
from guides.authoring import walk_memo
from guides.authoring.problems import ERROR, WARNING, Problem
from guides.authoring.walk_checks import Walker, check_walks
from guides.diagnose.snapshot import build_snapshot
from guides.models import AnswerEffect, CauseFix, Efficacy, Guide, Question, StepKind, Symptom

__all__ = ["ERROR", "KINDS", "WARNING", "Problem", "check_guide"]

# Efficacies that count as a real cure for a cause.
STRONG_EFFICACIES = frozenset({Efficacy.ALMOST_ALWAYS, Efficacy.OFTEN})

# The engine's likelihood ratios by the plain words the database stores.
_RATIO = {strength.value: ratio for strength, ratio in engine.LIKELIHOOD_RATIO.items()}

# What ``Problem.kind`` can be, for tests and for anyone who filters problems.
KINDS = (
    "troubleshooter_broken",  # the engine refuses the troubleshooter: its page fails (error)
    "no_fix_step",  # a cause with no fix step and no explanation (error)
    "explanation_without_text",  # an explanation cause without its "What is happening" (error)
    "cause_without_effect",  # no answer speaks about a cause (warning)
    "not_fixed_before_hand_off",  # a truthful visitor reaches the hand-off or the long shots before their fix (error)
    "too_many_screens",  # a truthful visitor reaches their fix or explanation after more than max_screens (error)
    "ruled_out_step_offered",  # a step offered after an answer that skips it or rules out all it fixes (error)
    "settled_question_asked",  # a question asked although the tapped symptom answers it (error)
    "settles_two_answers",  # a symptom that gives two answers to one question (error)
    "no_strong_fix",  # a cause with no step that fixes it "often" or better (warning)
    "step_fixes_nothing",  # a fix step linked to no cause (warning)
    "second_hand_off",  # more than one hand-off step (error)
    "never_worth_asking",  # a question the troubleshooter would never ask (warning)
    "no_questions",  # the guide has no troubleshooter questions (warning)
    "question_changes_nothing",  # a question whose answers tell no causes apart (error)
    "never_asked",  # a question that waits for an answer nobody can give (error)
    "cross_guide",  # a link to a cause, facet, fix step or answer that does not belong there (error)
    "empty_text",  # a Markdown field left empty (error for fix steps and FAQ answers, else warning)
    "symptom_without_cause",  # a symptom that points to no cause: tapping it helps nobody (warning)
    "cause_without_symptom",  # a cause no symptom points to, when the guide lists symptoms (warning)
    "symptom_names_another_cause",  # the troubleshooter started from a symptom names another cause first (warning)
)


def check_guide(guide: Guide) -> list[Problem]:
    """Return every problem of one guide, errors first, each group in the order of the guide."""
    content = _Content(guide)
    problems = [
        *_check_empty_text(content),
        *_check_causes(content),
        *_check_cross_guide(content),
        *_check_symptom_links(content),
        *_check_questions(content),
        *_check_troubleshooter(content),
    ]
    return sorted(problems, key=lambda problem: problem.level != ERROR)


class _Content:
    """Everything the checks read, in twelve queries."""

    def __init__(self, guide: Guide):
        self.guide = guide
        self.causes = list(
            guide.causes.prefetch_related(
                "facets",
                Prefetch("cause_fixes", queryset=CauseFix.objects.select_related("fix_step__guide")),
            )
        )
        self.symptom_links = list(
            Symptom.causes.through.objects.filter(symptom__guide=guide)
            .select_related("symptom", "cause__guide")
            .order_by("symptom__order", "symptom_id", "cause_id")
        )
        self.symptoms_without_cause = list(guide.symptoms.filter(causes=None))
        self.settles = list(
            Symptom.settles.through.objects.filter(symptom__guide=guide)
            .select_related("symptom", "answer__question__guide")
            .order_by("symptom__order", "symptom_id", "answer__question__order", "answer__order", "answer_id")
        )
        self.fix_steps = list(guide.fix_steps.all())
        self.checklist = list(guide.checklist_items.select_related("fix_step__guide"))
        self.faq = list(guide.faq_entries.all())
        self.questions = list(
            guide.questions.select_related("asked_after__question__guide").prefetch_related(
                "answers",
                Prefetch(
                    "answers__effects", queryset=AnswerEffect.objects.select_related("cause__guide", "facet__cause")
                ),
            )
        )

    def effects(self):
        """Yield (question, answer, effect) for every effect of every answer, in order."""
        for question in self.questions:
            for answer in question.answers.all():
                for effect in answer.effects.all():
                    yield question, answer, effect


def _blank(text: str) -> bool:
    return not (text or "").strip()


# --------------------------------------------------------------------------------------
# Empty Markdown


def _check_empty_text(content: _Content):
    guide = content.guide
    if _blank(guide.introduction):
        yield Problem(
            WARNING,
            "The guide has no introduction, so the article starts straight with the causes.",
            guide,
            "empty_text",
        )
    if _blank(guide.conclusion):
        yield Problem(
            WARNING,
            "The guide has no conclusion, so the article ends without a last word on what else to try.",
            guide,
            "empty_text",
        )
    for cause in content.causes:
        if cause.explains and _blank(cause.what_is_happening):
            yield Problem(
                ERROR,
                f"“{cause.title}” is marked as a cause nothing on the visitor's side fixes, but it has no “What is "
                "happening” text, so its explanation screen would be empty. Say what is going on in a few short "
                "sentences.",
                cause,
                "explanation_without_text",
            )
        if _blank(cause.explanation):
            yield Problem(
                WARNING,
                f"“{cause.title}” has no explanation, so its page only shows the one-line summary.",
                cause,
                "empty_text",
            )
        for facet in cause.facets.all():
            if _blank(facet.explanation):
                yield Problem(
                    WARNING,
                    f"“{facet.title}” (a kind of “{cause.title}”) has no explanation.",
                    facet,
                    "empty_text",
                )
    for step in content.fix_steps:
        if _blank(step.instructions):
            yield Problem(
                ERROR,
                f"The fix step “{step.title}” has no instructions, so people are told what to do but not how.",
                step,
                "empty_text",
            )
    for entry in content.faq:
        if _blank(entry.answer):
            yield Problem(
                ERROR,
                f"The FAQ question “{entry.question}” has no answer.",
                entry,
                "empty_text",
            )


# --------------------------------------------------------------------------------------
# Causes: fix steps and answers


def _check_causes(content: _Content):
    spoken_about = _causes_with_cause_level_effects(content)
    for cause in content.causes:
        if not cause.cause_fixes.all() and not cause.explains:
            yield Problem(
                ERROR,
                f"“{cause.title}” has no fix step, so the troubleshooter can end without telling people what to do.",
                cause,
                "no_fix_step",
            )
        if content.questions and cause.pk not in spoken_about:
            yield Problem(
                WARNING,
                f"No answer in the troubleshooter makes “{cause.title}” more or less likely, "
                "so the troubleshooter can only suggest it by how common it is.",
                cause,
                "cause_without_effect",
            )


def _causes_with_cause_level_effects(content: _Content) -> set[int]:
    return {effect.cause_id for _, _, effect in content.effects() if effect.facet_id is None}


# --------------------------------------------------------------------------------------
# Links into another guide


def _check_cross_guide(content: _Content):
    guide = content.guide
    for cause in content.causes:
        for cause_fix in cause.cause_fixes.all():
            step = cause_fix.fix_step
            if step.guide_id != guide.pk:
                yield Problem(
                    ERROR,
                    f"“{cause.title}” lists the fix step “{step.title}” of another guide (“{step.guide.title}”). "
                    "Pick a fix step of this guide.",
                    cause_fix,
                    "cross_guide",
                )
    for link in content.symptom_links:
        if link.cause.guide_id != guide.pk:
            yield Problem(
                ERROR,
                f"The symptom “{link.symptom.title}” points to “{link.cause.title}”, "
                f"a cause of another guide (“{link.cause.guide.title}”).",
                link.symptom,
                "cross_guide",
            )
    yield from _check_settles(content)
    for item in content.checklist:
        if item.fix_step.guide_id != guide.pk:
            yield Problem(
                ERROR,
                f"The checklist lists the fix step “{item.fix_step.title}” of another guide "
                f"(“{item.fix_step.guide.title}”). Pick a fix step of this guide.",
                item,
                "cross_guide",
            )
    for question, answer, effect in content.effects():
        where = f"The answer “{answer.text}” to “{question.text}”"
        if effect.cause.guide_id != guide.pk:
            yield Problem(
                ERROR,
                f"{where} speaks about “{effect.cause.title}”, "
                f"a cause of another guide (“{effect.cause.guide.title}”).",
                effect,
                "cross_guide",
            )
        elif effect.facet_id and effect.facet.cause_id != effect.cause_id:
            yield Problem(
                ERROR,
                f"{where} speaks about “{effect.facet.title}” as a kind of “{effect.cause.title}”, "
                f"but it is a kind of “{effect.facet.cause.title}”.",
                effect,
                "cross_guide",
            )


def _check_settles(content: _Content):
    """A symptom settles answers to its own guide's questions, one answer per question at most."""
    guide = content.guide
    by_question: dict[tuple[int, int], list] = {}
    for link in content.settles:
        answer, symptom = link.answer, link.symptom
        if answer.question.guide_id != guide.pk:
            yield Problem(
                ERROR,
                f"The symptom “{symptom.title}” settles the answer “{answer.text}” to “{answer.question.text}”, "
                f"a question of another guide (“{answer.question.guide.title}”). Pick answers to this guide's "
                "questions.",
                symptom,
                "cross_guide",
            )
        else:
            by_question.setdefault((symptom.pk, answer.question_id), []).append(link)
    for links in by_question.values():
        if len(links) > 1:
            symptom, question = links[0].symptom, links[0].answer.question
            names = " and ".join(f"“{link.answer.text}”" for link in links)
            yield Problem(
                ERROR,
                f"The symptom “{symptom.title}” gives two answers to “{question.text}” ({names}); someone who sees "
                "it gives one. Keep the answer it means.",
                symptom,
                "settles_two_answers",
            )


# --------------------------------------------------------------------------------------
# Questions: ones that change nothing, ones that are never asked


def _check_questions(content: _Content):
    silent = {}
    for question in content.questions:
        reason = _why_silent(question)
        if reason:
            silent[question.pk] = reason
    never_asked = _never_asked(content, silent)
    for question in content.questions:
        if question.pk in silent:
            yield Problem(ERROR, silent[question.pk], question, "question_changes_nothing")
        if question.pk in never_asked:
            yield Problem(ERROR, never_asked[question.pk], question, "never_asked")
        if question.slug == engine.SEEN:
            yield Problem(
                ERROR,
                f"“{question.text}” has the web-address name “{engine.SEEN}”, which the troubleshooter uses for the "
                "symptoms people tap on the article, so it is never asked. Give it another slug.",
                question,
                "never_asked",
            )


def _links_within(question: Question, effect: AnswerEffect) -> bool:
    """Whether an effect speaks about a cause of the question's guide, and about a facet of that cause."""
    return effect.cause.guide_id == question.guide_id and (
        effect.facet_id is None or effect.facet.cause_id == effect.cause_id
    )


def _why_silent(question: Question) -> str:
    """Say why the engine never asks this question whatever came before, or return ""."""
    name = f"“{question.text}”"
    answers = list(question.answers.all())
    if not answers:
        return f"{name} has no answers, so the troubleshooter cannot ask it."
    # Effects that link into another guide or cause are reported as such, and left out of the troubleshooter.
    effects = [effect for answer in answers for effect in answer.effects.all() if _links_within(question, effect)]
    if not effects:
        return (
            f"None of the answers to {name} makes any cause more or less likely, so the troubleshooter never asks it."
        )
    if all(effect.facet_id for effect in effects):
        return (
            f"The answers to {name} only speak about kinds of a cause (facets), never about a cause itself, "
            "so the troubleshooter never asks it. Add what each answer says about the causes."
        )
    if len(answers) == 1:
        return (
            f"{name} has only one answer, so answering it tells the troubleshooter nothing and it is never asked. "
            "Add the other possible answers."
        )
    # Likelihood ratio of each answer for each cause it mentions; 1 where an answer is silent about it.
    ratios: dict[int, list[float]] = {}
    for position, answer in enumerate(answers):
        for effect in answer.effects.all():
            if effect.facet_id is None and _links_within(question, effect):
                row = ratios.setdefault(effect.cause_id, [1.0] * len(answers))
                row[position] *= _RATIO.get(effect.strength, 1.0)
    if all(len(set(row)) == 1 for row in ratios.values()):
        return (
            f"Every answer to {name} says the same about each cause, so answering it cannot tell the causes apart "
            "and the troubleshooter never asks it."
        )
    return ""


def _never_asked(content: _Content, silent: dict[int, str]) -> dict[int, str]:
    """Return {question pk: why} for the questions whose ``asked_after`` answer can never be given."""
    by_pk = {question.pk: question for question in content.questions}
    offered: dict[int, bool] = {}  # whether the question can come up at all
    reasons: dict[int, str] = {}

    def parent_of(question):
        return by_pk.get(question.asked_after.question_id)

    for start in content.questions:
        chain: list[Question] = []  # questions whose parent is still to be resolved, child first
        current = start
        while current.pk not in offered:
            if current in chain:
                cycle = chain[chain.index(current) :]
                for question in cycle:
                    offered[question.pk] = False
                    reasons[question.pk] = _cycle_reason(question, cycle)
                del chain[chain.index(current) :]
                break
            after = current.asked_after
            if after is None:
                offered[current.pk] = True
                break
            if parent_of(current) is None:
                offered[current.pk] = False
                reasons[current.pk] = (
                    f"“{current.text}” is asked only after the answer “{after.text}” to a question of another guide "
                    f"(“{after.question.guide.title}”), so it is never asked. Pick an answer of this guide."
                )
                break
            chain.append(current)
            current = parent_of(current)
        for question in reversed(chain):
            parent = parent_of(question)
            offered[question.pk] = offered[parent.pk] and parent.pk not in silent
            if not offered[question.pk]:
                reasons[question.pk] = (
                    f"“{question.text}” is asked only after the answer “{question.asked_after.text}” "
                    f"to “{parent.text}”, which is never asked itself, so “{question.text}” is never asked either."
                )
    return reasons


def _cycle_reason(question: Question, cycle: list[Question]) -> str:
    if len(cycle) == 1:
        return f"“{question.text}” is asked only after an answer to itself, so it is never asked."
    # ``cycle`` runs from a question to the one it waits for; start the circle at this question.
    start = cycle.index(question)
    circle = [*cycle[start:], *cycle[:start], question]
    names = " → ".join(f"“{q.text}”" for q in circle)
    return (
        f"“{question.text}” is never asked: these questions each wait for an answer to the next, "
        f"in a circle, so none of them comes first: {names}."
    )


# --------------------------------------------------------------------------------------
# The troubleshooter as visitors get it


def _check_symptom_links(content: _Content):
    """A symptom on the article must lead to a cause, and a cause must be reachable from the symptoms.

    Checked whether or not the troubleshooter runs: a cause deleted and recovered comes back
    without its symptom links, and nothing else would say so.
    """
    for symptom in content.symptoms_without_cause:
        yield Problem(
            WARNING,
            f"The symptom “{symptom.title}” points to no cause, so tapping it on the article cannot lead to a fix. "
            "Link it to the causes it points to.",
            symptom,
            "symptom_without_cause",
        )
    if not content.symptom_links:
        return  # no symptom list on the article at all
    linked = {link.cause_id for link in content.symptom_links}
    for cause in content.causes:
        if cause.pk not in linked:
            yield Problem(
                WARNING,
                f"No symptom points to “{cause.title}”, so the article's symptoms never lead to it and the "
                "troubleshooter cannot start from what people with it see. Link it from its symptoms.",
                cause,
                "cause_without_symptom",
            )


def _check_troubleshooter(content: _Content):
    guide = content.guide
    try:
        snapshot = build_snapshot(guide)
        model = snapshot.model
        engine.next_step(model, ())  # the engine checks the whole model on first use
    except ValueError as error:  # ModelError, or a plain ValueError for an unknown word
        yield Problem(
            ERROR,
            f"The troubleshooter cannot run, so visitors who open it get an error page. The reason: {error}.",
            guide,
            "troubleshooter_broken",
        )
        return
    yield from _check_steps(content)
    if not content.questions and content.causes:
        yield Problem(
            WARNING,
            "The guide has no questions, so the troubleshooter offers fixes by how common each cause is.",
            guide,
            "no_questions",
        )
    digest = walk_memo.model_digest(model, guide.max_questions)
    walker = Walker(
        model=model,
        max_questions=guide.max_questions,
        max_screens=guide.max_screens,
        causes={c.slug: c for c in content.causes},
        endable=frozenset(c.slug for c in content.causes if c.explains or _has_cure(c)),
        steps={s.slug: s for s in content.fix_steps},
        symptoms={link.symptom.slug: link.symptom for link in content.symptom_links},
        memo=dict(walk_memo.recall(digest, "walks") or {}),
    )
    walked = len(walker.memo)
    walks = {c.slug: walker.walk(c.slug) for c in content.causes}
    yield from check_walks(walker, walks)
    if len(walker.memo) != walked:
        walk_memo.keep(digest, "walks", walker.memo)
    yield from _check_symptoms(content, snapshot)
    worth = walk_memo.recall(digest, "worth")
    if worth is None:
        worth = _worth_asking(model, walks, guide.max_questions)
        walk_memo.keep(digest, "worth", worth)
    silent = _silent(content) | set(_never_asked(content, {}))  # already reported as such
    for question in content.questions:
        if question.slug in worth or question.slug not in snapshot.questions or question.pk in silent:
            continue
        yield Problem(
            WARNING,
            f"“{question.text}” is never worth asking: at the start and along the way for every cause, trying "
            "fixes is quicker on average than answering it. Make its answers say more, make it easier to answer "
            "(its effort), or delete it.",
            question,
            "never_worth_asking",
        )


def _check_symptoms(content: _Content, snapshot):
    """A symptom that points to several causes must start the troubleshooter with one of them first."""
    model = snapshot.model
    titles = {c.slug: c.title for c in content.causes}
    by_slug = {link.symptom.slug: link.symptom for link in content.symptom_links}
    for observation in model.observations:
        causes = {effect.cause for effect in observation.effects}
        if len(causes) < 2:
            continue  # the article links a symptom of one cause straight to that cause's page
        top = engine.rank(model, [(engine.SEEN, observation.key)])[0].cause
        if top not in causes:
            yield Problem(
                WARNING,
                f"Someone who taps “{observation.text}” on the article starts the troubleshooter with "
                f"“{titles[top]}” named as the likeliest cause, not one this symptom points to. Link it only to "
                "the causes it really points to, or check how common each of them is.",
                by_slug[observation.key],
                "symptom_names_another_cause",
            )


def _silent(content: _Content) -> set[int]:
    return {question.pk for question in content.questions if _why_silent(question)}


def _has_cure(cause) -> bool:
    return any(
        link.efficacy in STRONG_EFFICACIES and link.fix_step.kind != StepKind.HAND_OFF
        for link in cause.cause_fixes.all()
    )


def _check_steps(content: _Content):
    for cause in content.causes:
        if cause.cause_fixes.all() and not _has_cure(cause) and not cause.explains:
            yield Problem(
                WARNING,
                f"No fix step of “{cause.title}” fixes it “often” or “almost always”, so the troubleshooter sees no "
                "real cure for it and sends people to support sooner. Set how often each of its steps works.",
                cause,
                "no_strong_fix",
            )
    linked = {link.fix_step_id for cause in content.causes for link in cause.cause_fixes.all()}
    hand_offs = [step for step in content.fix_steps if step.kind == StepKind.HAND_OFF]
    for step in content.fix_steps:
        if step.pk not in linked and step.kind != StepKind.HAND_OFF:
            yield Problem(
                WARNING,
                f"“{step.title}” is not linked to any cause, so the troubleshooter never offers it. "
                "Add it to the causes it fixes.",
                step,
                "step_fixes_nothing",
            )
    for step in hand_offs[1:]:
        yield Problem(
            ERROR,
            f"“{step.title}” is a second hand-off to support; a guide has one. The troubleshooter treats it as an "
            "ordinary step. Make it “Do it now”, or delete it.",
            step,
            "second_hand_off",
        )


def _worth_asking(model: engine.Model, walks, max_questions: int) -> set[str]:
    """The questions that save time on average at some point of some visitor's visit.

    The visits looked at: each truthful visitor's (``walks``), and one per answer of every
    question, where the visitor gives that answer when asked and "I'm not sure" to the rest,
    and no fix step works. A question worth nothing in all of them is never asked in practice.
    """
    worth = {key for walk in walks.values() for kind, key in walk if kind == engine.QUESTION}
    states = [()]
    for cause, walk in walks.items():
        evidence = []
        for kind, key in walk:
            states.append(tuple(evidence))
            if kind == engine.QUESTION:
                q = next(q for q in model.questions if q.key == key)
                evidence.append((key, engine.answer_for(q, cause)))
            elif kind == "step":
                evidence.append((engine.FAILED, key))
            elif kind == engine.EXPLAIN:
                evidence.append((engine.NOT_IT, key))
    picks = [{}] + [{q.key: a.key} for q in model.questions for a in q.answers]
    for pick in picks:
        visit = engine.visit(
            model, lambda q, pick=pick: pick.get(q.key, engine.UNSURE), max_questions=max_questions, limit=_MAX_WALK
        )
        states.extend(evidence for evidence, _ in visit)
    for state in dict.fromkeys(states):
        worth |= {key for key, saved in engine.question_values(model, state).items() if saved > 0.0}
        if len(worth) == len(model.questions):
            break
    return worth


# Screens looked at, at most, in each visit the "never worth asking" check imagines.
_MAX_WALK = 30
