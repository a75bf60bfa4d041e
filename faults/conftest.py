"""Servers of the fault checks' own: a throwaway PostgreSQL, Redis and gunicorn, on free ports.

The checks stop and start these servers, so they never touch the shared ones on 5432 and 6379.
Everything is torn down when the session ends, also when a check fails.
"""

import concurrent.futures
import contextlib
import glob
import html
import http.client
import itertools
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = "tiktok-messages"
# A phone's browser: screens are counted for it (robots are not); the counts wait in memory through an outage.
PHONE = "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36"
TIMEOUT = 2.0  # seconds; a visitor on a phone gives up long before gunicorn's own timeout
AS_ROOT = os.geteuid() == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str, log: Path | None = None, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    detail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not start listening on port {port}.\n{detail}")


def stop_group(process: subprocess.Popen | None, sig=signal.SIGTERM, seconds: float = 10) -> None:
    """Stop a process we started in a session of its own, with everything it spawned."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(seconds)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def postgres_bindir() -> Path:
    """Where initdb and pg_ctl are: pg_config says, else Debian's newest /usr/lib/postgresql/N/bin."""
    if shutil.which("pg_config"):
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        if bindir and Path(bindir, "initdb").exists():
            return Path(bindir)
    found = [Path(d) for d in glob.glob("/usr/lib/postgresql/*/bin") if Path(d, "initdb").exists()]
    if not found:
        pytest.fail("No PostgreSQL server binaries (initdb, pg_ctl) found: install postgresql.")
    return max(found, key=lambda d: float(d.parent.name) if d.parent.name.replace(".", "").isdigit() else 0)


class Postgres:
    """A PostgreSQL cluster in a temp folder; stopped and started again, it keeps its data."""

    def __init__(self, base: Path):
        self.bindir = postgres_bindir()
        self.dir = base / "pgdata"
        self.port = free_port()
        if AS_ROOT:  # initdb refuses to run as root: the cluster belongs to the postgres user
            subprocess.run(["install", "-d", "-o", "postgres", "-m", "700", str(self.dir)], check=True)
        else:
            self.dir.mkdir(mode=0o700)
        self._run(f"{self.bindir}/initdb -D {self.dir} -U postgres --auth=trust --no-sync -E UTF8")
        self.start()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, command: str) -> None:
        argv = ["su", "postgres", "-c", command] if AS_ROOT else ["sh", "-c", command]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            log = self.dir / "log"
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{command!r} failed:\n{result.stdout}{result.stderr}{detail}")

    def start(self) -> None:
        # fsync off: nothing here survives the test anyway, and the machine is shared.
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(f"{self.bindir}/pg_ctl -D {self.dir} -o '{options}' -l {self.dir}/log -w -t 60 start")

    def stop(self) -> None:
        self._run(f"{self.bindir}/pg_ctl -D {self.dir} -m fast -w -t 60 stop")

    def teardown(self) -> None:
        pid_file = self.dir / "postmaster.pid"
        if not pid_file.exists():
            return
        try:
            self._run(f"{self.bindir}/pg_ctl -D {self.dir} -m immediate -w -t 20 stop")
        except (RuntimeError, subprocess.TimeoutExpired):
            if pid_file.exists():
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)

    def count(self, sql: str) -> int:
        with psycopg.connect(self.url, connect_timeout=5) as conn:
            return conn.execute(sql).fetchone()[0]


class Redis:
    """A Redis that keeps nothing on disk: killed and started again, it comes back empty."""

    def __init__(self, base: Path):
        if not shutil.which("redis-server"):
            pytest.fail("No redis-server found: install Debian's redis-server package.")
        self.port = free_port()
        self.log = base / "redis.log"
        self.process = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=log, start_new_session=True)
        wait_for_port(self.port, self.process, "Redis", self.log)

    def kill(self) -> None:
        stop_group(self.process, signal.SIGKILL)


class Gunicorn:
    """gunicorn serving the site with production settings; its workers can be listed and killed."""

    def __init__(self, base: Path, env: dict):
        self.port = free_port()
        self.access_log = base / "access.log"
        self.error_log = base / "gunicorn.log"
        argv = [sys.executable, "-m", "gunicorn", "troubleshooter.wsgi"]
        if (ROOT / "deploy" / "gunicorn.conf.py").exists():
            argv += ["-c", "deploy/gunicorn.conf.py"]  # the deploy's own settings; the options below win
        argv += ["-b", f"127.0.0.1:{self.port}", "-w", "2", "--access-logfile", str(self.access_log)]
        # The worker's pid on each line tells which worker served what (to warm each one).
        argv += ["--access-logformat", '%(p)s %(s)s "%(r)s"', "--error-logfile", str(self.error_log)]
        # The site's own log lines (stderr) go to the error log too: the checks read how much it writes.
        argv += ["--capture-output"]
        # gunicorn 27 opens a control socket at ~/.gunicorn/ by default, one path for every instance on the machine.
        argv += ["--no-control-socket"]
        # The checks decide when a worker goes: one retiring on its own (max_requests) mid-check would be noise.
        argv += ["--max-requests", "0"]
        self.process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            wait_for_port(self.port, self.process, "gunicorn", self.error_log)
        except RuntimeError:
            stop_group(self.process)
            raise
        deadline = time.monotonic() + 30
        while len(self.workers()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)

    def workers(self) -> set[int]:
        """The master's children: the workers serving right now."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            return {int(pid) for pid in children.read_text().split()}
        found = set()
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                found.add(int(stat.split("/")[2]))
        return found

    def served(self, path: str | None = None) -> set[int]:
        """The pids of the workers whose access log shows a 200 for a GET of this path (any path: None)."""
        pids = set()
        for line in self.access_log.read_text(errors="replace").splitlines():
            match = re.match(r'<(\d+)> 200 "GET (\S+) ', line)
            if match and path in (None, match.group(2)):
                pids.add(int(match.group(1)))
        return pids

    def log_tail(self, lines: int = 40) -> str:
        text = self.error_log.read_text(errors="replace") if self.error_log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Response:
    status: int
    headers: dict
    body: str


def fetch(port: int, path: str, *, method: str = "GET", body: str = "", headers=None, timeout=TIMEOUT) -> Response:
    """One request on a connection of its own, as a phone's browser would send it.

    Raises OSError when there is no whole answer: refused, reset, timed out, or cut off mid-way.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body or None, headers={"User-Agent": PHONE, **(headers or {})})
        response = connection.getresponse()
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode())
    except http.client.HTTPException as error:  # e.g. IncompleteRead from a worker killed mid-answer
        raise ConnectionError(repr(error)) from error
    finally:
        connection.close()


@dataclass
class Form:
    action: str
    method: str
    hidden: list = field(default_factory=list)  # (name, value)
    radios: list = field(default_factory=list)  # (name, value)
    buttons: list = field(default_factory=list)  # (name, value)

    @property
    def answers(self) -> list:
        """A question's choices: each answer is a submit button of its form (radios, on older screens)."""
        return self.radios or self.buttons


class PageParser(HTMLParser):
    """The links and forms of a page: all a browser needs to follow a link or send a form."""

    def __init__(self):
        super().__init__()
        self.links, self.forms = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self.forms.append(Form(attrs.get("action") or "", (attrs.get("method") or "get").lower()))
        elif self.forms and tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind == "hidden":
                self.forms[-1].hidden.append((attrs["name"], attrs.get("value") or ""))
            elif kind == "radio":
                self.forms[-1].radios.append((attrs["name"], attrs.get("value") or ""))
        elif self.forms and tag == "button" and attrs.get("name"):
            self.forms[-1].buttons.append((attrs["name"], attrs.get("value") or ""))


def parse(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    return parser


def text_of(page: str) -> str:
    """The words of a page, as a person reads them (tags dropped, entities decoded)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


class Site:
    """The running site, and the pages the checks load it with."""

    feedback_path = f"/guides/{GUIDE}/diagnose/feedback/"

    def __init__(self, postgres: Postgres, redis: Redis, state_redis: Redis, gunicorn: Gunicorn):
        self.postgres, self.redis, self.state_redis, self.gunicorn = postgres, redis, state_redis, gunicorn
        self.port = gunicorn.port
        self.addresses = itertools.count(1)
        # Every feedback POST of the session and how it was answered: the ledger the database must match.
        self.posts = []  # (status or None, detail)
        self.pages = self._discover()

    def get(self, path: str, **kwargs) -> Response:
        return fetch(self.port, path, **kwargs)

    def _discover(self) -> dict:
        article = f"/guides/{GUIDE}/"
        start = f"/guides/{GUIDE}/diagnose/"
        causes = [href for href in parse(self._ok(article)).links if href.startswith(f"{article}causes/")]
        assert causes, f"The article {article} links to no cause page."
        question = self._question_form(start)
        name, value = question.answers[0]
        mid = self._submit(question, [(name, value)])
        self._ok(mid)
        return {
            "home": "/",
            "article": article,
            "cause": causes[0],
            "start": start,
            "mid": mid,
            "step": self._find_step(start),
            "healthz": "/healthz",
        }

    def _ok(self, path: str) -> str:
        response = self.get(path, timeout=30)  # the first visit renders and caches: allow for a slow machine
        assert response.status == 200, f"GET {path} answered {response.status} before any fault:\n{response.body}"
        return response.body

    def _question_form(self, path: str) -> Form:
        forms = [f for f in parse(self._ok(path)).forms if f.method == "get" and f.answers]
        assert forms, f"{path} shows no question form."
        return forms[0]

    @staticmethod
    def _submit(form: Form, chosen: list) -> str:
        path = form.action.partition("#")[0]  # the form opens the next screen at its heading: #screen
        return f"{path}?{urlencode([*form.hidden, *chosen])}"

    def _find_step(self, start: str) -> str:
        """Answer "I'm not sure" until a fix step shows: the screen whose form posts feedback."""
        path = start
        for _ in range(30):
            page = parse(self._ok(path))
            if any(f.method == "post" and f.action.endswith(self.feedback_path) for f in page.forms):
                return path
            questions = [f for f in page.forms if f.method == "get" and f.answers]
            assert questions, f"{path} shows neither a question nor a fix step."
            form = questions[0]
            unsure = [(n, v) for n, v in form.answers if v == "unsure"] or form.answers[:1]
            path = self._submit(form, unsure[:1])
        raise AssertionError(f"No fix step after 30 screens of the troubleshooter; last was {path}.")

    def post_feedback(self, outcome_index: int = 0) -> tuple[Response | None, str]:
        """Answer a fix step like a browser: GET its screen, then POST its form with the cookie and its fields.

        Each POST comes from an address of its own (X-Forwarded-For, as a proxy would say), so the
        per-visitor rate limit never turns a check's answer into a 429.
        """
        address = f"10.{next(self.addresses) % 250}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
        forwarded = {"X-Forwarded-For": address}
        try:
            screen = self.get(self.pages["step"], headers=forwarded)
        except OSError as error:
            return None, f"GET of the step screen failed: {error!r}"
        if screen.status != 200:
            return None, f"GET of the step screen answered {screen.status}"
        forms = [f for f in parse(screen.body).forms if f.method == "post" and f.action.endswith(self.feedback_path)]
        if not forms:
            return None, "the step screen showed no feedback form"
        form = forms[0]
        outcomes = [(n, v) for n, v in form.buttons if n == "outcome"] or form.buttons
        cookie = re.search(r"csrftoken=([^;]+)", screen.headers.get("set-cookie", ""))
        origin = f"http://127.0.0.1:{self.port}"
        headers = {
            **forwarded,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": origin + self.pages["step"],
            **({"Cookie": f"csrftoken={cookie.group(1)}"} if cookie else {}),
        }
        body = urlencode([*form.hidden, outcomes[outcome_index % len(outcomes)]])
        started = time.monotonic()
        try:
            response = self.get(form.action, method="POST", body=body, headers=headers)
        except OSError as error:
            self.posts.append((None, f"POST {form.action} got no answer after {time.monotonic() - started:.2f} s"))
            return None, f"no answer: {error!r}"
        self.posts.append((response.status, f"POST {form.action} answered {response.status}"))
        return response, ""

    def warm_each_worker(self, paths: list[str], seconds: float = 30) -> None:
        """Request each path until every worker has served it: each holds its own troubleshooter in memory."""
        deadline = time.monotonic() + seconds
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            while missing := [p for p in paths if not self.gunicorn.workers() <= self.gunicorn.served(p)]:
                if time.monotonic() > deadline:
                    served = {p: sorted(self.gunicorn.served(p)) for p in missing}
                    raise AssertionError(
                        f"Not every worker ({sorted(self.gunicorn.workers())}) served {missing} "
                        f"within {seconds:.0f} s; served by: {served}"
                    )
                list(pool.map(self._quiet_get, missing * 4))

    def _quiet_get(self, path: str) -> None:
        with contextlib.suppress(OSError):
            self.get(path, timeout=10)


@pytest.fixture(scope="session")
def workdir():
    base = Path(tempfile.mkdtemp(prefix="troubleshooter-faults-"))
    base.chmod(0o755)  # the postgres user must reach its data folder inside
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres(workdir):
    server = Postgres(workdir)
    yield server
    server.teardown()


@pytest.fixture(scope="session")
def redis(workdir):
    server = Redis(workdir)
    yield server
    server.kill()


@pytest.fixture(scope="session")
def state_redis(workdir):
    """The Redis of the "state" cache (REDIS_STATE_URL): content version, rate limits, snapshots."""
    server = Redis(workdir)
    yield server
    server.kill()


@pytest.fixture(scope="session")
def site(workdir, postgres, redis, state_redis):
    """The site as deployed: migrated, guides loaded, served by gunicorn with production settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SENTRY_"))}
    env.pop("REDIS_URL", None)
    env.pop("REDIS_STATE_URL", None)
    env |= {
        "DJANGO_SETTINGS_MODULE": "troubleshooter.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_TRUSTED_PROXIES": "1",  # as behind nginx: each check's visitor has an address of its own
        "DJANGO_STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "DJANGO_CACHE_DIR": str(workdir / "cache"),
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis.url,
        "REDIS_STATE_URL": state_redis.url,
        "PYTHONUNBUFFERED": "1",
    }
    for command in (["migrate", "--no-input"], ["load_guides"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"manage.py {' '.join(command)} failed:\n{result.stdout}{result.stderr}"
    server = Gunicorn(workdir, env)
    try:
        yield Site(postgres, redis, state_redis, server)
    finally:
        stop_group(server.process)
