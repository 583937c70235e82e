"""The candidate pairs of the duplicates' evaluation set
(src/zhitong/insights/data/duplicates/, its README): drawn from the shipped 4,326 messages
with votes by several generators, so that the pairs any reasonable detector would flag are
among them, then labelled by hand (pairs.csv).

Run: `OMP_NUM_THREADS=1 .venv/bin/python bench/duplicate_pairs.py [out.csv]` (about 15 s,
one thread; deterministic: the same pairs every run). Writes the unlabelled candidates
(default `candidates.csv`) and prints each generator's pool and how many it chose.
"""

import collections
import csv
import random
import re
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src")]

from zhitong.insights import data  # noqa: E402

SPACE = re.compile(r"\s+")
# A named place: 2-5 Chinese characters (none of the common function words) before one of
# these suffixes.
SUFFIXES = ["小区", "花园", "家园", "公寓", "苑", "城", "村", "街道", "社区", "路", "大道", "街"]
SUFFIXES += ["学校", "中学", "小学", "广场", "大厦", "新城"]
STOP = set("我你他她们该本的在了是和到个这那请对与及从被把就都也还有为等此其某各每所于将向给让由")
SUFFIX = re.compile("|".join(sorted(SUFFIXES, key=len, reverse=True)))
HAN = re.compile(r"[\u4e00-\u9fa5]+")


def norm(value) -> str:
    return SPACE.sub("", str(value or ""))


def cosines(texts: list[str]) -> np.ndarray:
    x = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True).fit_transform(texts)
    return (x @ x.T).toarray().astype(np.float32)  # rows have unit length: the cosine


def place_tokens(text: str) -> set[str]:
    found = set()
    for match in SUFFIX.finditer(text):
        start = match.start()
        for length in range(2, 6):
            if start - length < 0:
                break
            before = text[start - length : start]
            if not HAN.fullmatch(before) or STOP & set(before):
                break
            found.add(before + match.group())
    return found


class Pairs:
    def __init__(self, rows: list[dict]):
        self.ids = [r["留言编号"] for r in rows]
        self.title = [norm(r["留言主题"]) for r in rows]
        self.detail = [norm(r["留言详情"]) for r in rows]
        self.full = [t + "。" + d for t, d in zip(self.title, self.detail, strict=True)]
        self.n = len(rows)
        self.sf = cosines(self.full)
        self.st = cosines(self.title)
        self.upper = np.triu_indices(self.n, 1)
        tokens = [place_tokens(t) for t in self.full]
        counts = collections.Counter(t for ts in tokens for t in ts)
        self.places = [{t for t in ts if 2 <= counts[t] <= 30} for ts in tokens]
        self.chosen: dict[tuple[int, int], dict] = {}

    def identical(self, i: int, j: int) -> bool:
        """The same title and details, or the same details (of 20 characters or more)."""
        return self.full[i] == self.full[j] or (
            self.detail[i] == self.detail[j] and len(self.detail[i]) >= 20
        )

    def add(self, i: int, j: int, generator: str, band: str) -> bool:
        i, j = min(i, j), max(i, j)
        if i == j or (i, j) in self.chosen:
            return False
        shared = sorted(self.places[i] & self.places[j], key=lambda t: (-len(t), t))
        self.chosen[(i, j)] = {
            "id_a": self.ids[i],
            "id_b": self.ids[j],
            "generator": generator,
            "band": band,
            "cosine_full": round(float(self.sf[i, j]), 4),
            "cosine_title": round(float(self.st[i, j]), 4),
            "identical": self.identical(i, j),
            "shared_place": shared[0] if shared else "",
        }
        return True

    def pool(self, matrix, low: float, high: float) -> list[tuple[int, int]]:
        values = matrix[self.upper]
        where = np.where((values >= low) & (values < high))[0]
        found = [(int(self.upper[0][k]), int(self.upper[1][k])) for k in where]
        return [p for p in found if not self.identical(*p)]

    def sample(self, pool, k: int, seed: int, generator: str, band: str) -> tuple[int, int]:
        rng = random.Random(seed)
        shuffled = sorted(pool)
        rng.shuffle(shuffled)
        taken = 0
        for pair in shuffled:
            if taken >= k:
                break
            if self.add(*pair, generator, band):
                taken += 1
        return len(pool), taken


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "candidates.csv")
    p = Pairs(list(data.rows(data.VOTES)))
    stats = []
    identical = [
        (int(a), int(b))
        for a, b in zip(*p.upper, strict=True)
        if p.sf[a, b] > 0.95 and p.identical(int(a), int(b))
    ]
    stats.append(("identical", "identical", *p.sample(identical, 6, 11, "identical", "identical")))
    values = p.sf[p.upper]
    taken = 0
    for k in np.argsort(-values, kind="stable"):
        a, b = int(p.upper[0][k]), int(p.upper[1][k])
        if p.identical(a, b):
            continue
        if p.add(a, b, "a_full", "top30"):
            taken += 1
        if taken >= 30:
            break
    stats.append(("a_full", "top30", None, taken))
    for matrix, generator, bands in (
        (p.sf, "a_full", [(0.6, 1.01, 35, 21), (0.4, 0.6, 40, 22), (0.25, 0.4, 35, 23)]),
        (p.st, "b_title", [(0.6, 1.01, 20, 31), (0.4, 0.6, 20, 32), (0.25, 0.4, 15, 33)]),
    ):
        for low, high, k, seed in bands:
            band = f"{low}-{min(high, 1.0)}"
            stats.append(
                (generator, band, *p.sample(p.pool(matrix, low, high), k, seed, generator, band))
            )
    placed = [pair for pair in p.pool(p.sf, 0.12, 0.5) if p.places[pair[0]] & p.places[pair[1]]]
    stats.append(("c_place", "0.12-0.5", *p.sample(placed, 35, 41, "c_place", "0.12-0.5")))
    rng = random.Random(51)
    taken = 0
    while taken < 15:
        a, b = rng.randrange(p.n), rng.randrange(p.n)
        if a != b and p.add(a, b, "d_random", "random"):
            taken += 1
    stats.append(("d_random", "random", p.n * (p.n - 1) // 2, taken))

    chosen = sorted(p.chosen.values(), key=lambda d: (d["generator"], d["band"], -d["cosine_full"]))
    index = {x: k for k, x in enumerate(p.ids)}
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["pair_id", "id_a", "id_b", "generator", "band", "cosine_full", "cosine_title"]
            + ["identical", "shared_place", "title_a", "title_b"]
        )
        for k, d in enumerate(chosen, 1):
            writer.writerow(
                [f"P{k:03d}", d["id_a"], d["id_b"], d["generator"], d["band"]]
                + [d["cosine_full"], d["cosine_title"], str(d["identical"]).lower()]
                + [d["shared_place"], p.title[index[d["id_a"]]], p.title[index[d["id_b"]]]]
            )
    print("generator band pool chosen")
    for row in stats:
        print(*row)
    print("total", len(chosen), "->", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
