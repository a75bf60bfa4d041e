"""Upgrading the database keeps what it held: the page-view rows become daily counters, and back.

Running migrations needs a transactional test, which empties the database when it ends; the
seed is committed again when this module is done, for whatever file the xdist worker runs next.
"""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from guides.models import QuestionnaireCount

pytestmark = pytest.mark.usefixtures("seed_back_after_the_module")

BEFORE_COUNTERS = [("guides", "0007_troubleshooter_efficacy_kinds_efforts")]


def migrate(target):
    """Migrate to `target`, or to the newest migrations if None; return the app registry as it is then."""
    executor = MigrationExecutor(connection)
    target = target or executor.loader.graph.leaf_nodes()
    executor.migrate(target)
    executor.loader.build_graph()
    return executor.loader.project_state(target).apps


@pytest.fixture
def migrations_undone():
    """Leave the database on the newest migrations for the tests after, whatever happens."""
    yield
    migrate(None)


@pytest.mark.django_db(transaction=True)
def test_upgrading_turns_page_view_rows_into_daily_counters_and_back(migrations_undone):
    old = migrate(BEFORE_COUNTERS)
    guide = old.get_model("guides", "Guide").objects.create(title="Old", slug="old-guide", summary="Kept.")
    Event = old.get_model("guides", "QuestionnaireEvent")
    views = [
        (datetime(2026, 3, 1, 9, tzinfo=UTC), "start", "", "", 3),
        (datetime(2026, 3, 1, 23, 59, tzinfo=UTC), "start", "", "", 2),
        (datetime(2026, 3, 2, 0, 1, tzinfo=UTC), "start", "", "", 4),
        (datetime(2026, 3, 1, 10, tzinfo=UTC), "answer", "age", "unsure", 2),
        (datetime(2026, 3, 1, 11, tzinfo=UTC), "answer", "age", "adult", 1),
    ]
    for when, kind, question, answer, count in views:
        made = Event.objects.bulk_create(
            Event(guide_id=guide.pk, kind=kind, question_slug=question, answer_slug=answer) for _ in range(count)
        )
        Event.objects.filter(pk__in=[e.pk for e in made]).update(created_at=when)

    migrate(None)

    counters = {
        (c.day, c.kind, c.question_slug, c.answer_slug): c.count
        for c in QuestionnaireCount.objects.filter(guide_id=guide.pk)
    }
    assert counters == {
        (date(2026, 3, 1), "start", "", ""): 5,
        (date(2026, 3, 2), "start", "", ""): 4,
        (date(2026, 3, 1), "answer", "age", "unsure"): 2,
        (date(2026, 3, 1), "answer", "age", "adult"): 1,
    }

    old = migrate(BEFORE_COUNTERS)
    Event = old.get_model("guides", "QuestionnaireEvent")
    assert Event.objects.filter(kind="start", created_at__date=date(2026, 3, 1)).count() == 5
    assert Event.objects.count() == 12
