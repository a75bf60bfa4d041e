"""Visitors type in every script, in emoji and in punctuation: each search gets a page, never an error.

The guides are written in English, so a query without a Latin letter or digit cannot match them: the page
says so in words instead of showing nothing. A query that mixes such text with English words is searched
by its English words.
"""

import pytest
from django.urls import reverse

SEARCH = reverse("guides:search")
NOT_READ = "search only reads English letters and numbers"
NOTHING_MATCHED = "Nothing matched"
# "stuck sending" in full-width Latin letters, as some phone keyboards type them.
FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) if c != " " else c for c in "stuck sending")

# (query, what the page must say): NOT_READ when nothing in it is a letter or digit the guides use.
QUERIES = [
    ("私信发不出去", NOT_READ),  # Chinese
    ("无法发送消息", NOT_READ),
    ("не могу отправить сообщение", NOT_READ),  # Russian
    ("повідомлення не надсилаються", NOT_READ),  # Ukrainian
    ("لا أستطيع إرسال رسالة", NOT_READ),  # Arabic
    ("אני לא יכול לשלוח הודעות", NOT_READ),  # Hebrew
    ("संदेश नहीं भेज पा रहा हूँ", NOT_READ),  # Hindi
    ("メッセージが送れない", NOT_READ),  # Japanese
    ("메시지를 보낼 수 없어요", NOT_READ),  # Korean
    ("ไม่สามารถส่งข้อความได้", NOT_READ),  # Thai
    ("Μηνύματα δεν στέλνονται", NOT_READ),  # Greek
    ("😭😭😭", NOT_READ),
    ("📱💬❌", NOT_READ),
    ("👨‍👩‍👧", NOT_READ),  # an emoji joined by zero-width joiners
    ("?", NOT_READ),
    ("???", NOT_READ),
    ("!", NOT_READ),
    ("-", NOT_READ),
    ("%", NOT_READ),
    ("%%%", NOT_READ),
    ("[]", NOT_READ),
    ("[[[]]]", NOT_READ),
    ("'\"<>&;", NOT_READ),
    ("\u200b", NOT_READ),  # zero-width space
    ("\u200b\u200c\u200d\ufeff", NOT_READ),  # zero-width space, non-joiner, joiner, byte order mark
    ("\u202e\u200f\u200e", NOT_READ),  # right-to-left override and marks
    ("\u0301\u0308\u0327", NOT_READ),  # combining marks with nothing to combine with
    ("\x00", NOT_READ),
    ("\x00\x00\x00", NOT_READ),
    ("\t\r\n", None),  # only white space: the empty search page
    ("消" * 200, NOT_READ),  # as long as the search box allows
    ("😭" * 200, NOT_READ),
    ("?" * 200, NOT_READ),
    ("tiktok 私信发不出去", None),  # mixed: searched by "tiktok"
    ("сообщения stuck sending", None),  # mixed: searched by "stuck sending"
    ("stuck\x00sending", None),
    ("\u202estuck sending\u202c", None),
    ("s\u0301tuck sending", None),  # a combining accent on a Latin letter is dropped
    (FULL_WIDTH, None),  # full-width Latin letters read as the plain ones
    ("zzzzqqqq", NOTHING_MATCHED),  # Latin letters that match nothing: the ordinary "nothing matched"
]


def test_the_table_covers_at_least_thirty_queries_without_a_latin_letter_or_digit():
    assert len([query for query, says in QUERIES if says == NOT_READ]) >= 30


@pytest.fixture
def warm_index(client, seed_guide):
    """Build the index once, so each query below costs what a visitor's search costs on a running site."""
    assert client.get(SEARCH, {"q": "stuck sending"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "says"), QUERIES)
def test_every_query_gets_a_page_and_costs_no_query(client, warm_index, django_assert_num_queries, query, says):
    with django_assert_num_queries(0):
        response = client.get(SEARCH, {"q": query})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="search"' in page  # the search box, to try again
    if says is not None:
        assert says in page
    else:
        assert NOT_READ not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "cause"),
    [
        ("tiktok 私信发不出去 stuck sending", "Your internet connection is weak or blocked"),
        ("сообщения stuck sending", "Your internet connection is weak or blocked"),
        ("stuck\x00sending", "Your internet connection is weak or blocked"),
        ("\u202estuck sending\u202c", "Your internet connection is weak or blocked"),
        (FULL_WIDTH, "Your internet connection is weak or blocked"),
    ],
)
def test_english_words_among_other_text_still_find_their_cause(client, seed_guide, query, cause):
    response = client.get(SEARCH, {"q": query})

    assert response.status_code == 200
    assert cause in response.content.decode()


@pytest.mark.django_db
def test_a_query_in_another_script_says_what_to_do_next(client, seed_guide):
    page = client.get(SEARCH, {"q": "не могу отправить сообщение"}).content.decode()

    assert "We couldn't find anything for “не могу отправить сообщение”" in page
    assert f'href="{reverse("guides:index")}"' in page  # a way on: browse the guides
