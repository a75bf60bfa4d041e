"""Production serving: gunicorn with deploy/gunicorn.conf.py behind nginx with deploy/nginx.conf.

Both run for real, with production settings on a scratch SQLite database. They need nginx
(Debian's nginx-light): without it these tests skip, except in CI (CI=true), where they fail.
"""

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"

pytestmark = pytest.mark.deploy  # left out of `make test-fast`


def nginx_path() -> str | None:
    """nginx lives in /usr/sbin, which is not on every user's PATH."""
    candidates = (os.environ.get("NGINX_PATH"), shutil.which("nginx"), "/usr/sbin/nginx")
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


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
        yield from serve(nginx, folder)


def serve(nginx: str, folder: Path):
    static_root = folder / "staticfiles"
    # STATIC_ROOT is not read from the environment, so a two-line settings module points it here.
    (folder / "deploy_settings.py").write_text(
        f"from troubleshooter.settings import *  # noqa: F403\nSTATIC_ROOT = {str(static_root)!r}\n"
    )
    app_port, proxy_port = free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_DEBUG", "DJANGO_STATICFILES_BACKEND", "REDIS_URL"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "deploy_settings",
        "PYTHONPATH": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}",
        "DJANGO_CACHE_DIR": str(folder / "cache"),
        "DJANGO_SECRET_KEY": "deployment-test-only-not-a-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_TRUSTED_PROXIES": "1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{app_port}",
        "GUNICORN_WORKERS": "2",
    }
    for command in (["migrate", "--no-input", "-v0"], ["load_guides", "-v0"], ["collectstatic", "--no-input", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)

    config = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in {
        "listen 80;": f"listen 127.0.0.1:{proxy_port};",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "alias /srv/troubleshooter/staticfiles/;": f"alias {static_root}/;",
    }.items():
        assert old in config, f"deploy/nginx.conf no longer contains {old!r}"
        config = config.replace(old, new)
    (folder / "nginx.conf").write_text(config)

    app_log, proxy_log = folder / "gunicorn.log", folder / "error.log"
    with app_log.open("wb") as out:
        app = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "troubleshooter.wsgi"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    proxy = subprocess.Popen(
        [nginx, "-c", str(folder / "nginx.conf"), "-p", f"{folder}/", "-g", "daemon off;"],
        stderr=subprocess.DEVNULL,  # an alert about the packaged log path, before our config is read
    )
    try:
        wait_for(app_port, "/healthz", app, app_log)
        wait_for(proxy_port, "/healthz", proxy, proxy_log)
        yield {"port": proxy_port, "static_root": static_root, "app_log": app_log}
    finally:
        for process in (proxy, app):
            process.terminate()
        for process in (proxy, app):
            process.wait(timeout=15)


def test_half_sent_requests_do_not_hold_up_other_visitors(stack):
    """Hole 8: under bare gunicorn, two connections that send half a request hold both sync workers (32 s)."""
    slow = []
    for request in (
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow",
        b"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\nusername=",
    ):
        for _ in range(2):  # as many as gunicorn has workers
            sock = socket.create_connection(("127.0.0.1", stack["port"]))
            sock.sendall(request)
            slow.append(sock)
    try:
        time.sleep(0.3)  # let nginx read what they sent
        for _ in range(3):
            started = time.monotonic()
            response = get(stack["port"], "/healthz", timeout=5)
            elapsed = time.monotonic() - started
            assert response.status == 200
            assert json.loads(response.body)["database"] == "ok"
            assert elapsed < 1, f"/healthz took {elapsed:.1f} s while slow clients were connected"
    finally:
        for sock in slow:
            sock.close()


def test_hashed_static_files_are_cached_for_a_year_and_compressed(stack):
    manifest = json.loads((stack["static_root"] / "staticfiles.json").read_text())["paths"]
    stylesheet = manifest["css/site.css"]

    response = get(stack["port"], f"/static/{stylesheet}", {"Accept-Encoding": "gzip"})

    assert response.status == 200
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(response.body) == (stack["static_root"] / stylesheet).read_bytes()


def test_static_files_go_uncompressed_to_clients_that_do_not_ask(stack):
    stylesheet = json.loads((stack["static_root"] / "staticfiles.json").read_text())["paths"]["css/site.css"]

    response = get(stack["port"], f"/static/{stylesheet}")

    assert response.getheader("Content-Encoding") is None
    assert response.body == (stack["static_root"] / stylesheet).read_bytes()


def test_a_page_with_a_csrf_token_is_never_compressed_by_the_proxy(stack):
    """BREACH: a compressed page's size tells an attacker, byte by byte, whether a guess matches its secret."""
    response = get(stack["port"], "/admin/login/", {"Accept-Encoding": "gzip, deflate, br"})

    assert response.status == 200
    assert b"csrfmiddlewaretoken" in response.body
    assert response.getheader("Content-Encoding") is None


def test_pages_are_served_through_the_proxy_with_the_visitors_address(stack):
    for path in ("/", "/guides/tiktok-messages/", "/guides/tiktok-messages/diagnose/"):
        assert get(stack["port"], path, {"X-Forwarded-For": "203.0.113.7"}).status == 200, path

    # The app sees the address chain nginx forwards: what the client claimed, then who nginx saw.
    log = stack["app_log"].read_text()
    assert '203.0.113.7, 127.0.0.1 "GET /guides/tiktok-messages/ HTTP/1.0" 200' in log
