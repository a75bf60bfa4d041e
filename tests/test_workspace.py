"""A guide's page is the editor's workspace: the whole guide written and saved on one page, and seen at a glance."""

import html
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from guides.content_cache import forget_local_version
from guides.models import Answer, Cause, ChecklistItem, FAQEntry, FixStep, Guide, Question, StepKind, Symptom
from tests.admin_forms import admin_form, admin_url, form_errors
from tests.builders import guide_data, questions_for

ADD_GUIDE = reverse("admin:guides_guide_add")


@pytest.fixture
def make_guide(load):
    """Load a guide from content-file data and return it."""

    def _make(data) -> Guide:
        load(data)
        return Guide.objects.get(slug=data["slug"])

    return _make


def add_row(data: dict, prefix: str, **values) -> str:
    """Add a row to the inline ``prefix`` as "Add another" does: a copy of its empty row, then typed in."""
    i = int(data[f"{prefix}-TOTAL_FORMS"][0])
    for key, value in list(data.items()):
        for empty in (f"{prefix}-__prefix__-", f"{prefix}-empty-"):
            if key.startswith(empty):
                data[f"{prefix}-{i}-{key[len(empty) :]}"] = list(value)
    for name, value in values.items():
        data[f"{prefix}-{i}-{name}"] = [value]
    data[f"{prefix}-{i}-order"] = [str(i)]
    data[f"{prefix}-TOTAL_FORMS"] = [str(i + 1)]
    return f"{prefix}-{i}"


def workspace_form(client, guide=None) -> dict:
    page = client.get(admin_url(guide) if guide else ADD_GUIDE)
    assert page.status_code == 200
    return admin_form(page.content.decode(), "guide_form")


def text_of(response) -> str:
    """The page's words as read: links and bold run on in their sentence, other tags break it."""
    page = re.sub(r"</?(a|strong)\b[^>]*>", "", response.content.decode())
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def whole_guide_on_the_add_page(client) -> dict:
    """The add page filled in as the browser test does: causes, fix steps, questions with answers, FAQ."""
    data = workspace_form(client)
    data |= {"title": ["Why won't WhatsApp send?"], "slug": ["whatsapp"], "summary": ["Messages stuck? Fix it."]}
    add_row(data, "causes", title="No internet", summary="Your phone is offline.", symptom_lines="One clock\nNo ticks")
    add_row(
        data, "causes", title="WhatsApp is down", summary="Their servers fail.", symptom_lines="no  ticks\r\nAll fail"
    )
    data |= {"causes-1-explains": ["on"], "causes-1-what_is_happening": ["WhatsApp's servers are down."]}
    add_row(data, "fix_steps", title="Turn on mobile data", instructions="Open Settings.")
    add_row(data, "fix_steps", title="Report it to WhatsApp", instructions="Write to them.", kind=StepKind.HAND_OFF)
    question = add_row(data, "questions", text="Do other apps work?")
    add_row(data, f"{question}-answers", text="Yes")
    add_row(data, f"{question}-answers", text="No")
    add_row(data, "faq_entries", question="Is it my phone?", answer="Rarely.")
    return data


def test_one_save_on_the_add_page_creates_the_whole_guide(editor_client):
    response = editor_client.post(ADD_GUIDE, whole_guide_on_the_add_page(editor_client) | {"_continue": ["1"]})

    assert response.status_code == 302, form_errors(response)
    guide = Guide.objects.get(slug="whatsapp")
    assert response["Location"] == admin_url(guide)
    assert [c.slug for c in guide.causes.all()] == ["no-internet", "whatsapp-is-down"]
    down = guide.causes.get(slug="whatsapp-is-down")
    assert down.explains and down.what_is_happening_html == "<p>WhatsApp's servers are down.</p>"
    assert sorted(s.slug for s in guide.fix_steps.all()) == ["report-it-to-whatsapp", "turn-on-mobile-data"]
    assert guide.fix_steps.get(slug="report-it-to-whatsapp").kind == StepKind.HAND_OFF
    question = guide.questions.get()
    assert (question.slug, [(a.slug, a.text) for a in question.answers.all()]) == (
        "do-other-apps-work",
        [("yes", "Yes"), ("no", "No")],
    )
    assert guide.faq_entries.get().slug == "is-it-my-phone"


def test_the_same_symptom_under_two_causes_is_one_symptom_linked_to_both(editor_client):
    editor_client.post(ADD_GUIDE, whole_guide_on_the_add_page(editor_client))

    guide = Guide.objects.get(slug="whatsapp")
    assert sorted(s.title for s in guide.symptoms.all()) == ["All fail", "No ticks", "One clock"]
    no_ticks = guide.symptoms.get(title="No ticks")
    assert sorted(c.slug for c in no_ticks.causes.all()) == ["no-internet", "whatsapp-is-down"]


def test_the_new_guide_opens_on_its_workspace_with_everything_listed(editor_client):
    editor_client.post(ADD_GUIDE, whole_guide_on_the_add_page(editor_client))
    guide = Guide.objects.get(slug="whatsapp")

    page = text_of(editor_client.get(admin_url(guide)))

    overview = page[page.index("The whole guide") : page.index("Title:")]
    assert "2 causes · 3 symptoms · 2 fix steps · 1 question · 2 answers" in overview
    assert "One clock; No ticks" in overview
    assert "No fix step yet" in overview
    assert "Do other apps work?" in overview
    assert "Yes → says nothing about the causes yet" in overview
    assert "Fix steps no cause uses yet: Report it to WhatsApp, Turn on mobile data" in overview


def test_overview_shows_each_causes_fix_steps_with_their_efficacy_words_and_what_each_answer_says(
    editor_client, make_guide
):
    effects = {"cause-0": "rules_out"} | {f"cause-{n}": "strong" for n in range(1, 5)}
    question = {
        "slug": "which",
        "text": "Which one?",
        "effort": "quick_look",
        "answers": [
            {"slug": "a", "text": "A", "effects": effects},
            {"slug": "b", "text": "B", "effects": {"cause-0": "more"}},
        ],
    }
    guide = make_guide(guide_data(slug="tiny", causes=5, efficacy="often", questions=[question]))

    page = text_of(editor_client.get(admin_url(guide)))

    assert "Cause 0 add a symptom add a fix step link Symptom 0.0 Fix number 0: Often" in page
    assert "Cause 4 add a symptom add a fix step link Symptom 4.0 Fix number 4: Often" in page
    assert "A → Strongly points to it: 4 causes · Rules it out: Cause 0" in page
    assert "B → Makes it more likely: Cause 0" in page


def test_every_add_link_of_the_workspace_knows_the_guide_and_the_add_page_fills_it_in(editor_client, make_guide):
    guide = make_guide(guide_data(slug="tiny"))
    page = editor_client.get(admin_url(guide)).content.decode()

    links = set(re.findall(r'class="addlink" href="(/admin/guides/[a-z]+/add/\?[^"]+)"', page))

    for model in ("cause", "fixstep", "symptom", "question", "faqentry", "checklistitem"):
        url = html.unescape(next(link for link in links if f"/{model}/add/" in link))
        assert f"guide={guide.pk}" in url
        assert f'<option value="{guide.pk}" selected>' in editor_client.get(url).content.decode(), model
    cause = guide.causes.first()
    symptom_link = html.unescape(next(link for link in links if f"causes={cause.pk}" in link))
    assert f'<option value="{cause.pk}" selected>' in editor_client.get(symptom_link).content.decode()


def test_symptom_lines_show_the_causes_symptoms_and_editing_them_links_unlinks_and_deletes(editor_client, make_guide):
    guide = make_guide(guide_data(slug="tiny", causes=2, symptoms_per_cause=2))
    data = workspace_form(editor_client, guide)
    assert data["causes-0-symptom_lines"] == ["Symptom 0.0\r\nSymptom 0.1"]
    shared = guide.symptoms.get(title="Symptom 1.0")
    shared.causes.add(guide.causes.get(slug="cause-0"))
    data = workspace_form(editor_client, guide)

    # Cause 0 drops 0.1 (only its own: deleted) and 1.0 (cause 1 keeps it), keeps 0.0,
    # adds 1.1 (cause 1's) and a new one.
    data["causes-0-symptom_lines"] = ["symptom 0.0\r\nSymptom 1.1\r\nBrand new\r\n"]
    response = editor_client.post(admin_url(guide), data)

    assert response.status_code == 302, form_errors(response)
    cause_0 = guide.causes.get(slug="cause-0")
    assert sorted(s.title for s in cause_0.symptoms.all()) == ["Brand new", "Symptom 0.0", "Symptom 1.1"]
    assert not guide.symptoms.filter(title="Symptom 0.1").exists()
    assert sorted(c.slug for c in guide.symptoms.get(title="Symptom 1.0").causes.all()) == ["cause-1"]
    assert guide.symptoms.filter(title__iexact="symptom 1.1").count() == 1
    assert guide.symptoms.get(title="Brand new").slug == "brand-new"


def test_an_object_added_from_the_overview_comes_back_to_the_workspace_on_save(editor_client, make_guide):
    guide = make_guide(guide_data(slug="tiny", causes=2))
    cause = guide.causes.get(slug="cause-1")
    page = editor_client.get(admin_url(guide)).content.decode()
    link = html.unescape(re.search(rf'class="addlink" href="([^"]*causes={cause.pk}[^"]*)"', page).group(1))
    data = admin_form(editor_client.get(link).content.decode(), "symptom_form")
    data |= {"title": ["Blue screen"], "slug": ["blue-screen"], "_save": ["Save"]}

    response = editor_client.post(link, data)

    assert response.status_code == 302, form_errors(response)
    assert response["Location"] == admin_url(guide)
    assert list(guide.symptoms.get(slug="blue-screen").causes.all()) == [cause]


@pytest.mark.parametrize("slug", ["tiktok-messages", "tiny"])
def test_saving_the_workspace_unchanged_writes_nothing(editor_client, make_guide, slug):
    if slug == "tiny":
        make_guide(guide_data(slug="tiny", causes=3, symptoms_per_cause=2, questions=questions_for(3)))
    guide = Guide.objects.get(slug=slug)
    data = workspace_form(editor_client, guide)
    before = (Version.objects.count(), Guide.objects.get(pk=guide.pk).updated_at, Symptom.objects.count())

    response = editor_client.post(admin_url(guide), data)

    assert response.status_code == 302, form_errors(response)
    after = (Version.objects.count(), Guide.objects.get(pk=guide.pk).updated_at, Symptom.objects.count())
    assert after == before


def test_the_workspace_adds_causes_questions_and_checklist_steps_to_an_existing_guide(editor_client, make_guide):
    guide = make_guide(guide_data(slug="tiny", causes=2) | {"checklist": ["fix-0"]})
    data = workspace_form(editor_client, guide)
    add_row(data, "causes", title="Cause 0", summary="Same title as the first: a slug of its own.")
    question = add_row(data, "questions", text="Fixed?")  # "fixed" is a word of the troubleshooter's address
    add_row(data, f"{question}-answers", text="I'm not sure")
    add_row(data, f"{question}-answers", text="Unsure")  # "unsure" is the troubleshooter's own answer
    add_row(data, "checklist_items", fix_step=str(guide.fix_steps.get(slug="fix-1").pk))
    data["checklist_items-0-DELETE"] = ["on"]

    response = editor_client.post(admin_url(guide), data)

    assert response.status_code == 302, form_errors(response)
    assert [c.slug for c in guide.causes.all()] == ["cause-0", "cause-1", "cause-0-2"]
    question = Question.objects.get(guide=guide, text="Fixed?")
    assert question.slug == "fixed-2"
    assert [a.slug for a in question.answers.all()] == ["im-not-sure", "unsure-2"]
    assert [i.fix_step.slug for i in ChecklistItem.objects.filter(guide=guide)] == ["fix-1"]


def test_the_pickers_of_the_workspace_offer_only_this_guides_answers_and_steps(editor_client, seed_guide, make_guide):
    guide = make_guide(guide_data(slug="tiny", causes=2, questions=questions_for(2)))

    page = editor_client.get(admin_url(guide)).content.decode()

    asked_after = options(page, "questions-0-asked_after")
    checklist = options(page, "checklist_items-0-fix_step")
    answers = Answer.objects.filter(question__guide=guide).select_related("question")
    assert asked_after == {str(a.pk): f"{a.question.text} → {a.text}" for a in answers}
    assert checklist == {str(s.pk): s.title for s in guide.fix_steps.all()}


def options(page: str, name: str) -> dict[str, str]:
    """The options of the <select> called ``name``: value → label."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    pairs = re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)<', select)  # the empty choice left out
    return {value: html.unescape(label.strip()) for value, label in pairs}


# The workspace's GET, query by query: the session, the user, a savepoint; the guide; the user's and the
# group's permissions; how many rows each part has (one query); the choices of "asked after" and of the
# checklist; the questions with their answers, the causes with their symptoms, the fix steps, the FAQ, the
# checklist with its steps (the forms); the causes, symptoms, fix-step links, questions, answers, answer
# effects and fix steps (the overview); the content version, for Try it's walks (kept in the cache by it);
# the savepoint's release.
WORKSPACE_QUERIES = 25


@pytest.mark.parametrize("causes", [2, 12])
def test_the_workspace_page_takes_the_same_queries_whatever_the_size_of_the_guide(editor_client, make_guide, causes):
    for n in range(causes // 4):
        make_guide(guide_data(slug=f"other-{n}", causes=3, questions=questions_for(3)))
    guide = make_guide(guide_data(slug="tiny", causes=causes, symptoms_per_cause=2, questions=questions_for(2)))
    editor_client.get(admin_url(guide))  # the first look after a save builds the troubleshooter's snapshot, once
    forget_local_version()  # a second later: the process asks the state cache for the content version again

    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get(admin_url(guide))

    assert response.status_code == 200
    assert len(queries) == WORKSPACE_QUERIES, "\n".join(q["sql"][:120] for q in queries.captured_queries)


def test_a_large_guide_stays_within_djangos_limit_on_form_fields(editor_client, make_guide):
    guide = make_guide(guide_data(slug="large", causes=60, symptoms_per_cause=2, questions=questions_for(20)))
    with CaptureQueriesContext(connection) as queries:
        data = workspace_form(editor_client, guide)

    response = editor_client.post(admin_url(guide), data)

    assert len(queries) <= WORKSPACE_QUERIES  # parts shown "add only" read nothing
    assert sum(len(values) for values in data.values()) < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert response.status_code == 302, form_errors(response)
    page = text_of(editor_client.get(admin_url(guide)))
    assert "add new ones here (open the 60 it has from the overview above)" in page
    assert page.count("No fix step yet") == 0 and "Cause 59" in page


def test_the_admin_home_leads_editors_to_their_guides_first(editor_client):
    page = editor_client.get(reverse("admin:index")).content.decode()

    start = page.index('id="start-here"')
    assert start < page.index('class="app-guides')
    assert reverse("admin:guides_guide_changelist") in page[start : start + 1000]
    assert ADD_GUIDE in page[start : start + 1000]


def test_a_symptom_line_too_long_is_refused_with_a_message(editor_client, make_guide):
    guide = make_guide(guide_data(slug="tiny"))
    data = workspace_form(editor_client, guide)
    data["causes-0-symptom_lines"] = ["Fine\r\n" + "x" * 201]

    response = editor_client.post(admin_url(guide), data)

    assert response.status_code == 200
    assert "A symptom is at most 200 characters" in response.content.decode()
    assert sorted(s.title for s in guide.causes.get(slug="cause-0").symptoms.all()) == ["Symptom 0.0"]


def test_a_cause_needs_its_summary_even_on_the_workspace(editor_client):
    data = workspace_form(editor_client)
    data |= {"title": ["T"], "slug": ["t"], "summary": ["S."]}
    add_row(data, "causes", title="No summary")

    response = editor_client.post(ADD_GUIDE, data)

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Guide.objects.filter(slug="t").exists()
    assert not Cause.objects.filter(title="No summary").exists()
    assert not FixStep.objects.filter(guide__slug="t").exists() and not FAQEntry.objects.filter(guide__slug="t")
