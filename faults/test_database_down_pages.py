"""While PostgreSQL is stopped, every page that needs it answers the outage page (503), never a 500.

The pages checked are ones no check has put in the cache: a cause page nobody opened yet, addresses
that do not exist (without the database nobody can tell), the sitemap, and signing in to the admin.
"""

import re
import time
from urllib.parse import urlencode

from faults.conftest import GUIDE, Site, parse, text_of

OUTAGE_WORDS = "Something is down for a moment"


def sign_in_form(site: Site) -> tuple[str, str]:
    """The admin's sign-in form as a browser holds it: its CSRF cookie and the token in the form."""
    page = site.get("/admin/login/", timeout=30)
    assert page.status == 200, f"The sign-in page answered {page.status} before the outage."
    cookie = re.search(r"csrftoken=([^;]+)", page.headers.get("set-cookie", ""))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    assert cookie and token, "The sign-in page carried no CSRF cookie or token."
    return cookie.group(1), token.group(1)


def test_pages_not_in_the_cache_answer_the_outage_page_while_postgresql_is_down(site):
    article = site.pages["article"]
    causes = [href for href in parse(site.get(article, timeout=30).body).links if href.startswith(f"{article}causes/")]
    unopened = [href for href in dict.fromkeys(causes) if href != site.pages["cause"]]
    assert unopened, f"{article} links to only one cause page; the check needs one that is not cached."
    pages = {
        "a cause page nobody opened yet": unopened[-1],
        "a guide that does not exist": "/guides/no-such-guide/",
        "a cause that does not exist": f"/guides/{GUIDE}/causes/no-such-cause/",
        "the sitemap": "/sitemap.xml",
        "the admin with a session cookie": "/admin/",
    }
    cookie, token = sign_in_form(site)
    origin = f"http://127.0.0.1:{site.port}"
    sign_in = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookie}",
        "Origin": origin,
        "Referer": f"{origin}/admin/login/",
    }
    form = urlencode({"csrfmiddlewaretoken": token, "username": "alex", "password": "x" * 16, "next": "/admin/"})

    session = {"Cookie": f"sessionid={'x' * 32}"}  # a well-formed session key: looked up in the database

    site.postgres.stop()
    try:
        answers = {what: site.get(path, headers=session) for what, path in pages.items()}
        answers["signing in"] = site.get("/admin/login/", method="POST", body=form, headers=sign_in)
    finally:
        site.postgres.start()
    deadline = time.monotonic() + 15
    while site.get("/healthz").status != 200 and time.monotonic() < deadline:
        time.sleep(0.1)

    wrong = {
        what: f"{response.status}, Retry-After {response.headers.get('retry-after')}: {text_of(response.body)[:200]}"
        for what, response in answers.items()
        if response.status != 503 or response.headers.get("retry-after") != "60" or OUTAGE_WORDS not in response.body
    }
    assert not wrong, f"Pages that did not answer the outage page while PostgreSQL was down:\n{wrong}\n" + (
        f"gunicorn's log, last lines:\n{site.gunicorn.log_tail(60)}"
    )
    # The same addresses with the database back: real pages and real 404s, so each one needed the database.
    after = {what: site.get(path, timeout=30).status for what, path in pages.items()}
    assert after == {
        "a cause page nobody opened yet": 200,
        "a guide that does not exist": 404,
        "a cause that does not exist": 404,
        "the sitemap": 200,
        "the admin with a session cookie": 302,
    }
