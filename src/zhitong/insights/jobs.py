"""Retraining the router as a background job (queued from the router's page)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from zhitong.core.jobs import JobResult, PermanentError, job_kind, job_start
from zhitong.insights.services import InsightsError, retrain

RETRAIN = "insights.retrain"


@job_kind(RETRAIN)
def retrain_job(job, progress) -> JobResult:
    progress(0, 1, _("训练中"))
    try:
        version = retrain(by=job.requested_by)
    except InsightsError as error:
        raise PermanentError(str(error)) from error
    progress(1, 1, _("完成"))
    figures = version.figures
    if version.refusal:
        summary = _("第%(n)s版已训练，但未采用：%(why)s") % {
            "n": version.number,
            "why": version.refusal,
        }
    else:
        summary = _(
            "第%(n)s版已启用：准确率%(accuracy).1f%%，宏平均F1 %(f1).3f（留出样本%(rows)s条）。"
        ) % {
            "n": version.number,
            "accuracy": figures["accuracy"] * 100,
            "f1": figures["macro_f1"],
            "rows": figures["held_back"],
        }
    return JobResult(summary=summary, url=reverse("insights:router"))


def retrain_enqueue(*, by):
    """Queue a retraining, unless one is already waiting."""
    return job_start(kind=RETRAIN, by=by, label=_("重新训练分类模型"), single=True)
