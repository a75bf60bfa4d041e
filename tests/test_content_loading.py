"""The bundled guide loads completely, and reloading respects what staff changed."""

import copy

import pytest
from django.core.management import call_command

from guides import content_cache
from guides.authoring.export import export_guide
from guides.authoring.reading import ContentError
from guides.models import Answer, Cause, CauseFix, FAQEntry, FixStep, Guide, LoadedContent, Question, Symptom
from tests.builders import guide_data

SEED_FACETS = {
    "network-connectivity": {"signal-and-bandwidth", "network-congestion", "firewall-and-proxy", "dns-resolution"},
    "app-glitches": {"software-bugs", "cache-and-data-corruption", "os-incompatibility", "resource-conflicts"},
    "spam-detection": {"content-filtering", "behavioural-analysis", "reputation-scoring", "rate-limiting"},
    "temporary-bans": {"violation-types", "duration-and-scope", "appeals", "reputation-impact"},
    "software-updates": {"bug-fixes", "server-compatibility", "security-patches", "new-features"},
}
# The keys a content file gained with explanation causes, risky steps, settled answers and the screen cap.
EXPLANATION_KEYS = frozenset(
    {
        "max_screens", "long_shot_odds", "explains", "what_is_happening", "what_you_can_do", "where_to_get_help",
        "risky", "settles",
    }
)  # fmt: skip
SEED_CAUSES = {
    "account-restrictions", "network-connectivity", "app-glitches", "community-guidelines",
    "privacy-settings", "spam-detection", "temporary-bans", "software-updates",
}  # fmt: skip


def without(values: dict, names) -> dict:
    return {name: value for name, value in values.items() if name not in names}


def without_explanation_keys(data: dict) -> dict:
    """A content file as it was written before explanation causes: none of EXPLANATION_KEYS anywhere."""
    data = without(copy.deepcopy(data), EXPLANATION_KEYS)
    for section in ("causes", "symptoms", "fix_steps"):
        data[section] = [without(item, EXPLANATION_KEYS) for item in data.get(section, [])]
    return data


def test_seed_guide_has_every_cause_facet_symptom_fix_faq_and_checklist_step(seed_guide):
    causes = {c.slug: c for c in seed_guide.causes.prefetch_related("facets", "symptoms", "fix_steps")}

    assert set(causes) >= SEED_CAUSES
    for slug, facets in SEED_FACETS.items():
        assert {f.slug for f in causes[slug].facets.all()} == facets
    for cause in causes.values():
        assert cause.symptoms.all(), f"{cause.slug} has no symptom"
        # An explanation cause (blocked, TikTok down) may have none: nothing on the visitor's side fixes it.
        assert cause.fix_steps.all() or cause.explains, f"{cause.slug} has no fix step and no explanation"
    assert seed_guide.faq_entries.count() == 8
    assert seed_guide.checklist_items.count() == 7


def test_loading_twice_changes_nothing_the_second_time(db, capsys):
    before = _snapshot()

    call_command("load_guides")

    assert _snapshot() == before
    out = capsys.readouterr().out
    assert "0 created, 0 updated" in out and "0 skipped" in out


def test_a_load_changes_the_content_version_once_not_once_per_saved_row(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    Guide.objects.all().delete()
    LoadedContent.objects.all().delete()
    changes = []
    change = content_cache._new_version
    monkeypatch.setattr(content_cache, "_new_version", lambda: (changes.append("new version"), change()))
    before = content_cache.current_version()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_guides", verbosity=0)

    assert Cause.objects.count() >= len(SEED_CAUSES)  # hundreds of rows saved, each a content change
    assert changes == ["new version", "new version"]  # at the end of the load, and again once it committed
    assert content_cache.current_version() != before


def test_plain_load_keeps_a_staff_edit(seed_guide, capsys):
    entry = seed_guide.faq_entries.first()
    entry.answer = "Edited by staff."
    entry.save()

    call_command("load_guides")

    entry.refresh_from_db()
    assert entry.answer == "Edited by staff."
    assert "Kept staff edits" in capsys.readouterr().out


def test_overwrite_replaces_a_staff_edit(seed_guide, seed_data):
    cause = seed_guide.causes.get(slug="spam-detection")
    cause.title = "Edited by staff"
    cause.save()

    call_command("load_guides", overwrite=True)

    cause.refresh_from_db()
    wanted = next(c for c in seed_data["causes"] if c["slug"] == "spam-detection")
    assert cause.title == wanted["title"]


def test_a_file_change_reaches_objects_nobody_edited(load):
    data = guide_data()
    load(data)
    data["causes"][0]["title"] = "Renamed in the file"
    data["causes"][0]["fixes"] = []

    report = load(data)

    cause = Cause.objects.get(guide__slug="tiny", slug="cause-0")
    assert cause.title == "Renamed in the file"
    assert not cause.fix_steps.exists()
    assert report.updated == ["tiny/cause/cause-0"]


def test_relations_edited_by_staff_are_kept(load):
    data = guide_data(causes=3)
    load(data)
    symptom = Symptom.objects.get(slug="symptom-0-0")
    symptom.causes.add(Cause.objects.get(slug="cause-2", guide__slug="tiny"))

    report = load(data)

    assert set(symptom.causes.values_list("slug", flat=True)) == {"cause-0", "cause-2"}
    assert "tiny/symptom/symptom-0-0" in report.kept_edits


def test_unknown_reference_is_refused_with_a_clear_message_and_nothing_saved(load):
    data = guide_data()
    data["causes"][0]["fixes"] = ["no-such-fix"]

    with pytest.raises(ContentError, match="no-such-fix"):
        load(data)

    assert not Guide.objects.filter(slug="tiny").exists()


def test_markdown_is_rendered_when_loaded(seed_guide):
    assert "<p>" in seed_guide.introduction_html
    assert all(e.answer_html.startswith("<") for e in FAQEntry.objects.filter(guide=seed_guide))


def _snapshot():
    rows = []
    for model in (Guide, Cause, Symptom, FAQEntry, LoadedContent):
        rows.append(sorted(map(str, model.objects.values_list())))
    return rows


def test_plain_load_does_not_bring_back_what_staff_deleted(seed_guide, capsys):
    seed_guide.causes.get(slug="app-glitches").delete()
    seed_guide.faq_entries.last().delete()

    call_command("load_guides")

    assert not seed_guide.causes.filter(slug="app-glitches").exists()
    assert seed_guide.faq_entries.count() == 7
    out = capsys.readouterr().out
    assert "Not recreated" in out and "tiktok-messages/cause/app-glitches" in out


def test_overwrite_brings_back_what_staff_deleted(seed_guide):
    seed_guide.causes.get(slug="app-glitches").delete()

    call_command("load_guides", overwrite=True)

    cause = seed_guide.causes.get(slug="app-glitches")
    assert cause.facets.count() == 4 and cause.fix_steps.exists() and cause.answer_effects.exists()


# --------------------------------------------------------------------------------------
# The troubleshooter's words: efficacies, step kinds, efforts


def _links(slug="tiny"):
    links = CauseFix.objects.filter(cause__guide__slug=slug).order_by("cause__order", "order")
    return [(link.cause.slug, link.fix_step.slug, link.efficacy) for link in links]


def test_a_plain_list_of_fixes_loads_each_link_as_sometimes(load):
    data = guide_data()
    data["causes"][0]["fixes"] = ["fix-1", "fix-0"]

    load(data)

    assert _links() == [
        ("cause-0", "fix-1", "sometimes"),
        ("cause-0", "fix-0", "sometimes"),
        ("cause-1", "fix-1", "sometimes"),
    ]


def test_fixes_load_with_their_efficacy_in_the_order_of_the_file(load):
    data = guide_data()
    data["causes"][0]["fixes"] = {"fix-1": "rarely", "fix-0": "almost_always"}
    data["causes"][1]["fixes"] = {"fix-1": None}  # left blank: the default

    load(data)

    assert _links() == [
        ("cause-0", "fix-1", "rarely"),
        ("cause-0", "fix-0", "almost_always"),
        ("cause-1", "fix-1", "sometimes"),
    ]


def test_step_kinds_and_question_efforts_load_with_their_defaults(load):
    data = guide_data(questions=[_question("glanced", effort="quick_look"), _question("plain")])
    data["fix_steps"][1]["kind"] = "wait"

    load(data)

    assert dict(FixStep.objects.filter(guide__slug="tiny").values_list("slug", "kind")) == {
        "fix-0": "do_now",
        "fix-1": "wait",
    }
    assert dict(Question.objects.filter(guide__slug="tiny").values_list("slug", "effort")) == {
        "glanced": "quick_look",
        "plain": "in_app",
    }


def test_a_step_may_take_up_to_thirty_days(load):
    data = guide_data()
    data["fix_steps"][0]["minutes"] = 30 * 24 * 60
    load(data)
    assert FixStep.objects.get(guide__slug="tiny", slug="fix-0").minutes == 43200

    data = guide_data(slug="longer")
    data["fix_steps"][0]["minutes"] = 30 * 24 * 60 + 1
    with pytest.raises(ContentError, match=r"^fix_steps\[0\]\.minutes: should be at most 43200, not 43201$"):
        load(data)
    assert not Guide.objects.filter(slug="longer").exists()


def _question(slug, **fields):
    return {
        "slug": slug,
        "text": f"{slug}?",
        **fields,
        "answers": [
            {"slug": "yes", "text": "Yes", "effects": {"cause-0": "strong"}},
            {"slug": "no", "text": "No", "effects": {"cause-0": "rules_out"}},
        ],
    }


def _unknown_efficacy(data):
    data["causes"][0]["fixes"] = {"fix-0": "mostly"}
    return "causes[0].fixes.fix-0: should be 'almost_always', 'often', 'sometimes' or 'rarely', not 'mostly'"


def _unknown_kind(data):
    data["fix_steps"][1]["kind"] = "later"
    return "fix_steps[1].kind: should be 'do_now', 'wait' or 'hand_off', not 'later'"


def _unknown_effort(data):
    data["questions"] = [_question("hard", effort="a_lot")]
    return "questions[0].effort: should be 'quick_look', 'in_app' or 'ask_someone', not 'a_lot'"


def _number_for_a_word(data):
    data["causes"][1]["fixes"] = {"fix-1": 0.9}
    return "causes[1].fixes.fix-1: should be 'almost_always', 'often', 'sometimes' or 'rarely', not 0.9"


@pytest.mark.parametrize(
    "breaker",
    [_unknown_efficacy, _unknown_kind, _unknown_effort, _number_for_a_word],
    ids=["efficacy", "kind", "effort", "number"],
)
def test_an_unknown_word_is_refused_naming_where_it_is_and_the_allowed_words(load, breaker):
    data = guide_data()
    message = breaker(data)

    with pytest.raises(ContentError) as error:
        load(data)

    assert str(error.value) == message
    assert not Guide.objects.filter(slug="tiny").exists()


def test_fixes_that_are_neither_a_list_nor_a_mapping_are_refused(load):
    data = guide_data()
    data["causes"][0]["fixes"] = "fix-0"

    with pytest.raises(ContentError, match=r"causes\[0\]\.fixes: should list fix step slugs, or map each slug"):
        load(data)


@pytest.mark.parametrize(
    ("where", "value", "unknown"),
    [
        ("not_after", ["nope/yes"], "unknown answer 'nope/yes'"),
        ("not_after", ["no-such-step"], "unknown fix step 'no-such-step'"),
        ("skips", ["no-such-step"], "unknown fix step 'no-such-step'"),
    ],
)
def test_not_after_and_skips_naming_something_unknown_are_refused(load, where, value, unknown):
    question = _question("q")
    if where == "skips":
        question["answers"][0]["skips"] = value
    else:
        question["not_after"] = value

    with pytest.raises(ContentError, match=unknown):
        load(guide_data(questions=[question]))

    assert not Guide.objects.filter(slug="tiny").exists()


def test_not_after_and_skips_load(load):
    first = _question("first")
    first["answers"][1]["skips"] = ["fix-1", "fix-0"]
    second = _question("second", not_after=["first/no", "fix-0"])

    load(guide_data(questions=[first, second]))

    second = Question.objects.get(guide__slug="tiny", slug="second")
    assert [(a.question.slug, a.slug) for a in second.not_after_answers.all()] == [("first", "no")]
    assert [s.slug for s in second.not_after_steps.all()] == ["fix-0"]
    no = Answer.objects.get(question__guide__slug="tiny", question__slug="first", slug="no")
    assert sorted(s.slug for s in no.skips.all()) == ["fix-0", "fix-1"]


def test_a_changed_efficacy_kind_effort_not_after_or_skip_in_the_file_reaches_the_database(load):
    data = guide_data(questions=[_question("first"), _question("second")])
    load(data)
    data["causes"][0]["fixes"] = {"fix-0": "often"}
    data["fix_steps"][0]["kind"] = "wait"
    data["questions"][0]["effort"] = "ask_someone"
    data["questions"][1]["not_after"] = ["first/yes"]
    data["questions"][0]["answers"][0]["skips"] = ["fix-1"]

    report = load(data)

    assert sorted(report.updated) == [
        "tiny/cause/cause-0",
        "tiny/fix-step/fix-0",
        "tiny/question/first",
        "tiny/question/first/answer/yes",
        "tiny/question/second",
    ]
    assert _links()[0] == ("cause-0", "fix-0", "often")
    assert FixStep.objects.get(guide__slug="tiny", slug="fix-0").kind == "wait"
    questions = {q.slug: q for q in Question.objects.filter(guide__slug="tiny")}
    assert questions["first"].effort == "ask_someone"
    assert [a.slug for a in questions["second"].not_after_answers.all()] == ["yes"]
    assert [s.slug for s in questions["first"].answers.get(slug="yes").skips.all()] == ["fix-1"]


def test_an_efficacy_edited_by_staff_is_kept(load):
    data = guide_data()
    load(data)
    CauseFix.objects.filter(cause__guide__slug="tiny", cause__slug="cause-0").update(efficacy="almost_always")
    data["causes"][0]["title"] = "Renamed in the file"

    report = load(data)

    assert "tiny/cause/cause-0" in report.kept_edits
    assert _links()[0] == ("cause-0", "fix-0", "almost_always")


def test_a_file_that_still_has_the_old_confidence_threshold_loads(load):
    data = guide_data(questions=[_question("first")])
    data["confidence_threshold"] = 0.75  # removed: the troubleshooter has no threshold

    report = load(data)

    guide = Guide.objects.get(slug="tiny")
    assert "tiny" in report.created
    assert not hasattr(guide, "confidence_threshold")
    assert "confidence_threshold" not in export_guide(guide)
    assert not load(data).updated  # and loading it again changes nothing


def test_a_database_loaded_before_the_troubleshooter_follows_the_new_file(load, seed_data):
    """Records written by the previous format (no efficacies, kinds, efforts or skips) still count as untouched."""
    from guides.authoring.loader import _digest
    from guides.authoring.values import cause_from_db, fix_step_from_db, guide_from_db
    from guides.models import Cause, FixStep, Guide, LoadedContent

    legacy = without_explanation_keys(seed_data)
    for cause in legacy["causes"]:
        cause["fixes"] = list(cause["fixes"])  # the old plain list: every link "sometimes"
    for step in legacy["fix_steps"]:
        step.pop("kind", None)
    Guide.objects.filter(slug=legacy["slug"]).delete()
    LoadedContent.objects.all().delete()
    load(legacy)
    # Rewrite the records as the previous version wrote them: its shapes, its digests.
    guide = Guide.objects.get(slug=legacy["slug"])
    old_guide = {**without(guide_from_db(guide), EXPLANATION_KEYS), "confidence_threshold": 75}
    LoadedContent.objects.filter(key=guide.slug).update(digest=_digest(old_guide))
    for cause in Cause.objects.filter(guide=guide):
        values = without(cause_from_db(cause), EXPLANATION_KEYS)
        old = {**values, "fixes": [slug for slug, _ in values["fixes"]]}
        LoadedContent.objects.filter(key=f"{guide.slug}/cause/{cause.slug}").update(digest=_digest(old))
    for step in FixStep.objects.filter(guide=guide):
        old = without(fix_step_from_db(step), {*EXPLANATION_KEYS, "kind"})
        LoadedContent.objects.filter(key=f"{guide.slug}/fix-step/{step.slug}").update(digest=_digest(old))

    report = load(seed_data)

    assert not [key for key in report.kept_edits if "/cause/" in key or "/fix-step/" in key or key == guide.slug]
    update_app = guide.causes.get(slug="software-updates").cause_fixes.get(fix_step__slug="update-app")
    assert update_app.efficacy == "almost_always"
    assert FixStep.objects.get(guide=guide, slug="wait-out-the-limit").kind == "wait"


# --------------------------------------------------------------------------------------
# Explanation causes, risky steps, settled answers, the screen cap and the long-shot odds


def explanation_data(**kwargs) -> dict:
    """The tiny guide with cause 1 an explanation cause, a risky step, and a symptom that settles an answer."""
    data = guide_data(questions=[_question("notice"), _question("friends")], **kwargs)
    data |= {"max_screens": 6, "long_shot_odds": 20}
    data["causes"][1] |= {
        "explains": True,
        "what_is_happening": "The other person **blocked** you.\r\n",
        "what_you_can_do": "Ask them another way.\n",
        "where_to_get_help": "Support cannot undo a block.\n",
        "fixes": [],
    }
    data["fix_steps"][0]["risky"] = True
    data["symptoms"][0]["settles"] = ["notice/yes", "friends/no"]
    return data


def test_explanation_causes_risky_steps_and_settled_answers_load(load):
    load(explanation_data())

    guide = Guide.objects.get(slug="tiny")
    assert (guide.max_screens, guide.long_shot_odds) == (6, 20)
    blocked, plain = guide.causes.get(slug="cause-1"), guide.causes.get(slug="cause-0")
    assert blocked.explains and not plain.explains
    assert blocked.what_is_happening == "The other person **blocked** you.\n"  # LF line ends, as the admin saves
    assert "<strong>blocked</strong>" in blocked.what_is_happening_html
    assert "Ask them another way." in blocked.what_you_can_do_html
    assert "Support cannot undo a block." in blocked.where_to_get_help_html
    assert (plain.what_is_happening, plain.what_you_can_do, plain.where_to_get_help) == ("", "", "")
    assert [s.slug for s in guide.fix_steps.filter(risky=True)] == ["fix-0"]
    settled = guide.symptoms.get(slug="symptom-0-0").settles.order_by("question__slug")
    assert [(a.question.slug, a.slug) for a in settled] == [("friends", "no"), ("notice", "yes")]
    assert not guide.symptoms.get(slug="symptom-1-0").settles.exists()


def test_a_guide_file_without_the_new_keys_loads_with_their_defaults(load):
    load(guide_data())

    guide = Guide.objects.get(slug="tiny")
    assert (guide.max_screens, guide.long_shot_odds) == (8, 50)
    assert not guide.causes.filter(explains=True).exists() and not guide.fix_steps.filter(risky=True).exists()


def test_a_symptom_settles_answers_the_database_holds_when_the_file_leaves_its_questions_out(load):
    load(guide_data(questions=[_question("notice")]))
    data = guide_data()
    data["symptoms"][0]["settles"] = ["notice/no"]
    del data["questions"]

    load(data)

    settled = Symptom.objects.get(guide__slug="tiny", slug="symptom-0-0").settles.get()
    assert (settled.question.slug, settled.slug) == ("notice", "no")


def test_a_settled_answer_nobody_has_is_refused_even_when_the_file_leaves_its_questions_out(load):
    load(guide_data(questions=[_question("notice")]))
    data = guide_data()
    data["symptoms"][0]["settles"] = ["notice/maybe"]
    del data["questions"]

    with pytest.raises(ContentError, match=r"symptoms\[0\]\.settles: unknown answer 'notice/maybe'"):
        load(data)

    assert not Symptom.objects.get(guide__slug="tiny", slug="symptom-0-0").settles.exists()


def test_a_changed_settled_answer_in_the_file_reaches_the_database(load):
    data = explanation_data()
    load(data)
    data["symptoms"][0]["settles"] = ["notice/no"]
    data["causes"][1]["explains"] = False
    data["fix_steps"][0]["risky"] = False

    report = load(data)

    assert "tiny/symptom/symptom-0-0" in report.updated
    settled = Symptom.objects.get(guide__slug="tiny", slug="symptom-0-0").settles.get()
    assert (settled.question.slug, settled.slug) == ("notice", "no")
    assert not Cause.objects.filter(guide__slug="tiny", explains=True).exists()
    assert not FixStep.objects.filter(guide__slug="tiny", risky=True).exists()


def test_settled_answers_edited_by_staff_are_kept(load):
    data = explanation_data()
    load(data)
    symptom = Symptom.objects.get(guide__slug="tiny", slug="symptom-0-0")
    symptom.settles.set([Answer.objects.get(question__guide__slug="tiny", question__slug="notice", slug="no")])
    data["symptoms"][0]["title"] = "A new title from the file"

    report = load(data)

    assert "tiny/symptom/symptom-0-0" in report.kept_edits
    assert [a.slug for a in symptom.settles.all()] == ["no"]


def test_a_settled_answer_staff_deleted_stays_deleted_and_the_symptom_counts_as_edited(load):
    data = explanation_data()
    load(data)
    Answer.objects.filter(question__guide__slug="tiny", question__slug="friends", slug="no").delete()

    report = load(data)

    assert "tiny/question/friends/answer/no" in report.kept_deletions
    assert "tiny/symptom/symptom-0-0" in report.kept_edits  # its settled answers changed, as a deleted fix step would
    symptom = Symptom.objects.get(guide__slug="tiny", slug="symptom-0-0")
    assert [(a.question.slug, a.slug) for a in symptom.settles.all()] == [("notice", "yes")]


def test_a_database_loaded_before_explanation_causes_follows_the_new_file(load, seed_data):
    """Records written before explanations (none of their keys) still count as untouched, so the new keys load."""
    from guides.authoring.loader import _digest
    from guides.authoring.values import cause_from_db, fix_step_from_db, guide_from_db, symptom_from_db

    old_file = without_explanation_keys(explanation_data())
    load(old_file)
    guide = Guide.objects.get(slug="tiny")
    records = {guide.slug: without(guide_from_db(guide), EXPLANATION_KEYS)}
    records |= {f"tiny/cause/{c.slug}": without(cause_from_db(c), EXPLANATION_KEYS) for c in guide.causes.all()}
    records |= {
        f"tiny/fix-step/{s.slug}": without(fix_step_from_db(s), EXPLANATION_KEYS) for s in guide.fix_steps.all()
    }
    records |= {f"tiny/symptom/{s.slug}": without(symptom_from_db(s), EXPLANATION_KEYS) for s in guide.symptoms.all()}
    for key, values in records.items():
        assert LoadedContent.objects.filter(key=key).update(digest=_digest(values)) == 1

    report = load(explanation_data())

    assert not report.kept_edits
    guide.refresh_from_db()
    assert (guide.max_screens, guide.long_shot_odds) == (6, 20)
    assert guide.causes.get(slug="cause-1").explains
    assert guide.fix_steps.get(slug="fix-0").risky
    assert guide.symptoms.get(slug="symptom-0-0").settles.count() == 2
