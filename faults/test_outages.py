"""Outages under load: what a visitor gets while Redis, PostgreSQL or a gunicorn worker is gone.

Each check runs a small steady load (a few visitors reading pages, one answering fix steps),
breaks something for a while, and then reads the timeline: every request, when it started,
how it was answered. A failure message lists the requests that went wrong, in seconds from
the moment the fault began, with the wall-clock time to find them in gunicorn's log.
"""

import json
import os
import signal
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from faults.conftest import TIMEOUT, Site, text_of

OUTAGE_SECONDS = 10
RECOVERY_SECONDS = 2.0  # the figure: /healthz is healthy this soon after PostgreSQL is back
READ_PAGES = ("home", "article", "cause", "start", "mid", "step", "healthz")
SCREENS = ("start", "mid", "step")
SAVE_FAILED_WORDS = ("couldn't save", "could not save", "can't save", "cannot save")
SAVED = {"GET": 200, "POST": 302}  # a page shown; an answer stored, then the next screen


@dataclass
class Record:
    start: float
    end: float
    method: str
    page: str
    path: str
    status: int | None  # None: no answer (timeout, refused, reset)
    detail: str
    body: str  # kept for /healthz and feedback answers, and anything that was not a 200

    def line(self, zero: float) -> str:
        answer = self.status if self.status is not None else self.detail
        return f"  {self.start - zero:+7.2f} s  {self.method} {self.path} -> {answer} ({self.end - self.start:.2f} s)"


class Load:
    """Visitors reading pages in a loop, and one answering a fix step every few tenths of a second."""

    def __init__(self, site: Site, readers: int = 3, pause: float = 0.02):
        self.site, self.readers, self.pause = site, readers, pause
        self.records: list[Record] = []
        self.marks: dict[str, float] = {}
        self.crashes: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []
        self._wall = (time.monotonic(), datetime.now(UTC))

    def __enter__(self):
        self.mark("load started")
        for number in range(self.readers):
            self._threads.append(threading.Thread(target=self._guarded, args=(self._read, number), daemon=True))
        self._threads.append(threading.Thread(target=self._guarded, args=(self._answer,), daemon=True))
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(TIMEOUT * 3)
        self.mark("load stopped")
        assert not self.crashes, f"A load thread stopped early, so the load was lighter than it seemed: {self.crashes}"

    def _guarded(self, target, *args) -> None:
        try:
            target(*args)
        except Exception as error:  # noqa: BLE001 -- any crash is reported when the load ends
            self.crashes.append(repr(error))

    def mark(self, name: str) -> float:
        self.marks[name] = time.monotonic()
        return self.marks[name]

    def _add(self, record: Record) -> None:
        with self._lock:
            self.records.append(record)

    def _read(self, number: int) -> None:
        pages = READ_PAGES[number:] + READ_PAGES[:number]  # each reader starts elsewhere in the mix
        index = 0
        while not self._stop.is_set():
            page = pages[index % len(pages)]
            index += 1
            path = self.site.pages[page]
            start = time.monotonic()
            try:
                response = self.site.get(path)
            except OSError as error:
                self._add(Record(start, time.monotonic(), "GET", page, path, None, repr(error), ""))
            else:
                keep = page == "healthz" or response.status != 200
                body = response.body if keep else ""
                self._add(Record(start, time.monotonic(), "GET", page, path, response.status, "", body))
            time.sleep(self.pause)

    def _answer(self) -> None:
        count = 0
        while not self._stop.is_set():
            start = time.monotonic()
            response, detail = self.site.post_feedback(count)
            count += 1
            path = self.site.feedback_path
            status = response.status if response else None
            body = response.body if response else ""
            self._add(Record(start, time.monotonic(), "POST", "feedback", path, status, detail, body))
            time.sleep(0.2)

    def between(self, first: float, last: float) -> list[Record]:
        """Requests sent and answered entirely inside [first, last]."""
        return [r for r in self.records if r.start >= first and r.end <= last]

    def report(self, problems: list[Record], zero: float, title: str) -> str:
        began = self._wall[1] + timedelta(seconds=zero - self._wall[0])
        lines = [
            f"{title} ({len(problems)} of {len(self.records)} requests; "
            f"seconds from the fault, which began at {began:%H:%M:%S.%f} UTC):"
        ]
        lines += [r.line(zero) for r in sorted(problems, key=lambda r: r.start)[:25]]
        if len(problems) > 25:
            lines.append(f"  ... and {len(problems) - 25} more")
        marks = sorted(self.marks.items(), key=lambda item: item[1])
        lines.append("Timeline: " + ", ".join(f"{name} {at - zero:+.2f} s" for name, at in marks))
        firsts = [r for r in problems if r.body][:1]
        if firsts:
            lines.append(f"First answer's text: {text_of(firsts[0].body)[:400]}")
        if problems:
            lines.append(f"gunicorn's log, last lines:\n{self.site.gunicorn.log_tail(60)}")
        return "\n".join(lines)


def healthz(record: Record) -> dict:
    try:
        return json.loads(record.body)
    except ValueError:
        return {}


def says_it_was_not_saved(page: str) -> bool:
    words = text_of(page).lower()
    return any(phrase in words for phrase in SAVE_FAILED_WORDS)


def warm(site: Site) -> None:
    """Visit every page once (the cache keeps them) and get each worker to hold the troubleshooter."""
    for page in READ_PAGES:
        site.get(site.pages[page], timeout=30)
    site.warm_each_worker([site.pages[page] for page in SCREENS])


def assert_each_page_was_loaded(load: Load, first: float, last: float, what: str) -> None:
    """The check means something only if every page was asked for while the fault lasted."""
    seen = {r.page for r in load.between(first, last)}
    missing = [page for page in (*READ_PAGES, "feedback") if page not in seen]
    assert not missing, f"The load never requested {missing} during {what}; the check proves nothing about them."


def replace_a_worker(site: Site, load: Load) -> tuple[int, set[int], float, float]:
    """SIGKILL one worker and wait until gunicorn has started its replacement.

    Returns the victim, the new workers, and when the kill and the replacement happened.
    """
    before = site.gunicorn.workers()
    for victim in sorted(before):
        try:
            os.kill(victim, signal.SIGKILL)
            break
        except ProcessLookupError:  # gone already: try the next
            continue
    killed = load.mark(f"worker {victim} killed")
    while time.monotonic() - killed < 30:
        time.sleep(0.05)
        current = site.gunicorn.workers()
        newcomers = current - before
        if victim not in current and newcomers and len(current) >= len(before):
            return victim, newcomers, killed, load.mark(f"worker {sorted(newcomers)} started")
    raise AssertionError(f"gunicorn did not replace worker {victim} within 30 s:\n{site.gunicorn.log_tail()}")


def assert_only_the_victims_request_failed(load: Load, killed: float, replaced: float, failed: list[Record]) -> None:
    """Sync workers serve one request each: only the one in the killed worker's hands may be lost."""
    gap = [r for r in failed if r.end >= killed and r.start < replaced]
    assert len(gap) <= 1, load.report(gap, killed, "More requests failed than the killed worker was serving")


def test_every_page_answers_while_redis_is_down(site):
    """Without its cache the site renders every page itself: slower, never an error."""
    warm(site)
    with Load(site) as load:
        time.sleep(2)
        down = load.mark("redis killed")
        site.redis.kill()
        time.sleep(OUTAGE_SECONDS)
        back = load.mark("redis restarting")
        site.redis.start()
        load.mark("redis listening")
        while time.monotonic() - back < 10:
            response = site.get("/healthz")
            if response.status == 200 and json.loads(response.body).get("cache") == "ok":
                load.mark("healthz says cache ok")
                break
            time.sleep(0.1)
        time.sleep(2)

    print(f"\nRedis down {back - down:.1f} s; {len(load.between(down, back))} requests answered meanwhile")
    bad = [r for r in load.records if r.status != SAVED[r.method]]
    assert not bad, load.report(bad, down, "Requests that failed while Redis was down or coming back")
    assert_each_page_was_loaded(load, down, back, "the Redis outage")
    during = [r for r in load.between(down, back) if r.page == "healthz"]
    not_down = [r for r in during if healthz(r).get("cache") != "down"]
    assert not not_down, load.report(not_down, down, '/healthz did not say "cache": "down" while Redis was down')
    assert "healthz says cache ok" in load.marks, load.report([], down, '/healthz never said "cache": "ok" again')


def test_cached_pages_and_screens_answer_while_postgresql_is_down(site):
    """Pages from the cache and screens from memory still show; an answer that can't be saved says so (503)."""
    warm(site)
    with Load(site) as load:
        time.sleep(2)
        down = load.mark("pg_ctl stop called")
        site.postgres.stop()
        stopped = load.mark("pg_ctl stop returned")
        time.sleep(OUTAGE_SECONDS)
        restart = load.mark("pg_ctl start called")
        site.postgres.start()
        started = load.mark("pg_ctl start returned")
        recovered = None
        while time.monotonic() - started < 15:
            try:
                if site.get("/healthz").status == 200:
                    recovered = load.mark("healthz 200 again") - started
                    break
            except OSError:
                pass
            time.sleep(0.1)
        time.sleep(3)

    healthy = started + RECOVERY_SECONDS
    print(f"\nPostgreSQL down {restart - stopped:.1f} s; /healthz 200 again {recovered} s after pg_ctl start returned")
    # Pages and screens: 200 at every moment, outage or not.
    reads = [r for r in load.records if r.method == "GET" and r.page != "healthz" and r.status != 200]
    assert not reads, load.report(reads, down, "Pages or troubleshooter screens that failed around the outage")
    assert_each_page_was_loaded(load, stopped, restart, "the PostgreSQL outage")
    # /healthz: 503 while the database is down, 200 before and again within RECOVERY_SECONDS.
    assert recovered is not None and recovered <= RECOVERY_SECONDS, load.report(
        [r for r in load.records if r.page == "healthz" and r.start >= started],
        down,
        f"/healthz was not 200 again within {RECOVERY_SECONDS} s of pg_ctl start returning (took {recovered} s)",
    )
    checks = [r for r in load.records if r.page == "healthz"]
    wrong = [r for r in checks if r.end <= down and r.status != 200]
    wrong += [r for r in checks if r.start >= stopped and r.end <= restart and r.status != 503]
    wrong += [r for r in checks if r.start >= healthy and r.status != 200]
    assert not wrong, load.report(wrong, down, "/healthz answered wrongly: 503 is due only while PostgreSQL is down")
    # Answers: saved (302) before and after, a 503 that says so while the database is down.
    answers = [r for r in load.records if r.method == "POST"]
    during = [r for r in answers if r.start >= stopped and r.end <= restart]
    assert len(during) >= 3, f"Only {len(during)} answers were sent during the outage; the check needs a few."
    unclear = [r for r in during if r.status != 503 or not says_it_was_not_saved(r.body)]
    assert not unclear, load.report(unclear, down, "Answers sent while PostgreSQL was down without a clear 503")
    lost = [r for r in answers if (r.end <= down or r.start >= healthy) and r.status != 302]
    assert not lost, load.report(lost, down, "Answers sent while PostgreSQL was up that were not saved")


def test_no_request_fails_once_a_killed_worker_is_replaced(site):
    """A worker that dies takes at most the request it was serving with it; its replacement serves at once."""
    warm(site)
    with Load(site) as load:
        time.sleep(2)
        victim, newcomers, killed, replaced = replace_a_worker(site, load)
        time.sleep(4)

    print(f"\nWorker {victim} replaced by {sorted(newcomers)} after {replaced - killed:.2f} s")
    failed = [r for r in load.records if r.status != SAVED[r.method]]
    after = [r for r in failed if r.start >= replaced]
    assert not after, load.report(after, killed, "Requests that failed after gunicorn had replaced the worker")
    assert_only_the_victims_request_failed(load, killed, replaced, failed)
    assert site.gunicorn.served() & newcomers, f"The new worker {sorted(newcomers)} served nothing in 4 s of load."


def test_a_worker_started_while_postgresql_is_down_still_shows_the_troubleshooter(site):
    """gunicorn replaces workers all the time (max_requests, a crash): a new one must not need the database."""
    warm(site)
    with Load(site) as load:
        time.sleep(1)
        down = load.mark("pg_ctl stop called")
        site.postgres.stop()
        stopped = load.mark("pg_ctl stop returned")
        victim, newcomers, killed, replaced = replace_a_worker(site, load)
        time.sleep(OUTAGE_SECONDS / 2)
        restart = load.mark("pg_ctl start called")
        site.postgres.start()
        time.sleep(1)

    print(f"\nWorker {victim} replaced by {sorted(newcomers)} {replaced - stopped:.2f} s into the outage")
    failed = [r for r in load.records if r.method == "GET" and r.page != "healthz" and r.status != 200]
    after = [r for r in failed if r.start >= replaced]
    assert not after, load.report(after, down, "Pages or screens that failed after a worker started without database")
    assert_only_the_victims_request_failed(load, killed, replaced, failed)
    served = {pid for page in SCREENS for pid in site.gunicorn.served(site.pages[page])}
    assert served & newcomers, f"The new worker {sorted(newcomers)} showed no troubleshooter screen during the outage."
    during = [r for r in load.between(replaced, restart) if r.method == "POST"]
    unclear = [r for r in during if r.status != 503 or not says_it_was_not_saved(r.body)]
    assert not unclear, load.report(unclear, down, "Answers sent while PostgreSQL was down without a clear 503")


def test_every_answer_saved_is_in_the_database(site):
    """Each answer the site said it saved (2xx/3xx) is one StepOutcome row: none lost, none counted twice."""
    with Load(site) as load:
        time.sleep(3)
    saved = [status for status, _ in site.posts if status is not None and status < 400]
    unanswered = [detail for status, detail in site.posts if status is None]
    rows = site.postgres.count("SELECT count(*) FROM guides_stepoutcome")
    print(f"\n{len(site.posts)} answers sent, {len(saved)} saved, {len(unanswered)} unanswered; {rows} rows stored")
    assert load.records and saved, "No answer was saved during the run; the count proves nothing."
    # An answer whose reply was lost (a worker killed mid-request) may or may not be stored.
    assert len(saved) <= rows <= len(saved) + len(unanswered), (
        f"The site said it saved {len(saved)} answers, but the database holds {rows} StepOutcome rows "
        f"({len(unanswered)} answers got no reply: {unanswered[:5]})."
    )
