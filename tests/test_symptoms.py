"""A symptom tapped on the article leads, in one tap, to a page that names one of its causes first.

A symptom of one cause links to that cause's page; a symptom of several opens the troubleshooter
with that observation already given (``?seen=<symptom>``), and its first screen names the
likeliest causes before anything else. Generated from the database, so these keep holding as
staff add symptoms; the engine's side (a symptom is evidence, never a question) is in
test_beliefs.py and test_planner.py.
"""

import html
import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from guides import engine
from guides.diagnose import page_views
from guides.diagnose.snapshot import build_snapshot
from guides.models import Guide, Symptom
from tests.screens import nothing_left_state, without_tokens

ANDROID = "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36"
URL = reverse("guides:diagnose", args=["tiktok-messages"])


def symptoms(*, several=False):
    """Every symptom of every published guide, with the slugs of its causes; only those of several causes if asked."""
    found = []
    for symptom in Symptom.objects.filter(guide__published=True).prefetch_related("causes").select_related("guide"):
        causes = {c.slug for c in symptom.causes.all() if c.guide_id == symptom.guide_id}
        if causes and (len(causes) > 1 or not several):
            found.append((symptom, causes))
    return found


def main_text(response) -> str:
    """The visible text of <main>, tags dropped and entities turned back into the characters people see."""
    page = response.content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def panel(response) -> str:
    """The troubleshooter's panel, entities turned back into characters."""
    page = html.unescape(response.content.decode())
    return page[page.index('<div id="panel"') :]


def first_cause_named(response, guide: Guide) -> str:
    """The slug of the cause whose title comes first in <main>, or "" when none is named."""
    text = main_text(response)
    found = [(text.find(title), slug) for slug, title in guide.causes.values_list("slug", "title")]
    found = [(position, slug) for position, slug in found if position >= 0]
    return min(found)[1] if found else ""


def what_do_you_see(response) -> list[tuple[str, str]]:
    """(link text, address) for each choice in the article's "What do you see?" list."""
    page = response.content.decode()
    start = page.find('<section id="what-do-you-see"')
    assert start >= 0, 'The article has no <section id="what-do-you-see"> yet'
    section = page[start : page.index("</section>", start)]
    links = re.findall(r'<li>\s*<a href="([^"]+)"[^>]*>(.*?)</a>', section, re.S)
    return [(html.unescape(re.sub(r"<[^>]+>", "", text)).strip(), html.unescape(href)) for href, text in links]


# --------------------------------------------------------------------------------------
# From the article, one tap


def test_every_symptom_on_the_article_leads_to_a_page_that_names_one_of_its_causes_first(phone, db):
    checked = []
    for guide in Guide.objects.filter(published=True):
        article = phone.get(guide.get_absolute_url())
        choices = dict(what_do_you_see(article))
        for symptom, causes in symptoms():
            if symptom.guide_id != guide.pk:
                continue
            assert symptom.title in choices, f"“{symptom.title}” is not among the article's choices"
            address = choices[symptom.title]
            landed = phone.get(address.split("#")[0])
            assert landed.status_code == 200, address
            assert first_cause_named(landed, guide) in causes, f"{symptom.slug}: {address}"
            checked.append(symptom.slug)

    assert checked, "no symptom of a published guide in the database: nothing was checked"


def test_a_symptom_of_several_causes_opens_the_troubleshooter_and_one_of_a_single_cause_its_page(phone, db):
    checked = {"one cause": 0, "several causes": 0}
    for guide in Guide.objects.filter(published=True):
        choices = dict(what_do_you_see(phone.get(guide.get_absolute_url())))
        for symptom, causes in symptoms():
            if symptom.guide_id != guide.pk:
                continue
            if len(causes) == 1:
                assert choices[symptom.title].split("#")[0] == symptom.causes.get().get_absolute_url()
                checked["one cause"] += 1
            else:
                diagnose = reverse("guides:diagnose", args=[guide.slug])
                assert choices[symptom.title] == f"{diagnose}?{urlencode({'seen': symptom.slug})}"
                checked["several causes"] += 1

    assert all(checked.values()), f"nothing checked for some kind of symptom: {checked}"


# --------------------------------------------------------------------------------------
# The troubleshooter, started from a symptom


def test_every_symptom_of_several_causes_starts_the_troubleshooter_naming_one_of_them_first(phone, db):
    checked = symptoms(several=True)
    assert checked, "no symptom with several causes in the database: nothing was checked"
    for symptom, causes in checked:
        url = reverse("guides:diagnose", args=[symptom.guide.slug])
        response = phone.get(f"{url}?{urlencode({'seen': symptom.slug})}")

        assert response.status_code == 200
        assert first_cause_named(response, symptom.guide) in causes, symptom.slug
        # A question or a step says what fits so far; an explanation (a cheap likely one comes
        # before a question) is headed by its cause and says how sure we are.
        text = main_text(response)
        assert "From what you told us, it" in text or "How sure we are" in text, symptom.slug


def test_the_first_screen_after_a_symptom_names_the_causes_it_points_to_after_the_heading(phone, snapshot):
    response = phone.get(f"{URL}?seen=sending-messages-too-fast")
    text = main_text(response)
    ranking = engine.rank(snapshot.model, [(engine.SEEN, "sending-messages-too-fast")])
    raised = [snapshot.causes[r.cause].title for r in ranking if r.reasons and r.probability >= 0.15]
    decision = engine.next_step(snapshot.model, [(engine.SEEN, "sending-messages-too-fast")])
    heading = decision.question.text if decision.question else snapshot.steps[decision.step.key].title

    assert ranking[0].probability < 0.6 and len(raised) == 2  # so the screen lists the two it points to
    assert "Step 1" in text  # the symptom was tapped on the article: this is the visitor's first screen here
    assert f"From what you told us, it could be “{raised[0]}” or “{raised[1]}”." in text
    assert snapshot.causes[ranking[2].cause].title not in text.split("Why this")[0]  # nothing it did not point to
    assert text.index(heading) < text.index("From what you told us")  # the screen's own heading comes first


def test_one_cause_at_60_percent_or_more_is_named_as_most_likely(phone, snapshot):
    evidence = [(engine.SEEN, "wifi-vs-mobile-data")]
    top = engine.rank(snapshot.model, evidence)[0]
    text = main_text(phone.get(f"{URL}?{urlencode(evidence)}"))

    assert top.probability >= 0.6
    assert f"From what you told us, it's most likely “{snapshot.causes[top.cause].title}”." in text


def test_the_start_screen_and_answers_of_i_am_not_sure_name_no_cause_up_front(phone, snapshot):
    answered = []  # steps that failed, until the first question: its "not sure" names nothing either
    while (decision := engine.next_step(snapshot.model, answered)).kind != engine.QUESTION:
        answered.append((engine.FAILED, decision.step.key))
    unsure = [*answered, (decision.question.key, engine.UNSURE)]

    assert "From what you told us" not in main_text(phone.get(URL))
    assert "From what you told us" not in main_text(phone.get(f"{URL}?{urlencode(unsure)}"))


def symptom_asked_about(model) -> str:
    """A symptom whose first screen is a question (after some, a likely step comes first)."""
    return next(o.key for o in model.observations if engine.next_step(model, [(engine.SEEN, o.key)]).question)


def test_the_symptom_stays_in_the_address_of_every_next_screen(phone, snapshot):
    symptom = symptom_asked_about(snapshot.model)
    evidence = [(engine.SEEN, symptom)]
    decision = engine.next_step(snapshot.model, evidence)
    assert decision.kind == engine.QUESTION
    page = html.unescape(phone.get(f"{URL}?{urlencode(evidence)}").content.decode())

    # The question's form sends the symptom back first, then the answer: the next screen keeps both.
    assert f'<input type="hidden" name="seen" value="{symptom}">' in page
    answer = decision.question.answers[0].key
    after = engine.clean_evidence(snapshot.model, [*evidence, (decision.question.key, answer)])
    assert after == (*evidence, (decision.question.key, answer))


def test_a_step_answered_from_a_symptom_visit_keeps_the_symptom(phone, snapshot):
    evidence = [(engine.SEEN, "stuck-on-sending")]
    while (decision := engine.next_step(snapshot.model, evidence)).kind == engine.QUESTION:
        evidence.append((decision.question.key, engine.UNSURE))
    page = html.unescape(phone.get(f"{URL}?{urlencode(evidence)}").content.decode())
    form = re.search(r'<form method="post".*?</form>', page, re.S).group(0)
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))

    response = phone.post(
        reverse("guides:diagnose_feedback", args=["tiktok-messages"]), {**fields, "outcome": "not_fixed"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(f"{URL}?seen=stuck-on-sending&")
    assert f"failed={decision.step.key}" in response["Location"]


def test_unknown_symptoms_are_ignored_like_any_bad_parameter(phone, seed_guide):
    plain = phone.get(URL)
    for query, clean in (
        ("seen=no-such-symptom", URL),
        ("seen=", URL),
        ("seen=stuck-on-sending&seen=stuck-on-sending", f"{URL}?seen=stuck-on-sending"),
    ):
        response = phone.get(f"{URL}?{query}")
        assert (response.status_code, response.url) == (302, clean)  # dropped before any cache is touched
    assert without_tokens(panel(phone.get(f"{URL}?seen=no-such-symptom", follow=True))) == without_tokens(panel(plain))
    assert without_tokens(panel(phone.get(f"{URL}?seen=stuck-on-sending&seen=stuck-on-sending", follow=True))) == (
        without_tokens(panel(phone.get(f"{URL}?seen=stuck-on-sending")))
    )


def test_a_symptom_of_another_guide_is_ignored(phone, load):
    from tests.builders import guide_data

    load(guide_data(slug="other"))
    other = Symptom.objects.filter(guide__slug="other").first()

    assert without_tokens(panel(phone.get(f"{URL}?seen={other.slug}", follow=True))) == without_tokens(
        panel(phone.get(URL))
    )


def test_so_far_lists_the_symptom_in_words_with_a_link_that_takes_only_it_out(phone, snapshot):
    symptom = symptom_asked_about(snapshot.model)
    evidence = [(engine.SEEN, symptom)]
    question = engine.next_step(snapshot.model, evidence).question
    evidence.append((question.key, engine.UNSURE))
    page = panel(phone.get(f"{URL}?{urlencode(evidence)}"))
    title = snapshot.symptoms[symptom].title
    row = re.search(r'<ol class="answers-so-far">\s*<li>(.*?)</li>', page, re.S).group(1)

    assert row.startswith(f"You see: <strong>{title}</strong>")
    removes = urlencode([evidence[1], ("platform", "android")])
    assert f'<a href="?{removes}#screen">Remove this<span class="visually-hidden">: “{title}”</span></a>' in row


def test_the_htmx_panel_after_a_symptom_names_the_causes_too(phone, seed_guide):
    response = phone.get(f"{URL}?seen=stuck-on-sending", headers={"HX-Request": "true"})
    page = html.unescape(response.content.decode())

    assert "<html" not in page
    assert re.search(r'<p class="so-far">From what you told us, it', page)


def test_the_hand_off_summary_says_what_the_visitor_sees(phone, snapshot):
    evidence = nothing_left_state(snapshot, [(engine.SEEN, "inbox-wont-load")])
    page = panel(phone.get(f"{URL}?{urlencode(evidence)}"))
    summary = re.search(r'<textarea id="support-summary"[^>]*>(.*?)</textarea>', page, re.S).group(1)

    assert f"What I see:\n- {snapshot.symptoms['inbox-wont-load'].title}" in summary


# --------------------------------------------------------------------------------------
# Someone who taps a symptom of their own cause still gets their fix, or is told why


def test_a_truthful_visitor_who_taps_a_symptom_of_their_cause_is_fixed_or_told_why_before_the_hand_off(db):
    failures, checked = {}, 0
    for guide in Guide.objects.filter(published=True):
        snapshot = build_snapshot(guide)
        model = snapshot.model
        cured = {c.key for c in model.causes if any(s.fixes.get(c.key, 0) >= engine.CURE for s in model.steps)}
        ended = cured | {c.key for c in model.causes if c.explains}
        for observation in model.observations:
            for effect in observation.effects:
                if effect.cause in ended:
                    checked += 1
                    walk = engine.truthful_walk(
                        model, effect.cause, seen=(observation.key,), max_questions=snapshot.max_questions
                    )
                    if walk[-1][0] not in ("fixed", "explained"):
                        failures[guide.slug, observation.key, effect.cause] = walk

    assert checked, "no symptom of a cause with a cure or an explanation: nothing was checked"
    assert failures == {}


# --------------------------------------------------------------------------------------
# A tapped symptom answers what it implies, and is the reason its causes rose


def settling_symptoms():
    """(snapshot, observation) for every symptom of a published guide that settles answers."""
    for guide in Guide.objects.filter(published=True):
        snapshot = build_snapshot(guide)
        for observation in snapshot.model.observations:
            if observation.settles:
                yield snapshot, observation


def test_the_bundled_guide_s_symptoms_settle_what_they_imply(snapshot):
    settles = {o.key: set(o.settles) for o in snapshot.model.observations}

    assert settles["sending-messages-too-fast"] == {("error-notice", "yes-notice"), ("which-notice", "too-fast")}
    assert settles["no-message-button"] == {("error-notice", "no-message-box")}
    assert settles["cant-message-one-person"] == {("who-affected", "one-person")}


def test_a_question_a_tapped_symptom_settled_is_never_asked(db):
    cases = list(settling_symptoms())
    assert len(cases) >= 10, "too few symptoms settle answers: nothing much was checked"
    asked, walks = {}, 0
    for snapshot, observation in cases:
        model = snapshot.model
        settled = {question for question, _ in observation.settles}
        # Someone not sure of anything else, and a truthful visitor with each cause the symptom points to.
        for cause in [None, *(effect.cause for effect in observation.effects)]:
            answer = (lambda q, cause=cause: engine.answer_for(q, cause)) if cause else (lambda q: engine.UNSURE)
            walks += 1
            for _, decision in engine.visit(
                model, answer, evidence=[(engine.SEEN, observation.key)], max_questions=snapshot.max_questions
            ):
                if decision.kind == engine.QUESTION and decision.question.key in settled:
                    asked.setdefault((observation.key, cause), []).append(decision.question.key)

    assert walks > len(cases)
    assert asked == {}


def test_an_answer_to_a_question_the_symptom_settled_is_dropped(db):
    checked = 0
    for snapshot, observation in settling_symptoms():
        for question_key, answer_key in observation.settles:
            question = next(q for q in snapshot.model.questions if q.key == question_key)
            other = next(a.key for a in question.answers if a.key != answer_key)
            evidence = [(engine.SEEN, observation.key), (question_key, other)]
            assert engine.clean_evidence(snapshot.model, evidence) == ((engine.SEEN, observation.key),)
            checked += 1

    assert checked >= 10


def test_a_tapped_symptom_is_the_reason_each_of_its_causes_became_likelier(db):
    missing, checked = {}, 0
    for guide in Guide.objects.filter(published=True):
        model = build_snapshot(guide).model
        for observation in model.observations:
            linked = {effect.cause for effect in observation.effects}
            for ranked in engine.rank(model, [(engine.SEEN, observation.key)]):
                if ranked.cause in linked:
                    checked += 1
                    if not any(r.seen == observation.key and r.raised for r in ranked.reasons):
                        missing[observation.key, ranked.cause] = ranked.reasons

    assert checked > 20, "too few symptom-cause pairs: is the bundled guide loaded?"
    assert missing == {}


def test_the_snapshot_takes_every_symptom_with_a_cause_as_evidence(snapshot, seed_guide):
    linked = {s.slug for s in seed_guide.symptoms.all() if s.causes.exists()}

    assert {o.key for o in snapshot.model.observations} == linked == set(snapshot.symptoms)
    for observation in snapshot.model.observations:
        causes = set(Symptom.objects.get(guide=seed_guide, slug=observation.key).causes.values_list("slug", flat=True))
        assert {e.cause for e in observation.effects} == causes
        assert {e.strength for e in observation.effects} == {engine.Strength.SIGN}


@pytest.mark.parametrize("slug", ["seen", "platform"])
def test_a_question_cannot_take_a_slug_the_troubleshooter_address_uses(seed_guide, slug):
    from django.core.exceptions import ValidationError

    from guides.models import Question

    question = Question(guide=seed_guide, slug=slug, text="A question?")

    with pytest.raises(ValidationError, match="a word of the troubleshooter's address"):
        question.full_clean()


def test_a_visit_that_starts_from_a_symptom_counts_as_a_start_not_as_an_answer(seed_guide):
    from guides.models import QuestionnaireCount

    symptom = next(s for s in Symptom.objects.filter(guide=seed_guide) if s.causes.count() > 1)
    phone = Client(headers={"User-Agent": "Mozilla/5.0 (Linux; Android 15; Pixel 8) Mobile Safari/537.36"})

    assert phone.get(f"/guides/tiktok-messages/diagnose/?seen={symptom.slug}").status_code == 200
    page_views.flush()

    counted = QuestionnaireCount.objects.filter(guide=seed_guide)
    assert counted.filter(kind=QuestionnaireCount.Kind.START).count() == 1
    assert not counted.filter(kind=QuestionnaireCount.Kind.ANSWER).exists()
