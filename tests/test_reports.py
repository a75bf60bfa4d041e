"""The feedback report: which fixes help, how visits end, where visitors hesitate, which pages help, its admin page."""

import html
import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db.models import F, Sum
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from guides.feedback.reports import WINDOWS, Rate, build_report, days_from
from guides.models import Guide, PageVote, QuestionnaireCount, Resolution, StepKind, StepOutcome

Kind = QuestionnaireCount.Kind
Outcome = StepOutcome.Outcome
HOUR = timedelta(hours=1)


@pytest.fixture
def now():
    return timezone.now()


def _backdate(model, objects, when):
    model.objects.filter(pk__in=[o.pk for o in objects]).update(created_at=when)


def add_events(guide, now, kind, count=1, *, slug="", answer="", ago=HOUR):
    """Page views as `_record_visit` counts them, on the day `ago` before `now`: `slug` is the screen shown."""
    counter, _ = QuestionnaireCount.objects.get_or_create(
        guide=guide, day=timezone.localdate(now - ago), kind=kind, question_slug=slug, answer_slug=answer
    )
    QuestionnaireCount.objects.filter(pk=counter.pk).update(count=F("count") + count)


def add_outcomes(guide, now, step, outcome, count=1, *, ago=HOUR):
    outcomes = StepOutcome.objects.bulk_create(
        StepOutcome(guide=guide, step_slug=step, outcome=outcome) for _ in range(count)
    )
    _backdate(StepOutcome, outcomes, now - ago)


def add_fixed_visit(guide, now, cause_slug, step, count=1, *, ago=HOUR):
    """A visit that ended with "Yes, it works now" on `step`, as `record_outcome` stores it."""
    cause = guide.causes.filter(slug=cause_slug).first()
    resolutions = Resolution.objects.bulk_create(
        Resolution(
            guide=guide,
            cause=cause,
            cause_slug=cause_slug,
            fixed=True,
            fix_steps=f"force-stop-app,{step}",
            step_slug=step,
            ranking=f"{cause_slug}:60,app-glitches:20",
        )
        for _ in range(count)
    )
    _backdate(Resolution, resolutions, now - ago)


def add_explained_visit(guide, now, cause_slug, count=1, *, ago=HOUR):
    """A visit that ended with "Yes, that explains it" on the explanation of `cause_slug`."""
    cause = guide.causes.filter(slug=cause_slug).first()
    resolutions = Resolution.objects.bulk_create(
        Resolution(
            guide=guide,
            cause=cause,
            cause_slug=cause_slug,
            fixed=True,
            kind=Resolution.Kind.EXPLAINED,
            fix_steps="force-stop-app",
            step_slug="",
            ranking=f"{cause_slug}:70,app-glitches:10",
        )
        for _ in range(count)
    )
    _backdate(Resolution, resolutions, now - ago)


def add_votes(guide, now, cause_slug, helpful, count=1, *, reason="", ago=HOUR):
    """Votes on the article (`cause_slug` "") or a cause page, as `record_vote` stores them."""
    cause = guide.causes.filter(slug=cause_slug).first() if cause_slug else None
    votes = PageVote.objects.bulk_create(
        PageVote(
            guide=guide,
            cause=cause,
            cause_slug=cause_slug,
            helpful=helpful,
            reason=reason,
            token=secrets.token_hex(8),
        )
        for _ in range(count)
    )
    _backdate(PageVote, votes, now - ago)


def add_old_result_page_records(guide, now):
    """What the old questionnaire stored: result pages shown, and "Did this fix it?" answers without a step."""
    add_events(guide, now, Kind.RESULT, 5)
    old = Resolution.objects.bulk_create(
        [
            Resolution(guide=guide, cause_slug="app-glitches", fixed=True, fix_steps="clear-cache,update-app"),
            Resolution(guide=guide, cause_slug="app-glitches", fixed=False, fix_steps="clear-cache"),
        ]
    )
    _backdate(Resolution, old, now - HOUR)


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


def content_of(page):
    return page[page.index('<div id="content"') :]


# Visits


def test_counts_visits_the_share_fixed_and_the_share_handed_off(seed_guide, now):
    add_events(seed_guide, now, Kind.START, 8)
    add_fixed_visit(seed_guide, now, "app-glitches", "clear-cache", 2)
    add_events(seed_guide, now, Kind.HAND_OFF, 3)

    report = build_report(seed_guide, days=7, now=now)

    assert (report.visits, report.fixed, report.hand_offs) == (8, 2, 3)
    assert report.fixed_rate == Rate(value=0.25, percent=25, bar=50, rest=150)
    assert report.hand_off_rate == Rate(value=0.375, percent=38, bar=75, rest=125)


def test_old_result_pages_and_their_answers_are_not_counted(seed_guide, now):
    add_old_result_page_records(seed_guide, now)

    report = build_report(seed_guide, days=7, now=now)

    assert (report.visits, report.fixed, report.hand_offs) == (0, 0, 0)
    assert all(row.fixed == 0 for row in report.causes)
    assert all(row.shown == row.answered == 0 for row in report.fix_steps)
    assert report.is_empty

    add_events(seed_guide, now, Kind.START, 2)
    add_fixed_visit(seed_guide, now, "app-glitches", "clear-cache")
    report = build_report(seed_guide, days=7, now=now)

    assert (report.visits, report.fixed) == (2, 1)
    assert by_slug(report.causes)["app-glitches"].fixed == 1
    assert not report.is_empty


# Which fixes actually help


def test_fix_steps_count_shown_and_each_button_and_sort_by_times_shown(seed_guide, now):
    add_events(seed_guide, now, Kind.STEP, 10, slug="force-stop-app")
    add_outcomes(seed_guide, now, "force-stop-app", Outcome.FIXED, 2)
    add_outcomes(seed_guide, now, "force-stop-app", Outcome.NOT_FIXED, 5)
    add_outcomes(seed_guide, now, "force-stop-app", Outcome.COULDNT, 1)
    add_events(seed_guide, now, Kind.STEP, 4, slug="clear-cache")
    add_outcomes(seed_guide, now, "clear-cache", Outcome.FIXED, 3)
    add_outcomes(seed_guide, now, "clear-cache", Outcome.NOT_FIXED, 1)
    add_events(seed_guide, now, Kind.STEP, 6, slug="update-app")  # shown, but nobody pressed a button

    report = build_report(seed_guide, days=7, now=now)
    rows = by_slug(report.fix_steps)

    assert [row.slug for row in report.fix_steps[:3]] == ["force-stop-app", "update-app", "clear-cache"]
    force_stop = rows["force-stop-app"]
    assert force_stop.title == "Close TikTok completely and reopen it"
    assert (force_stop.shown, force_stop.fixed, force_stop.not_fixed, force_stop.couldnt) == (10, 2, 5, 1)
    assert force_stop.answered == 8
    assert force_stop.fixed_rate == Rate(value=0.25, percent=25, bar=50, rest=150)
    clear_cache = rows["clear-cache"]
    assert (clear_cache.fixed_rate.percent, clear_cache.fixed_rate.bar) == (75, 150)
    assert (rows["update-app"].shown, rows["update-app"].answered) == (6, 0)
    assert rows["update-app"].fixed_rate.value is None
    assert rows["restart-device"].shown == 0
    assert rows["restart-device"].fixed_rate.value is None


def test_fix_steps_list_every_step_of_the_guide_but_the_hand_off_then_deleted_ones(seed_guide, now):
    add_events(seed_guide, now, Kind.STEP, 2, slug="clear-cache")
    add_events(seed_guide, now, Kind.STEP, 1, slug="a-step-since-deleted")
    add_outcomes(seed_guide, now, "a-step-since-deleted", Outcome.FIXED)
    add_outcomes(seed_guide, now, "another-deleted-step", Outcome.NOT_FIXED)  # shown before the window began
    add_events(seed_guide, now, Kind.HAND_OFF)

    report = build_report(seed_guide, days=7, now=now)
    rows = by_slug(report.fix_steps)

    unshown = seed_guide.fix_steps.exclude(slug="clear-cache").exclude(kind=StepKind.HAND_OFF).order_by("title")
    assert [row.slug for row in report.fix_steps] == [
        "clear-cache",
        "a-step-since-deleted",
        *unshown.values_list("slug", flat=True),
        "another-deleted-step",
    ]
    assert "report-a-problem" not in rows  # the hand-off has no buttons: it is among the visits
    deleted = rows["a-step-since-deleted"]
    assert (deleted.title, deleted.deleted, deleted.shown, deleted.fixed) == ("a-step-since-deleted", True, 1, 1)
    assert deleted.fixed_rate.percent == 100
    other = rows["another-deleted-step"]
    assert (other.deleted, other.shown, other.not_fixed, other.fixed_rate.value) == (True, 0, 1, 0)
    assert rows["clear-cache"].deleted is False


@pytest.mark.parametrize(
    ("fixed", "not_fixed", "couldnt", "often_cant"),
    [(1, 1, 1, False), (2, 1, 2, True), (0, 0, 1, True), (3, 3, 0, False), (0, 0, 0, False)],
)
def test_a_step_visitors_could_not_do_more_than_a_third_of_the_time_is_marked(
    seed_guide, now, fixed, not_fixed, couldnt, often_cant
):
    add_events(seed_guide, now, Kind.STEP, 5, slug="check-dns-settings")
    add_outcomes(seed_guide, now, "check-dns-settings", Outcome.FIXED, fixed)
    add_outcomes(seed_guide, now, "check-dns-settings", Outcome.NOT_FIXED, not_fixed)
    add_outcomes(seed_guide, now, "check-dns-settings", Outcome.COULDNT, couldnt)

    row = by_slug(build_report(seed_guide, days=7, now=now).fix_steps)["check-dns-settings"]

    assert row.often_cant is often_cant


def test_page_notes_the_step_that_often_cannot_be_done_and_only_that_one(seed_guide, now):
    add_events(seed_guide, now, Kind.STEP, 4, slug="check-dns-settings")
    add_outcomes(seed_guide, now, "check-dns-settings", Outcome.COULDNT, 2)
    add_outcomes(seed_guide, now, "check-dns-settings", Outcome.NOT_FIXED, 2)
    add_events(seed_guide, now, Kind.STEP, 3, slug="update-app")
    add_outcomes(seed_guide, now, "update-app", Outcome.COULDNT, 1)
    add_outcomes(seed_guide, now, "update-app", Outcome.FIXED, 2)

    page = content_of(render_report(seed_guide, build_report(seed_guide, days=7, now=now), 7))

    note = "Often can\u2019t be done: check its instructions"
    assert page.count(note) == 1
    dns_row = page[page.index("Set DNS back to automatic") :]
    assert dns_row.index(note) < dns_row.index("</tr>")
    assert '<td>2 <span class="help">(50%)</span></td>' in dns_row


# Per cause


def test_fixed_visits_per_likeliest_cause_in_guide_order_then_deleted_ones(seed_guide, now):
    add_fixed_visit(seed_guide, now, "network-connectivity", "check-network", 3)
    add_fixed_visit(seed_guide, now, "app-glitches", "clear-cache")
    add_fixed_visit(seed_guide, now, "a-cause-since-deleted", "update-app")

    report = build_report(seed_guide, days=7, now=now)
    rows = by_slug(report.causes)

    assert [row.slug for row in report.causes] == [
        *seed_guide.causes.order_by("order", "id").values_list("slug", flat=True),
        "a-cause-since-deleted",
    ]
    assert len(report.causes) == seed_guide.causes.count() + 1
    assert report.fixed == 5
    network = rows["network-connectivity"]
    assert (network.title, network.fixed, network.deleted) == ("Your internet connection is weak or blocked", 3, False)
    assert network.share == Rate(value=0.6, percent=60, bar=120, rest=80)
    deleted = rows["a-cause-since-deleted"]
    assert (deleted.title, deleted.deleted, deleted.fixed, deleted.share.percent) == (
        "a-cause-since-deleted",
        True,
        1,
        20,
    )
    assert (rows["privacy-settings"].fixed, rows["privacy-settings"].share.value) == (0, 0)


# Where visitors hesitate or leave


def test_unsure_list_shows_the_five_questions_most_often_answered_not_sure(seed_guide, now):
    unsure_counts = {"who-affected": 1, "error-notice": 5, "which-notice": 2, "account-status": 4, "age": 3}
    for question in ("who-affected", "error-notice", "which-notice", "account-status", "age", "their-settings"):
        add_events(seed_guide, now, Kind.ANSWER, unsure_counts.get(question, 0), slug=question, answer="unsure")
        add_events(seed_guide, now, Kind.ANSWER, 5, slug=question, answer="some-answer")
    add_events(seed_guide, now, Kind.ANSWER, 1, slug="plain-hi", answer="unsure")

    report = build_report(seed_guide, days=7, now=now)

    # Equal counts: the higher share first, so "plain-hi" (1 of 1) beats "who-affected" (1 of 6).
    assert [row.slug for row in report.unsure] == ["error-notice", "account-status", "age", "which-notice", "plain-hi"]
    top = report.unsure[0]
    assert (top.title, top.answers, top.unsure) == ("When a message fails, does TikTok show you a notice?", 10, 5)
    assert top.unsure_rate.value == 0.5


def test_unsure_list_leaves_out_questions_never_answered_not_sure(seed_guide, now):
    add_events(seed_guide, now, Kind.ANSWER, 3, slug="age", answer="adult")
    add_events(seed_guide, now, Kind.ANSWER, 1, slug="account-age", answer="unsure")

    report = build_report(seed_guide, days=7, now=now)

    assert [(row.slug, row.answers, row.unsure) for row in report.unsure] == [("account-age", 1, 1)]
    assert report.unsure[0].unsure_rate.percent == 100


def test_drop_off_shows_where_visitors_leave_most_leaves_first(seed_guide, now):
    add_events(seed_guide, now, Kind.QUESTION, 10, slug="who-affected")
    add_events(seed_guide, now, Kind.ANSWER, 8, slug="who-affected", answer="everyone")
    add_events(seed_guide, now, Kind.QUESTION, 6, slug="error-notice")
    add_events(seed_guide, now, Kind.ANSWER, 3, slug="error-notice", answer="no-notice")
    add_events(seed_guide, now, Kind.QUESTION, 1, slug="age")
    add_events(seed_guide, now, Kind.ANSWER, 2, slug="age", answer="adult")  # a reload: more answers than shows
    add_events(seed_guide, now, Kind.STEP, 7, slug="clear-cache")  # fix steps are not questions

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


# Was this page helpful?


def test_votes_count_yes_no_and_each_reason_per_page_the_article_first(seed_guide, now):
    causes = list(seed_guide.causes.order_by("order", "id").values_list("slug", "title"))
    first, second = causes[0][0], causes[1][0]
    add_votes(seed_guide, now, "", True, 7)
    add_votes(seed_guide, now, "", False, 2, reason="didnt_fix")
    add_votes(seed_guide, now, "", False, 1)
    add_votes(seed_guide, now, second, False, 3, reason="out_of_date")
    add_votes(seed_guide, now, second, False, 1, reason="hard_to_follow")
    add_votes(seed_guide, now, second, True, 1)
    add_votes(seed_guide, now, "a-cause-since-deleted", False, 1, reason="not_my_problem")
    add_votes(Guide.objects.create(title="Other", slug="other-guide", summary="Another."), now, "", True, 9)

    report = build_report(seed_guide, days=7, now=now)

    assert [(row.slug, row.title, row.deleted) for row in report.pages] == [
        ("", seed_guide.title, False),
        *[(slug, title, False) for slug, title in causes],
        ("a-cause-since-deleted", "a-cause-since-deleted", True),
    ]
    pages = by_slug(report.pages)
    article = pages[""]
    assert (article.yes, article.no, article.votes) == (7, 3, 10)
    assert article.helpful_rate == Rate(value=0.7, percent=70, bar=140, rest=60)
    assert [(r.value, r.count) for r in article.reasons] == [
        ("didnt_fix", 2),
        ("hard_to_follow", 0),
        ("out_of_date", 0),
        ("not_my_problem", 0),
        ("", 1),
    ]
    assert article.reasons[0].share == Rate(value=2 / 3, percent=67, bar=40, rest=20)
    assert [(r.label, r.count) for r in pages[second].reasons][1:3] == [
        ("It's hard to follow", 1),
        ("It's out of date or wrong", 3),
    ]
    assert (pages[second].yes, pages[second].no) == (1, 4)
    assert (pages[first].votes, pages[first].helpful_rate.percent) == (0, None)
    assert report.votes == 16


def test_votes_count_only_in_their_window(seed_guide, now):
    for ago in (timedelta(days=3), timedelta(days=10), timedelta(days=45), timedelta(days=100)):
        add_votes(seed_guide, now, "", True, ago=ago)
        add_votes(seed_guide, now, "", False, reason="hard_to_follow", ago=ago)

    for days, expected in ((7, 1), (30, 2), (90, 3)):
        article = build_report(seed_guide, days=days, now=now).pages[0]
        assert (article.yes, article.no, article.reasons[1].count) == (expected,) * 3, days


def test_page_shows_the_votes_as_bars_with_the_numbers_beside_them(seed_guide, now):
    cause_slug, cause_title = seed_guide.causes.order_by("order", "id").values_list("slug", "title").first()
    add_votes(seed_guide, now, "", True, 3)
    add_votes(seed_guide, now, "", False, 1, reason="out_of_date")
    add_votes(seed_guide, now, cause_slug, False, 2, reason="didnt_fix")
    add_votes(seed_guide, now, "a-cause-since-deleted", True, 1)

    page = render_report(seed_guide, build_report(seed_guide, days=30, now=now), 30)
    section = page[page.index("<caption>Was this page helpful?") :]

    assert '<th scope="col">No: It&#x27;s out of date or wrong</th>' in section
    article = section[section.index('<a href="/guides/tiktok-messages/">The article</a>') :]
    assert article.startswith(
        '<a href="/guides/tiktok-messages/">The article</a></th>\n      <td>3</td>\n      <td>1</td>'
    )
    assert '<svg width="200" height="12" role="img" aria-label="75% said it helped"><rect width="150"' in article
    assert "</svg> 75%</td>" in article
    # the reasons: a 60 px bar each, the count beside it
    assert '<svg width="60" height="12" role="img" aria-label="100% of the No votes"><rect width="60"' in article
    assert "</svg> 1</td>" in article
    cause_row = section[section.index(f'<a href="/guides/tiktok-messages/causes/{cause_slug}/">{cause_title}</a>') :]
    assert 'aria-label="0% said it helped"' in cause_row and "</svg> 2</td>" in cause_row
    assert 'a-cause-since-deleted <span class="help">(deleted cause)</span>' in section
    assert "Nobody answered" not in section
    assert "style=" not in section


def test_page_says_when_nobody_voted(seed_guide, now):
    page = render_report(seed_guide, build_report(seed_guide, days=7, now=now), 7)

    assert "Nobody answered \u201cWas this page helpful?\u201d in this period." in page
    assert '<svg width="60" height="12" role="img" aria-label="no data"><rect width="0" height="12"' in page


# The window


def test_each_window_counts_only_its_own_days(seed_guide, now):
    for ago in (timedelta(days=3), timedelta(days=10), timedelta(days=45), timedelta(days=100)):
        add_events(seed_guide, now, Kind.START, ago=ago)
        add_events(seed_guide, now, Kind.HAND_OFF, ago=ago)
        add_events(seed_guide, now, Kind.STEP, slug="clear-cache", ago=ago)
        add_outcomes(seed_guide, now, "clear-cache", Outcome.COULDNT, ago=ago)
        add_events(seed_guide, now, Kind.ANSWER, slug="age", answer="unsure", ago=ago)
        add_fixed_visit(seed_guide, now, "app-glitches", "clear-cache", ago=ago)

    for days, expected in ((7, 1), (30, 2), (90, 3)):
        report = build_report(seed_guide, days=days, now=now)
        step = by_slug(report.fix_steps)["clear-cache"]
        cause = by_slug(report.causes)["app-glitches"]
        unsure = [(row.slug, row.unsure) for row in report.unsure]
        assert (report.visits, report.hand_offs, report.fixed) == (expected,) * 3, days
        assert (step.shown, step.couldnt, cause.fixed, unsure) == (expected, expected, expected, [("age", expected)])


def test_the_window_is_whole_days_today_included(seed_guide):
    now = datetime(2026, 5, 20, 10, 30, tzinfo=UTC)
    first_moment = datetime(2026, 5, 14, tzinfo=UTC)  # 7 days: the 14th to the 20th
    add_events(seed_guide, now, Kind.START, 1, ago=now - first_moment + timedelta(minutes=1))  # the 13th
    add_events(seed_guide, now, Kind.START, 2, ago=now - first_moment)
    add_events(seed_guide, now, Kind.START, 4, ago=-timedelta(days=1))  # tomorrow: not yet
    add_outcomes(seed_guide, now, "clear-cache", Outcome.FIXED, 1, ago=now - first_moment + timedelta(seconds=1))
    add_outcomes(seed_guide, now, "clear-cache", Outcome.FIXED, 2, ago=now - first_moment)
    add_outcomes(seed_guide, now, "clear-cache", Outcome.FIXED, 4, ago=-timedelta(seconds=1))

    report = build_report(seed_guide, days=7, now=now)

    assert report.visits == 2
    assert by_slug(report.fix_steps)["clear-cache"].fixed == 2  # answers cover the same days as page views
    assert (report.until, report.since) == (now, first_moment)


def test_records_of_other_guides_are_left_out(seed_guide, now):
    other = Guide.objects.create(title="Other", slug="other-guide", summary="Another guide.")
    add_events(other, now, Kind.START, 3)
    add_events(other, now, Kind.STEP, 3, slug="clear-cache")
    add_outcomes(other, now, "clear-cache", Outcome.FIXED)
    add_fixed_visit(other, now, "app-glitches", "clear-cache")

    report = build_report(seed_guide, days=7, now=now)

    assert (report.visits, report.fixed) == (0, 0)
    assert (by_slug(report.fix_steps)["clear-cache"].shown, by_slug(report.fix_steps)["clear-cache"].fixed) == (0, 0)
    assert report.is_empty


# Queries


def test_build_report_runs_the_same_number_of_queries_whatever_the_data(seed_guide, now, django_assert_num_queries):
    add_events(seed_guide, now, Kind.START)
    with django_assert_num_queries(7):
        build_report(seed_guide, days=30, now=now)

    questions = list(seed_guide.questions.values_list("slug", flat=True))
    for n, question in enumerate(questions):
        add_events(seed_guide, now, Kind.QUESTION, 10, slug=question)
        add_events(seed_guide, now, Kind.ANSWER, 5, slug=question, answer="unsure" if n % 2 else "x")
    steps = list(seed_guide.fix_steps.values_list("slug", flat=True))
    for step in [*steps, "a-deleted-step"]:
        add_events(seed_guide, now, Kind.STEP, 5, slug=step)
        for outcome in Outcome.values:
            add_outcomes(seed_guide, now, step, outcome, 3)
    for cause in [*seed_guide.causes.values_list("slug", flat=True), "a-deleted-cause"]:
        add_fixed_visit(seed_guide, now, cause, "clear-cache", 5)
    add_events(seed_guide, now, Kind.START, 30)
    add_events(seed_guide, now, Kind.HAND_OFF, 20)
    for page in ["", *seed_guide.causes.values_list("slug", flat=True), "a-deleted-cause"]:
        add_votes(seed_guide, now, page, True, 4)
        for reason in ["", *PageVote.Reason.values]:
            add_votes(seed_guide, now, page, False, 2, reason=reason)
    views = QuestionnaireCount.objects.aggregate(total=Sum("count"))["total"]
    assert views + StepOutcome.objects.count() + Resolution.objects.count() + PageVote.objects.count() >= 600

    with django_assert_num_queries(7):
        report = build_report(seed_guide, days=30, now=now)
    assert report.visits == 31  # the report did read the data
    assert report.votes == PageVote.objects.count()


# The admin page


def test_page_draws_bars_with_numbers_and_marks_the_current_window(seed_guide, now):
    add_events(seed_guide, now, Kind.START, 4)
    add_events(seed_guide, now, Kind.STEP, 3, slug="check-network")
    add_outcomes(seed_guide, now, "check-network", Outcome.FIXED, 2)
    add_outcomes(seed_guide, now, "check-network", Outcome.NOT_FIXED, 1)
    add_fixed_visit(seed_guide, now, "network-connectivity", "check-network", 2)

    page = render_report(seed_guide, build_report(seed_guide, days=7, now=now), 7)
    content = content_of(page)

    assert '<svg width="200" height="12" role="img" aria-label="67% fixed"><rect width="133" height="12"' in page
    assert "</svg> 67%</td>" in page  # the number beside the bar
    assert 'aria-label="50% of visits fixed"><rect width="100" height="12"' in page
    assert '<th scope="row">Check your internet connection</th>' in content
    assert '<th scope="row">Your internet connection is weak or blocked</th>' in content
    assert "<caption>Which fixes actually help, most shown first</caption>" in page
    assert "<caption>Visits fixed or explained, by the likeliest cause at the time</caption>" in page
    assert '<a href="?days=7" aria-current="page">' in page
    assert '<a href="?days=30">' in page and '<a href="?days=90">' in page
    assert content.count('aria-current="page"') == 1


def test_page_lists_deleted_steps_and_causes_by_slug(seed_guide, now):
    add_events(seed_guide, now, Kind.STEP, 2, slug="a-step-since-deleted")
    add_fixed_visit(seed_guide, now, "a-cause-since-deleted", "a-step-since-deleted")

    page = render_report(seed_guide, build_report(seed_guide, days=7, now=now), 7)

    assert 'a-step-since-deleted <span class="help">(deleted fix step)</span>' in page
    assert 'a-cause-since-deleted <span class="help">(deleted cause)</span>' in page


def test_empty_data_gives_no_rates_and_the_page_renders_dashes(seed_guide, now):
    report = build_report(seed_guide, days=30, now=now)

    assert (report.visits, report.fixed, report.hand_offs) == (0, 0, 0)
    assert report.is_empty
    assert report.fixed_rate.value is report.hand_off_rate.value is None
    assert all(row.fixed_rate.value is None and not row.often_cant for row in report.fix_steps)
    assert all(row.share.value is None for row in report.causes)
    assert all(row.left_rate.value is None for row in report.drop_off)
    assert report.unsure == ()

    page = render_report(seed_guide, report, 30)

    assert "Nobody used this guide\u2019s troubleshooter in this period." in page
    assert "</svg> —</td>" in page
    assert 'aria-label="no data"><rect width="0" height="12"' in page
    assert "Nobody answered \u201cI\u2019m not sure\u201d" in page
    assert "Often can\u2019t be done" not in content_of(page)


def test_page_has_no_inline_styles_or_scripts_for_the_strict_csp(seed_guide, now):
    add_events(seed_guide, now, Kind.START, 2)
    add_events(seed_guide, now, Kind.STEP, 2, slug="clear-cache")
    add_outcomes(seed_guide, now, "clear-cache", Outcome.COULDNT, 2)
    add_fixed_visit(seed_guide, now, "app-glitches", "clear-cache")

    page = render_report(seed_guide, build_report(seed_guide, days=7, now=now), 7)

    assert "Often can\u2019t be done" in page
    assert "style=" not in content_of(page)
    assert "<style" not in page
    assert "<script>" not in page  # only the admin's own external scripts, which carry the nonce


def test_an_editor_opens_the_report_and_sees_the_figures(seed_guide):
    editor = get_user_model().objects.create_user("eddie", password="a-long-editor-password", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(editor)
    now = timezone.now()
    add_events(seed_guide, now, Kind.START, 12)
    add_events(seed_guide, now, Kind.START, 5, ago=timedelta(days=20))
    add_events(seed_guide, now, Kind.STEP, 9, slug="restart-device")
    add_outcomes(seed_guide, now, "restart-device", Outcome.FIXED, 3)
    add_outcomes(seed_guide, now, "restart-device", Outcome.NOT_FIXED, 1)
    add_fixed_visit(seed_guide, now, "app-glitches", "restart-device", 3)
    url = reverse("admin:guides_guide_report", args=[seed_guide.pk])

    response = client.get(url, {"days": 7})

    assert response.status_code == 200
    page = content_of(response.content.decode())
    assert "<td>12</td>" in page  # visits this week; the older five are outside it
    assert "<td>17</td>" not in page
    restart = page[page.index('<th scope="row">Restart your phone</th>') :]
    assert restart.startswith(
        '<th scope="row">Restart your phone</th>\n      <td>9</td>\n      <td>3</td>\n      <td>1</td>\n      <td>0'
    )
    assert 'aria-label="75% fixed"' in restart
    assert 'aria-label="25% of visits fixed"' in page
    assert "<td>17</td>" in content_of(client.get(url, {"days": 30}).content.decode())


# Helpers


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


def test_pruning_removes_only_page_view_counters_older_than_the_report_reads(seed_guide, now):
    add_events(seed_guide, now, Kind.START, 5, ago=timedelta(days=91))
    add_events(seed_guide, now, Kind.START, 3, ago=timedelta(days=89))

    call_command("prune_questionnaire_events")

    assert list(QuestionnaireCount.objects.values_list("count", flat=True)) == [3]
    assert build_report(seed_guide, days=90, now=now).visits == 3
    with pytest.raises(CommandError):
        call_command("prune_questionnaire_events", days=30)


def test_pruning_deletes_answers_older_than_the_feedback_retention(seed_guide, now, settings):
    settings.FEEDBACK_RETENTION_DAYS = 120
    for ago in (timedelta(days=121), timedelta(days=119)):
        add_outcomes(seed_guide, now, "clear-cache", Outcome.FIXED, ago=ago)
        add_fixed_visit(seed_guide, now, "app-glitches", "clear-cache", ago=ago)

    call_command("prune_questionnaire_events")

    day_119 = (now - timedelta(days=119)).date()
    assert [o.created_at.date() for o in StepOutcome.objects.all()] == [day_119]
    assert [r.created_at.date() for r in Resolution.objects.all()] == [day_119]


def test_answers_are_kept_400_days_unless_the_operator_says_otherwise(seed_guide, now):
    for ago in (timedelta(days=401), timedelta(days=399)):
        add_outcomes(seed_guide, now, "clear-cache", Outcome.NOT_FIXED, ago=ago)

    call_command("prune_questionnaire_events")

    assert StepOutcome.objects.count() == 1


def test_pruning_deletes_votes_older_than_the_feedback_retention(seed_guide, now, settings):
    settings.FEEDBACK_RETENTION_DAYS = 120
    add_votes(seed_guide, now, "", True, ago=timedelta(days=121))
    add_votes(seed_guide, now, "", False, reason="didnt_fix", ago=timedelta(days=119))

    call_command("prune_questionnaire_events")

    assert list(PageVote.objects.values_list("helpful", "reason")) == [(False, "didnt_fix")]


# Explanations and long shots


def test_visits_an_explanation_ended_count_as_successes_beside_those_fixed(seed_guide, now):
    add_events(seed_guide, now, Kind.START, 10)
    add_fixed_visit(seed_guide, now, "app-glitches", "clear-cache", 2)
    add_explained_visit(seed_guide, now, "privacy-settings", 3)
    add_events(seed_guide, now, Kind.LONG_SHOTS, 1)

    report = build_report(seed_guide, days=7, now=now)

    assert (report.fixed, report.explained, report.succeeded, report.long_shots) == (2, 3, 5, 1)
    assert report.success_rate.percent == 50 and report.explained_rate.percent == 30
    assert report.long_shots_rate.percent == 10
    rows = by_slug(report.causes)
    assert (rows["privacy-settings"].fixed, rows["privacy-settings"].explained) == (0, 3)
    assert rows["privacy-settings"].share.percent == 60  # 3 of the 5 visits fixed or explained
    assert rows["app-glitches"].share.percent == 40
    assert not report.is_empty


def test_explanation_answers_are_counted_per_cause_and_never_as_fix_steps(seed_guide, now):
    seed_guide.causes.filter(slug__in=["privacy-settings", "temporary-bans"]).update(explains=True)
    add_events(seed_guide, now, Kind.EXPLAIN, 5, slug="privacy-settings")
    add_outcomes(seed_guide, now, "privacy-settings", Outcome.EXPLAINED, 3)
    add_outcomes(seed_guide, now, "privacy-settings", Outcome.NOT_IT, 1)
    add_outcomes(seed_guide, now, "app-glitches", Outcome.NOT_IT, 2)  # no longer an explanation cause
    add_outcomes(seed_guide, now, "a-cause-since-deleted", Outcome.EXPLAINED, 1)

    report = build_report(seed_guide, days=7, now=now)

    order = list(seed_guide.causes.order_by("order", "id").values_list("slug", flat=True))
    # Every explanation cause of the guide, and app-glitches for its answers from when it was one.
    listed = [*seed_guide.causes.filter(explains=True).values_list("slug", flat=True), "app-glitches"]
    assert [row.slug for row in report.explanations] == [*sorted(listed, key=order.index), "a-cause-since-deleted"]
    rows = by_slug(report.explanations)
    privacy = rows["privacy-settings"]
    assert (privacy.shown, privacy.explained, privacy.not_it, privacy.answered) == (5, 3, 1, 4)
    assert privacy.explained_rate.percent == 75
    assert (rows["temporary-bans"].shown, rows["temporary-bans"].answered) == (0, 0)
    assert rows["temporary-bans"].explained_rate.value is None
    assert (rows["app-glitches"].not_it, rows["app-glitches"].deleted) == (2, False)
    assert rows["a-cause-since-deleted"].deleted
    assert not {"privacy-settings", "app-glitches", "a-cause-since-deleted"} & {row.slug for row in report.fix_steps}

    content = content_of(render_report(seed_guide, report, 7))
    table = content[content.index("<caption>Explanations: did they match what visitors see?</caption>") :]
    table = table[: table.index("</table>")]
    assert '<th scope="col">Explained it</th>' in table and '<th scope="col">Was not it</th>' in table
    title = seed_guide.causes.get(slug="privacy-settings").title
    assert re.search(
        rf'<th scope="row">{re.escape(html.escape(title))}</th>\s*<td>5</td>\s*<td>3</td>\s*<td>1</td>', table
    )
    assert 'aria-label="75% explained it"' in table
    assert 'a-cause-since-deleted <span class="help">(deleted cause)</span>' in table
    assert "(deleted fix step)" not in content


def test_a_guide_without_explanation_causes_says_so(seed_guide, now):
    seed_guide.causes.update(explains=False)

    report = build_report(seed_guide, days=7, now=now)

    assert report.explanations == ()
    assert "This guide has no explanation causes." in render_report(seed_guide, report, 7)


def test_explanations_cost_the_report_no_extra_query(seed_guide, now, django_assert_num_queries):
    seed_guide.causes.filter(slug="privacy-settings").update(explains=True)
    add_events(seed_guide, now, Kind.EXPLAIN, 5, slug="privacy-settings")
    add_outcomes(seed_guide, now, "privacy-settings", Outcome.NOT_IT, 2)
    add_explained_visit(seed_guide, now, "privacy-settings", 2)

    with django_assert_num_queries(7):
        report = build_report(seed_guide, days=7, now=now)
    assert report.explained == 2
