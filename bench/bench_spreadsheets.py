"""Hostile spreadsheet uploads: the CPU time and peak memory of reading each one the way an
import does (zhitong.core.sheets.reader.read_sheet, which opens it with zhitong.core.spreadsheets),
next to a good file of 5,000 rows.

Run: `.venv/bin/python bench/bench_spreadsheets.py` (no database needed). Prints a Markdown
table. Each file is read in a fresh process: CPU is time.process_time() of the reading
alone (the file is built first), memory the growth of the process's peak resident size
(ru_maxrss) over the reading.
"""

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhitong.settings_test")


def hostile_files() -> dict:
    from zhitong.imports.tests.xlsx import DEPUTY_HEADER, deputy_row
    from zhitong.testing import hostile_xlsx as hostile

    return {
        "good roster, 5,000 rows": lambda: hostile.plain_workbook(
            DEPUTY_HEADER,
            *(deputy_row(name=f"张{i}", mobile=f"138{i:08d}") for i in range(5000)),
        ),
        "shared strings, 150 MB unpacked": hostile.shared_strings_bomb,
        "member of 40 MB of zeros": hostile.deflate_bomb,
        "1,000,000 styled empty cells": hostile.styled_empty_cells,
        "one row of 790,000 cells": hostile.one_giant_row,
        "790,000 elements openpyxl keeps": hostile.unknown_elements,
        "one shared string of 200,000 runs": hostile.one_giant_string,
        "40 rows out to column XFD": hostile.far_right_cells,
        "a cell in row 1048576": lambda: hostile.far_away_row(
            tuple(DEPUTY_HEADER), tuple(deputy_row())
        ),
        "1,000,000 short shared strings": lambda: hostile.many_small_strings(1_000_000),
        "100,000 cell formats": hostile.style_explosion,
        "48,000 cell formats (the most accepted)": lambda: hostile.style_explosion(48_000),
        "20,000 members": hostile.many_members,
        "document type declaration": hostile.with_doctype,
        "size header 1 MB for 150 MB": lambda: hostile.lying_size(
            hostile.shared_strings_bomb(), "xl/sharedStrings.xml", hostile.MiB
        ),
    }


def measure(label: str) -> str:
    """One table row: the file `label` read in this process."""
    from zhitong.core.sheets.reader import FileRejected, read_sheet
    from zhitong.imports.layouts import LAYOUTS

    data = hostile_files()[label]()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.process_time()
    try:
        outcome = f"read {len(read_sheet(data, LAYOUTS['deputies']).rows)} rows"
    except FileRejected as rejected:
        outcome = rejected.issue.message.split("。")[0]
    cpu = time.process_time() - start
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return f"| {label} | {len(data) / 1024:,.0f} KB | {cpu:.2f} | {grown:.0f} | {outcome} |"


def main():
    import django

    django.setup()
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(measure(sys.argv[2]), flush=True)
        return
    print("| file | size | CPU s | peak memory growth, MB | outcome |")
    print("|---|---:|---:|---:|---|")
    for label in hostile_files():
        subprocess.run([sys.executable, __file__, "--one", label], check=True)  # noqa: S603 - our own script


if __name__ == "__main__":
    main()
