"""`make bench-load WRITE_README=1` writes its tables between the README's markers and nowhere else."""

import pytest

from bench.load import README_END, README_START, write_readme


def test_the_tables_replace_only_what_is_between_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Site\n\nBefore.\n\n{README_START}\nold table\n{README_END}\n\nAfter.\n")

    write_readme("| page | ratio |\n|---|---|\n| home | 0.91 |\n", readme)

    assert readme.read_text() == (
        f"# Site\n\nBefore.\n\n{README_START}\n| page | ratio |\n|---|---|\n| home | 0.91 |\n{README_END}\n\nAfter.\n"
    )


@pytest.mark.parametrize("text", ["No markers.\n", f"{README_END}\nbackwards\n{README_START}\n"])
def test_a_readme_without_its_markers_is_left_alone_with_a_message(tmp_path, text):
    readme = tmp_path / "README.md"
    readme.write_text(text)

    with pytest.raises(SystemExit, match="needs one"):
        write_readme("| table |", readme)

    assert readme.read_text() == text
