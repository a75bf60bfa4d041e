"""Serve the site with gunicorn on a throwaway SQLite database and time the public pages under load.

Run from the project root: ``python -m bench.http`` (``make bench-http``). The load generator
shares the machine's cores with the server, so compare pages with each other within one run
rather than reading the figures as the server's ceiling.
"""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "article": "/guides/tiktok-messages/",
    "cause page": "/guides/tiktok-messages/causes/network-connectivity/",
    "search": "/search/?q=stuck+with+a+red+exclamation+mark",
    "troubleshooter question": "/guides/tiktok-messages/diagnose/",
    "troubleshooter fix step": "/guides/tiktok-messages/diagnose/?error-notice=yes-notice&which-notice=too-fast",
}
# A person's phone: the questionnaire counts page views from people, not from robots.
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
CONCURRENCY = 8
REQUESTS_PER_PAGE = 400


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hammer(port: int, path: str) -> tuple[float, list[float], int]:
    """Send REQUESTS_PER_PAGE requests over CONCURRENCY keep-alive connections; return req/s, latencies, errors."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_worker = REQUESTS_PER_PAGE // CONCURRENCY

    def worker():
        nonlocal errors
        connection = HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(per_worker):
            start = time.perf_counter()
            connection.request("GET", path, headers={"Host": "127.0.0.1", "User-Agent": PHONE})
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed * 1000)
                errors += response.status != 200
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.perf_counter() - start), sorted(latencies), errors


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "DJANGO_SECRET_KEY": "benchmark-only-not-a-secret",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore::UserWarning",  # whitenoise: no collected static files, none needed here
        }
        env.pop("DJANGO_DEBUG", None)
        for command in (["migrate", "--no-input", "-v0"], ["load_guides", "-v0"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "troubleshooter.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
             "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        try:
            for _ in range(100):
                try:
                    HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                    break
                except OSError:
                    time.sleep(0.1)
            print(f"gunicorn, 2 workers, SQLite; {CONCURRENCY} connections, {REQUESTS_PER_PAGE} requests a page")
            for name, path in PAGES.items():
                hammer(port, path)  # warm caches and both workers
                rate, latencies, errors = hammer(port, path)
                p95 = latencies[int(0.95 * (len(latencies) - 1))]
                print(
                    f"  {name:<22} {rate:7.0f} req/s   median {statistics.median(latencies):6.1f} ms"
                    f"   p95 {p95:6.1f} ms   errors {errors}"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
