"""Admin requests no page of ours sends get a 400 in words, never a server error or a worker out of memory.

Found by probing the workspace, the grids and the guides list as an attacker would: digits Python's
isdigit() accepts but int() refuses ("²"), ids too long for the database, a row count of 10^30.
"""

import time

import pytest
from django.urls import reverse

from tests.admin_forms import admin_form

HUGE = "9" * 30


@pytest.fixture
def grid(seed_guide):
    return reverse("admin:guides_guide_fix_grid", args=[seed_guide.pk])


@pytest.mark.parametrize("page", ["²", "9" * 5000, "-1", "abc"])
def test_any_page_number_of_a_grid_opens_a_page(editor_client, grid, page):
    assert editor_client.get(grid, {"page": page}).status_code == 200


@pytest.mark.parametrize(
    "field",
    [("fix-²-1", ""), (f"fix-{HUGE}-1", ""), (f"fix-1-{HUGE}", ""), ("checklist-²", "1"), (f"checklist-{HUGE}", "1")],
)
def test_a_grid_cell_or_position_no_page_sends_is_refused_in_words(editor_client, grid, field):
    data = {**admin_form(editor_client.get(grid).content.decode(), "grid_form"), field[0]: [field[1]]}
    del data["seen"]  # without what the page showed, every cell posted is read

    response = editor_client.post(grid, data)

    assert response.status_code == 400
    assert "Open the grid again" in response.content.decode() or "not a cell" in response.content.decode()


def test_a_checklist_position_in_other_digits_is_refused_in_words(editor_client, grid, seed_guide):
    step = seed_guide.fix_steps.first()
    data = {**admin_form(editor_client.get(grid).content.decode(), "grid_form"), f"checklist-{step.pk}": ["²"]}

    response = editor_client.post(grid, data)

    assert response.status_code == 400
    assert "must be a whole number" in response.content.decode()


@pytest.mark.parametrize(("key", "value"), [("causes-INITIAL_FORMS", HUGE), ("causes-TOTAL_FORMS", "99999999")])
def test_a_forged_row_count_on_the_workspace_is_refused_at_once(editor_client, seed_guide, key, value):
    url = reverse("admin:guides_guide_change", args=[seed_guide.pk])
    data = {**admin_form(editor_client.get(url).content.decode(), "guide_form"), key: [value]}
    started = time.perf_counter()

    response = editor_client.post(url, data)

    assert response.status_code == 400
    assert "Open the page again" in response.content.decode()
    assert time.perf_counter() - started < 2  # before: 24 GB of memory, or 16 s for a 25 MB error page


@pytest.mark.parametrize("row_id", ["abc", "²", HUGE])
def test_a_forged_row_id_on_the_workspace_is_refused(editor_client, seed_guide, row_id):
    url = reverse("admin:guides_guide_change", args=[seed_guide.pk])
    data = {**admin_form(editor_client.get(url).content.decode(), "guide_form"), "causes-0-id": [row_id]}

    response = editor_client.post(url, data)

    assert response.status_code == 400
    assert seed_guide.causes.count() == 13


@pytest.mark.parametrize("selected", ["abc", "²", "1\x00", HUGE])
def test_the_publish_action_refuses_ids_no_list_shows(editor_client, seed_guide, selected):
    data = {"action": "publish", "index": "0", "_selected_action": [selected]}

    response = editor_client.post(reverse("admin:guides_guide_changelist"), data)

    assert response.status_code == 400
