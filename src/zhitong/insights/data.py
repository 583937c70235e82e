"""The shipped real messages (data/tipdm2020c, its README) and files of labelled messages
in the same shape, read for the router.

Files given to `routing_eval` are the operator's own (a command, not an upload): they are
read whole, .csv (UTF-8, or GB18030 as Excel in China writes it), .csv.gz or .xlsx.
"""

from __future__ import annotations

import csv
import datetime
import functools
import gzip
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from zhitong.insights.router import Background, Message, Router, Terms
from zhitong.insights.topics import Item

DATA = Path(__file__).resolve().parent / "data" / "tipdm2020c"
LABELLED = DATA / "messages-labelled-495.csv"
VOTES = DATA / "messages-with-votes-4326.csv.gz"
REPLIES = DATA / "messages-with-replies-2816.csv.gz"
TAXONOMY = DATA / "taxonomy-3-level.csv"

TITLE = "留言主题"
TEXT = "留言详情"
LABEL = "一级分类"
_SPACE = re.compile(r"\s+")


class DataError(Exception):
    pass


def _decode(raw: bytes) -> str:
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    raise DataError("the file is neither UTF-8 nor GB18030 text")


def rows(path: Path | str) -> Iterator[dict[str, str]]:
    """Each row of the file's first sheet as {header: text}."""
    path = Path(path)
    name = path.name.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            found = book.worksheets[0].iter_rows(values_only=True)
            header = [str(v).strip() if v is not None else "" for v in next(found, ())]
            for values in found:
                if values is None or all(v is None for v in values):
                    continue
                yield {
                    h: ("" if v is None else str(v).strip())
                    for h, v in zip(header, values, strict=False)
                }
        finally:
            book.close()
        return
    if name.endswith(".csv.gz"):
        raw = gzip.decompress(path.read_bytes())
    elif name.endswith(".csv"):
        raw = path.read_bytes()
    else:
        raise DataError(f"{path.name}: only .csv, .csv.gz and .xlsx files are read")
    for row in csv.DictReader(io.StringIO(_decode(raw))):
        yield {(k or "").strip(): (v or "").strip() for k, v in row.items()}


@dataclass
class Labelled:
    messages: list[Message]
    labels: list[str]


def labelled(
    path: Path | str, *, title: str = TITLE, text: str = TEXT, label: str = LABEL
) -> Labelled:
    """The file's messages with a label (rows without one are skipped)."""
    found = Labelled([], [])
    for number, row in enumerate(rows(path), start=2):
        if number == 2:
            missing = [c for c in (title, text, label) if c not in row]
            if missing:
                raise DataError(
                    f"{Path(path).name}: no column {', '.join(missing)} (columns: {', '.join(row)})"
                )
        if not row.get(label):
            continue
        found.messages.append(Message(row.get(title, ""), row.get(text, "")))
        found.labels.append(row[label])
    if not found.messages:
        raise DataError(f"{Path(path).name}: no labelled rows")
    return found


_DATE_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")


def when(text: str) -> datetime.datetime:
    """A 留言时间 as the shipped files write it ("2019/8/19 11:34:04", "2019-08-19 ...")."""
    value = (text or "").strip().replace("-", "/")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise DataError(f"not a date: {text!r}")


def with_votes() -> list[Item]:
    """The shipped messages with votes, as topics' items (votes: 点赞数; person: 留言用户)."""
    return [
        Item(
            id=row["留言编号"],
            message=Message(row.get(TITLE, ""), row.get(TEXT, "")),
            at=when(row["留言时间"]),
            votes=int(row.get("点赞数") or 0),
            person=row.get("留言用户", ""),
        )
        for row in rows(VOTES)
    ]


def unlabelled() -> list[Message]:
    """The shipped messages without a label (with votes, and with replies)."""
    return [Message(r.get(TITLE, ""), r.get(TEXT, "")) for p in (VOTES, REPLIES) for r in rows(p)]


def _key(message: Message) -> str:
    return _SPACE.sub("", message.text) or _SPACE.sub("", message.title)


@functools.cache
def background() -> Background:
    """The router's background corpus, counted once per process: the shipped unlabelled
    messages, each once, without those that are also among the labelled ones."""
    labelled_keys = {_key(m) for m in labelled(LABELLED).messages}
    seen: set[str] = set()
    pool = []
    for message in unlabelled():
        key = _key(message)
        if key and key not in seen and key not in labelled_keys:
            seen.add(key)
            pool.append(message)
    return Background(pool)


@functools.cache
def terms() -> Terms:
    """The shipped taxonomy's subject names (二级 and 三级) by first-level class."""
    return Terms([(first, name) for first, second, third in taxonomy() for name in (second, third)])


def make_router() -> Router:
    """An unfitted router on the shipped background corpus and taxonomy."""
    return Router(background(), terms())


def taxonomy() -> list[tuple[str, str, str]]:
    """The three-level taxonomy's rows (一级, 二级, 三级)."""
    return [(r["一级分类"], r["二级分类"], r["三级分类"]) for r in rows(TAXONOMY)]


# A taxonomy row is a subject's name, not a message; as a training row it counts twice
# (measured: docs/insights.md).
TAXONOMY_WEIGHT = 2.0


def taxonomy_prior(classes: set[str], mapping: dict[str, str] | None = None):
    """The taxonomy's subjects (二级 and 三级 names) as prior rows of the first-level
    classes in `classes` (after `mapping`, first-level name → label, where given):
    (messages, labels, weights)."""
    messages, labels = [], []
    for first, second, third in taxonomy():
        label = (mapping or {}).get(first, first if mapping is None else None)
        if label in classes:
            messages.append(Message(f"{second} {third}", ""))
            labels.append(label)
    return messages, labels, [TAXONOMY_WEIGHT] * len(labels)
