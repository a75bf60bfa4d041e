"""The troubleshooter's page views: counted in memory, written in one upsert per guide by a flush.

The tests of the running server (tests/test_deploy.py) show the flush every few seconds, at a normal
exit, and what a killed process loses.
"""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from guides.diagnose import page_views
from guides.models import Guide, QuestionnaireCount

START = [(QuestionnaireCount.Kind.START, "", ""), (QuestionnaireCount.Kind.QUESTION, "first-question", "")]


def counters(guide: Guide) -> dict:
    return {(c.day, c.kind, c.question_slug): c.count for c in QuestionnaireCount.objects.filter(guide=guide)}


def test_views_are_added_up_in_memory_and_written_by_the_flush(seed_guide, django_assert_num_queries):
    with django_assert_num_queries(0):
        for _ in range(3):
            page_views.add(seed_guide.pk, START)
    assert page_views.pending() == 6
    assert counters(seed_guide) == {}

    assert page_views.flush() == 6

    today = timezone.localdate()
    assert counters(seed_guide) == {(today, "start", ""): 3, (today, "question", "first-question"): 3}
    assert page_views.pending() == 0
    assert page_views.flush() == 0  # nothing twice


def test_a_flush_adds_to_the_counters_already_there(seed_guide):
    page_views.add(seed_guide.pk, START)
    page_views.flush()
    page_views.add(seed_guide.pk, START)
    page_views.flush()

    assert counters(seed_guide)[(timezone.localdate(), "start", "")] == 2


def test_a_view_counts_on_the_day_it_was_seen_even_when_written_after_midnight(seed_guide, monkeypatch):
    yesterday = timezone.localdate() - timedelta(days=1)
    monkeypatch.setattr(page_views.timezone, "localdate", lambda: yesterday)
    page_views.add(seed_guide.pk, START[:1])
    monkeypatch.undo()

    page_views.flush()

    assert counters(seed_guide) == {(yesterday, "start", ""): 1}


@pytest.mark.django_db(transaction=True)  # the deleted guide shows when the write commits
@pytest.mark.usefixtures("seed_back_after_the_module")  # a transactional test empties the database
def test_views_of_a_deleted_guide_are_dropped_with_a_log_line_and_the_others_written(caplog):
    kept = Guide.objects.create(title="Kept", slug="kept", summary="Stays.")
    deleted = Guide.objects.create(title="Gone", slug="gone", summary="Deleted.")
    page_views.add(kept.pk, START)
    page_views.add(deleted.pk, START)
    deleted.delete()

    with caplog.at_level(logging.WARNING, logger="guides.diagnose.page_views"):
        assert page_views.flush() == 2

    assert sum(counters(kept).values()) == 2
    assert not QuestionnaireCount.objects.filter(guide_id=deleted.pk).exists()
    assert "2 troubleshooter page views of a deleted guide were dropped" in caplog.text
    assert page_views.pending() == 0  # dropped, not kept to fail again at every flush
