"""The troubleshooter's daily page-view counters, counted in memory and written every few seconds.

A screen view must not wait for the database: on PostgreSQL one upsert per view cost a third of a
screen's rate. Each process adds its views up in memory, and a thread of its own writes them to the
daily counters (`QuestionnaireCount`) every `FLUSH_SECONDS`, one upsert per guide. A process that
stops normally (a deploy, a worker retired after its requests, Ctrl-C) writes what it holds on its
way out; one that is killed outright loses at most the views of its last `FLUSH_SECONDS`. While the
database is down the counts stay in memory and go with the next write that succeeds; they are a few
rows per screen and day, so they cannot grow with traffic.

Only server processes start the thread (`troubleshooter/wsgi.py` and `asgi.py` call
`write_in_background`): anywhere else, tests and management commands, counts wait for `flush()`.
"""

import atexit
import logging
import os
import threading
from collections import Counter
from datetime import date

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from guides.models import QuestionnaireCount

logger = logging.getLogger(__name__)

# How often a process writes its counts: also the most it loses when it is killed.
FLUSH_SECONDS = 5.0

# (guide pk, day, kind, question slug, answer slug) -> views not written yet
_pending: Counter[tuple[int, date, str, str, str]] = Counter()
_pending_lock = threading.Lock()
# One write at a time: the exit's write waits for the thread's, so neither loses the other's rows.
_flush_lock = threading.Lock()
_background = {"wanted": False, "pid": None}


def add(guide_pk: int, screens: list[tuple[str, str, str]]) -> None:
    """Count one view of each (kind, question slug, answer slug) today; nothing touches the database."""
    day = timezone.localdate()
    with _pending_lock:
        for kind, question, answer in screens:
            _pending[(guide_pk, day, kind, question, answer)] += 1
    if _background["wanted"] and _background["pid"] != os.getpid():
        _start_thread()


def flush() -> int:
    """Write what this process counted; return how many views went to the database."""
    with _flush_lock:
        with _pending_lock:
            taken = dict(_pending)
            _pending.clear()
        by_guide: dict[int, dict] = {}
        for key, views in taken.items():
            by_guide.setdefault(key[0], {})[key] = views
        written = 0
        for guide_pk, rows in by_guide.items():
            written += _write(guide_pk, rows)
        return written


def pending() -> int:
    """Views counted in this process and not written yet."""
    with _pending_lock:
        return sum(_pending.values())


def forget() -> None:
    """Drop what is not written yet (tests: each starts with nothing counted)."""
    with _pending_lock:
        _pending.clear()


def write_in_background() -> None:
    """Have a thread write the counts every FLUSH_SECONDS, in each process that counts a view.

    The thread starts with the first view a process counts, not here: a server that loads the site
    before it forks its workers (gunicorn --preload) would otherwise start it in the parent only.
    """
    _background["wanted"] = True


def _start_thread() -> None:
    with _pending_lock:
        if _background["pid"] == os.getpid():
            return
        _background["pid"] = os.getpid()
    threading.Thread(target=_write_every_few_seconds, name="page-views", daemon=True).start()
    atexit.register(_flush_quietly)


def _write_every_few_seconds() -> None:
    while True:
        threading.Event().wait(FLUSH_SECONDS)
        _flush_quietly()


def _flush_quietly() -> None:
    """A flush that never stops its caller; its connection is kept or closed as a request's would be."""
    connection.close_if_unusable_or_obsolete()
    try:
        flush()
    except Exception:  # the thread must live on whatever goes wrong, and an exit hook must not fail
        logger.exception("Troubleshooter page views could not be written")
    finally:
        connection.close_if_unusable_or_obsolete()


def _write(guide_pk: int, rows: dict[tuple, int]) -> int:
    """One guide's rows in one INSERT ... ON CONFLICT DO UPDATE (SQLite 3.24+ and PostgreSQL).

    Each key appears once in `rows`, as PostgreSQL refuses to update one row twice in a statement.
    """
    quote = connection.ops.quote_name
    table = quote(QuestionnaireCount._meta.db_table)
    fields = ("guide", "day", "kind", "question_slug", "answer_slug")
    key = ", ".join(quote(QuestionnaireCount._meta.get_field(name).column) for name in fields)
    count = quote("count")
    sql = (
        f"INSERT INTO {table} ({key}, {count}) VALUES {', '.join(['(%s, %s, %s, %s, %s, %s)'] * len(rows))} "
        f"ON CONFLICT ({key}) DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    )
    params = []
    for (guide, day, kind, question, answer), views in rows.items():
        params += [guide, connection.ops.adapt_datefield_value(day), kind, question, answer, views]
    views = sum(rows.values())
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except IntegrityError:  # the guide was deleted since: its views have nowhere to go
        logger.warning("%d troubleshooter page views of a deleted guide were dropped", views)
        return 0
    except DatabaseError:
        with _pending_lock:
            _pending.update(rows)
        logger.warning("%d troubleshooter page views wait in memory: the database is unavailable", views)
        return 0
    return views
