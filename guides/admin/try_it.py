""" "Try it" on a guide's workspace: for every cause, the screens a truthful visitor who has it sees.

The walk is ``engine.truthful_walk`` on the troubleshooter the site serves (``snapshot_for``), called
through the content checks' ``Walker``: the same code, the same visitor, so what the workspace shows
and what Check reports can never disagree. Each walk is flagged with the checks' own words when it
takes more screens than the guide allows, never reaches the fix or explanation, or offers a step the
answers ruled out.

Walking every cause costs a planner call per screen: about 30 ms for the bundled guide, 2 to 5 s for
a 60-cause one. The walks depend only on the engine's model, so they are kept in the cache under a
digest of the model (``walk_memo``, shared with Check, which has walked them already after a save):
a text edit, or a save elsewhere, walks nothing again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from guides import engine
from guides.authoring import walk_memo
from guides.authoring.walk_checks import Walker, walk_problems, walk_screens
from guides.diagnose.snapshot import Snapshot, snapshot_for, state_query


@dataclass(frozen=True)
class Screen:
    """One screen of a walk, in words, with the troubleshooter's address of that very screen."""

    kind: str  # as truthful_walk says: "question", "step", "explain", "fixed", "explained", "long_shots", "hand_off"
    words: str
    url: str


@dataclass(frozen=True)
class CauseWalk:
    """One cause's walk as the workspace lists it; ``problems`` are the checks' messages, empty when it is fine."""

    slug: str
    title: str
    change_url: str
    walk: tuple[tuple[str, str], ...]  # exactly what truthful_walk returned
    screens: tuple[Screen, ...]
    problems: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.screens)


def try_it(guide) -> dict:
    """Everything the "Try it" part of the workspace shows: the troubleshooter's address and each cause's walk."""
    snapshot = snapshot_for(guide.slug)
    if snapshot is None:
        return {"walks": [], "start": "", "broken": ""}
    start = reverse("guides:diagnose", args=[snapshot.slug])
    try:
        engine.next_step(snapshot.model, ())  # the engine checks the whole model on first use
    except ValueError as error:
        return {"walks": [], "start": start, "broken": str(error)}
    walks = cause_walks(snapshot)
    walker = _walker(snapshot)
    rows = [_cause_walk(walker, snapshot, start, cause, walks[cause]) for cause in snapshot.causes]
    return {"walks": rows, "start": start, "broken": "", "max_screens": walker.max_screens}


def cause_walks(snapshot: Snapshot) -> dict[str, list[tuple[str, str]]]:
    """Each cause's truthful walk, by cause slug: kept (``walk_memo``) while the model stays the same.

    Check keeps its walks under the same digest: after a save, Check has walked them already.
    """
    digest = walk_memo.model_digest(snapshot.model, snapshot.max_questions)
    walker = _walker(snapshot, memo=dict(walk_memo.recall(digest, "walks") or {}))
    walked = len(walker.memo)
    walks = {cause.key: walker.walk(cause.key) for cause in snapshot.model.causes}
    if len(walker.memo) != walked:
        walk_memo.keep(digest, "walks", walker.memo)
    return walks


def _walker(snapshot: Snapshot, memo: dict | None = None) -> Walker:
    """The checks' walker over the site's troubleshooter; titles come from the snapshot's screens."""
    model = snapshot.model
    cured = {cause for step in model.steps for cause, value in step.fixes.items() if value >= engine.CURE}
    return Walker(
        model=model,
        max_questions=snapshot.max_questions,
        max_screens=model.max_screens,
        causes=snapshot.causes,
        endable=frozenset(c.key for c in model.causes if c.explains or c.key in cured),
        steps=snapshot.steps,
        symptoms=snapshot.symptoms,
        memo={} if memo is None else memo,
    )


def _cause_walk(walker: Walker, snapshot: Snapshot, start: str, cause: str, walk) -> CauseWalk:
    on_screen = snapshot.causes[cause]
    screens = tuple(
        Screen(kind, _words(snapshot, cause, kind, key), f"{start}?{state_query(evidence)}" if evidence else start)
        for evidence, _, (kind, key) in walk_screens(walker, cause, walk, ())
    )
    problems = [problem.message for problem in walk_problems(walker, cause, walk)]
    if cause not in walker.endable and walk[-1][0] not in ("fixed", "explained"):
        problems.append(
            f"No step fixes “{on_screen.title}” often or better, and it has no explanation ending, so this "
            "walk can never end with its fix. Link the step that fixes it, at “often” or better."
        )
    return CauseWalk(
        slug=cause,
        title=on_screen.title,
        change_url=reverse("admin:guides_cause_change", args=[on_screen.pk]),
        walk=tuple(walk),
        screens=screens,
        problems=tuple(problems),
    )


def _words(snapshot: Snapshot, cause: str, kind: str, key: str) -> str:
    """What the visitor sees on this screen and what they do, in a few words."""
    if kind == engine.QUESTION:
        question = snapshot.questions[key]
        answer = engine.answer_for(next(q for q in snapshot.model.questions if q.key == key), cause)
        return f"Asked “{question.text}”: answers “{snapshot.answer_text(key, answer)}”."
    if kind == "step":
        return f"Offered “{snapshot.steps[key].title}”: it does not fix this cause."
    if kind == engine.EXPLAIN:
        return f"Told it may be “{snapshot.causes[key].title}”: answers “No, that's not it”."
    if kind == "fixed":
        return f"Offered “{snapshot.steps[key].title}”: fixed."
    if kind == "explained":
        return f"Told it is “{snapshot.causes[key].title}”: answers “Yes, that explains it”."
    if kind == engine.LONG_SHOTS:
        return "Shown the list of long shots: the walk ends without the fix."
    if key:
        return f"Handed off: “{snapshot.steps[key].title}”. The walk ends without the fix."
    return "Handed off to support: the walk ends without the fix."


class TryItWorkspace:
    """GuideAdmin's part: the guide's page (the workspace) gets ``try_it`` for ``_try_it.html``.

    Added where the page is rendered, with the guide the admin already read: no query for the guide.
    """

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and change:
            context["try_it"] = try_it(obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
