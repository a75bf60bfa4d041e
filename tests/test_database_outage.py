"""A database outage is explained, never a bare 500: screens still show, answers that can't be saved say so."""

import re

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from guides import engine
from guides.diagnose import page_views
from guides.diagnose.snapshot import build_snapshot
from guides.models import QuestionnaireCount, StepOutcome

ANDROID = "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36"
DIAGNOSE = reverse("guides:diagnose", args=["tiktok-messages"])
FEEDBACK = reverse("guides:diagnose_feedback", args=["tiktok-messages"])


def database_down(execute, sql, params, many, context):
    """For connection.execute_wrapper: every query fails as it would with the database down."""
    raise OperationalError("the database is down")


def fail(*args, **kwargs):
    raise OperationalError("the database is down")


@pytest.fixture
def step_state(seed_guide):
    snapshot = build_snapshot(seed_guide)
    evidence = []
    while (decision := engine.next_step(snapshot.model, evidence)).kind == engine.QUESTION:
        evidence.append((decision.question.key, engine.UNSURE))
    return "&".join(f"{k}={v}" for k, v in evidence), decision.step.key


def test_page_views_counted_while_the_database_is_down_are_written_once_it_is_back(client, step_state, caplog):
    state, step = step_state
    client.get(DIAGNOSE, headers={"User-Agent": ANDROID})  # the snapshot is in memory from here on
    page_views.flush()

    with connection.execute_wrapper(database_down):
        response = client.get(f"{DIAGNOSE}?{state}", headers={"User-Agent": ANDROID})
        assert page_views.flush() == 0

    assert response.status_code == 200
    assert f'name="step" value="{step}"' in response.content.decode()
    assert "page views wait in memory: the database is unavailable" in caplog.text
    assert not QuestionnaireCount.objects.filter(kind="step").exists()
    assert page_views.flush() == 2  # the step shown and the answer that led to it
    assert QuestionnaireCount.objects.get(kind="step", question_slug=step).count == 1


@pytest.mark.parametrize("htmx", [False, True])
def test_an_answer_that_cannot_be_saved_gets_a_clear_503(client, step_state, monkeypatch, htmx):
    state, step = step_state
    page = client.get(f"{DIAGNOSE}?{state}", headers={"User-Agent": ANDROID}).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    monkeypatch.setattr(StepOutcome.objects, "create", fail)
    headers = {"User-Agent": ANDROID, **({"HX-Request": "true"} if htmx else {})}

    data = {"state": state, "step": step, "token": token, "outcome": "fixed"}
    response = client.post(FEEDBACK, data, headers=headers)

    assert response.status_code == 503
    page = response.content.decode()
    assert "couldn&#x27;t save your answer just now" in page
    assert ("<html" in page) is not htmx  # htmx swaps the message into the panel
    assert not StepOutcome.objects.exists()


def test_a_troubleshooter_that_cannot_be_read_says_so(client, db, monkeypatch):
    from guides.diagnose import snapshot as questionnaire

    monkeypatch.setattr(questionnaire, "_snapshots", {})  # a process that has not read the guide yet

    # The whole database, the state cache's table with it: no copy of the guide can be read from anywhere.
    with connection.execute_wrapper(database_down):
        response = client.get(DIAGNOSE, headers={"User-Agent": ANDROID})

    assert response.status_code == 503
    assert "can&#x27;t load right now" in response.content.decode()
