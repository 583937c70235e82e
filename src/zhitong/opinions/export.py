"""The opinion ledger (意见建议台账) of the queue's current filter, as .xlsx or UTF-8 CSV.

The columns are those an office files. Rows are read in chunks (an iterator with
prefetching per chunk), so a large export never holds every opinion in memory; the CSV is
streamed as it is written, the .xlsx is written by openpyxl's write-only mode to a
temporary file and then sent. Citizens' names and phone numbers that appear in the
summary or the reply are masked as in the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhitong.core.masking import mask_name, mask_phone
from zhitong.core.sheets import writer
from zhitong.handling.models import Assignment, Reply
from zhitong.opinions.models import Opinion

CHUNK_SIZE = 1000
SUMMARY_LENGTH = 120
REPLY_LENGTH = 300


def ledger_headers() -> list[str]:
    return [
        _("编号"),
        _("时间"),
        _("渠道"),
        _("街道"),
        _("站点"),
        _("代表"),
        _("类别"),
        _("内容摘要"),
        _("承办单位"),
        _("期限"),
        _("状态"),
        _("答复"),
        _("满意度"),
    ]


# Column widths in characters (a CJK character is about two).
COLUMN_WIDTHS = [14, 17, 14, 16, 24, 10, 22, 60, 30, 16, 12, 60, 10]

_PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)")


def _mask_personal(text: str, name: str) -> str:
    """Mask mobile numbers, and the submitter's own name, wherever they appear in `text`."""
    text = _PHONE.sub(lambda m: mask_phone(m.group(0)), text)
    name = (name or "").strip()
    if len(name) >= 2:
        text = text.replace(name, mask_name(name))
    return text


def _shorten(text: str, length: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


def ledger_queryset(opinions: QuerySet[Opinion]) -> QuerySet[Opinion]:
    """`opinions` with what a ledger row needs: related names, referrals, replies, ratings."""
    return opinions.select_related(
        "category", "category__parent", "street", "station", "deputy"
    ).prefetch_related(
        Prefetch(
            "referrals",
            queryset=Assignment.objects.exclude(
                state__in=[Assignment.State.WITHDRAWN, Assignment.State.RETURNED]
            ).order_by("role", "-assigned_at", "id"),
            to_attr="ledger_referrals",
        ),
        Prefetch(
            "replies",
            queryset=Reply.objects.select_related("rating").order_by("created_at", "id"),
            to_attr="ledger_replies",
        ),
    )


def ledger_row(opinion: Opinion) -> list[str]:
    """One opinion as the thirteen ledger cells (text)."""
    leads = [r for r in opinion.ledger_referrals if r.role == Assignment.Role.LEAD]
    cos = [r for r in opinion.ledger_referrals if r.role == Assignment.Role.CO]
    lead = leads[0] if leads else None
    units = lead.unit_name if lead else ""
    if cos:
        co_names = "、".join(r.unit_name for r in cos)
        units = (units + "；" if units else "") + _("协办：%(units)s") % {"units": co_names}
    due = ""
    if lead and lead.due_date:
        due = lead.due_date.isoformat()
        if lead.deadline_provisional:
            due += _("（暂定）")
    replies = opinion.ledger_replies
    reply_text = ""
    rating = ""
    if replies:
        last = replies[-1]
        reply_text = last.text_sent or last.text
        ratings = sorted(
            (r for reply in replies if (r := getattr(reply, "rating", None)) is not None),
            key=lambda r: (r.created_at, r.pk),
        )
        if ratings:
            rating = ratings[-1].get_score_display()
    summary = opinion.subject
    if opinion.content:
        summary = f"{opinion.subject}：{opinion.content}"
    name = opinion.submitter_name
    return [
        opinion.tracking_code,
        timezone.localtime(opinion.received_at).strftime("%Y-%m-%d %H:%M"),
        opinion.get_channel_display(),
        opinion.street.name if opinion.street_id else "",
        opinion.station.name if opinion.station_id else "",
        opinion.deputy.name if opinion.deputy_id else "",
        str(opinion.category) if opinion.category_id else "",
        _mask_personal(_shorten(summary, SUMMARY_LENGTH), name),
        units,
        due,
        opinion.get_status_display(),
        _mask_personal(_shorten(reply_text, REPLY_LENGTH), name),
        rating,
    ]


def ledger_rows(opinions: QuerySet[Opinion]) -> Iterator[list[str]]:
    """Ledger rows of `opinions` in their order, read CHUNK_SIZE at a time."""
    for opinion in ledger_queryset(opinions).iterator(chunk_size=CHUNK_SIZE):
        yield ledger_row(opinion)


def csv_chunks(rows: Iterable[list[str]]) -> Iterator[str]:
    """The ledger as CSV text (zhitong.core.sheets.writer: a byte order mark first, cells
    that start like a formula kept as text)."""
    return writer.csv_chunks(ledger_headers(), rows)


def write_xlsx(rows: Iterable[list[str]], target) -> None:
    """Write the ledger workbook to `target` (a path or binary file): one sheet, the header
    styled and frozen, the columns sized (zhitong.core.sheets.writer)."""
    writer.write_xlsx(
        title=_("意见建议台账"),
        headers=ledger_headers(),
        rows=rows,
        target=target,
        widths=COLUMN_WIDTHS,
    )


# --- large ledgers as background jobs ---------------------------------------------------------

# Up to this many rows a ledger is built in the request; beyond, by the task worker.
INLINE_MAX_ROWS = 5000


def counted_rows(opinions: QuerySet[Opinion], progress) -> Iterator[list[str]]:
    """The ledger's rows, reporting progress as they are read."""
    total = opinions.count()
    progress(0, total)
    for done, row in enumerate(ledger_rows(opinions), start=1):
        progress(done, total)
        yield row
