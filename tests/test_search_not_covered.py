"""A search about something no guide covers gets an honest answer, and a real word is read as typed.

The bundled guide is about sending TikTok messages. Someone whose TikTok login, uploads or live
streams fail must read "We don't have a guide for that yet" and where TikTok's own help is, not a
list of message-sending causes as if they were the answer. And a common English word is what the
visitor meant: "hacked" is never searched as "packed".

TikTok being down for everyone is in the guide (its own cause): asking leads there first.

The out-of-guide phrasings were chosen by reading guides/content/tiktok-messages.yaml (none of its
causes, symptoms or steps is about them; comments are named once in passing, as something that can
earn a strike). Some out-of-guide problems are not in the table because the
guide's own titles use their words, and word overlap cannot tell them apart: "can't follow anyone"
("friends who follow me back"), "tiktok keeps logging me out" ("Log out and log back in"), "how to delete
my tiktok account" ("Delete and reinstall TikTok"), "tiktok filters not working" ("spam filter").
"""

import html
import re
from pathlib import Path

import pytest
from django.urls import reverse

from guides.models import Cause, FixStep, StepKind
from tests.builders import guide_data
from tests.search_pages import PHRASINGS, cause_links, fix_step_links, search_page, section

SEARCH = reverse("guides:search")
NOT_COVERED = "We don't have a guide for that yet"
OUTAGE_CHECK = "To tell whether TikTok is down for everyone"
WORD_LIST = Path(__file__).parent.parent / "guides" / "search" / "common_english.txt"
GUIDE_TEXT = Path(__file__).parent.parent / "guides" / "content" / "tiktok-messages.yaml"

# TikTok problems the messages guide does not cover, as people type them.
OUT_OF_GUIDE = [
    "tiktok login problem",
    "cant log in to tiktok",
    "i cant sign in to my tiktok",
    "tiktok video won't upload",
    "tiktok upload stuck",
    "tiktok account hacked",
    "someone hacked my tiktok account",
    "tiktok live not working",
    "can't go live on tiktok",
    "banned from live on tiktok",
    "tiktok coins not showing",
    "tiktok gifts",
    "tiktok live gifts not working",
    "tiktok duet not working",
    "tiktok stitch",
    "tiktok followers dropping",
    "my tiktok followers keep dropping",
    "tiktok for you page not working",
    "my fyp is broken",
    "tiktok comments not showing",
    "tiktok sound not working",
    "tiktok notifications not working",
    "tiktok password reset",
    "forgot my tiktok password",
    "tiktok drafts disappeared",
    "tiktok age verification",
]
# TikTok being down is in the guide: its own cause, with what to check and to wait.
ASKS_IF_DOWN = ["is tiktok down", "tiktok servers down", "tiktok outage", "is tiktok down right now"]
OUTAGE_CAUSE = "tiktok-down"
# Known cases of a common word read as another word of the guide, and words the guide only mentions in passing.
KNOWN_WORDS = [
    "hacked", "sound", "stitch", "reset", "down", "live", "login", "upload", "duet", "gifts", "coins", "followers",
    "dropping", "comments",
]  # fmt: skip


def common_words() -> list[str]:
    return [line for line in WORD_LIST.read_text().splitlines() if line and not line.startswith("#")]


def one_slip_away(word: str) -> set[str]:
    """Every spelling one deletion, insertion, change or swap of two letters away from a word."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return {
        *(a + b[1:] for a, b in splits if b),
        *(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1),
        *(a + c + b[1:] for a, b in splits if b for c in letters),
        *(a + c + b for a, b in splits for c in letters),
    }


def words_at_risk() -> list[str]:
    """200 common words one slip from a word of the guide: the ones a spelling corrector would turn into it."""
    guide_words = {word for word in re.findall(r"[a-z]+", GUIDE_TEXT.read_text().lower()) if len(word) > 3}
    near = set().union(*(one_slip_away(word) for word in guide_words))
    at_risk = sorted(word for word in common_words() if len(word) > 3 and word in near and word not in guide_words)
    step = max(1, len(at_risk) // 200)
    return at_risk[::step][:200]


AT_RISK = words_at_risk()


def honest_answer(page: str) -> str:
    found = re.search(r'<section id="not-covered"[^>]*>(.*?)</section>', page, re.S)
    """The honest answer's text, as a visitor reads it (no tags)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split()) if found else ""


@pytest.fixture
def warm_index(client, seed_guide):
    """Build the index once, so each query below costs what a visitor's search costs on a running site."""
    assert client.get(SEARCH, {"q": "stuck sending"}).status_code == 200


def test_the_tables_hold_what_the_issue_asks():
    assert len(OUT_OF_GUIDE) >= 14
    assert {"tiktok login problem", "tiktok video won't upload", "tiktok account hacked"} <= set(OUT_OF_GUIDE)
    assert len(AT_RISK) == 200
    assert {"hacked", "sound", "stitch"} <= set(common_words())


def test_the_word_list_names_its_source_and_licence_and_holds_the_ten_thousand_commonest_words():
    header = [line for line in WORD_LIST.read_text().splitlines() if line.startswith("#")]
    words = common_words()

    assert any("wordfreq" in line for line in header)
    assert any("CC BY-SA 4.0" in line for line in header)
    assert len(words) >= 10_000
    assert len(set(words)) == len(words)
    assert {"the", "message", "phone", "account", "video"} <= set(words[:10_000])


@pytest.mark.django_db
@pytest.mark.parametrize("query", OUT_OF_GUIDE)
def test_a_tiktok_problem_outside_the_guide_gets_the_honest_answer_and_tiktok_s_own_help(
    client, warm_index, django_assert_num_queries, query
):
    with django_assert_num_queries(0):
        page = search_page(client, query)

    answer = honest_answer(page)
    assert NOT_COVERED in answer
    assert not cause_links(page) and not fix_step_links(page), "message-sending causes are no answer to this"
    assert "Answer a few questions instead" not in page
    assert "Report the problem to TikTok" in answer
    assert "Settings and privacy &gt; Report a problem" in page
    assert "you typed" not in html.unescape(page)
    assert OUTAGE_CHECK not in answer


@pytest.mark.django_db
@pytest.mark.parametrize("query", ASKS_IF_DOWN)
def test_asking_whether_tiktok_is_down_leads_to_the_outage_cause_first(client, warm_index, query):
    outage = Cause.objects.get(guide__slug="tiktok-messages", slug=OUTAGE_CAUSE)

    page = search_page(client, query)

    assert NOT_COVERED not in html.unescape(page)
    assert cause_links(page)[0] == outage.get_absolute_url()
    assert "you typed" not in html.unescape(page)


@pytest.mark.django_db
def test_the_honest_answer_links_to_the_guide_s_report_step(client, seed_guide):
    page = search_page(client, "tiktok login problem")

    link = re.search(r'<a href="([^"]+)#fix-([a-z0-9-]+)">Report the problem to TikTok</a>', page)
    assert link is not None
    assert FixStep.objects.get(guide=seed_guide, slug=link.group(2)).kind == StepKind.HAND_OFF
    response = client.get(link.group(1))
    assert response.status_code == 200
    assert f'id="fix-{link.group(2)}"' in response.content.decode()


@pytest.mark.django_db
def test_the_honest_answer_names_the_words_the_guides_do_not_cover(client, seed_guide):
    answer = honest_answer(search_page(client, "tiktok video won't upload"))

    assert "Nothing in our guides covers “upload”." in answer


@pytest.mark.django_db
def test_an_outage_question_a_guide_has_no_cause_for_says_how_to_tell_and_not_to_reinstall(client, seed_guide, load):
    load(guide_data(slug="snapchat-messages") | {"title": "Why won't Snapchat send my messages?"})

    answer = honest_answer(search_page(client, "is snapchat down"))

    assert "We can't see from here whether Snapchat is down." in answer
    assert "To tell whether Snapchat is down for everyone" in answer
    assert "Nothing in our guides covers" not in answer
    assert "ask a friend whether it works for them" in answer
    assert "Reinstalling or logging out won't help" in answer


@pytest.mark.django_db
def test_a_word_the_guide_names_once_in_passing_is_not_one_it_covers(client, seed_guide):
    """The guide says comments can earn a strike, in one summary: that is no help with comments."""
    answer = honest_answer(search_page(client, "tiktok comments not showing"))

    assert "Nothing in our guides covers “comments”." in answer


@pytest.mark.django_db
def test_the_for_you_page_is_tiktok_s_feed_not_any_page(client, seed_guide):
    answer = honest_answer(search_page(client, "tiktok for you page not working"))

    assert "Nothing in our guides covers “for you page”." in answer


@pytest.mark.django_db
def test_a_cause_the_rest_of_the_query_clearly_points_to_is_offered_as_related(client, seed_guide):
    age = Cause.objects.get(guide=seed_guide, slug="age-and-family-pairing")

    answer = honest_answer(search_page(client, "tiktok age verification"))
    hacked = honest_answer(search_page(client, "tiktok account hacked"))

    assert f"It may be related to a cause in our guide: {age.title}" in answer
    assert "It may be related" not in hacked  # "account" alone points to no one cause


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "cause"),
    [
        ("tiktok account banned", "temporary-bans"),  # bans are in the guide
        ("spinning circle forever", "network-connectivity"),  # one word the guide lacks among two it has
        ("got a strike for violating community guidelines", "community-guidelines"),  # "violating" is "violation"
    ],
)
def test_a_query_the_guide_covers_still_gets_its_causes(client, seed_guide, query, cause):
    page = search_page(client, query)

    assert NOT_COVERED not in html.unescape(page)
    assert Cause.objects.get(guide=seed_guide, slug=cause).get_absolute_url() in cause_links(page)[:3]


@pytest.mark.django_db
def test_every_in_guide_phrasing_of_the_search_table_is_not_called_uncovered(client, warm_index):
    in_guide = [query for query, expected in PHRASINGS if not expected.startswith("no guide: ")]

    assert len(in_guide) >= 50
    for query in in_guide:
        assert NOT_COVERED not in html.unescape(search_page(client, query)), query


@pytest.mark.django_db
def test_a_query_that_says_only_that_something_is_wrong_gets_the_guides_not_causes(client, seed_guide):
    page = search_page(client, "tiktok not working")

    assert not cause_links(page)
    assert NOT_COVERED not in html.unescape(page)
    assert seed_guide.get_absolute_url() in section(page, "result-guides")


@pytest.mark.django_db
def test_the_honest_answer_works_for_any_guide_and_its_app(client, seed_guide, load):
    load(guide_data(slug="snapchat-messages") | {"title": "Why won't Snapchat send my messages?"})

    streaks = search_page(client, "snapchat streaks lost")
    down = honest_answer(search_page(client, "is snapchat down"))

    assert NOT_COVERED in honest_answer(streaks)
    assert not cause_links(streaks)
    assert "To tell whether Snapchat is down for everyone" in down
    assert "TikTok" not in down


@pytest.mark.django_db
@pytest.mark.parametrize("word", KNOWN_WORDS + AT_RISK)
def test_a_common_english_word_is_never_corrected_into_another_word(
    client, warm_index, django_assert_num_queries, word
):
    with django_assert_num_queries(0):
        page = html.unescape(search_page(client, f"tiktok {word}"))

    assert "you typed" not in page


@pytest.mark.django_db
def test_a_slip_that_is_no_word_is_still_corrected(client, seed_guide):
    page = html.unescape(search_page(client, "tiktok mesages hacked"))

    assert "“messages” (you typed “mesages”)" in page
    assert "you typed “hacked”" not in page
