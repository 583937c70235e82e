"""The statistics refresh as a background job: queued by an import and by `--enqueue`."""

import datetime

from django.utils.translation import gettext as _

from zhitong.core.jobs import JobResult, job_kind, job_start
from zhitong.dashboards.services import figures_refresh_changed

REFRESH = "dashboards.refresh"


@job_kind(REFRESH, attempts=3, backoff=datetime.timedelta(minutes=5))
def refresh_figures(job, progress) -> JobResult:
    """The scheduled command's work; single-flight by its lease like the command."""
    written = figures_refresh_changed()
    if written is None:
        return JobResult(summary=_("另一次统计更新正在进行，本次未做任何事。"))
    return JobResult(summary=_("统计数据已更新：写入 %(count)d 行。") % {"count": written})


def figures_refresh_enqueue():
    """Queue a refresh for the worker, unless one is already waiting (one is enough: it
    sees every change made before it runs)."""
    return job_start(kind=REFRESH, label=_("更新统计数据"), single=True)


def refresh_after_import(sender, **kwargs) -> None:
    figures_refresh_enqueue()
