"""The router's cross-validated figures on the shipped 495 labelled messages (reported in
docs/insights.md): repeated stratified 5-fold CV, each outer fold's 95%-precision threshold
chosen by an inner 5-fold CV on its own training part.

Run: `.venv/bin/python bench/router_cv.py [repeats] [--no-taxonomy]` (default 5 repeats).
Prints one JSON line: the means and standard deviations over all outer folds.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhitong.settings_test")


def main() -> int:
    import django

    django.setup()
    from zhitong.insights import data, evaluation

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    repeats = int(args[0]) if args else 5
    found = data.labelled(data.LABELLED)
    prior = None if "--no-taxonomy" in sys.argv else data.taxonomy_prior(set(found.labels))
    started = time.perf_counter()
    result = evaluation.cross_validated(
        data.make_router, found.messages, found.labels, repeats=repeats, prior=prior
    )
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
