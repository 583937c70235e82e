"""The duplicates aid measured on the hand-labelled pairs
(src/zhitong/insights/data/duplicates/pairs.csv, its README): the product's fingerprints
(zhitong.insights.similarity, on the shipped background corpus) score every pair, and a
pair counts as found at a threshold when its cosine reaches it.

Run: `OMP_NUM_THREADS=1 .venv/bin/python bench/duplicates_eval.py` (about 30 s). Prints:

1. on the labelled pairs: at each threshold, the pairs found, the share of them labelled
   same (precision), same or related, and the share of the pairs labelled same found
   (recall within the sample; the sample was drawn mostly where some cosine was high);
2. by generator and band, at the two thresholds the product uses;
3. over the whole corpus (4,326 messages, 9.35 M pairs): how many pairs each threshold
   flags, and the precision estimated by weighting the labelled pairs of the full-text
   strata by pool / sample (the strata cover every pair whose plain full-text cosine is at
   least 0.25; the share of flagged pairs outside them is printed too).
"""

import collections
import csv
import re
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src")]

from zhitong.insights import data  # noqa: E402
from zhitong.insights.router import Message  # noqa: E402
from zhitong.insights.similarity import Printer, pairwise  # noqa: E402

PAIRS = ROOT / "src/zhitong/insights/data/duplicates/pairs.csv"
THRESHOLDS = [0.2, 0.25, 0.3, 0.35, 0.4, 0.5]
USED = {"SIMILAR (citizen hints)": 0.25, "LIKELY (staff)": 0.30}
# The full-text strata of bench/duplicate_pairs.py: (band, pool size, low, high).
STRATA = {"top30": None, "0.6-1.0": (364 - 30, 0.6, 9.0), "0.4-0.6": (128, 0.4, 0.6)}
STRATA["0.25-0.4"] = (344, 0.25, 0.4)
SPACE = re.compile(r"\s+")


def main() -> None:
    rows = list(csv.DictReader(PAIRS.open(encoding="utf-8")))
    messages = list(data.rows(data.VOTES))
    index = {m["留言编号"]: i for i, m in enumerate(messages)}
    printer = Printer(data.background())
    prints = printer.prints(
        [Message(m.get("留言主题", ""), m.get("留言详情", "")) for m in messages]
    )
    every = pairwise(prints)
    score = np.array([every[index[r["id_a"]], index[r["id_b"]]] for r in rows])
    final = np.array([r["final"] for r in rows])
    same = final == "same"
    close = same | (final == "related")

    print(f"labelled pairs: {len(rows)} ({collections.Counter(final)})")
    print("threshold  found  precision(same)  same-or-related  recall(same, in sample)")
    for t in THRESHOLDS:
        found = score >= t
        n = int(found.sum())
        print(
            f"  {t:.2f}    {n:4d}   {same[found].mean():.3f}            "
            f"{close[found].mean():.3f}            {(found & same).sum() / same.sum():.3f}"
        )

    print("\nby generator and band (found / same among found)")
    groups = collections.defaultdict(list)
    for i, r in enumerate(rows):
        groups[(r["generator"], r["band"])].append(i)
    for (generator, band), members in sorted(groups.items()):
        cells = []
        for name, t in USED.items():
            found = [i for i in members if score[i] >= t]
            hits = sum(same[i] for i in found)
            cells.append(f"{name.split()[0]} {len(found)}/{len(members)} found, {hits} same")
        print(f"  {generator:9s} {band:9s}  " + "; ".join(cells))

    # Whole corpus.
    upper = np.triu_indices(len(messages), k=1)
    scores = every[upper]
    texts = [SPACE.sub("", f"{m.get('留言主题', '')}。{m.get('留言详情', '')}") for m in messages]
    x = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True).fit_transform(texts)
    plain = (x @ x.T).toarray()[upper]
    print(f"\nwhole corpus: {len(scores):,} pairs")
    for t in THRESHOLDS:
        flagged = scores >= t
        outside = int((flagged & (plain < 0.25)).sum())
        weight = same_weight = 0.0
        for i, r in enumerate(rows):
            if r["generator"] == "identical" or r["generator"] != "a_full":
                continue
            if score[i] < t:
                continue
            stratum = STRATA[r["band"]]
            members = sum(1 for q in rows if q["generator"] == "a_full" and q["band"] == r["band"])
            w = 1.0 if stratum is None else stratum[0] / members
            weight += w
            same_weight += w * same[i]
        estimate = same_weight / weight if weight else float("nan")
        print(
            f"  {t:.2f}: {int(flagged.sum()):5d} pairs flagged, {outside} of them outside the "
            f"full-text strata; estimated precision (same) in the strata {estimate:.3f}"
        )


if __name__ == "__main__":
    main()
