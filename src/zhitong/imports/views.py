"""Import pages: upload and history (/work/imports/), one result (/work/imports/<id>/), templates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhitong.core.jobs import job_start
from zhitong.core.sheets.layout import MAX_DATA_ROWS
from zhitong.core.spreadsheets import for_the_worker

from .forms import UploadForm
from .jobs import STRUCTURE
from .layouts import LAYOUTS
from .models import ImportKind
from .rules import can_import
from .selectors import access_import_batch, batches_for
from .services import import_structure
from .workbooks import template_filename, template_workbook

BATCHES_PER_PAGE = 20
ERRORS_PER_PAGE = 200


def _check_importer(user) -> None:
    if not can_import(user):
        raise PermissionDenied(_("只有系统管理员和常委会工作人员可以导入数据。"))


@login_required
@require_http_methods(["GET", "POST"])
def batch_list(request):
    _check_importer(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if for_the_worker(upload):
            # A large file is imported by the task worker; its page shows the progress and
            # then links to the batch's report.
            job = job_start(
                kind=STRUCTURE,
                by=request.user,
                label=_("导入%(kind)s：%(file)s")
                % {"kind": ImportKind(form.cleaned_data["kind"]).label, "file": upload.name},
                params={
                    "kind": form.cleaned_data["kind"],
                    "region": form.cleaned_data["region"].pk,
                    "file_name": upload.name[:255],
                },
                source=upload,
                source_name="import.xlsx",
            )
            return redirect("core:job", pk=job.pk)
        batch = import_structure(
            kind=form.cleaned_data["kind"],
            file=upload,
            file_name=upload.name,
            region=form.cleaned_data["region"],
            by=request.user,
        )
        if batch.succeeded:
            messages.success(
                request,
                _("导入成功：新增%(noun)s %(count)d 条。")
                % {"noun": batch.record_noun, "count": batch.created_count},
            )
        else:
            messages.error(
                request,
                _("文件有 %(count)d 处错误，没有导入任何数据。请按下表改正后重新上传。")
                % {"count": batch.error_count},
            )
        return redirect("imports:detail", pk=batch.pk)
    page = Paginator(batches_for(request.user), BATCHES_PER_PAGE).get_page(request.GET.get("page"))
    templates = [
        {"kind": kind, "label": label, "layout": LAYOUTS[kind]}
        for kind, label in ImportKind.choices
    ]
    return render(
        request,
        "imports/batch_list.html",
        {"form": form, "page": page, "templates": templates, "max_rows": MAX_DATA_ROWS},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_GET
def batch_detail(request, pk: int):
    _check_importer(request.user)
    batch = access_import_batch(request.user, pk)
    errors = Paginator(batch.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "imports/batch_detail.html", {"batch": batch, "errors": errors})


@login_required
@require_GET
def template_download(request, kind: str):
    _check_importer(request.user)
    if kind not in LAYOUTS:
        raise Http404
    response = HttpResponse(
        template_workbook(kind),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(True, template_filename(kind))
    return response
