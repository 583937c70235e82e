"""The router (zhitong.insights.router): prediction speed on one core, and retraining on
10,000 messages, as the retraining job does it (the threshold chosen by cross-validation,
then the fit).

Run: `.venv/bin/python bench/bench_router.py` (no database). Env: BENCH_REPEATS=5,
BENCH_TRAIN_SIZE=10000. The prediction is of the shipped unlabelled messages (7,142, with
votes and with replies), in batches of 1 and of 500, by a router trained on the 495
labelled ones; the 10,000 training messages are the 495 labelled and the unlabelled ones
labelled by that router, repeated to the size. Threads are pinned to one
(OMP/OPENBLAS_NUM_THREADS=1) so that "one core" is what is measured.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhitong.settings_test")

REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
TRAIN_SIZE = int(os.environ.get("BENCH_TRAIN_SIZE", "10000"))


def cpu_and_wall(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    import django

    django.setup()
    from zhitong.insights import data, evaluation

    labelled = data.labelled(data.LABELLED)
    prior = data.taxonomy_prior(set(labelled.labels))
    unlabelled = data.unlabelled()
    router, seconds, _cpu = cpu_and_wall(
        lambda: evaluation.fit(data.make_router, labelled.messages, labelled.labels, prior)
    )
    print(f"trained on the 495 (+ taxonomy): {seconds:.1f} s")

    print(f"\nprediction of {len(unlabelled):,} messages, {REPEATS} runs each:")
    for batch in (500, 1):
        rates = []
        for _ in range(REPEATS):

            def run(batch=batch):
                for i in range(0, len(unlabelled), batch):
                    router.predict_proba(unlabelled[i : i + batch])

            _r, wall, cpu = cpu_and_wall(run)
            rates.append((len(unlabelled) / wall, len(unlabelled) / cpu))
        walls = [r[0] for r in rates]
        print(
            f"  batches of {batch:>3}: median {statistics.median(walls):,.0f} messages/s "
            f"(runs: {', '.join(f'{w:,.0f}' for w in walls)}; "
            f"by CPU time {statistics.median(r[1] for r in rates):,.0f}/s)"
        )

    classes, probs = router.predict_proba(unlabelled)
    pseudo = [classes[i] for i in probs.argmax(axis=1)]
    messages = list(labelled.messages) + unlabelled
    labels = list(labelled.labels) + pseudo
    while len(messages) < TRAIN_SIZE:
        messages += messages[: TRAIN_SIZE - len(messages)]
        labels += labels[: TRAIN_SIZE - len(labels)]
    messages, labels = messages[:TRAIN_SIZE], labels[:TRAIN_SIZE]
    print(
        f"\nretraining on {len(messages):,} messages (threshold by 3-fold CV from 5,000 rows on, then the fit):"
    )
    walls = []
    for _ in range(max(1, REPEATS // 2)):
        (_router, threshold), wall, cpu = cpu_and_wall(
            lambda: (
                None,
                evaluation.choose_threshold(data.make_router, messages, labels, prior),
            )
        )
        _fitted, fit_wall, _fit_cpu = cpu_and_wall(
            lambda: evaluation.fit(data.make_router, messages, labels, prior)
        )
        walls.append(wall + fit_wall)
        print(
            f"  run: {wall + fit_wall:.1f} s (threshold {wall:.1f} s, fit {fit_wall:.1f} s; "
            f"CPU {cpu:.1f} s + fit) threshold {threshold:.3f}"
        )
    print(f"  median {statistics.median(walls):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
