"""The duplicates aid (zhitong.insights.similarity): what one hint costs on one core.

Run: `.venv/bin/python bench/bench_duplicates.py` (no database). Env: BENCH_REPEATS=50.
Measures, on the shipped messages with votes and with replies (7,142):

- fingerprinting, as intake does for each new opinion (messages a second, in batches of 1);
- one hint as the public form's endpoint computes it, less the database: the typed text's
  fingerprint, `CANDIDATES` (500) kept fingerprints read back from their 768-byte blobs, and
  the cosines — median and 95th percentile over the repeats;
- the background's document frequencies, counted once per process before the first print;
- hot topics of 2,000 messages (the overview's bound), their fingerprints made already.

Threads are pinned to one, so that "one core" is what is measured.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src")]

REPEATS = int(os.environ.get("BENCH_REPEATS", "50"))
CANDIDATES = 500


def main() -> int:
    from zhitong.insights import data
    from zhitong.insights.similarity import Print, Printer, cosines

    start = time.perf_counter()
    printer = Printer(data.background())
    print(f"background counted and weights made: {time.perf_counter() - start:.1f} s")

    messages = data.unlabelled()
    start = time.perf_counter()
    for message in messages[:2000]:
        printer.print(message)
    one_by_one = 2000 / (time.perf_counter() - start)
    print(f"fingerprints one at a time: {one_by_one:,.0f} messages/s")

    blobs = [p.dumps() for p in printer.prints(messages[:CANDIDATES])]
    print(f"blob size: {max(len(b) for b in blobs)} bytes")
    times = []
    for i in range(REPEATS):
        query = messages[CANDIDATES + i]
        start = time.perf_counter()
        found = cosines(printer.print(query), [Print.loads(b) for b in blobs])
        best = sorted(found, reverse=True)[:3]
        times.append(time.perf_counter() - start)
    assert len(best) == 3
    times.sort()
    print(
        f"one hint against {CANDIDATES} candidates: median {statistics.median(times) * 1000:.1f} ms,"
        f" p95 {times[int(len(times) * 0.95) - 1] * 1000:.1f} ms ({REPEATS} runs)"
    )

    # Hot topics, as the overview computes them for one scope: the newest 2,000 opinions at
    # most (opinions.topics.MAX_OPINIONS), their fingerprints kept, their titles printed.
    import datetime

    from zhitong.insights import topics
    from zhitong.insights.router import Message

    items = data.with_votes()[:2000]
    prints = printer.prints([item.message for item in items])
    start = time.perf_counter()
    words = topics.background_words()
    print(
        f"background words counted (rjieba, once per process): {time.perf_counter() - start:.1f} s"
    )
    now = max(item.at for item in items) + datetime.timedelta(days=1)
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        titles = printer.prints([Message(item.message.title, "") for item in items])
        topics.hot_topics(items, prints, titles, now=now, background=words, top=20, min_size=2)
        runs.append(time.perf_counter() - start)
    print(
        f"hot topics of 2,000 messages (titles printed, grouped, named): median {statistics.median(runs):.2f} s (5 runs)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
