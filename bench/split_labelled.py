"""Split the shipped 495 labelled messages into A (about four in five) and B (the rest),
by a hash of each message's number, to show `routing_eval` on the shipped data:

    .venv/bin/python bench/split_labelled.py /tmp/split
    .venv/bin/python manage.py routing_eval --train /tmp/split/A.csv --test /tmp/split/B.csv
"""

import csv
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src/zhitong/insights/data/tipdm2020c/messages-labelled-495.csv"


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "split")
    out.mkdir(parents=True, exist_ok=True)
    with open(SOURCE, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    parts = {"A": [], "B": []}
    for row in rows:
        digest = hashlib.sha256(row["留言编号"].encode()).digest()
        parts["B" if digest[0] % 5 == 0 else "A"].append(row)
    for name, part in parts.items():
        with open(out / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(part)
        print(f"{out / f'{name}.csv'}: {len(part)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
