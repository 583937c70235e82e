"""What durability costs on SQLite: public submissions with synchronous=FULL (the setting:
an acknowledged submission survives a power cut) against NORMAL (WAL's default, which may
lose the last transactions).

Run: `.venv/bin/python bench/bench_sqlite_sync.py` (env: BENCH_SUBMISSIONS=300,
BENCH_DIR=bench/out/sqlite-sync). Prints medians per submission and the ratio.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNT = int(os.environ.get("BENCH_SUBMISSIONS", "300"))
DATA = Path(os.environ.get("BENCH_DIR", str(ROOT / "bench" / "out" / "sqlite-sync")))

os.environ["ZHITONG_DATA_DIR"] = str(DATA)
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_sqlite_probe"
os.environ.pop("DATABASE_URL", None)
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def submit_many(mode: str, station, start: int) -> list[float]:
    from django.db import connection

    from zhitong.opinions import intake
    from zhitong.opinions.models import Channel

    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA synchronous={mode}")
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == {"NORMAL": 1, "FULL": 2}[mode]
    times = []
    for i in range(start, start + COUNT):
        data = {"subject": f"持久性{i}", "content": "路灯不亮。", "address": "首义路12号"}
        data.update(submitter_name="", submitter_phone="", submitter_email="")
        began = time.perf_counter()
        intake.opinion_submit(
            data=data,
            photos=[],
            station=station,
            channel=Channel.QR_STATION,
            submission_key=f"sync-bench-{i:08d}-key",
            client_ip="192.0.2.9",
        )
        times.append(time.perf_counter() - began)
    return times


def main() -> None:
    import shutil

    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, force=True)
    from zhitong.regions.models import RegionLevel
    from zhitong.stations.models import Station

    station = Station.objects.filter(is_active=True, region__level=RegionLevel.COMMUNITY).first()
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
