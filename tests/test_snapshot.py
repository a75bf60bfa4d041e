"""The troubleshooter's snapshot carries what staff set: explanation causes, risky steps, settled answers, the cap."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from guides import engine
from guides.diagnose.snapshot import build_snapshot
from guides.models import Answer, Guide, Symptom
from tests.builders import guide_data, questions_for


def explanation_data(slug="explained") -> dict:
    """Two causes with a yes/no question each; cause 1 is explained, not fixed; fix 0 is risky."""
    data = guide_data(slug=slug, causes=2, efficacy="almost_always", questions=questions_for(2))
    data |= {"max_screens": 5, "long_shot_odds": 25}
    data["causes"][1] |= {
        "explains": True,
        "what_is_happening": "They **blocked** you.",
        "what_you_can_do": "Ask them another way.",
        "where_to_get_help": "Support cannot undo a block.",
        "fixes": [],
    }
    data["fix_steps"][0]["risky"] = True
    data["symptoms"][1]["settles"] = ["q-1/yes", "q-0/no"]
    return data


def test_the_engine_model_carries_explanations_risky_steps_settled_answers_and_the_guides_limits(load):
    load(explanation_data())

    model = build_snapshot(Guide.objects.get(slug="explained")).model

    assert {cause.key: cause.explains for cause in model.causes} == {"cause-0": False, "cause-1": True}
    assert {step.key: step.risky for step in model.steps} == {"fix-0": True, "fix-1": False}
    settles = {observation.key: observation.settles for observation in model.observations}
    assert settles == {"symptom-0-0": (), "symptom-1-0": (("q-0", "no"), ("q-1", "yes"))}  # in question order
    assert model.floor == 1 / 25
    assert model.max_screens == 5


def test_the_screens_get_the_explanation_texts_as_html_and_whether_a_step_is_risky(load):
    load(explanation_data())

    snapshot = build_snapshot(Guide.objects.get(slug="explained"))

    blocked = snapshot.causes["cause-1"]
    assert blocked.explains
    assert "<strong>blocked</strong>" in blocked.what_is_happening_html
    assert "Ask them another way." in blocked.what_you_can_do_html
    assert "Support cannot undo a block." in blocked.where_to_get_help_html
    plain = snapshot.causes["cause-0"]
    assert not plain.explains
    assert (plain.what_is_happening_html, plain.what_you_can_do_html, plain.where_to_get_help_html) == ("", "", "")
    assert snapshot.steps["fix-0"].risky and not snapshot.steps["fix-1"].risky


def test_an_answer_of_another_guide_is_never_settled_by_a_symptom(load):
    load(explanation_data())
    load(explanation_data(slug="other"))
    foreign = Answer.objects.get(question__guide__slug="other", question__slug="q-0", slug="yes")
    symptom = Symptom.objects.get(guide__slug="explained", slug="symptom-0-0")
    Symptom.settles.through.objects.create(symptom=symptom, answer=foreign)  # past the admin's checks

    model = build_snapshot(Guide.objects.get(slug="explained")).model

    assert {o.key: o.settles for o in model.observations}["symptom-0-0"] == ()
    engine.next_step(model, [(engine.SEEN, "symptom-0-0")])  # the troubleshooter still runs


def test_building_the_snapshot_takes_as_many_queries_however_many_answers_are_settled(load):
    load(guide_data(slug="plain", causes=2, questions=questions_for(2)))
    load(explanation_data())

    plain_guide, settled_guide = Guide.objects.get(slug="plain"), Guide.objects.get(slug="explained")

    with CaptureQueriesContext(connection) as plain:
        build_snapshot(plain_guide)
    with CaptureQueriesContext(connection) as settled:
        build_snapshot(settled_guide)

    # Causes, facets, cause fixes, fix steps, questions and their five relations, symptoms, settled answers.
    assert len(plain.captured_queries) == len(settled.captured_queries) == 12
