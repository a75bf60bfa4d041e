"""The bundled guide loads completely, and reloading respects what staff changed."""

import pytest
from django.core.management import call_command

from guides.content_files import ContentError
from guides.models import Cause, FAQEntry, Guide, LoadedContent, Symptom
from tests.builders import guide_data

SEED_FACETS = {
    "network-connectivity": {"signal-and-bandwidth", "network-congestion", "firewall-and-proxy", "dns-resolution"},
    "app-glitches": {"software-bugs", "cache-and-data-corruption", "os-incompatibility", "resource-conflicts"},
    "spam-detection": {"content-filtering", "behavioural-analysis", "reputation-scoring", "rate-limiting"},
    "temporary-bans": {"violation-types", "duration-and-scope", "appeals", "reputation-impact"},
    "software-updates": {"bug-fixes", "server-compatibility", "security-patches", "new-features"},
}
SEED_CAUSES = {
    "account-restrictions", "network-connectivity", "app-glitches", "community-guidelines",
    "privacy-settings", "spam-detection", "temporary-bans", "software-updates",
}  # fmt: skip


def test_seed_guide_has_every_cause_facet_symptom_fix_faq_and_checklist_step(seed_guide):
    causes = {c.slug: c for c in seed_guide.causes.prefetch_related("facets", "symptoms", "fix_steps")}

    assert set(causes) >= SEED_CAUSES
    for slug, facets in SEED_FACETS.items():
        assert {f.slug for f in causes[slug].facets.all()} == facets
    for cause in causes.values():
        assert cause.symptoms.all(), f"{cause.slug} has no symptom"
        assert cause.fix_steps.all(), f"{cause.slug} has no fix step"
    assert seed_guide.faq_entries.count() == 6
    assert seed_guide.checklist_items.count() == 7


def test_loading_twice_changes_nothing_the_second_time(db, capsys):
    before = _snapshot()

    call_command("load_guides")

    assert _snapshot() == before
    out = capsys.readouterr().out
    assert "0 created, 0 updated" in out and "0 skipped" in out


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
    assert seed_guide.faq_entries.count() == 5
    out = capsys.readouterr().out
    assert "Not recreated" in out and "tiktok-messages/cause/app-glitches" in out


def test_overwrite_brings_back_what_staff_deleted(seed_guide):
    seed_guide.causes.get(slug="app-glitches").delete()

    call_command("load_guides", overwrite=True)

    cause = seed_guide.causes.get(slug="app-glitches")
    assert cause.facets.count() == 4 and cause.fix_steps.exists() and cause.answer_effects.exists()
