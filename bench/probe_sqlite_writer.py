"""Fault probe: citizens submit opinions on SQLite while a full statistics rebuild runs.

The probe of issue 9 found that a full rebuild at 100,000 opinions held one write
transaction for 16.7 s, so submissions made meanwhile failed ("database is locked") and a
second cron run crashed instead of leaving. This script reproduces that situation on a file
database and reports what citizens saw.

Run: `.venv/bin/python bench/probe_sqlite_writer.py` (env: PROBE_OPINIONS=100000,
PROBE_DIR=bench/out/probe-sqlite). Prints a Markdown report; writes bench/out/sqlite_writer.md.
"""

import datetime
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNT = int(os.environ.get("PROBE_OPINIONS", "100000"))
DATA = Path(os.environ.get("PROBE_DIR", str(ROOT / "bench" / "out" / "probe-sqlite")))

os.environ["ZHITONG_DATA_DIR"] = str(DATA)

import sqlite_support  # noqa: E402 - after ZHITONG_DATA_DIR

REBUILD = """
import os, sys, time
sys.path[:0] = [{src!r}, {root!r}]
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
import django
django.setup()
from zhitong.dashboards.services import figures_refresh_changed
started = time.monotonic()
written = figures_refresh_changed()
print("REBUILD", written, round(time.monotonic() - started, 2))
"""


def load(count: int) -> None:
    from django.db import transaction

    from zhitong.opinions.models import Channel, Opinion, Status
    from zhitong.stations.models import Station
    from zhitong.units.models import Category

    rng = random.Random(7)
    stations = list(Station.objects.values_list("id", "street_id", "street__parent_id"))
    categories = list(Category.objects.filter(parent__isnull=False).values_list("id", flat=True))
    base = datetime.datetime(2026, 11, 26, tzinfo=datetime.UTC)
    statuses = [Status.CLOSED] * 6 + [Status.HANDLING, Status.REFERRED, Status.RECEIVED]
    batch = []
    for i in range(count):
        station, street, district = rng.choice(stations)
        received = base - datetime.timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
        batch.append(
            Opinion(
                tracking_code=f"P{i:09d}",
                subject=f"探针意见{i}",
                content="路灯不亮，请尽快维修。",
                category_id=rng.choice(categories),
                channel=rng.choice([c.value for c in Channel]),
                status=rng.choice(statuses),
                district_id=district,
                street_id=street,
                station_id=station,
                received_at=received,
                submitter_name="探针",
                submitter_phone="13900000000",
            )
        )
        if len(batch) == 5000:
            with transaction.atomic():
                Opinion.objects.bulk_create(batch)
            batch = []
    if batch:
        with transaction.atomic():
            Opinion.objects.bulk_create(batch)


def submit_while(proc) -> tuple[list[float], list[str]]:
    from django.db import close_old_connections

    station = sqlite_support.community_station()
    latencies, failures = [], []
    i = 0
    while proc.poll() is None:
        i += 1
        started = time.monotonic()
        try:
            sqlite_support.submit(station, i, key_prefix="重建期间的意见")
        except Exception as error:  # noqa: BLE001 - a failure is what the probe counts
            failures.append(f"{type(error).__name__}: {error}"[:120])
            close_old_connections()
        latencies.append(time.monotonic() - started)
        time.sleep(0.05)
    return latencies, failures


def main() -> None:
    sqlite_support.fresh_database(DATA)
    started = time.monotonic()
    load(COUNT)
    load_seconds = time.monotonic() - started

    from zhitong.dashboards.models import DistrictFigureState, RefreshMark

    DistrictFigureState.objects.all().delete()
    RefreshMark.objects.all().delete()
    script = REBUILD.format(src=str(ROOT / "src"), root=str(ROOT))
    rebuild = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    )
    time.sleep(0.5)
    second = subprocess.run(  # noqa: S603 - a second cron run meanwhile
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    latencies, failures = submit_while(rebuild)
    out = rebuild.stdout.read()
    report = [
        f"# SQLite writer probe ({datetime.date.today()})",
        "",
        f"- opinions: {COUNT:,} (loaded in {load_seconds:.0f} s), file database in {DATA}",
        f"- full rebuild: `{out.strip()}` (rows written, seconds)",
        f"- a second run started meanwhile: exit {second.returncode}, printed "
        f"`{(second.stdout.strip() or second.stderr.strip()[-200:])}`",
        f"- submissions during the rebuild: {len(latencies)}, failed: {len(failures)}",
    ]
    if latencies:
        report.append(
            f"- submission latency: median {statistics.median(latencies) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms"
        )
    for failure in sorted(set(failures))[:5]:
        report.append(f"  - {failure}")
    text = "\n".join(report) + "\n"
    print(text)
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    (ROOT / "bench" / "out" / "sqlite_writer.md").write_text(text)


if __name__ == "__main__":
    main()
