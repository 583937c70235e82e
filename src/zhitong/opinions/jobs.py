"""Background jobs of opinions: the ledger export of a queue filter (意见建议台账)."""

import io

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from zhitong.core.jobs import JobFile, job_kind
from zhitong.opinions import export, search, selectors

LEDGER = "opinions.ledger"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledger_opinions(user, query: str):
    """The opinions of the queue filter in `query`, as `user` may see them, in its order."""
    from zhitong.opinions import forms_work

    form = forms_work.QueueFilterForm(QueryDict(query) or None, user=user)
    flt = form.queue_filter()
    return search.ordered(
        search.apply_filters(
            search.with_planner_hint(selectors.opinions_visible_to(user), user), flt
        ),
        flt.order,
    )


def ledger_file_name(fmt: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{_('意见建议台账')}-{stamp}.{'csv' if fmt == 'csv' else 'xlsx'}"


@job_kind(LEDGER)
def build_ledger(job, progress) -> JobFile:
    """The whole ledger, as the requester may see it now (their scope is checked again)."""
    fmt = job.params.get("format", "xlsx")
    opinions = ledger_opinions(job.requested_by, job.params.get("query", ""))
    rows = export.counted_rows(opinions, progress)
    if fmt == "csv":
        data = "".join(export.csv_chunks(rows)).encode("utf-8")
        return JobFile(ledger_file_name("csv"), "text/csv; charset=utf-8", data)
    buffer = io.BytesIO()
    export.write_xlsx(rows, buffer)
    return JobFile(ledger_file_name("xlsx"), XLSX, buffer.getvalue())
