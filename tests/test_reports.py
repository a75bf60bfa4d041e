"""The feedback report: figures from questionnaire events and "Did this fix it?" answers, and its admin page."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guides.models import Guide, QuestionnaireEvent, Resolution
from guides.reports import WINDOWS, Rate, build_report, days_from

Kind = QuestionnaireEvent.Kind


@pytest.fixture
def now():
    return timezone.now()


def add_events(guide, now, kind, count=1, *, question="", answer="", ago=timedelta(hours=1)):
    events = QuestionnaireEvent.objects.bulk_create(
        QuestionnaireEvent(guide=guide, kind=kind, question_slug=question, answer_slug=answer) for _ in range(count)
    )
    QuestionnaireEvent.objects.filter(pk__in=[e.pk for e in events]).update(created_at=now - ago)


def add_resolution(guide, now, cause_slug, *, fixed, fix_steps="", count=1, ago=timedelta(hours=1)):
    cause = guide.causes.filter(slug=cause_slug).first()
    resolutions = Resolution.objects.bulk_create(
        Resolution(guide=guide, cause=cause, cause_slug=cause_slug, fixed=fixed, fix_steps=fix_steps)
        for _ in range(count)
    )
    Resolution.objects.filter(pk__in=[r.pk for r in resolutions]).update(created_at=now - ago)


def by_slug(rows):
    return {row.slug: row for row in rows}


def render_report(guide, report, days):
    user = get_user_model().objects.create_user("staff", password="x", is_staff=True, is_superuser=True)
    request = RequestFactory().get(f"/admin/guides/guide/{guide.pk}/report/", {"days": days})
    request.user = user
    context = {
        **admin.site.each_context(request),
        "opts": Guide._meta,
        "title": f"Feedback report: {guide.title}",
        "guide": guide,
        "report": report,
        "days": days,
        "windows": list(WINDOWS),
    }
    return render_to_string("admin/guides/guide/report.html", context, request=request)


def test_counts_visits_and_the_share_of_visits_that_reached_a_result(seed_guide, now):
    add_events(seed_guide, now, Kind.START, 4)
    add_events(seed_guide, now, Kind.RESULT, 3)  # two first results, and one more after a "No"
    add_resolution(seed_guide, now, "network-connectivity", fixed=False)

    report = build_report(seed_guide, days=7, now=now)

    assert report.visits == 4
    assert report.result_pages == 3
    assert report.reached == 2
    assert report.reached_rate == Rate(value=0.5, percent=50, bar=100, rest=100)


def test_reached_never_exceeds_visits(seed_guide, now):
    add_events(seed_guide, now, Kind.START, 1)
    add_events(seed_guide, now, Kind.RESULT, 3)  # reloads of the result page

    report = build_report(seed_guide, days=7, now=now)

    assert report.reached == 1
    assert report.reached_rate.value == 1.0
    assert report.reached_rate.bar == 200


def test_fixed_rate_per_cause_lists_every_cause_in_guide_order_then_deleted_ones(seed_guide, now):
    add_resolution(seed_guide, now, "network-connectivity", fixed=True, count=2)
    add_resolution(seed_guide, now, "network-connectivity", fixed=False)
    add_resolution(seed_guide, now, "app-glitches", fixed=False)
    add_resolution(seed_guide, now, "a-cause-since-deleted", fixed=True)

    report = build_report(seed_guide, days=7, now=now)
    rows = by_slug(report.causes)

    assert [row.slug for row in report.causes] == [
        *seed_guide.causes.order_by("order", "id").values_list("slug", flat=True),
        "a-cause-since-deleted",
    ]
    assert len(report.causes) == 10
    assert report.feedback == 5
    assert report.fixed == 3
    assert report.fixed_rate.percent == 60
    network = rows["network-connectivity"]
    assert (network.title, network.offered, network.fixed) == ("Your internet connection is weak or blocked", 3, 2)
    assert network.fixed_rate.percent == 67
    assert network.fixed_rate.bar == 133
    assert rows["app-glitches"].fixed_rate.value == 0
    deleted = rows["a-cause-since-deleted"]
    assert (deleted.title, deleted.deleted, deleted.fixed_rate.value) == ("a-cause-since-deleted", True, 1.0)
    assert rows["privacy-settings"].offered == 0
    assert rows["privacy-settings"].fixed_rate.value is None


def test_fixed_rate_per_fix_step_is_sorted_by_times_shown(seed_guide, now):
    add_resolution(seed_guide, now, "app-glitches", fixed=True, fix_steps="force-stop-app,clear-cache")
    add_resolution(seed_guide, now, "app-glitches", fixed=False, fix_steps="force-stop-app,clear-cache,update-app")
    add_resolution(seed_guide, now, "app-glitches", fixed=False, fix_steps="force-stop-app")
    add_resolution(seed_guide, now, "network-connectivity", fixed=True, fix_steps="a-deleted-step")
    add_resolution(seed_guide, now, "network-connectivity", fixed=True, fix_steps="")

    report = build_report(seed_guide, days=7, now=now)
    rows = by_slug(report.fix_steps)

    assert [row.slug for row in report.fix_steps[:2]] == ["force-stop-app", "clear-cache"]
    shown = [row.shown for row in report.fix_steps]
    assert shown == sorted(shown, reverse=True)
    force_stop = rows["force-stop-app"]
    assert (force_stop.title, force_stop.shown, force_stop.fixed) == ("Close TikTok completely and reopen it", 3, 1)
    assert force_stop.fixed_rate.percent == 33
    assert (rows["clear-cache"].shown, rows["clear-cache"].fixed_rate.value) == (2, 0.5)
    assert (rows["update-app"].shown, rows["update-app"].fixed_rate.value) == (1, 0)
    assert (rows["a-deleted-step"].title, rows["a-deleted-step"].deleted) == ("a-deleted-step", True)
    assert rows["restart-device"].shown == 0
    assert rows["restart-device"].fixed_rate.value is None


def test_unsure_list_shows_the_five_questions_most_often_answered_not_sure(seed_guide, now):
    unsure_counts = {"who-affected": 1, "error-notice": 5, "which-notice": 2, "account-status": 4, "age": 3, "links": 0}
    for question in ("who-affected", "error-notice", "which-notice", "account-status", "age", "their-settings"):
        add_events(seed_guide, now, Kind.ANSWER, unsure_counts.get(question, 0), question=question, answer="unsure")
        add_events(seed_guide, now, Kind.ANSWER, 5, question=question, answer="some-answer")
    add_events(seed_guide, now, Kind.ANSWER, 1, question="plain-hi", answer="unsure")

    report = build_report(seed_guide, days=7, now=now)

    # Equal counts: the higher share first, so "plain-hi" (1 of 1) beats "who-affected" (1 of 6).
    assert [row.slug for row in report.unsure] == ["error-notice", "account-status", "age", "which-notice", "plain-hi"]
    top = report.unsure[0]
    assert (top.title, top.answers, top.unsure) == ("When a message fails, does TikTok show you a notice?", 10, 5)
    assert top.unsure_rate.value == 0.5


def test_unsure_list_leaves_out_questions_never_answered_not_sure(seed_guide, now):
    add_events(seed_guide, now, Kind.ANSWER, 3, question="age", answer="adult")
    add_events(seed_guide, now, Kind.ANSWER, 1, question="account-age", answer="unsure")

    report = build_report(seed_guide, days=7, now=now)

    assert [(row.slug, row.answers, row.unsure) for row in report.unsure] == [("account-age", 1, 1)]
    assert report.unsure[0].unsure_rate.percent == 100


def test_drop_off_shows_where_visitors_leave_most_leaves_first(seed_guide, now):
    add_events(seed_guide, now, Kind.QUESTION, 10, question="who-affected")
    add_events(seed_guide, now, Kind.ANSWER, 8, question="who-affected", answer="everyone")
    add_events(seed_guide, now, Kind.QUESTION, 6, question="error-notice")
    add_events(seed_guide, now, Kind.ANSWER, 3, question="error-notice", answer="no-notice")
    add_events(seed_guide, now, Kind.QUESTION, 1, question="age")
    add_events(seed_guide, now, Kind.ANSWER, 2, question="age", answer="adult")  # a reload: more answers than shows
    add_events(seed_guide, now, Kind.RESULT, 4)
    add_resolution(seed_guide, now, "app-glitches", fixed=True)

    report = build_report(seed_guide, days=7, now=now)
    rows = by_slug(report.drop_off)

    assert [row.slug for row in report.drop_off[:2]] == ["error-notice", "who-affected"]
    assert (rows["error-notice"].shown, rows["error-notice"].answered, rows["error-notice"].left) == (6, 3, 3)
    assert rows["error-notice"].left_rate.value == 0.5
    assert rows["who-affected"].left_rate.value == pytest.approx(0.2)
    assert (rows["age"].left, rows["age"].left_rate.value) == (0, 0)
    assert rows["plain-hi"].shown == 0
    assert rows["plain-hi"].left_rate.value is None
    assert len(report.drop_off) == seed_guide.questions.count()
    assert report.left_on_result == 3
    assert report.left_on_result_rate.value == 0.75


def test_records_older_than_the_window_are_left_out(seed_guide, now):
    ten_days = timedelta(days=10)
    add_events(seed_guide, now, Kind.START, 1, ago=ten_days)
    add_events(seed_guide, now, Kind.START, 2, ago=timedelta(days=3))
    add_events(seed_guide, now, Kind.ANSWER, 1, question="age", answer="unsure", ago=ten_days)
    add_resolution(seed_guide, now, "app-glitches", fixed=True, fix_steps="clear-cache", ago=ten_days)
    add_events(seed_guide, now, Kind.START, 5, ago=timedelta(days=31))

    week = build_report(seed_guide, days=7, now=now)
    month = build_report(seed_guide, days=30, now=now)

    assert (week.visits, week.feedback, week.unsure) == (2, 0, ())
    assert by_slug(week.fix_steps)["clear-cache"].shown == 0
    assert (month.visits, month.feedback, month.fixed) == (3, 1, 1)
    assert [row.slug for row in month.unsure] == ["age"]
    assert by_slug(month.fix_steps)["clear-cache"].shown == 1
    assert build_report(seed_guide, days=90, now=now).visits == 8


def test_records_of_other_guides_are_left_out(seed_guide, now):
    other = Guide.objects.create(title="Other", slug="other-guide", summary="Another guide.")
    add_events(other, now, Kind.START, 3)
    add_resolution(other, now, "app-glitches", fixed=True)

    report = build_report(seed_guide, days=7, now=now)

    assert (report.visits, report.feedback) == (0, 0)


def test_empty_data_gives_no_rates_and_the_page_renders_dashes(seed_guide, now):
    report = build_report(seed_guide, days=30, now=now)

    assert (report.visits, report.result_pages, report.reached, report.feedback, report.left_on_result) == (0,) * 5
    assert report.is_empty
    assert report.reached_rate.value is report.fixed_rate.value is report.left_on_result_rate.value is None
    assert all(row.fixed_rate.value is None for row in (*report.causes, *report.fix_steps))
    assert all(row.left_rate.value is None for row in report.drop_off)
    assert report.unsure == ()

    page = render_report(seed_guide, report, 30)

    assert "Nobody used this guide\u2019s questionnaire in this period." in page
    assert "—" in page
    assert 'aria-label="no data"><rect width="0" height="12"' in page
    assert "Nobody answered \u201cI\u2019m not sure\u201d" in page


def test_page_draws_bars_with_numbers_and_marks_the_current_window(seed_guide, now):
    add_resolution(seed_guide, now, "network-connectivity", fixed=True, count=2, fix_steps="check-network")
    add_resolution(seed_guide, now, "network-connectivity", fixed=False, fix_steps="check-network")

    page = render_report(seed_guide, build_report(seed_guide, days=7, now=now), 7)

    assert '<svg width="200" height="12" role="img" aria-label="67% fixed"><rect width="133" height="12"' in page
    assert "Check your internet connection" in page
    assert '<a href="?days=7" aria-current="page">' in page
    assert '<a href="?days=30">' in page and '<a href="?days=90">' in page
    content = page[page.index('<div id="content"') :]
    assert content.count('aria-current="page"') == 1
    assert "<caption>Did this fix it? Per cause</caption>" in page
    assert '<th scope="row">Your internet connection is weak or blocked</th>' in page


def test_page_has_no_inline_styles_or_scripts_for_the_strict_csp(seed_guide, now):
    add_events(seed_guide, now, Kind.START, 2)
    add_resolution(seed_guide, now, "app-glitches", fixed=True, fix_steps="clear-cache")

    page = render_report(seed_guide, build_report(seed_guide, days=7, now=now), 7)
    content = page[page.index('<div id="content"') :]

    assert "style=" not in content
    assert "<style" not in page
    assert "<script>" not in page  # only the admin's own external scripts, which carry the nonce


def test_build_report_runs_the_same_number_of_queries_whatever_the_data(seed_guide, now):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            build_report(seed_guide, days=30, now=now)
        return len(queries)

    add_events(seed_guide, now, Kind.START)
    add_events(seed_guide, now, Kind.QUESTION, question="age")
    add_resolution(seed_guide, now, "app-glitches", fixed=True, fix_steps="clear-cache")
    few = count_queries()

    questions = list(seed_guide.questions.values_list("slug", flat=True))
    for n, question in enumerate(questions):
        add_events(seed_guide, now, Kind.QUESTION, 10, question=question)
        add_events(seed_guide, now, Kind.ANSWER, 5, question=question, answer="unsure" if n % 2 else "x")
    causes = list(seed_guide.causes.values_list("slug", flat=True))
    for n, cause in enumerate(causes):
        add_resolution(seed_guide, now, cause, fixed=bool(n % 2), fix_steps="clear-cache,update-app", count=10)
    add_events(seed_guide, now, Kind.START, 30)
    add_events(seed_guide, now, Kind.RESULT, 20)
    assert QuestionnaireEvent.objects.count() + Resolution.objects.count() >= 300
    many = count_queries()

    assert few == many == 6


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (0, 0, Rate(value=None, percent=None, bar=0, rest=200)),
        (31, 50, Rate(value=0.62, percent=62, bar=124, rest=76)),
        (0, 4, Rate(value=0.0, percent=0, bar=0, rest=200)),
        (5, 4, Rate(value=1.25, percent=125, bar=200, rest=0)),
    ],
)
def test_rates_give_percent_and_bar_width_and_none_without_a_denominator(part, whole, expected):
    assert Rate.of(part, whole) == expected


@pytest.mark.parametrize(("value", "days"), [("7", 7), ("30", 30), ("90", 90), ("14", 30), ("x", 30), (None, 30)])
def test_days_from_accepts_only_the_offered_windows(value, days):
    assert days_from(value) == days


def test_build_report_refuses_an_empty_window(seed_guide):
    with pytest.raises(ValueError):
        build_report(seed_guide, days=0)


def test_pruning_removes_only_page_views_older_than_the_report_reads(seed_guide):
    old = QuestionnaireEvent.objects.create(guide=seed_guide, kind=QuestionnaireEvent.Kind.START)
    QuestionnaireEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))
    recent = QuestionnaireEvent.objects.create(guide=seed_guide, kind=QuestionnaireEvent.Kind.START)

    call_command("prune_questionnaire_events")

    assert list(QuestionnaireEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    with pytest.raises(CommandError):
        call_command("prune_questionnaire_events", days=30)
