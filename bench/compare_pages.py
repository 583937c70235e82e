"""The pages of bench_opinions.py in two checkouts, side by side on one machine.

Usage:
    python bench/compare_pages.py BEFORE_DIR BEFORE_DB AFTER_DIR AFTER_DB SIZE [ROUNDS]

BEFORE_DIR and AFTER_DIR are checkouts (e.g. `git worktree add --detach ../before REV`),
BEFORE_DB and AFTER_DB PostgreSQL URLs of databases each left by a run of that checkout's
`bench/bench_opinions.py` with `BENCH_SIZES=SIZE` (its last size is what they hold). Each
round measures every page in a fresh process of the one checkout, then of the other, so
that both meet the same machine at nearly the same moment; the report gives each page's
median over the rounds of the per-round medians, and the ratio after / before.
Environment: BENCH_REPEATS (default 15), BENCH_COLD_REPEATS (5), as bench_opinions.py.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

MEASURE = """
import json, os, sys
sys.path[:0] = [os.path.join(os.getcwd(), "src"), os.getcwd(), os.path.join(os.getcwd(), "bench")]
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
import bench_opinions
import django
django.setup()
print(json.dumps({page: median for page, (median, _p95) in bench_opinions.measure_pages(int(sys.argv[1])).items()}))
"""


def measure(tree: str, url: str, size: int) -> dict[str, float]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BENCH_DATABASE_URL": url,
        "HTTPS": "off",
        "BENCH_REPEATS": os.environ.get("BENCH_REPEATS", "15"),
        "BENCH_COLD_REPEATS": os.environ.get("BENCH_COLD_REPEATS", "5"),
    }
    # The command is this interpreter and this file's own code; the paths are the caller's.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", MEASURE, str(size)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    before_dir, before_db, after_dir, after_db, size = sys.argv[1:6]
    rounds = int(sys.argv[6]) if len(sys.argv) > 6 else 5
    samples: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
    for number in range(rounds):
        for side, tree, url in (("before", before_dir, before_db), ("after", after_dir, after_db)):
            for page, median in measure(tree, url, int(size)).items():
                samples[side].setdefault(page, []).append(median)
        print(f"round {number + 1} of {rounds} done", file=sys.stderr, flush=True)
    print(f"| page ({int(size):,} opinions) | before ms | after ms | after / before |")
    print("|---|---:|---:|---:|")
    for page, values in samples["before"].items():
        before = statistics.median(values)
        after = statistics.median(samples["after"][page])
        print(f"| {page} | {before:.1f} | {after:.1f} | {after / before:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
