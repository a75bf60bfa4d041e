"""Production serving: gunicorn with deploy/gunicorn.conf.py behind nginx with deploy/nginx.conf.

Both run for real, with production settings on a scratch SQLite database. They need nginx
(Debian's nginx-light): without it these tests skip, except in CI (CI=true), where they fail.
"""

import gzip
import html
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bench.nginx_site import nginx_config, nginx_path
from guides.diagnose.page_views import FLUSH_SECONDS

ROOT = Path(__file__).resolve().parent.parent
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"

pytestmark = pytest.mark.deploy  # left out of `make test-fast`


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None, timeout: float = 5):
    """One GET; return the response with its body read."""
    connection = HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("GET", path, headers={"User-Agent": PHONE, **(headers or {})})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def wait_for(port: int, path: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The server stopped on its own:\n{log.read_text()}")
        try:
            if get(port, path, timeout=1).status == 200:
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"No answer on port {port} within 20 s:\n{log.read_text()}")


class Stack:
    """gunicorn and nginx serving a scratch site; gunicorn can be stopped, killed and started again."""

    def __init__(self, nginx: str, folder: Path):
        self.folder = folder
        self.static_root = folder / "staticfiles"
        self.database = folder / "site.sqlite3"
        self.app_log, self.proxy_log = folder / "gunicorn.log", folder / "error.log"
        self.app_port, self.port = free_port(), free_port()
        # STATIC_ROOT is not read from the environment, so a two-line settings module points it here.
        (folder / "deploy_settings.py").write_text(
            f"from troubleshooter.settings import *  # noqa: F403\nSTATIC_ROOT = {str(self.static_root)!r}\n"
        )
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DJANGO_DEBUG", "DJANGO_STATICFILES_BACKEND", "REDIS_URL"}
        }
        self.env |= {
            "DJANGO_SETTINGS_MODULE": "deploy_settings",
            "PYTHONPATH": str(folder),
            "DATABASE_URL": f"sqlite:///{self.database}",
            "DJANGO_CACHE_DIR": str(folder / "cache"),
            "DJANGO_SECRET_KEY": "deployment-test-only-not-a-secret-" + "0123456789abcdef" * 3,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_TRUSTED_PROXIES": "1",
            "DJANGO_LOG_LEVEL": "WARNING",
            "GUNICORN_BIND": f"127.0.0.1:{self.app_port}",
            "GUNICORN_WORKERS": "2",
        }
        for command in (
            ["migrate", "--no-input", "-v0"],
            ["load_guides", "-v0"],
            ["collectstatic", "--no-input", "-v0"],
        ):
            self.manage(*command)

        config = nginx_config(self.port, self.app_port, self.static_root)
        (folder / "nginx.conf").write_text(config)
        self.app = None
        self.start_app()
        self.proxy = subprocess.Popen(
            [nginx, "-c", str(folder / "nginx.conf"), "-p", f"{folder}/", "-g", "daemon off;"],
            stderr=subprocess.DEVNULL,  # an alert about the packaged log path, before our config is read
        )
        wait_for(self.port, "/healthz", self.proxy, self.proxy_log)

    def manage(self, *command: str) -> str:
        """Run a management command against the site's database and cache; return what it printed."""
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=self.env, check=True, capture_output=True, text=True
        )
        return done.stdout

    def change(self, code: str) -> None:
        """Change content as an editor's save does (signals included), in a process of its own."""
        self.manage("shell", "--no-imports", "-c", f"from guides.models import *\n{code}")

    def start_app(self) -> None:
        with self.app_log.open("ab") as out:
            self.app = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                 "troubleshooter.wsgi"],
                env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_for(self.app_port, "/healthz", self.app, self.app_log)

    def stop_app(self) -> None:
        """Stop gunicorn as a deploy or a shutdown does: workers finish and exit normally."""
        self.app.terminate()
        self.app.wait(timeout=30)

    def kill_workers(self) -> None:
        """Kill gunicorn's workers outright, as the kernel's OOM killer would; the master starts new ones."""
        workers = Path(f"/proc/{self.app.pid}/task/{self.app.pid}/children").read_text().split()
        assert workers, "gunicorn has no workers to kill"
        for pid in workers:
            os.kill(int(pid), signal.SIGKILL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            now = Path(f"/proc/{self.app.pid}/task/{self.app.pid}/children").read_text().split()
            if len(set(now) - set(workers)) >= len(workers):
                break
            time.sleep(0.1)
        wait_for(self.app_port, "/healthz", self.app, self.app_log)

    def logged(self, line: str) -> bool:
        """Whether gunicorn's access log shows this, within a second: a worker logs after it answered."""
        deadline = time.monotonic() + 1
        while line not in self.app_log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        return line in self.app_log.read_text()

    def app_requests(self, path: str) -> int:
        """How many requests for this path reached gunicorn (its access log), once it has logged them."""
        time.sleep(0.5)
        return self.app_log.read_text().count(f'"GET {path} HTTP/1.0"')

    def page_views(self, kind: str) -> int:
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as db:
            found = db.execute("SELECT COALESCE(SUM(count), 0) FROM guides_questionnairecount WHERE kind = ?", [kind])
            return found.fetchone()[0]

    def stop(self) -> None:
        for process in (self.proxy, self.app):
            if process is not None and process.poll() is None:
                process.terminate()
        for process in (self.proxy, self.app):
            if process is not None:
                process.wait(timeout=15)


@pytest.fixture(scope="module")
def stack():
    """Collect, migrate and load a scratch site, then start gunicorn and nginx in front of it."""
    nginx = nginx_path()
    if nginx is None:
        if os.environ.get("CI"):
            pytest.fail("No nginx found: CI must install Debian's nginx-light package (see .ci/run).")
        pytest.skip("No nginx found; install Debian's nginx-light package to run the deployment tests.")
    # Not pytest's tmp_path: its parent is private, and nginx's workers run as `nobody` under root.
    with tempfile.TemporaryDirectory(prefix="troubleshooter-deploy-") as name:
        folder = Path(name)
        folder.chmod(0o755)
        running = Stack(nginx, folder)
        try:
            yield running
        finally:
            running.stop()


def test_half_sent_requests_do_not_hold_up_other_visitors(stack):
    """Hole 8: under bare gunicorn, two connections that send half a request hold both sync workers (32 s)."""
    slow = []
    for request in (
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow",
        b"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\nusername=",
    ):
        for _ in range(2):  # as many as gunicorn has workers
            sock = socket.create_connection(("127.0.0.1", stack.port))
            sock.sendall(request)
            slow.append(sock)
    try:
        time.sleep(0.3)  # let nginx read what they sent
        for _ in range(3):
            started = time.monotonic()
            response = get(stack.port, "/healthz", timeout=5)
            elapsed = time.monotonic() - started
            assert response.status == 200
            assert json.loads(response.body)["database"] == "ok"
            assert elapsed < 1, f"/healthz took {elapsed:.1f} s while slow clients were connected"
    finally:
        for sock in slow:
            sock.close()


def test_hashed_static_files_are_cached_for_a_year_and_compressed(stack):
    manifest = json.loads((stack.static_root / "staticfiles.json").read_text())["paths"]
    stylesheet = manifest["css/site.css"]

    response = get(stack.port, f"/static/{stylesheet}", {"Accept-Encoding": "gzip"})

    assert response.status == 200
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(response.body) == (stack.static_root / stylesheet).read_bytes()


def test_static_files_go_uncompressed_to_clients_that_do_not_ask(stack):
    stylesheet = json.loads((stack.static_root / "staticfiles.json").read_text())["paths"]["css/site.css"]

    response = get(stack.port, f"/static/{stylesheet}")

    assert response.getheader("Content-Encoding") is None
    assert response.body == (stack.static_root / stylesheet).read_bytes()


def test_a_page_with_a_csrf_token_is_never_compressed_by_the_proxy(stack):
    """BREACH: a compressed page's size tells an attacker, byte by byte, whether a guess matches its secret."""
    response = get(stack.port, "/admin/login/", {"Accept-Encoding": "gzip, deflate, br"})

    assert response.status == 200
    assert b"csrfmiddlewaretoken" in response.body
    assert response.getheader("Content-Encoding") is None


def test_pages_are_served_through_the_proxy_with_the_visitors_address(stack):
    for path in ("/", ARTICLE, START):
        assert get(stack.port, path, {"X-Forwarded-For": "203.0.113.7"}).status == 200, path

    # The app sees the address chain nginx forwards: what the client claimed, then who nginx saw.
    # (The troubleshooter's screens always reach the app; the article may come from nginx's cache.)
    assert stack.logged(f'203.0.113.7, 127.0.0.1 "GET {START} HTTP/1.0" 200')


# nginx's cache of the shared pages


ARTICLE = "/guides/tiktok-messages/"
START = f"{ARTICLE}diagnose/"
# How long nginx keeps a page before asking the app again (the app's s-maxage), plus the second for
# which each worker keeps the content version it read, plus a margin for a busy machine.
VISIBLE_WITHIN = 5 + 1 + 2


def causes(stack) -> list[str]:
    found = re.findall(r'href="(/guides/tiktok-messages/causes/[\w-]+/)"', get(stack.port, ARTICLE).body.decode())
    assert len(set(found)) >= 3, "The article links to fewer than 3 cause pages."
    return list(dict.fromkeys(found))


def cached(stack, path: str, headers: dict | None = None) -> None:
    """Ask until nginx answers from its own copy (one per page, compressed or not)."""
    for _ in range(3):
        if get(stack.port, path, headers).getheader("X-Cache") == "HIT":
            return
    pytest.fail(f"nginx did not keep {path}")


def staff_session(stack) -> str:
    return stack.manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from django.test import Client\n"
        "user, _ = get_user_model().objects.get_or_create(username='editor', is_staff=True, is_superuser=True)\n"
        "client = Client()\n"
        "client.force_login(user, backend='django.contrib.auth.backends.ModelBackend')\n"
        "print(client.cookies['sessionid'].value)",
    ).strip()


def publish(stack, published: bool) -> None:
    stack.change(f"guide = Guide.objects.get(slug='tiktok-messages'); guide.published = {published}; guide.save()")


def until(stack, path: str, shows) -> float:
    """Ask nginx for the page every 0.2 s until `shows(response)`; return how long that took."""
    started = time.monotonic()
    while time.monotonic() - started < 3 * VISIBLE_WITHIN:
        if shows(get(stack.port, path)):
            return time.monotonic() - started
        time.sleep(0.2)
    pytest.fail(f"{path} did not change through nginx within {3 * VISIBLE_WITHIN} s")


def test_shared_pages_are_served_from_nginx_without_reaching_gunicorn(stack):
    cached(stack, ARTICLE, {"Accept-Encoding": "gzip"})
    before = stack.app_requests(ARTICLE)

    for _ in range(5):
        response = get(stack.port, ARTICLE, {"Accept-Encoding": "gzip"})
        assert response.status == 200
        assert response.getheader("X-Cache") == "HIT"
        assert b"TikTok" in gzip.decompress(response.body)

    assert stack.app_requests(ARTICLE) == before


def test_a_request_with_a_cookie_goes_to_gunicorn_and_its_answer_is_not_kept(stack):
    page = causes(stack)[0]
    cached(stack, page)
    before = stack.app_requests(page)

    for cookie in ("sessionid=not-a-session", "csrftoken=abc"):
        response = get(stack.port, page, {"Cookie": cookie})
        assert response.status == 200
        assert response.getheader("X-Cache") == "BYPASS"
    assert stack.app_requests(page) == before + 2


def test_a_staff_page_is_never_kept_or_shown_to_visitors(stack):
    page = causes(stack)[1]  # not asked for without a cookie yet: nginx holds no copy of it
    staff = {"Cookie": f"sessionid={staff_session(stack)}"}
    publish(stack, False)
    try:
        seen = get(stack.port, page, staff)
        assert seen.status == 200
        assert b"Draft" in seen.body  # the staff page: a draft, with its banner
        assert seen.getheader("X-Cache") == "BYPASS"

        for _ in range(3):
            visitor = get(stack.port, page)
            assert visitor.status == 404
            assert b"Draft" not in visitor.body
    finally:
        publish(stack, True)


def test_an_edit_and_an_unpublish_show_through_nginx_within_seconds(stack):
    page = causes(stack)[2]
    cached(stack, page)
    slug = page.rstrip("/").rsplit("/", 1)[1]
    try:
        stack.change(f"cause = Cause.objects.get(slug='{slug}'); cause.title = 'Edited 7f3a'; cause.save()")
        edited = until(stack, page, lambda r: b"Edited 7f3a" in r.body)
        publish(stack, False)
        unpublished = until(stack, page, lambda r: r.status == 404)
    finally:
        stack.manage("load_guides", "--overwrite", "-v0")

    print(f"\nthrough nginx: an edit showed after {edited:.1f} s, an unpublish after {unpublished:.1f} s")
    assert edited <= VISIBLE_WITHIN
    assert unpublished <= VISIBLE_WITHIN


def test_cached_pages_answer_while_gunicorn_is_stopped_for_10_seconds(stack):
    pages = ["/", ARTICLE, *causes(stack)[:2]]
    for page in pages:
        cached(stack, page)
    stack.stop_app()
    try:
        answers = []
        stopped = time.monotonic()
        while time.monotonic() - stopped < 10:
            for page in pages:
                response = get(stack.port, page)
                answers.append((page, response.status, response.getheader("X-Cache"), b"TikTok" in response.body))
            time.sleep(0.5)
    finally:
        stack.start_app()

    assert {page for page, *_ in answers} == set(pages)
    assert all(status == 200 and found for _, status, _, found in answers), answers
    assert any(state == "STALE" for *_, state, _ in answers), "no copy outlived its 5 s: the check proves nothing"


# The troubleshooter's page views: counted in each worker's memory, written every FLUSH_SECONDS


def view_screens(stack, times: int) -> None:
    for _ in range(times):
        assert get(stack.port, START).status == 200


def wait_for_views(stack, expected: int) -> float:
    """Seconds until the database holds `expected` starts; fails after twice the flush interval."""
    started = time.monotonic()
    while time.monotonic() - started < 2 * FLUSH_SECONDS + 2:
        if stack.page_views("start") >= expected:
            return time.monotonic() - started
        time.sleep(0.1)
    pytest.fail(f"{stack.page_views('start')} starts in the database after {2 * FLUSH_SECONDS + 2} s, not {expected}")


def test_page_views_reach_the_database_within_the_flush_interval(stack):
    before = stack.page_views("start")

    view_screens(stack, 6)  # both workers get some
    waited = wait_for_views(stack, before + 6)

    assert waited <= FLUSH_SECONDS + 1
    time.sleep(0.5)
    assert stack.page_views("start") == before + 6  # each view once


def test_a_killed_worker_loses_only_the_views_of_its_last_seconds(stack):
    before = stack.page_views("start")
    view_screens(stack, 6)
    wait_for_views(stack, before + 6)

    view_screens(stack, 4)  # counted in memory, not written yet
    stack.kill_workers()
    time.sleep(FLUSH_SECONDS + 1)

    after = stack.page_views("start")
    print(f"\nkilled workers lost {before + 10 - after} of the 4 views they had not written")
    assert after >= before + 6  # everything older than the flush interval survived the kill
    assert after <= before + 10  # and nothing was written twice


def test_workers_that_stop_normally_write_their_views_on_the_way_out(stack):
    before = stack.page_views("start")
    view_screens(stack, 4)

    stack.stop_app()
    try:
        assert stack.page_views("start") == before + 4
    finally:
        stack.start_app()


# Per-address POST limits: strict where a POST costs us, none on what a visitor needs


def post(port: int, path: str, fields: dict, headers: dict | None = None):
    """One form POST; return the response with its body read."""
    connection = HTTPConnection("127.0.0.1", port, timeout=20)
    body = urlencode(fields)
    connection.request(
        "POST",
        path,
        body=body,
        headers={"User-Agent": PHONE, "Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
    )
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def step_state(stack) -> str:
    """The address of a troubleshooter state that offers a fix step, from the site's own engine."""
    return stack.manage(
        "shell",
        "--no-imports",
        "-c",
        "from guides.diagnose.snapshot import build_snapshot, state_query\n"
        "from guides.models import Guide\n"
        "from tests.screens import first_step_state\n"
        "print(state_query(first_step_state(build_snapshot(Guide.objects.get(slug='tiktok-messages')))))",
    ).strip()


def open_step(stack, state: str) -> tuple[dict, dict]:
    """A visitor opens the step screen: the answer form's fields and the CSRF cookie they get with it."""
    response = get(stack.port, f"{START}?{state}")
    assert response.status == 200
    form = re.search(rb'<form method="post".*?</form>', response.body, re.S).group(0).decode()
    fields = {
        name: html.unescape(value) for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    return fields, {"Cookie": f"csrftoken={cookie}"}


def test_fifty_visitors_behind_one_address_answering_steps_are_never_refused(stack):
    """A mobile carrier's shared address: 50 visitors answer a step every 3 s, and all press at once.

    That is 50 answers in the same second, three times over: 150 answers in 7 s from one address,
    which the old limit (2 a second, bursts of 20) refused 117 of. Every answer must take
    its visitor on to their next screen.
    """
    state = step_state(stack)
    visitors = [open_step(stack, state) for _ in range(50)]
    answers = []
    with ThreadPoolExecutor(max_workers=50) as pool:
        for round_ in range(3):
            if round_:
                time.sleep(3)
            answers += pool.map(
                lambda visitor: post(
                    stack.port, f"{START}feedback/", {**visitor[0], "outcome": "not_fixed"}, visitor[1]
                ),
                visitors,
            )

    statuses = Counter(response.status for response in answers)
    assert statuses == {302: 150}, statuses
    assert all(response.getheader("Location").startswith(f"{START}?") for response in answers)


def test_password_guessing_at_the_sign_in_page_is_still_stopped_but_the_form_still_shows(stack):
    tries = [post(stack.port, "/admin/login/", {"username": "admin", "password": f"guess-{n}"}) for n in range(12)]

    statuses = [response.status for response in tries]
    assert statuses[:6] == [statuses[0]] * 6 and statuses[0] != 429, statuses  # a person who mistypes gets through
    assert statuses.count(429) >= 5, statuses  # a script guessing passwords does not
    assert get(stack.port, "/admin/login/").status == 200  # showing the form is not a try
