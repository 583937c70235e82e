"""Core pages: the audit page (读取记录) and the requester's background jobs (后台任务)."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from zhitong.core.audit import access_record
from zhitong.core.jobs import (
    access_job,
    job_retry,
    jobs_of,
    may_manage_jobs,
    system_jobs_needing_attention,
)
from zhitong.core.models import AccessRecord, Job
from zhitong.core.paging import id_cursor

PAGE_SIZE = 50


class AccessFilterForm(forms.Form):
    actor = forms.CharField(label=_("读取人"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("操作"),
        required=False,
        choices=[("", _("全部"))] + list(AccessRecord.Action.choices),
    )
    text = forms.CharField(
        label=_("内容包含"),
        required=False,
        max_length=100,
        help_text=_("查询码、文件名或导出条件"),
    )
    start = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return cleaned


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@login_required
@require_GET
def access_records_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("core.view_access_records"):
        raise PermissionDenied(_("只有审计人员可以查看读取记录。"))
    form = AccessFilterForm(request.GET or None)
    records = AccessRecord.objects.order_by("-id")
    status = 200
    if form.is_bound and not form.is_valid():
        records = records.none()
        status = 400
    elif form.is_bound:
        data = form.cleaned_data
        if data["actor"]:
            records = records.filter(actor_name__icontains=data["actor"])
        if data["action"]:
            records = records.filter(action=data["action"])
        if data["text"]:
            records = records.filter(detail__icontains=data["text"])
        if data["start"]:
            records = records.filter(at__gte=_day_start(data["start"]))
        if data["end"]:
            records = records.filter(at__lt=_day_start(data["end"] + datetime.timedelta(days=1)))
    before = id_cursor(request.GET.get("before"))
    if before is not None:
        records = records.filter(id__lt=before)
    rows = list(records[: PAGE_SIZE + 1])
    next_cursor = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "core/access_records.html",
        {
            "form": form,
            "rows": rows[:PAGE_SIZE],
            "next_cursor": next_cursor,
            "query": query.urlencode(),
            "is_first_page": before is None,
        },
        status=status,
    )


# --- background jobs --------------------------------------------------------------------


@login_required
@require_GET
def jobs_view(request: HttpRequest) -> HttpResponse:
    jobs = list(jobs_of(request.user)[:PAGE_SIZE])
    system_jobs = list(system_jobs_needing_attention(request.user)[:PAGE_SIZE])
    return render(
        request,
        "core/jobs.html",
        {"jobs": jobs, "system_jobs": system_jobs, "manages": may_manage_jobs(request.user)},
    )


@login_required
@require_GET
def job_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_job(request.user, pk)
    manages = may_manage_jobs(request.user)
    attempts = list(job.attempt_rows.order_by("number")) if manages else []
    return render(request, "core/job.html", {"job": job, "attempts": attempts, "manages": manages})


@login_required
@require_POST
def job_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_job(request.user, pk)
    job_retry(job=job, by=request.user)
    return redirect("core:job", pk=job.pk)


@login_required
@require_GET
def job_download_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_job(request.user, pk)
    if job.state != Job.State.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    access_record(request, action=AccessRecord.Action.EXPORT, subject=job, detail=job.label)
    return FileResponse(
        handle, as_attachment=True, filename=job.file_name, content_type=job.content_type
    )
