"""Load every kind of public page with wrk and print its rate as a share of a static file's.

Run from the project root: ``python -m bench.load`` (``make bench-load``). For each backend
(SQLite with the file cache; PostgreSQL + Redis on this machine's shared servers) it builds a
scratch site, starts gunicorn with deploy/gunicorn.conf.py and production settings, and runs
``wrk`` at 16 and 64 connections against each page. wrk shares the cores with the server, so a
page's requests per second are read against the ceiling measured in the same run: a hashed
static file through the same gunicorn and whitenoise, before, between and after the pages.

Then nginx with deploy/nginx.conf goes in front of the same gunicorn, and the shared pages it caches
are read against nginx's own static file (the same stylesheet, from the collected static root).

BENCH_SECONDS sets each wrk run's length (default 5). Runs during which other processes used more
than a sixth of the machine are repeated (twice at most) and the quietest one is kept.
WRITE_README=1 writes the tables into README.md between its bench-load markers; without it the
README is never touched, so its tables only change when someone decides to record a run.
"""

import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

from bench.nginx_site import nginx_config, nginx_path

ROOT = Path(__file__).resolve().parent.parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = (16, 64)
# This machine has 2 cores and wrk runs on them too: 2 workers keep one per core. In production
# deploy/gunicorn.conf.py starts 2 x cores + 1.
WORKERS = 2
# A person's phone: the troubleshooter counts page views from people (in memory, written every 5 s), not robots.
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
POSTGRES = "postgres://postgres@127.0.0.1:5432"
# Flushed before and after: a database number nobody else uses on this server (BENCH_REDIS_URL).
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
# Other processes may use this much of the machine during a run before it is repeated.
NOISE_LIMIT = 1 / 6

CACHED, TROUBLESHOOTER = "cached", "troubleshooter"
THROUGH_NGINX = ", through nginx"
# Required share of the static file's rate: the shared pages served from nginx's cache against
# nginx's static file, the troubleshooter's screens (always served by the app) against gunicorn's.
RATIO_TARGETS = {(CACHED, True): 0.8, (TROUBLESHOOTER, False): 0.3}
# At 64 connections a page's p99 may be at most this many times its p50: no long tail. An absolute
# limit would only measure queueing on two workers, as latency follows throughput at fixed connections.
P99_TIMES_P50 = 2.5
NGINX_PAGES = ("home", "article", "cause")
README = ROOT / "README.md"
README_START, README_END = "<!-- bench-load:start -->", "<!-- bench-load:end -->"


@dataclass
class Run:
    rate: float
    p50: float
    p99: float
    errors: int
    noise: float


@dataclass
class Server:
    """gunicorn under test, and what else serves it (database and cache processes, by command line)."""

    port: int
    pids: tuple[int, ...]  # gunicorn's master, and nginx's for the runs through nginx
    helpers: tuple[str, ...]


class Unreachable(Exception):
    """A server this backend needs does not answer."""


def main() -> int:
    wrk = ensure_wrk()
    print(f"bench-load, {date.today()}: {machine()}")
    print(
        f"gunicorn, {WORKERS} sync workers (deploy/gunicorn.conf.py), production settings; wrk -t2, {SECONDS} s a run,"
        f" from the same machine: read the ratios, not the absolute rates.\n"
    )
    nginx = nginx_path()
    if nginx is None:
        print("nginx is not installed: the runs through nginx are skipped (apt-get install nginx-light).\n")
    met = total = 0
    markdown = []
    for name, backend in (("SQLite", sqlite_backend), ("PostgreSQL + Redis", postgres_backend)):
        try:
            with backend() as env, tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
                series = measure(wrk, nginx, name, env, Path(folder))
        except Unreachable as error:
            print(f"{name}: skipped, {error}\n")
            continue
        for title, rows in series.items():
            table = [row(title, *r) for r in rows]
            print_table(title, table)
            markdown.append(markdown_table(title, table))
            met += sum(r["met"] for r in table)
            total += sum(r["checks"] for r in table)
    summary = f"targets met: {met} of {total}"
    for block in markdown:
        print(block)
    print(summary)
    if os.environ.get("WRITE_README"):
        write_readme(f"Run of {date.today()}: {machine()}. **{summary.capitalize()}.**\n\n" + "\n".join(markdown))
        print(f"The tables are in {README.name}, between {README_START} and {README_END}.")
    return 0


def write_readme(tables: str, readme: Path = README) -> None:
    """Put the tables between the README's markers, leaving every other line as it is."""
    text = readme.read_text()
    if (
        text.count(README_START) != 1
        or text.count(README_END) != 1
        or text.index(README_START) > text.index(README_END)
    ):
        sys.exit(f"{readme} needs one {README_START} line and one {README_END} line after it.")
    before, rest = text.split(README_START)
    after = rest.split(README_END)[1]
    readme.write_text(f"{before}{README_START}\n{tables.strip()}\n{README_END}{after}")


def ensure_wrk() -> str:
    """wrk, installed with apt when we may; otherwise say how to get it."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        print("wrk is not installed. Install it with: sudo apt-get install -y wrk", file=sys.stderr)
        sys.exit(1)
    print("wrk is not installed: installing it with apt-get.", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"], check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    )
    return shutil.which("wrk") or sys.exit("wrk is still not on PATH after apt-get install.")


def machine() -> str:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "?")
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


@contextmanager
def sqlite_backend():
    with tempfile.TemporaryDirectory(prefix="bench-load-db-") as folder:
        yield {"DATABASE_URL": f"sqlite:///{folder}/site.sqlite3", "DJANGO_CACHE_DIR": f"{folder}/cache"}


@contextmanager
def postgres_backend():
    """A database of our own on the shared server (created, then dropped) and Redis db 14 (flushed)."""
    import psycopg
    import redis

    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.Error as error:
        raise Unreachable(f"PostgreSQL at {POSTGRES} does not answer ({error.__class__.__name__}).") from error
    cache = redis.Redis.from_url(REDIS, socket_connect_timeout=1, socket_timeout=5)
    try:
        cache.ping()
    except redis.RedisError as error:
        admin.close()
        raise Unreachable(f"Redis at {REDIS} does not answer ({error.__class__.__name__}).") from error
    database = f"bench_load_{os.getpid()}"
    admin.execute(f'CREATE DATABASE "{database}"')
    cache.flushdb()
    try:
        yield {"DATABASE_URL": f"{POSTGRES}/{database}", "REDIS_URL": REDIS}
    finally:
        cache.flushdb()
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()


def measure(wrk: str, nginx: str | None, name: str, backend_env: dict, folder: Path) -> dict[str, list[tuple]]:
    """Build the site and serve it; run wrk against the ceiling and every page, then through nginx."""
    static_root = folder / "staticfiles"
    # STATIC_ROOT is not read from the environment, so a two-line settings module points it here.
    (folder / "bench_settings.py").write_text(
        f"from troubleshooter.settings import *  # noqa: F403\nSTATIC_ROOT = {str(static_root)!r}\n"
    )
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env |= backend_env | {
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": str(folder),
        "DJANGO_SECRET_KEY": uuid.uuid4().hex * 2,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_TRUSTED_PROXIES": "1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(WORKERS),
    }
    for command in (["migrate", "--no-input", "-v0"], ["load_guides", "-v0"], ["collectstatic", "--no-input", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
    stylesheet = json.loads((static_root / "staticfiles.json").read_text())["paths"]["css/site.css"]
    ceiling = f"/static/{stylesheet}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "troubleshooter.wsgi",
         "--access-logfile", str(folder / "access.log"), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_until_up(port, server)
        pages = find_pages(port)
        series = {name: run_series(wrk, name, Server(port, (server.pid,), helpers_of(backend_env)), ceiling, pages)}
        if nginx is not None:
            with proxy(nginx, folder, port, static_root) as (proxy_port, proxy_pid):
                target = Server(proxy_port, (server.pid, proxy_pid), helpers_of(backend_env))
                cached = {page: pages[page] for page in NGINX_PAGES}
                series[name + THROUGH_NGINX] = run_series(wrk, name + THROUGH_NGINX, target, ceiling, cached)
        return series
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_series(wrk: str, name: str, target: Server, ceiling: str, pages: dict[str, str]) -> list[tuple]:
    """Each page at each concurrency, and the ceiling before, between (after the cached pages) and after them."""
    print(f"{name}: warming {len(pages) + 1} addresses, then {len(CONNECTIONS) * (len(pages) + 3)} runs", flush=True)
    for path in [ceiling, *pages.values()]:
        wrk_run(wrk, target, path, 4, 1)
    results = []
    for connections in CONNECTIONS:
        ceilings = [load(wrk, target, ceiling, connections)]
        for index, (page, path) in enumerate(pages.items()):
            if index == 3:  # between the cached pages and the troubleshooter
                ceilings.append(load(wrk, target, ceiling, connections))
            results.append((page, path, connections, load(wrk, target, path, connections)))
        if len(ceilings) == 1:
            ceilings.append(load(wrk, target, ceiling, connections))
        ceilings.append(load(wrk, target, ceiling, connections))
        quiet = [c for c in ceilings if c.noise <= NOISE_LIMIT] or ceilings  # the median of the quiet ones
        median = Run(
            rate=statistics.median(c.rate for c in quiet),
            p50=statistics.median(c.p50 for c in quiet),
            p99=statistics.median(c.p99 for c in quiet),
            errors=sum(c.errors for c in ceilings),
            noise=max(c.noise for c in quiet),
        )
        results.append(("static file (ceiling)", ceiling, connections, median))
    ceiling_rates = {n: run.rate for page, _, n, run in results if page.endswith("(ceiling)")}
    names = ["static file (ceiling)", *pages]
    results.sort(key=lambda result: (names.index(result[0]), result[2]))
    return [(page, path, n, run, ceiling_rates[n]) for page, path, n, run in results]


@contextmanager
def proxy(nginx: str, folder: Path, app_port: int, static_root: Path):
    """nginx with deploy/nginx.conf in front of gunicorn, its static files from the collected root."""
    port = free_port()
    try:
        config = nginx_config(port, app_port, static_root)
    except LookupError as error:
        sys.exit(f"{error}: the bench cannot point it at its site.")
    prefix = folder / "nginx"
    prefix.mkdir()
    (prefix / "nginx.conf").write_text(config)
    folder.chmod(0o755)  # nginx's workers run as `nobody` under root and read the static files
    server = subprocess.Popen(
        [nginx, "-c", str(prefix / "nginx.conf"), "-p", f"{prefix}/", "-g", "daemon off;"],
        stderr=subprocess.DEVNULL,  # an alert about the packaged log path, before our config is read
    )
    try:
        wait_until_up(port, server)
        yield port, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> tuple[int, str]:
    connection = HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"User-Agent": PHONE})
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, body


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"{server.args[0]} stopped on its own; its messages are above.")
        with suppress(OSError):
            if get(port, "/healthz")[0] == 200:
                return
        time.sleep(0.2)
    sys.exit(f"{server.args[0]} did not answer on port {port} within 30 s.")


class QuestionForm(HTMLParser):
    """The troubleshooter's GET form: its fields in document order, answering each question with its first answer."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.inside = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        action = (attrs.get("action") or "").partition("#")[0]  # the form opens the next screen at #screen
        if tag == "form" and attrs.get("method") == "get" and action.endswith("/diagnose/"):
            self.inside = True
        elif tag in ("input", "button") and self.inside and attrs.get("name"):
            # Each answer is a submit button of the form (a radio, on older screens): the first one is pressed.
            taken = any(name == attrs["name"] for name, _ in self.fields)
            answer = tag == "button" or attrs.get("type") == "radio"
            if attrs.get("type") == "hidden" or (answer and not taken):
                self.fields.append((attrs["name"], attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def link(port: int, path: str, pattern: str) -> str:
    status, html = get(port, path)
    found = re.search(pattern, html)
    if status != 200 or found is None:
        sys.exit(f"{path} answered {status} without a link like {pattern}: the pages cannot be found.")
    return found.group(1)


def find_pages(port: int) -> dict[str, str]:
    """Every kind of page, found as a visitor finds it: links from the home page, answers from the troubleshooter."""
    article = link(port, "/", r'href="(/guides/[\w-]+/)"')
    cause = link(port, article, r'href="(/guides/[\w-]+/causes/[\w-]+/)"')
    start = f"{article}diagnose/"
    screens = [start]
    for _ in range(20):
        status, html = get(port, screens[-1])
        if status != 200:
            sys.exit(f"{screens[-1]} answered {status}; the troubleshooter cannot be walked.")
        if "/diagnose/feedback/" in html:
            break
        form = QuestionForm()
        form.feed(html)
        if not form.fields:
            sys.exit(f"{screens[-1]} shows neither a question nor a fix step.")
        screens.append(f"{start}?{urlencode(form.fields)}")
    else:
        sys.exit("No fix step within 20 answers.")
    if len(screens) < 3:
        sys.exit("The troubleshooter reached a fix step before a second question: no mid-visit screen.")
    return {
        "home": "/",
        "article": article,
        "cause": cause,
        "search": "/search/?q=sending+too+fast",
        "troubleshooter start": start,
        "troubleshooter mid-visit": screens[1],
        "fix step": screens[-1],
    }


def load(wrk: str, server: Server, path: str, connections: int) -> Run:
    """One wrk run, repeated (twice at most) while other processes take a share of the machine."""
    runs = []
    for _ in range(3):
        runs.append(wrk_run(wrk, server, path, connections, SECONDS))
        run = runs[-1]
        print(f"  {path} at {connections}: {run.rate:.0f} req/s, others used {run.noise:.0%}", file=sys.stderr)
        if run.noise <= NOISE_LIMIT:
            break
    return min(runs, key=lambda r: r.noise)


def wrk_run(wrk: str, server: Server, path: str, connections: int, seconds: int) -> Run:
    """Run wrk; its noise is the share of the machine used by anything but wrk and what serves the site."""
    # Headers as a phone's browser sends them: it asks for gzip, and the site keeps its cached pages gzipped.
    headers = ["-H", f"User-Agent: {PHONE}", "-H", "Accept-Encoding: gzip, deflate, br"]
    command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *headers]
    busy, ours, children, started = machine_busy(), server_cpu(server), children_cpu(), time.monotonic()
    url = f"http://127.0.0.1:{server.port}{path}"
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    elapsed = time.monotonic() - started
    used = (machine_busy() - busy) - (server_cpu(server) - ours) - (children_cpu() - children)
    return parse(output.stdout, noise=max(used, 0) / (elapsed * os.cpu_count()))


def parse(text: str, noise: float) -> Run:
    """Requests per second, median and 99th percentile latency (ms), and errors from wrk --latency's report."""
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return Run(
        rate=float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        p50=latency(text, "50%"),
        p99=latency(text, "99%"),
        errors=errors + (int(non_2xx.group(1)) if non_2xx else 0),
        noise=noise,
    )


def latency(text: str, percentile: str) -> float:
    value, unit = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\b", text, re.MULTILINE).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


TICKS = os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy since boot."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / TICKS  # all but idle and iowait


def server_cpu(server: Server) -> float:
    """CPU seconds used serving the site: gunicorn's (and nginx's) master and workers, the database and cache."""
    roots = {str(pid) for pid in server.pids}
    total = 0
    for folder in Path("/proc").glob("[0-9]*"):
        with suppress(OSError):
            fields = (folder / "stat").read_text().rsplit(")", 1)[1].split()
            if folder.name in roots:
                total += sum(int(n) for n in fields[11:15])  # utime, stime, and reaped children's
            elif fields[1] in roots or serves(folder, server):
                total += int(fields[11]) + int(fields[12])
    return total / TICKS


# A PostgreSQL backend serving a client ("postgres: user db 127.0.0.1(40312) idle"), not the server's own.
POSTGRES_CLIENT = re.compile(r"\(\d+\)|\[local\]")


def serves(folder: Path, server: Server) -> bool:
    if not server.helpers:
        return False
    cmdline = (folder / "cmdline").read_text()
    if cmdline.startswith("postgres: ") and not POSTGRES_CLIENT.search(cmdline):
        # The WAL writer, checkpointer and autovacuum write what our requests commit. They work for
        # the shared server's other databases too, which this counts as ours: a small error.
        return True
    return any(helper in cmdline for helper in server.helpers)


def helpers_of(backend_env: dict) -> tuple[str, ...]:
    """How the database's and the cache's processes for this backend show in their command lines."""
    if "REDIS_URL" not in backend_env:
        return ()  # SQLite and the file cache run inside the workers
    database = backend_env["DATABASE_URL"].rsplit("/", 1)[1]
    return (f" {database} ", "redis-server 127.0.0.1:6379")  # "postgres: 15/main: postgres bench_load_1 …"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def kind(page: str) -> str | None:
    if page in {"home", "article", "cause"}:
        return CACHED
    if page in {"troubleshooter start", "troubleshooter mid-visit", "fix step"}:
        return TROUBLESHOOTER
    return None


def row(series: str, page: str, path: str, connections: int, run: Run, ceiling: float) -> dict:
    """One line of the table, with its targets and which of them it meets."""
    ratio = run.rate / ceiling
    target = RATIO_TARGETS.get((kind(page), series.endswith(THROUGH_NGINX)))
    checks = [("0 errors", run.errors == 0)]
    if target is not None:
        checks.insert(0, (f"ratio ≥ {target:.1f}", ratio >= target))
    if connections == 64 and not page.endswith("(ceiling)"):
        checks.append((f"p99 ≤ {P99_TIMES_P50} x p50", run.p99 <= P99_TIMES_P50 * run.p50))
    missed = [name for name, ok in checks if not ok]
    return {
        "page": page,
        "conns": connections,
        "req/s": f"{run.rate:.0f}",
        "ratio": f"{ratio:.2f}",
        "p50 ms": f"{run.p50:.1f}",
        "p99 ms": f"{run.p99:.1f}",
        "errors": str(run.errors),
        "target": ", ".join(name for name, _ in checks),
        "met?": "yes" if not missed else "no: " + ", ".join(missed),
        "others": f"{run.noise:.0%}",
        "met": len(checks) - len(missed),
        "checks": len(checks),
    }


COLUMNS = ("page", "conns", "req/s", "ratio", "p50 ms", "p99 ms", "errors", "target", "met?", "others")


def print_table(backend: str, table: list[dict]) -> None:
    widths = {c: max(len(c), *(len(str(r[c])) for r in table)) for c in COLUMNS}
    print(f"{backend}: ratio = req/s ÷ the same server's static file's req/s at the same connections;")
    print("  others = the share of the machine other processes used during the run kept")
    print("  " + "  ".join(c.ljust(widths[c]) for c in COLUMNS))
    for r in table:
        print("  " + "  ".join(str(r[c]).ljust(widths[c]) for c in COLUMNS))
    met, checks = sum(r["met"] for r in table), sum(r["checks"] for r in table)
    print(f"  {backend}: targets met: {met} of {checks}\n")


def markdown_table(backend: str, table: list[dict]) -> str:
    lines = [f"**{backend}**", "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(r[c]) for c in COLUMNS) + " |" for r in table]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
