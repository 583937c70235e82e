"""What durability costs on SQLite: public submissions with synchronous=FULL (the setting:
an acknowledged submission survives a power cut) against NORMAL (WAL's default, which may
lose the last transactions).

Run: `.venv/bin/python bench/bench_sqlite_sync.py` (env: BENCH_SUBMISSIONS=300,
BENCH_DIR=bench/out/sqlite-sync). Prints medians per submission and the ratio.
"""

import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNT = int(os.environ.get("BENCH_SUBMISSIONS", "300"))
DATA = Path(os.environ.get("BENCH_DIR", str(ROOT / "bench" / "out" / "sqlite-sync")))
os.environ["ZHITONG_DATA_DIR"] = str(DATA)

import sqlite_support  # noqa: E402 - after ZHITONG_DATA_DIR


def submit_many(mode: str, station, start: int) -> list[float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA synchronous={mode}")
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == {"NORMAL": 1, "FULL": 2}[mode]
    times = []
    for i in range(start, start + COUNT):
        began = time.perf_counter()
        sqlite_support.submit(station, i, key_prefix="持久性")
        times.append(time.perf_counter() - began)
    return times


def main() -> None:
    sqlite_support.fresh_database(DATA)
    station = sqlite_support.community_station()
    submit_many("FULL", station, 0)  # warm-up, untimed
    results = {}
    for round_number, mode in enumerate(["NORMAL", "FULL", "NORMAL", "FULL"], start=1):
        times = submit_many(mode, station, round_number * 100_000)
        results.setdefault(mode, []).extend(times)
    normal = statistics.median(results["NORMAL"]) * 1000
    full = statistics.median(results["FULL"]) * 1000
    print(f"submissions per mode: {len(results['FULL'])}")
    print(f"median per submission: NORMAL {normal:.2f} ms, FULL {full:.2f} ms")
    print(f"FULL / NORMAL: {full / normal:.2f}x")


if __name__ == "__main__":
    main()
