"""Hostile spreadsheet uploads: the CPU time and peak memory of reading each one the way an
import does (zhitong.imports.reader.read_sheet, which opens it with zhitong.core.spreadsheets),
next to a good file of 5,000 rows.

Run: `.venv/bin/python bench/bench_spreadsheets.py` (no database needed). Prints a Markdown
table. CPU is time.process_time() of the reading alone (the file is built first); memory
is tracemalloc's peak in a second, separate reading (tracing slows the reading down).
"""

import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhitong.settings_test")


def main():
    import django

    django.setup()
    from zhitong.imports.layouts import LAYOUTS
    from zhitong.imports.reader import FileRejected, read_sheet
    from zhitong.imports.tests.xlsx import DEPUTY_HEADER, deputy_row
    from zhitong.testing import hostile_xlsx as hostile

    files = {
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

    def read(data):
        try:
            return f"read {len(read_sheet(data, LAYOUTS['deputies']).rows)} rows"
        except FileRejected as rejected:
            return rejected.issue.message.split("。")[0]

    print("| file | size | CPU s | peak MB | outcome |")
    print("|---|---:|---:|---:|---|")
    for label, build in files.items():
        data = build()
        start = time.process_time()
        outcome = read(data)
        cpu = time.process_time() - start
        tracemalloc.start()
        read(data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"| {label} | {len(data) / 1024:,.0f} KB | {cpu:.2f} | {peak / 2**20:.1f} | {outcome} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
