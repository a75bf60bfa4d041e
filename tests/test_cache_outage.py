"""A Redis outage degrades the site, never breaks it: pages render uncached, /healthz says which part is down."""

import re

import pytest
from django.urls import reverse

from guides import engine
from guides.diagnose.snapshot import build_snapshot
from guides.models import StepOutcome

ANDROID = "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36"
DIAGNOSE = reverse("guides:diagnose", args=["tiktok-messages"])


@pytest.fixture(params=[("default",), ("default", "state")], ids=["page-redis-down", "both-redis-down"])
def redis_down(request, settings):
    """The production cache settings, pointed at a port where no Redis listens: the page cache's Redis
    (the state in the database), or both Redises (REDIS_STATE_URL set)."""
    down = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.25,
            "SOCKET_TIMEOUT": 0.25,
            "CONNECTION_POOL_CLASS": "troubleshooter.redis_outage.QuickFailPool",
        },
    }
    settings.CACHES = {**settings.CACHES, **dict.fromkeys(request.param, down)}


@pytest.mark.parametrize(
    "path",
    ["/", "/guides/tiktok-messages/", "/guides/tiktok-messages/causes/network-connectivity/", "/search/?q=red+mark"],
)
def test_public_pages_are_served_without_the_cache(client, seed_guide, redis_down, path):
    response = client.get(path, headers={"User-Agent": ANDROID})

    assert response.status_code == 200


def test_the_troubleshooter_works_and_records_feedback_without_the_cache(client, seed_guide, redis_down):
    snapshot = build_snapshot(seed_guide)
    evidence = []
    while (decision := engine.next_step(snapshot.model, evidence)).kind == engine.QUESTION:
        evidence.append((decision.question.key, engine.UNSURE))
    state = "&".join(f"{k}={v}" for k, v in evidence)

    screen = client.get(f"{DIAGNOSE}?{state}", headers={"User-Agent": ANDROID})
    assert screen.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', screen.content.decode()).group(1)
    response = client.post(
        reverse("guides:diagnose_feedback", args=["tiktok-messages"]),
        {"state": state, "step": decision.step.key, "outcome": "not_fixed", "token": token},
        headers={"User-Agent": ANDROID},
    )
    assert response.status_code == 302  # the rate limit lets people through rather than failing
    assert StepOutcome.objects.get().step_slug == decision.step.key


def test_healthz_says_the_cache_is_down_but_the_site_is_up(client, db, redis_down):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "down"}
