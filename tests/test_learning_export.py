"""Learned numbers in their own file: `export_guide --learned` writes it, `load_guides --learned` reads it, only then.

What a reviewer and an operator notice: the file round-trips byte for byte, a plain load never reads it,
loading it never changes a word staff wrote, and a file that names what the guide lacks loads nothing.
"""

import pytest
from django.core.management import CommandError, call_command

from guides.authoring import schema
from guides.learning import relearn
from guides.models import Cause, CauseFix, Guide, LearnedNumber
from tests.builders import troubleshooter_data
from tests.learned_answers import add_answers

SLUG = "walkable"


@pytest.fixture
def guide(load):
    data = troubleshooter_data(slug=SLUG)
    data["causes"][1]["commonness"] = "rare"
    load(data)
    guide = Guide.objects.get(slug=SLUG)
    add_answers(guide, "fix-1", "fixed", 300)
    add_answers(guide, "fix-2", "not_fixed", 200, evidence=[("q-2", "yes")])
    relearn(guide)
    return guide


def export(tmp_path, name="walkable.learned.yaml", *options):
    path = tmp_path / name
    call_command("export_guide", SLUG, "--learned", "-o", str(path), *options, verbosity=0)
    return path


def numbers():
    return sorted(
        LearnedNumber.objects.values_list("cause__slug", "fix_step__slug", "staff_word", "learned_word"), key=str
    )


def test_the_learned_file_round_trips_byte_for_byte_and_says_each_number_in_words(guide, tmp_path):
    first = export(tmp_path)
    text = first.read_text(encoding="utf-8")
    assert text.startswith("guide: walkable\nlearned_at: ")
    assert "- cause: cause-1\n    value: " in text and "learned_word: " in text
    LearnedNumber.objects.all().delete()
    Guide.objects.filter(pk=guide.pk).update(learned_at=None)

    call_command("load_guides", "--learned", str(first), verbosity=0)

    again = export(tmp_path, "again.learned.yaml")
    assert again.read_bytes() == first.read_bytes()
    assert LearnedNumber.objects.filter(guide=guide).count() == text.count("- cause:")


def test_a_plain_load_never_reads_learned_numbers_and_a_named_learned_file_needs_the_flag(guide, tmp_path):
    content = tmp_path / "walkable.yaml"
    call_command("export_guide", SLUG, "-o", str(content), verbosity=0)
    learned = export(tmp_path)
    before = numbers()
    LearnedNumber.objects.all().delete()

    call_command("load_guides", str(content), verbosity=0)
    assert numbers() == []
    with pytest.raises(CommandError, match=r"walkable.learned.yaml: holds learned numbers, not a guide. Add --learned"):
        call_command("load_guides", str(content), str(learned), verbosity=0)

    call_command("load_guides", "--learned", str(content), verbosity=0)  # finds the file beside the content file
    assert numbers() == before


def test_loading_learned_numbers_never_changes_a_word_staff_wrote(guide, tmp_path):
    path = export(tmp_path)
    text = path.read_text(encoding="utf-8").replace("staff_word: rare", "staff_word: very_common")
    text = text.replace("staff_word: almost_always", "staff_word: rarely")
    path.write_text(text, encoding="utf-8")
    staff = (list(Cause.objects.values_list("slug", "commonness")), list(CauseFix.objects.values_list("efficacy")))

    call_command("load_guides", "--learned", str(path), verbosity=0)

    assert (
        list(Cause.objects.values_list("slug", "commonness")),
        list(CauseFix.objects.values_list("efficacy")),
    ) == staff
    assert Cause.objects.get(guide=guide, slug="cause-1").commonness == 1


def test_a_learned_file_naming_a_cause_the_guide_lacks_loads_nothing(guide, tmp_path):
    path = export(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("cause: cause-1", "cause: cause-9", 1), encoding="utf-8")
    before = numbers()

    with pytest.raises(
        CommandError, match=r"walkable.learned.yaml, line \d+: causes\[1\].cause: walkable has no cause"
    ):
        call_command("load_guides", "--learned", str(path), verbosity=0)

    assert numbers() == before


def test_a_learned_file_with_a_share_above_one_is_refused_with_its_line(guide, tmp_path):
    path = export(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("value:"))
    lines[index] = "    value: 7"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(CommandError, match=rf"line {index + 1}: causes\[0\].value: should be a number from 0 to 1"):
        call_command("load_guides", "--learned", str(path), verbosity=0)


def test_the_content_loader_takes_no_learned_file_for_a_guide(tmp_path, monkeypatch):
    (tmp_path / "walkable.yaml").write_text("slug: walkable\n", encoding="utf-8")
    (tmp_path / "walkable.learned.yaml").write_text("guide: walkable\n", encoding="utf-8")
    monkeypatch.setattr(schema, "CONTENT_DIR", tmp_path)

    assert [p.name for p in schema.content_files()] == ["walkable.yaml"]
