"""One word for each thing: the choices staff pick from are the engine's words, and the address's
parameter names are the slugs no question may take."""

import re
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError

from guides import engine
from guides.diagnose import address
from guides.models import Efficacy, Effort, Question, QuestionnaireCount, StepKind, Strength
from tests.screens import question_state


@pytest.mark.parametrize(
    ("choices", "words"),
    [
        # An explanation screen is made by the engine from a cause staff mark; no step is of that kind.
        (StepKind, set(engine.Kind) - {engine.Kind.EXPLAIN}),
        (Efficacy, set(engine.Efficacy)),
        (Effort, set(engine.Effort)),
        # A symptom's "sign" is the engine's own word for a tapped symptom, never one staff pick.
        (Strength, set(engine.Strength) - {engine.Strength.SIGN}),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_every_choice_staff_see_is_a_word_the_engine_knows_and_the_reverse(choices, words):
    assert words
    assert set(choices.values) == words


def test_the_screens_counted_are_named_as_the_engine_names_them():
    kinds = set(QuestionnaireCount.Kind.values)
    assert {engine.QUESTION, engine.STEP, engine.HAND_OFF} <= kinds
    assert engine.HAND_OFF == engine.Kind.HAND_OFF == StepKind.HAND_OFF


@pytest.mark.parametrize("slug", sorted(address.RESERVED_QUESTION_SLUGS))
def test_a_question_cannot_take_a_parameter_of_the_address_as_its_slug(seed_guide, slug):
    with pytest.raises(ValidationError, match="troubleshooter's address"):
        Question(guide=seed_guide, slug=slug, text="Which phone?").clean()


@pytest.mark.parametrize("slug", ["tried", "show", "step"])
def test_a_word_the_address_does_not_use_is_free_for_a_question(seed_guide, slug):
    assert slug not in address.VIEW_PARAMETERS | address.EVIDENCE_PARAMETERS
    Question(guide=seed_guide, slug=slug, text="Which phone?").clean()


def test_not_sure_is_offered_under_the_engine_word_and_stays_marked_when_asked_again(client, snapshot):
    url = f"/guides/{snapshot.slug}/diagnose/"
    before = urlencode(question_state(snapshot))
    page = client.get(f"{url}?{before}").content.decode()
    found = re.search(rf'name="([a-z0-9-]+)" value="{engine.UNSURE}">', page)
    assert found, "the first question offers no 'I'm not sure'"
    question = found.group(1)
    again = client.get(f"{url}?{before}&{question}={engine.UNSURE}&{address.ASK}={question}").content.decode()
    assert f'class="answer unsure chosen" name="{question}" value="{engine.UNSURE}"' in again
