"""The booklet (建议汇编): how long WeasyPrint takes to lay out and write the PDF of a
session's suggestions (default 300), as the background job does it (`booklet_pdf`: the body
in chunks with progress, then the cover and contents with each suggestion's page).

Run: `.venv/bin/python bench/bench_booklet.py` (no database needed: the entries are made
in memory, as `booklet_entries` would read them in three queries). Options via env:
BENCH_BOOKLET_SIZE=300, BENCH_REPEATS=3. Prints each run's wall-clock and CPU time, the medians, the pages and size.
"""

import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhitong.settings_test")

SIZE = int(os.environ.get("BENCH_BOOKLET_SIZE", "300"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
CATEGORIES = ["城乡建设", "教育科技", "卫生健康", "交通出行", "生态环境", "民生保障", "物业管理"]
UNITS = ["区住房和城市更新局", "区教育局", "区卫生健康局", "区交通运输局", "区生态环境局"]
PARAGRAPH = (
    "近年来，随着城市更新工作的深入推进，辖区内部分老旧小区的基础设施已难以满足居民日常生活需要，"
    "群众反映强烈。经实地走访和座谈了解，主要问题集中在道路破损、排水不畅、停车位不足、照明设施老化等方面。"
    "为此建议：一是统筹安排专项资金，分年度实施改造；二是建立居民议事机制，广泛听取群众意见；"
    "三是明确责任单位和完成时限，加强督促检查，确保改造工作取得实效。"
)


def entries(size: int):
    from zhitong.suggestions.booklet import Entry

    made = []
    for i in range(size):
        made.append(
            Entry(
                pk=i + 1,
                reference=f"第16届4次会议第{i + 1}号",
                number=i + 1,
                during_session=True,
                title=f"关于加快推进第{i + 1}片区老旧小区综合改造的建议",
                lead=f"代表{i % 97:02d}",
                cosigners=[f"联名代表{(i + k) % 89:02d}" for k in range(i % 5)],
                category=CATEGORIES[i * len(CATEGORIES) // size],
                lead_unit=UNITS[i % len(UNITS)],
                co_units=[UNITS[(i + 1) % len(UNITS)]] if i % 3 else [],
                content="\n".join([PARAGRAPH] * (2 + i % 3)),
            )
        )
    return made


def main() -> None:
    import django

    django.setup()
    import pypdf

    from zhitong.suggestions.booklet import booklet_pdf

    times, cpu_times = [], []
    data = b""
    for run in range(1, REPEATS + 1):
        made = entries(SIZE)
        start, cpu = time.perf_counter(), time.process_time()
        data = booklet_pdf(
            district="武昌区", session="武昌区第十六届人民代表大会第四次会议", entries=made
        )
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        times.append(elapsed)
        cpu_times.append(cpu)
        print(f"run {run}: {elapsed:.1f} s (CPU {cpu:.1f} s)")
    pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
    print(
        f"{SIZE} suggestions: median {statistics.median(times):.1f} s "
        f"(CPU {statistics.median(cpu_times):.1f} s) of {REPEATS} runs; "
        f"{pages} pages, {len(data) / 1024 / 1024:.1f} MiB"
    )


if __name__ == "__main__":
    main()
