"""A page cache that is full: the site still answers, and what must stay (rate limits, content version) stays.

The page Redis is capped the way the README tells operators to cap it (maxmemory, allkeys-lru) with
room for a few dozen pages, then 600 different troubleshooter screens are asked for.
"""

import contextlib
import re
from collections import deque
from urllib.parse import urlencode, urljoin

import redis

from faults.conftest import Site, parse

# Distinct screens the troubleshooter offers breadth first: answers, steps that failed, explanations that were not it.
FLOOD = 600
ROOM_BYTES = 1024 * 1024  # above what the empty Redis uses: a few dozen pages
ADDRESS = "192.0.2.77"  # one visitor, as nginx would name it


@contextlib.contextmanager
def capped(server_port: int):
    """Cap the page Redis at what it uses now plus ROOM_BYTES, least recently used out; uncap it afterwards."""
    client = redis.Redis(port=server_port)
    used = client.info("memory")["used_memory"]
    client.config_set("maxmemory-policy", "allkeys-lru")
    client.config_set("maxmemory", used + ROOM_BYTES)
    try:
        yield client
    finally:
        client.config_set("maxmemory", 0)
        client.config_set("maxmemory-policy", "noeviction")


def an_answer_button(site: Site):
    """A fix step's answer form from one visitor, with its answer token spoilt: returns a function that sends it.

    Each press counts against the visitor's allowance (the limit comes before the token is read) and
    stores nothing (a 400), so the answers the other checks count in the database stay theirs.
    """
    forwarded = {"X-Forwarded-For": ADDRESS}
    screen = site.get(site.pages["step"], headers=forwarded)
    form = next(f for f in parse(screen.body).forms if f.method == "post")
    cookie = re.search(r"csrftoken=([^;]+)", screen.headers["set-cookie"]).group(1)
    origin = f"http://127.0.0.1:{site.port}"
    headers = {
        **forwarded,
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": origin,
        "Referer": origin + site.pages["step"],
        "Cookie": f"csrftoken={cookie}",
    }
    fields = [(name, "spoilt" if name == "token" else value) for name, value in form.hidden]
    body = urlencode([*fields, ("outcome", "couldnt")])
    return lambda: site.get(form.action, method="POST", body=body, headers=headers).status


def next_states(fields: dict) -> list[str]:
    """The addresses after a fix step failed or could not be done, or an explanation was not it."""
    state = fields.get("state", "")
    joined = f"{state}&" if state else ""
    if fields.get("step"):
        return [f"{joined}{urlencode([(kind, fields['step'])])}" for kind in ("failed", "couldnt")]
    if fields.get("explain"):
        return [f"{joined}{urlencode([('not_it', fields['explain'])])}"]
    return []


def distinct_screens(site: Site, count: int):
    """Walk the questionnaire breadth first, every answer of every question: each address a different state."""
    seen, queue = set(), deque([site.pages["start"]])
    while queue and len(seen) < count:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = site.get(path, timeout=10)
        yield path, response.status
        for form in parse(response.body).forms:
            if form.method == "get" and form.answers:
                path_only = form.action.partition("#")[0]
                queue.extend(f"{path_only}?{urlencode([*form.hidden, answer])}" for answer in form.answers)
            elif form.method == "post":
                # A step or an explanation that did not help: the next screens are addresses too.
                queue.extend(f"{site.pages['start']}?{query}" for query in next_states(dict(form.hidden)))
        queue.extend(urljoin(path, href) for href in parse(response.body).links if href.startswith("?"))


def test_a_full_page_cache_keeps_answering_and_keeps_the_limits_and_the_version(site):
    etag = site.get(site.pages["article"]).headers["etag"]
    press = an_answer_button(site)
    with capped(site.redis.port) as pages:
        statuses = [press() for _ in range(61)]
        answers = list(distinct_screens(site, FLOOD))
        memory = pages.info()
        after_flood = press()
        etag_after = site.get(site.pages["article"]).headers["etag"]

    print(
        f"\n{len(answers)} screens; page Redis used {memory['used_memory']} of {memory['maxmemory']} bytes, "
        f"evicted {memory['evicted_keys']} keys"
    )
    assert len(answers) == FLOOD, f"The questionnaire gave only {len(answers)} distinct screens."
    failed = [(path, status) for path, status in answers if status != 200]
    assert not failed, f"Screens that did not answer 200 with a full page cache: {failed[:10]}"
    assert memory["evicted_keys"] > 0, "The page cache never filled up: the check proves nothing."
    assert statuses[:60] == [400] * 60 and statuses[60] == 429, f"61 answers from one address: {statuses}"
    assert after_flood == 429, "An address at its answer limit got its allowance back after the page cache filled."
    assert etag_after == etag, "The article's ETag changed with no edit: the content version was lost."
