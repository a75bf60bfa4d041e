"""The WhatsApp guide the browser test builds is a correct guide in its own right: Check finds no error in it.

The browser test (test_build_guide_in_browser.py) types these same words into the admin; if it fails, this
test says whether the words or the admin are to blame.
"""

from bench.whatsapp_guide import GUIDE, counts
from guides.authoring.checks import check_guide
from guides.models import Guide

ISSUE_16_SIZE = {
    "causes": 6,
    "symptoms": 11,
    "fix_steps": 11,
    "faq": 2,
    "checklist": 5,
    "questions": 3,
    "answers": 7,
    "effects": 20,
    "cause_fixes": 15,
}


def test_the_guide_is_the_size_of_the_audited_one():
    assert counts() == ISSUE_16_SIZE
    assert [step["kind"] for step in GUIDE["fix_steps"] if step.get("kind")] == ["hand_off"]


def test_loaded_from_its_data_check_finds_nothing_to_fix(load):
    """No error, and no warning either: publishing it asks nothing."""
    load(GUIDE)
    guide = Guide.objects.get(slug=GUIDE["slug"])
    assert [f"{problem.level}: {problem.message}" for problem in check_guide(guide)] == []
