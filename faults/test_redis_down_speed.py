"""While the page Redis is down the site stays nearly as fast, and logs a line a minute, not a traceback a request."""

import concurrent.futures
import time

from faults.conftest import Site

SECONDS = 3
ROUNDS = 3  # the best of three windows each side: other work on the machine only ever slows one down
CLIENTS = 4
# /healthz writes to and reads from the page cache on every call: the outage is felt on each of them.
PAGES = ("home", "article", "cause", "start", "mid", "step", "healthz")
# One line per logger and minute per worker; a traceback per request wrote megabytes.
MAX_LOG_BYTES = 4096


def requests_per_second(site: Site) -> tuple[float, list[str]]:
    """CLIENTS visitors reading the pages in turn for SECONDS: answers per second, and any that was not a 200."""
    deadline = time.monotonic() + SECONDS

    def visitor(number: int) -> tuple[int, list[str]]:
        done, bad = 0, []
        while time.monotonic() < deadline:
            page = PAGES[(number + done) % len(PAGES)]
            try:
                status = site.get(site.pages[page]).status
            except OSError as error:
                status = repr(error)
            if status != 200:
                bad.append(f"{page}: {status}")
            done += 1
        return done, bad

    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(visitor, range(CLIENTS)))
    return sum(done for done, _ in results) / SECONDS, [line for _, bad in results for line in bad]


def test_redis_down_costs_little_speed_and_little_log(site):
    for page in PAGES:
        site.get(site.pages[page], timeout=30)
    site.warm_each_worker([site.pages[page] for page in PAGES])
    rounds = [requests_per_second(site) for _ in range(ROUNDS)]
    before, failed_before = max(rate for rate, _ in rounds), [line for _, bad in rounds for line in bad]
    site.redis.kill()
    try:
        log_start = site.gunicorn.error_log.stat().st_size
        rounds = [requests_per_second(site) for _ in range(ROUNDS)]
        during, failed_during = max(rate for rate, _ in rounds), [line for _, bad in rounds for line in bad]
        log_bytes = site.gunicorn.error_log.stat().st_size - log_start
        logged = site.gunicorn.error_log.read_bytes()[log_start:].decode(errors="replace")
    finally:
        site.redis.start()

    ratio = during / before
    print(f"\n{before:.0f} requests/s before, {during:.0f} with Redis down ({ratio:.2f}); {log_bytes} bytes logged")
    assert not failed_before and not failed_during, f"Pages that did not answer 200: {failed_before + failed_during}"
    assert during >= 0.8 * before, f"Redis down: {during:.0f} requests/s against {before:.0f} before"
    assert "Traceback" not in logged
    assert log_bytes <= MAX_LOG_BYTES, f"{log_bytes} bytes of log in {SECONDS * ROUNDS} s of outage:\n{logged[:3000]}"
