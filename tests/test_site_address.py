"""Links meant for search engines name the configured site, whatever Host and scheme a request claims.

The tests run with DJANGO_SITE_URL=https://help.example.com (tests/environment.py). A client that reaches
gunicorn directly can send any Host in ALLOWED_HOSTS (or under a leading-dot entry) and any
X-Forwarded-Proto; the pages it gets, and the copies the cache keeps for everyone after it, still name
https://help.example.com.
"""

import json
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from tests.operator_environment import environment
from troubleshooter.settings import site_url

SITE = "https://help.example.com"
ARTICLE = reverse("guides:article", args=["tiktok-messages"])
CAUSE = reverse("guides:cause", args=["tiktok-messages", "network-connectivity"])
DIAGNOSE = reverse("guides:diagnose", args=["tiktok-messages"])
# Hosts the site answers for, none of them the site's address: a second name, and one under a wildcard.
HOSTILE = [
    {"HTTP_HOST": "mirror.example.net", "HTTP_X_FORWARDED_PROTO": "http"},
    {"HTTP_HOST": "attacker.example.org", "HTTP_X_FORWARDED_PROTO": "https"},
    {"HTTP_HOST": "attacker.example.org:8443"},
]


@pytest.fixture(autouse=True)
def _hosts(settings):
    settings.ALLOWED_HOSTS = ["help.example.com", "mirror.example.net", ".example.org", "testserver"]


def canonical(page: str) -> str:
    found = re.findall(r'<link rel="canonical" href="([^"]+)">', page)
    assert len(found) == 1, f"expected one canonical link, found {found}"
    return found[0]


def json_ld_urls(page: str) -> list[str]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert blocks, "the article carries no structured data"
    urls = []

    def collect(value):
        if isinstance(value, dict):
            urls.extend(v for k, v in value.items() if k == "url")
            for v in value.values():
                collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)

    for block in blocks:
        collect(json.loads(block))
    assert urls, "the structured data names no address"
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("headers", HOSTILE)
@pytest.mark.parametrize(
    ("path", "expected"), [(ARTICLE, f"{SITE}{ARTICLE}"), (CAUSE, f"{SITE}{CAUSE}"), (DIAGNOSE, f"{SITE}{DIAGNOSE}")]
)
def test_the_first_request_after_a_save_cannot_choose_the_canonical_link(client, seed_guide, headers, path, expected):
    hostile = client.get(path, **headers)
    later = client.get(path)  # the copy the cache kept, as every later visitor gets it

    assert hostile.status_code == 200
    assert later.status_code == 200
    assert canonical(hostile.content.decode()) == expected
    assert canonical(later.content.decode()) == expected
    for page in (hostile.content.decode(), later.content.decode()):
        assert "example.org" not in page
        assert "example.net" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("headers", HOSTILE)
def test_structured_data_names_the_configured_site(client, seed_guide, headers):
    hostile = client.get(ARTICLE, **headers).content.decode()
    later = client.get(ARTICLE).content.decode()

    for page in (hostile, later):
        urls = json_ld_urls(page)
        assert [url for url in urls if not url.startswith(f"{SITE}{ARTICLE}")] == []


@pytest.mark.django_db
@pytest.mark.parametrize("headers", HOSTILE)
def test_the_sitemap_and_robots_txt_name_the_configured_site(client, seed_guide, headers):
    sitemap = client.get("/sitemap.xml", **headers).content.decode()
    robots = client.get("/robots.txt", **headers).content.decode()

    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert f"{SITE}{ARTICLE}" in locations
    assert f"{SITE}{CAUSE}" in locations
    assert [loc for loc in locations if not loc.startswith(f"{SITE}/")] == []
    assert "Sitemap: https://help.example.com/sitemap.xml\n" in robots


@pytest.mark.django_db
def test_a_troubleshooter_screen_cached_for_one_host_names_the_site_for_all(client, seed_guide):
    first = client.get(f"{DIAGNOSE}?platform=android", HTTP_HOST="mirror.example.net").content.decode()
    second = client.get(f"{DIAGNOSE}?platform=android", HTTP_HOST="attacker.example.org").content.decode()

    assert canonical(first) == f"{SITE}{DIAGNOSE}"
    assert canonical(second) == f"{SITE}{DIAGNOSE}"


PRODUCTION = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "a-long-production-like-secret-0f7b2c9e4d1a6e8b3c5d"}


def configured_site_url(monkeypatch, **values) -> str:
    """The SITE_URL the settings arrive at with these variables (and no others the settings read)."""
    env = environment(monkeypatch, **PRODUCTION | values)
    return site_url(env, env.DJANGO_ALLOWED_HOSTS or [])


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DJANGO_SITE_URL": "https://help.example.com/", "DJANGO_ALLOWED_HOSTS": "10.0.0.5"}, SITE),
        ({"DJANGO_ALLOWED_HOSTS": ".example.org,*,help.example.com,www.example.com"}, SITE),
        ({"DJANGO_DEBUG": "true"}, "http://127.0.0.1:8000"),
    ],
)
def test_the_site_address_comes_from_the_configuration(monkeypatch, env, expected):
    assert configured_site_url(monkeypatch, **env) == expected


@pytest.mark.parametrize(
    "env",
    [
        {"DJANGO_ALLOWED_HOSTS": ".example.org"},  # only a wildcard: no name to link to
        {"DJANGO_SITE_URL": "help.example.com", "DJANGO_ALLOWED_HOSTS": "help.example.com"},
        {"DJANGO_SITE_URL": "https://help.example.com/guides", "DJANGO_ALLOWED_HOSTS": "help.example.com"},
        {"DJANGO_SITE_URL": "ftp://help.example.com", "DJANGO_ALLOWED_HOSTS": "help.example.com"},
    ],
)
def test_a_site_address_that_cannot_be_linked_to_refuses_to_start(monkeypatch, env):
    with pytest.raises(ImproperlyConfigured) as refused:
        configured_site_url(monkeypatch, **env)

    assert "DJANGO_SITE_URL" in str(refused.value)
    assert "such as https://help.example.com" in str(refused.value)
