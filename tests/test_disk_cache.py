"""The single-machine page cache stays within its size and drops the copies used longest ago first."""

import os
import time

from guides.web.disk_cache import DiskCache


def cache_in(folder, entries: int) -> DiskCache:
    return DiskCache(str(folder), {"OPTIONS": {"MAX_ENTRIES": entries, "CULL_FREQUENCY": 3}})


def age_every_file(folder, seconds_ago: float) -> None:
    then = time.time() - seconds_ago
    for name in folder.iterdir():
        os.utime(name, (then, then))


def test_a_copy_read_recently_survives_a_flood_and_the_oldest_go_first(tmp_path):
    cache = cache_in(tmp_path, entries=30)
    for n in range(30):
        cache.set(f"page-{n}", f"copy {n}")
    age_every_file(tmp_path, seconds_ago=3600)

    for n in range(30, 90):
        cache.set(f"junk-{n}", "a one-off screen")
        if n % 5 == 0:
            assert cache.get("page-0") == "copy 0"  # the article everyone keeps reading

    assert len(list(tmp_path.iterdir())) <= 30
    assert cache.get("page-0") == "copy 0"
    assert cache.get("page-1") is None  # written as long ago, never read again: gone first


def test_a_miss_is_still_a_miss(tmp_path):
    cache = cache_in(tmp_path, entries=10)

    assert cache.get("never-stored") is None
    assert cache.get("never-stored", "fallback") == "fallback"
