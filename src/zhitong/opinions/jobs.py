"""Background jobs of opinions: the ledger export of a queue filter (意见建议台账), and the
import of a large offline ledger."""

import io

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhitong.core.jobs import JobFile, JobResult, job_kind, uploaded_source
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


def ledger_label(fmt: str, query: str) -> str:
    """How a ledger export is named on its job's page and in the read records."""
    return _("意见建议台账（%(format)s）：%(filter)s") % {
        "format": "CSV" if fmt == "csv" else "Excel",
        "filter": query or _("全部"),
    }


def ledger_file(rows, fmt: str) -> JobFile:
    """The ledger of `rows`, whole, as CSV or .xlsx: built in the request for a small one,
    by the task worker for a large one."""
    if fmt == "csv":
        data = "".join(export.csv_chunks(rows)).encode("utf-8")
        return JobFile(ledger_file_name("csv"), "text/csv; charset=utf-8", data)
    buffer = io.BytesIO()
    export.write_xlsx(rows, buffer)
    return JobFile(ledger_file_name("xlsx"), XLSX, buffer.getvalue())


@job_kind(LEDGER)
def build_ledger(job, progress) -> JobFile:
    """The whole ledger, as the requester may see it now (their scope is checked again)."""
    opinions = ledger_opinions(job.requested_by, job.params.get("query", ""))
    return ledger_file(export.counted_rows(opinions, progress), job.params.get("format", "xlsx"))


LEDGER_IMPORT = "opinions.ledger_import"
# Opinions named on the job's page after a ledger import (all of them are in the queue).
CREATED_SHOWN = 100


@job_kind(LEDGER_IMPORT)
def run_ledger_import(job, progress) -> JobResult:
    """A large offline ledger, imported by the task worker as the page would."""
    from zhitong.opinions import intake
    from zhitong.regions.models import Region

    result = intake.opinions_import_ledger(
        by=job.requested_by,
        file=uploaded_source(job),
        file_name=job.params["file_name"],
        district=Region.objects.get(pk=job.params["district"]),
        progress=progress,
    )
    progress(3, 3, _("完成"))
    if not result.succeeded:
        return JobResult(
            summary=_("文件有 %(count)d 处错误，没有导入任何意见。请按错误清单改正后重新上传。")
            % {"count": result.error_count},
            errors=result.errors,
            failed=True,
        )
    return JobResult(
        summary=_("导入成功：%(count)d 条意见已进入意见队列。") % {"count": len(result.created)},
        url=reverse("opinions:queue"),
        created=[
            {"code": opinion.tracking_code, "subject": opinion.subject}
            for opinion in result.created[:CREATED_SHOWN]
        ],
    )
