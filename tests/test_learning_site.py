"""Learning from outcomes, as the site does it: what an answer keeps, relearning, the planner's numbers, the report.

What an editor or operator notices: `manage.py relearn` learns numbers from verified answers only; a
guide set to use them plans with them, never further than it allows from staff's words; the feedback
report shows them with a flag and an "Accept" that edits the content with the evidence in History.
"""

from urllib.parse import urlencode

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from guides import engine
from guides.diagnose.records import learning_source, whole_pairs
from guides.diagnose.snapshot import build_snapshot, snapshot_for, staff_model
from guides.feedback.learned_report import learned_numbers
from guides.learning import records_of, relearn
from guides.models import Cause, CauseFix, Guide, LearnedNumber, Numbers, StepOutcome
from tests.admin_forms import save_change
from tests.builders import troubleshooter_data
from tests.learned_answers import add_answers
from tests.screens import answer_form, first_step_state, offered

SLUG = "walkable"
URL = reverse("guides:diagnose", args=[SLUG])
FEEDBACK = reverse("guides:diagnose_feedback", args=[SLUG])


@pytest.fixture
def guide(load):
    """Three causes, each almost always fixed by its own step; staff think cause 1 is rare."""
    data = troubleshooter_data(slug=SLUG)
    data["causes"][1]["commonness"] = "rare"
    load(data)
    return Guide.objects.get(slug=SLUG)


def visitors_find_cause_1(guide, count=600):
    """Most visitors are fixed by cause 1's own step: cause 1 is far from rare."""
    add_answers(guide, "fix-1", "fixed", count)
    add_answers(guide, "fix-0", "fixed", 20)
    add_answers(guide, "fix-2", "fixed", 20)


def commonness_row(guide, cause_slug):
    return LearnedNumber.objects.get(guide=guide, cause__slug=cause_slug, fix_step=None)


# What an answer keeps


def test_an_answer_keeps_the_state_before_its_screen_and_a_hash_of_the_address_never_the_address(guide, phone):
    snapshot = build_snapshot(guide)
    evidence = first_step_state(snapshot)
    data = {**answer_form(phone, URL, evidence), "outcome": "not_fixed"}

    assert phone.post(FEEDBACK, data, REMOTE_ADDR="203.0.113.9").status_code == 302

    stored = StepOutcome.objects.get()
    assert stored.state == urlencode(offered(snapshot, evidence).evidence)
    assert stored.source == learning_source("203.0.113.9") and len(stored.source) == 16
    assert "203.0.113" not in stored.source
    assert learning_source("203.0.113.10") != stored.source


# Relearning


def test_relearning_moves_a_cause_visitors_keep_finding_and_counts_only_verified_answers(guide):
    visitors_find_cause_1(guide)
    add_answers(guide, "fix-0", "fixed", 500, token=False)  # never passed the signed-token check
    add_answers(guide, "fix-0", "couldnt", 500)  # says nothing about whether it fixes anything
    add_answers(guide, "fix-0", "fixed", 500, source="")  # stored before answers kept their state and source
    add_answers(guide, "fix-0", "fixed", 500, long_shot=True)  # "this one worked" on the long-shots list

    done = relearn(guide)

    assert done.records == 640
    row = commonness_row(guide, "cause-1")
    assert row.value > 0.6 and row.low < row.value < row.high
    assert row.visitors > 100
    assert commonness_row(guide, "cause-0").value < 0.3
    assert Guide.objects.get(pk=guide.pk).learned_at is not None
    assert Cause.objects.get(guide=guide, slug="cause-1").commonness == 1  # staff's word is untouched


def test_relearning_twice_gives_the_same_numbers_and_replaces_the_old_rows(guide):
    visitors_find_cause_1(guide)
    relearn(guide)
    first = sorted(LearnedNumber.objects.values_list("cause__slug", "fix_step__slug", "value"), key=str)

    relearn(guide)

    assert sorted(LearnedNumber.objects.values_list("cause__slug", "fix_step__slug", "value"), key=str) == first


def test_the_relearn_command_says_what_it_learned_and_refuses_an_unknown_guide(guide, capsys):
    visitors_find_cause_1(guide)

    call_command("relearn", "--guide", SLUG)

    out = capsys.readouterr().out
    assert "walkable:" in out and "from 640 answers" in out and "need an editor" in out
    with pytest.raises(CommandError, match="No guide with slug nope"):
        call_command("relearn", "--guide", "nope")


# The troubleshooter's numbers


def test_a_guide_on_staff_numbers_plans_with_them_whatever_was_learned(guide):
    visitors_find_cause_1(guide)
    relearn(guide)

    assert build_snapshot(Guide.objects.get(pk=guide.pk)).model == staff_model(guide)


def test_a_guide_on_learned_numbers_moves_them_at_most_as_far_as_it_allows(guide):
    visitors_find_cause_1(guide)
    relearn(guide)
    Guide.objects.filter(pk=guide.pk).update(numbers=Numbers.LEARNED, learned_max_words=1)

    weights = {c.key: c.weight for c in build_snapshot(Guide.objects.get(pk=guide.pk)).model.causes}

    assert weights["cause-1"] == 2.0  # rare (1) moves up one word, to uncommon (2), not to very common
    Guide.objects.filter(pk=guide.pk).update(learned_max_words=3)
    weights = {c.key: c.weight for c in build_snapshot(Guide.objects.get(pk=guide.pk)).model.causes}
    assert weights["cause-1"] > 4.0


def test_learned_numbers_cost_the_troubleshooter_no_query_per_screen(guide, phone):
    visitors_find_cause_1(guide)
    relearn(guide)
    Guide.objects.filter(pk=guide.pk).update(numbers=Numbers.LEARNED)
    building, screens = [], []

    def record(into):
        def wrapper(execute, sql, params, many, context):
            into.append(sql)
            return execute(sql, params, many, context)

        return wrapper

    with connection.execute_wrapper(record(building)):
        assert phone.get(URL).status_code == 200  # builds and keeps this process's snapshot
    with connection.execute_wrapper(record(screens)):
        for _ in range(3):
            assert phone.get(URL).status_code == 200

    assert sum("learnednumber" in sql.lower() for sql in building) == 1
    assert not [sql for sql in screens if "learnednumber" in sql.lower()]


def test_the_troubleshooter_ranks_cause_1_first_once_it_learned_how_common_it_is(guide):
    assert engine.rank(build_snapshot(guide).model, [])[-1].cause == "cause-1"  # staff: rare
    visitors_find_cause_1(guide, count=2000)
    relearn(guide)
    Guide.objects.filter(pk=guide.pk).update(numbers=Numbers.LEARNED, learned_max_words=3)

    ranked = engine.rank(build_snapshot(Guide.objects.get(pk=guide.pk)).model, [])

    assert ranked[0].cause == "cause-1"


# The report, "Relearn now" and "Accept"


def report(client, guide):
    return client.get(reverse("admin:guides_guide_report", args=[guide.pk])).content.decode()


def test_the_report_shows_learned_numbers_with_the_flag_and_relearn_now_learns(guide, editor_client):
    visitors_find_cause_1(guide)
    assert "Not learned yet" in report(editor_client, guide)

    response = editor_client.post(reverse("admin:guides_guide_relearn", args=[guide.pk]), follow=True)

    page = response.content.decode()
    assert "Learned " in page and "from 640 answers" in page
    assert "Disagrees by more than 2 words" in page  # Rare to Very common is three: past the guide's default bound
    assert "Rare" in page and "Very common" in page
    assert "Accept “Very common”" in page


def test_relearn_now_and_accept_take_a_post_only(guide, editor_client):
    visitors_find_cause_1(guide)
    relearn(guide)
    number = commonness_row(guide, "cause-1")

    assert editor_client.get(reverse("admin:guides_guide_relearn", args=[guide.pk])).status_code == 405
    accept = reverse("admin:guides_guide_accept_learned", args=[guide.pk, number.pk])
    assert editor_client.get(accept).status_code == 405
    assert Cause.objects.get(pk=number.cause_id).commonness == 1


def test_accepting_a_learned_commonness_edits_the_cause_with_the_evidence_in_history(guide, editor_client, editor):
    visitors_find_cause_1(guide)
    relearn(guide)
    number = commonness_row(guide, "cause-1")

    response = editor_client.post(reverse("admin:guides_guide_accept_learned", args=[guide.pk, number.pk]))

    assert response.status_code == 302
    cause = Cause.objects.get(pk=number.cause_id)
    assert cause.commonness == 8
    version = Version.objects.get_for_object(cause).first()
    comment = version.revision.get_comment()
    assert comment.startswith("Accepted the learned number: 'Rare' → 'Very common' (0.")
    assert f"from {round(number.visitors):,} visitors" in comment
    assert version.revision.user == editor
    row = next(row for row in learned_numbers(Guide.objects.get(pk=guide.pk)).causes if row.cause == "Cause 1")
    assert (row.staff_word, row.flagged, row.acceptable) == ("Very common", False, False)


def test_accepting_a_learned_efficacy_edits_the_link_and_shows_in_the_causes_history(guide, editor_client):
    link = CauseFix.objects.get(cause__guide=guide, cause__slug="cause-2", fix_step__slug="fix-2")
    evidence = [("q-2", "yes")]
    add_answers(guide, "fix-2", "not_fixed", 700, evidence=evidence)
    add_answers(guide, "fix-2", "fixed", 300, evidence=evidence)
    relearn(guide)
    number = LearnedNumber.objects.get(cause=link.cause, fix_step=link.fix_step)
    assert number.value < 0.75  # "almost always" (0.9) it is not

    editor_client.post(reverse("admin:guides_guide_accept_learned", args=[guide.pk, number.pk]))

    link.refresh_from_db()
    assert link.efficacy != "almost_always"
    comment = Version.objects.get_for_object(link.cause).first().revision.get_comment()
    assert comment.startswith("Accepted the learned number for “Fix number 2”: 'Almost always' → ")


def test_someone_who_may_only_read_cannot_relearn_or_accept(guide, client, django_user_model):
    visitors_find_cause_1(guide)
    relearn(guide)
    number = commonness_row(guide, "cause-1")
    viewer = django_user_model.objects.create_user("vera", password="a-long-viewer-password", is_staff=True)
    client.force_login(viewer)

    assert client.post(reverse("admin:guides_guide_relearn", args=[guide.pk])).status_code == 403
    accept = reverse("admin:guides_guide_accept_learned", args=[guide.pk, number.pk])
    assert client.post(accept).status_code == 403
    assert Cause.objects.get(pk=number.cause_id).commonness == 1


def test_accepting_a_number_of_another_guide_is_not_found(guide, editor_client, seed_guide):
    visitors_find_cause_1(guide)
    relearn(guide)
    number = commonness_row(guide, "cause-1")

    response = editor_client.post(reverse("admin:guides_guide_accept_learned", args=[seed_guide.pk, number.pk]))

    assert response.status_code == 404


def test_switching_a_guide_to_learned_numbers_on_its_page_takes_effect_at_once(guide, editor_client):
    visitors_find_cause_1(guide)
    relearn(guide)
    assert _served_weight("cause-1") == 1.0

    save_change(editor_client, guide, numbers="learned", learned_max_words="2")

    assert _served_weight("cause-1") == 4.0  # rare, two words up: common (the guide allows two)
    page = editor_client.get(reverse("admin:guides_guide_change", args=[guide.pk])).content.decode()
    assert "Learning from visitors" in page and "Use learned numbers" in page


def test_relearning_a_guide_on_learned_numbers_reaches_the_troubleshooter_at_once(guide):
    Guide.objects.filter(pk=guide.pk).update(numbers=Numbers.LEARNED)
    assert _served_weight("cause-1") == 1.0

    visitors_find_cause_1(guide)
    relearn(Guide.objects.get(pk=guide.pk))

    assert _served_weight("cause-1") == 4.0  # Rare, two words up (the default bound): Common, not Very common


def _served_weight(cause: str) -> float:
    """The weight the troubleshooter plans with now, from the snapshot its screens read."""
    return next(c.weight for c in snapshot_for(SLUG).model.causes if c.key == cause)


def test_a_state_too_long_to_keep_is_cut_between_answers_never_inside_one():
    query = "&".join(f"q-{n}=yes" for n in range(400))

    kept = whole_pairs(query, 2000)

    assert len(kept) <= 2000 and query.startswith(kept) and query[len(kept)] == "&"
    assert whole_pairs("a=" + "x" * 3000, 2000) == ""


def test_accept_without_the_forms_csrf_token_is_refused(guide, editor):
    visitors_find_cause_1(guide)
    relearn(guide)
    number = commonness_row(guide, "cause-1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    response = client.post(reverse("admin:guides_guide_accept_learned", args=[guide.pk, number.pk]))

    assert response.status_code == 403
    assert Cause.objects.get(pk=number.cause_id).commonness == 1


def test_answers_given_on_the_troubleshooter_are_what_relearning_learns_from(guide, phone):
    snapshot = build_snapshot(guide)
    evidence = first_step_state(snapshot)
    step = offered(snapshot, evidence).step.key
    phone.post(FEEDBACK, {**answer_form(phone, URL, evidence), "outcome": "not_fixed"}, REMOTE_ADDR="198.51.100.7")
    after = [*offered(snapshot, evidence).evidence, (engine.FAILED, step)]
    phone.post(FEEDBACK, {**answer_form(phone, URL, after), "outcome": "fixed"}, REMOTE_ADDR="198.51.100.7")

    records = records_of(guide, staff_model(guide))

    assert [(r.outcome, r.key) for r in records] == [("not_fixed", step), ("fixed", offered(snapshot, after).step.key)]
    assert records[1].evidence[: len(records[0].evidence)] == records[0].evidence  # one visit, chained
    assert {r.source for r in records} == {learning_source("198.51.100.7")}
    assert relearn(guide).records == 2
