"""The public pages: what a visitor sees, what search engines read, and how much work each costs."""

import gzip
import html
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from guides import content_cache
from guides.engine import EFFICACY
from guides.models import Commonness
from tests.builders import guide_data

ARTICLE = reverse("guides:article", args=["tiktok-messages"])


def test_article_shows_every_cause_symptom_faq_and_checklist_step(client, seed_guide):
    page = client.get(ARTICLE).content.decode()

    choices = _unescape(_section(page, "what-do-you-see"))
    for cause in seed_guide.causes.prefetch_related("symptoms"):
        assert cause.title in _unescape(page)
        assert cause.get_absolute_url() in page
        for symptom in cause.symptoms.all():
            assert f">{symptom.title}</a>" in choices
    for entry in seed_guide.faq_entries.all():
        assert entry.question in _unescape(page)
    steps = re.findall(r'<li id="step-(\d+)">', page)
    assert steps == [str(n) for n in range(1, 8)]
    assert reverse("guides:diagnose", args=["tiktok-messages"]) in page


def test_what_do_you_see_leads_to_the_one_cause_or_into_the_questionnaire_with_it(client, seed_guide):
    choices = _section(client.get(ARTICLE).content.decode(), "what-do-you-see")
    diagnose = reverse("guides:diagnose", args=["tiktok-messages"])

    links = dict(
        (html.unescape(title), href) for href, title in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', choices)
    )
    for symptom in seed_guide.symptoms.prefetch_related("causes"):
        causes = list(symptom.causes.all())
        expected = causes[0].get_absolute_url() if len(causes) == 1 else f"{diagnose}?seen={symptom.slug}"
        assert links.pop(symptom.title) == expected, symptom.title
    assert links == {}
    assert f'<a class="button" href="{diagnose}" rel="nofollow">Answer a few questions instead</a>' in choices


def test_article_cards_put_the_commonest_cause_first_each_with_the_step_most_likely_to_fix_it(client, seed_guide):
    page = client.get(ARTICLE).content.decode()

    cards = re.findall(r'<li class="cause-card" id="cause-([^"]+)">(.*?)</li>', page, re.S)
    causes = sorted(seed_guide.causes.all(), key=lambda c: (-c.commonness, c.order, c.pk))
    assert [slug for slug, _ in cards] == [c.slug for c in causes]
    assert causes[0].commonness == Commonness.VERY_COMMON
    assert any(not cause.cause_fixes.exists() for cause in causes), "no explanation cause without steps was checked"
    for cause, (_, card) in zip(causes, cards, strict=True):
        try_first = re.search(r'Try first:</strong> <a href="([^"]+)">([^<]+)</a>', card)
        fixes = cause.cause_fixes.select_related("fix_step")
        if not fixes:  # an explanation cause (blocked, TikTok down): nothing to try, and no "Try first" is made up
            assert try_first is None
        else:
            best = min(fixes, key=lambda f: (-EFFICACY[f.efficacy], f.order, f.pk))
            assert try_first.groups() == (
                f"{cause.get_absolute_url()}#fix-{best.fix_step.slug}",
                html.escape(best.fix_step.title),
            )
        assert cause.summary in html.unescape(card)
        assert html.unescape(card).count(cause.get_absolute_url()) >= 2  # the title, and what you may see


def test_checklist_step_title_stands_alone_in_bold_apart_from_where_to_find_it(client, seed_guide):
    page = _unescape(client.get(ARTICLE).content.decode())
    steps = [item.fix_step for item in seed_guide.checklist_items.select_related("fix_step")]
    assert [step for step in steps if step.where], "no checklist step says where to find it: nothing was checked"

    for step in steps:
        assert f"<strong>{step.title}</strong></label>" in page
        if step.where:
            assert f'Where: <span class="where">{step.where}</span>' in page
            assert f"{step.title}</strong> <span" not in page
            assert f"{step.title} {step.where}" not in page


def test_article_json_ld_lists_the_faq_and_the_checklist(client, seed_guide):
    page = client.get(ARTICLE).content.decode()

    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(blocks[0])
    by_type = {item["@type"]: item for item in data}
    assert len(by_type["FAQPage"]["mainEntity"]) == seed_guide.faq_entries.count() == 8
    assert all(q["acceptedAnswer"]["text"] for q in by_type["FAQPage"]["mainEntity"])
    assert [s["position"] for s in by_type["HowTo"]["step"]] == list(range(1, 8))


def test_article_has_title_description_canonical_and_landmarks(client, seed_guide):
    page = client.get(ARTICLE).content.decode()

    assert f"<title>{seed_guide.title}" in _unescape(page)
    assert f'<meta name="description" content="{seed_guide.summary}' in _unescape(page)
    assert f'<link rel="canonical" href="https://help.example.com{ARTICLE}">' in page
    for landmark in ("<header", "<main", "<footer", "<nav", "<h1>"):
        assert landmark in page


@pytest.mark.django_db
def test_article_query_count_is_constant_and_small(client, django_assert_num_queries, load):
    load(guide_data(slug="small", causes=2, facets=1, symptoms_per_cause=1, faq=1))
    load(guide_data(slug="large", causes=12, facets=4, symptoms_per_cause=3, faq=9))
    content_cache.current_version()  # read once a second per process from the state cache, not per page

    with django_assert_num_queries(6) as small:
        client.get(reverse("guides:article", args=["small"]))
    with django_assert_num_queries(6) as large:
        client.get(reverse("guides:article", args=["large"]))
    assert len(small.captured_queries) == len(large.captured_queries) <= 10


def test_visitors_get_a_cached_copy_until_content_changes(client, seed_guide, django_assert_num_queries):
    client.get(ARTICLE)

    with django_assert_num_queries(0):
        cached = client.get(ARTICLE)
    assert cached.status_code == 200 and seed_guide.title in cached.content.decode()

    seed_guide.summary = "A summary saved a moment ago."
    seed_guide.save()
    assert "A summary saved a moment ago." in client.get(ARTICLE).content.decode()


@pytest.mark.django_db
def test_cause_page_query_count_is_constant(client, django_assert_num_queries, load):
    load(guide_data(slug="small", causes=2, facets=1, symptoms_per_cause=1))
    load(guide_data(slug="large", causes=12, facets=5, symptoms_per_cause=4))
    content_cache.current_version()  # read once a second per process from the state cache, not per page

    with django_assert_num_queries(6):
        client.get(reverse("guides:cause", args=["small", "cause-1"]))
    with django_assert_num_queries(6):
        client.get(reverse("guides:cause", args=["large", "cause-1"]))


@pytest.mark.parametrize("slug", ["network-connectivity", "account-restrictions", "spam-detection"])
def test_cause_page_starts_with_how_to_fix_it_most_likely_step_first_then_why_facets_symptoms(client, seed_guide, slug):
    cause = seed_guide.causes.get(slug=slug)
    page = _unescape(client.get(cause.get_absolute_url()).content.decode())

    assert cause.summary in page
    fixes = sorted(cause.cause_fixes.select_related("fix_step"), key=lambda f: (-EFFICACY[f.efficacy], f.order, f.pk))
    steps = re.findall(r'<li id="fix-([^"]+)">', page)
    assert steps == [f.fix_step.slug for f in fixes]
    assert page.index(cause.summary) < page.index("How to fix it") < page.index(fixes[0].fix_step.title)
    below = page.index("Why it happens")
    assert page.index(f'id="fix-{fixes[-1].fix_step.slug}"') < below
    for facet in cause.facets.all():
        assert page.index(facet.title) > below
    for symptom in cause.symptoms.all():
        assert page.index(f'<li id="symptom-{symptom.slug}"><strong>{symptom.title}') > below
    for other in cause.related.all():
        assert other.get_absolute_url() in page
    assert "Last reviewed" in page and "Steps last reviewed" in page


def test_fix_steps_render_both_phone_versions_open_and_labelled_for_the_browser_to_choose(client, seed_guide):
    step = seed_guide.fix_steps.exclude(android="").exclude(iphone="").first()
    cause = step.causes.first()

    response = client.get(cause.get_absolute_url(), HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14; Pixel 8)")
    block = _unescape(response.content.decode().split(f'id="fix-{step.slug}"')[1].split("Steps last reviewed")[0])

    # The page is shared by every visitor (cached, public): it must not depend on this visitor's phone.
    assert response["Cache-Control"].startswith("public") and "User-Agent" not in response.get("Vary", "")
    assert '<details class="platform" data-platform="android" open><summary class="platform-name">On Android' in block
    assert '<details class="platform" data-platform="iphone" open><summary class="platform-name">On iPhone' in block
    assert '<p class="platform-switch" hidden>' in block  # only the script can act on the switch
    assert step.android_html in block and step.iphone_html in block


def test_index_lists_published_guides_with_summary_and_search(client, seed_guide, load):
    load(guide_data(slug="hidden", published=False))

    page = _unescape(client.get("/").content.decode())

    assert seed_guide.title in page and seed_guide.summary in page
    assert "Guide hidden" not in page
    assert 'role="search"' in page


@pytest.mark.parametrize(
    "url",
    [
        "/guides/no-such-guide/",
        "/guides/tiktok-messages/causes/no-such-cause/",
        "/guides/no-such-guide/diagnose/",
        "/nothing-here/",
    ],
)
def test_unknown_addresses_get_the_styled_404_page(client, db, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_draft_guide_is_hidden_from_visitors(client, load):
    load(guide_data(slug="draft", published=False))

    assert client.get(reverse("guides:article", args=["draft"])).status_code == 404
    assert client.get(reverse("guides:cause", args=["draft", "cause-0"])).status_code == 404
    assert "/guides/draft/" not in client.get("/sitemap.xml").content.decode()


def test_healthz_answers_when_the_database_does(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_health_check_and_pages_answer_head_requests_too(client, seed_guide):
    assert client.head("/healthz").status_code == 200
    assert client.head(ARTICLE).status_code == 200


def test_robots_txt_points_to_the_sitemap(client, db):
    body = client.get("/robots.txt").content.decode()

    assert "Sitemap: https://help.example.com/sitemap.xml" in body
    assert "Disallow: /admin/" in body


def test_sitemap_lists_the_guide_and_its_causes(client, seed_guide):
    body = client.get("/sitemap.xml").content.decode()

    assert f"<loc>https://help.example.com{ARTICLE}</loc>" in body
    for cause in seed_guide.causes.all():
        assert cause.get_absolute_url() in body


def test_server_error_page_is_styled_and_needs_no_database(rf):
    from guides.web.views import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


PAGES = ["/", ARTICLE, reverse("guides:cause", args=["tiktok-messages", "spam-detection"]), "/search/?q=dns"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_send_a_strict_content_security_policy_and_nothing_inline(client, db, url):
    response = client.get(url)
    page = response.content.decode()

    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/ld+json"' in tag, tag


def _unescape(text: str) -> str:
    return html.unescape(text)


def _section(page: str, section_id: str) -> str:
    return re.search(rf'<section id="{section_id}".*?</section>', page, re.S).group()


def test_article_page_is_light_one_stylesheet_small_scripts_no_fonts(client, seed_guide):
    page = client.get(ARTICLE).content

    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.decode())
    scripts = re.findall(r'<script src="([^"]+)"', page.decode())
    assert stylesheets == ["/static/css/site.css"]
    # htmx for the "Was this helpful?" form; the checklist's ticks; your phone's steps.
    assert scripts == ["/static/js/htmx-2.0.11.min.js", "/static/js/article.js", "/static/js/platform.js"]
    assert "@font-face" not in (settings.BASE_DIR / "static/css/site.css").read_text()
    # Static files as the site serves them (the test client serves collected files, which may be stale).
    files = [Path(finders.find(url.removeprefix(settings.STATIC_URL))).read_bytes() for url in stylesheets + scripts]
    weight = sum(len(gzip.compress(body)) for body in [page, *files])
    assert weight < 60_000, f"the article weighs {weight} bytes compressed"


def test_a_copy_cached_while_a_save_is_committing_is_not_served_after_it(
    client, seed_guide, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from guides import content_cache
    from guides.web.http_caching import page_name

    with django_capture_on_commit_callbacks(execute=True):
        seed_guide.summary = "Saved and committed."
        seed_guide.save()
        # A visitor arriving before the commit would still read the old rows and cache them:
        stale = b"a page built from the old rows"
        cache.set(content_cache.versioned_key(page_name(ARTICLE)), (stale, None))

    assert client.get(ARTICLE).content != stale
    assert "Saved and committed." in client.get(ARTICLE).content.decode()


def test_a_new_port_in_the_host_header_does_not_make_a_new_cached_copy(client, seed_guide, monkeypatch):
    from django.core.cache import cache

    stored = []
    store = cache.set
    monkeypatch.setattr(cache, "set", lambda key, *args, **kwargs: (stored.append(key), store(key, *args, **kwargs)))
    for port in ("", ":8000", ":8001", ":65535"):
        assert client.get(ARTICLE, HTTP_HOST=f"testserver{port}").status_code == 200

    assert len([key for key in stored if ":page:" in key]) == 1


def test_browser_features_the_site_never_uses_are_denied(client, db):
    policy = client.get("/").headers["Permissions-Policy"]

    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
