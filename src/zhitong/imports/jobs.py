"""Background jobs of imports: a large structure file (deputies, stations, units)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from zhitong.core.jobs import JobResult, job_kind, uploaded_source
from zhitong.regions.models import Region

from .services import import_structure

STRUCTURE = "imports.structure"


@job_kind(STRUCTURE)
def run_structure_import(job, progress) -> JobResult:
    """The same import as the page's, by the task worker; its report is the batch's page."""
    batch = import_structure(
        kind=job.params["kind"],
        file=uploaded_source(job),
        file_name=job.params["file_name"],
        region=Region.objects.get(pk=job.params["region"]),
        by=job.requested_by,
        progress=progress,
    )
    progress(3, 3, _("完成"))
    if batch.succeeded:
        summary = _("导入成功：新增%(noun)s %(count)d 条。") % {
            "noun": batch.record_noun,
            "count": batch.created_count,
        }
    else:
        summary = _("文件有 %(count)d 处错误，没有导入任何数据。请按错误清单改正后重新上传。") % {
            "count": batch.error_count
        }
    return JobResult(
        summary=summary,
        url=reverse("imports:detail", args=[batch.pk]),
        failed=not batch.succeeded,
    )
