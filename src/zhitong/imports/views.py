"""Import pages: upload and history (/work/imports/), one result (/work/imports/<id>/), templates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhitong.accounts.invitations import invitation_days
from zhitong.accounts.rules import can_invite
from zhitong.accounts.selectors import roster_accounts_in_scope
from zhitong.core.jobs import job_start
from zhitong.core.sheets.layout import MAX_DATA_ROWS
from zhitong.core.spreadsheets import for_the_worker

from .forms import NotSignedInFilterForm, RosterAccountsForm, RosterUploadForm, UploadForm
from .jobs import STRUCTURE
from .layouts import LAYOUTS
from .models import ImportKind, PreviewStatus
from .people import (
    deputies_without_account,
    everyone_without_account,
    invitation_send,
    not_signed_in,
    roster_accounts_create,
    units_without_account,
)
from .roster import CHANGED, NEW, field_labels
from .rules import can_import
from .selectors import (
    access_import_batch,
    access_roster_preview,
    batches_for,
    roster_previews_for,
)
from .services import (
    RosterPreviewRefused,
    import_structure,
    roster_preview_apply,
    roster_preview_cancel,
    roster_preview_create,
)
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


# --- updating the deputy roster (更新代表名册) ------------------------------------------

PREVIEW_ROWS_PER_PAGE = 200


@login_required
@require_http_methods(["GET", "POST"])
def roster_upload(request):
    """Upload a roster to compare; the preview page shows what would change."""
    _check_importer(request.user)
    form = RosterUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        preview = roster_preview_create(
            file=upload,
            file_name=upload.name,
            region=form.cleaned_data["region"],
            by=request.user,
        )
        return redirect("imports:roster_preview", pk=preview.pk)
    page = Paginator(roster_previews_for(request.user), BATCHES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "imports/roster_upload.html",
        {"form": form, "page": page, "max_rows": MAX_DATA_ROWS},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_GET
def roster_preview(request, pk: int):
    _check_importer(request.user)
    preview = access_roster_preview(request.user, pk)
    # What will change first (changed, then new), each in file order; then the unchanged.
    order = {CHANGED: 0, NEW: 1}
    rows = sorted(preview.rows, key=lambda r: (order.get(r["action"], 2), r["row"]))
    labels = field_labels()
    # A rejected preview keeps no rows, only its errors: one page number serves either.
    page = Paginator(rows or preview.errors, PREVIEW_ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    if rows:
        for row in page.object_list:
            row["change_list"] = [
                {**c, "label": labels.get(c["field"], c["field"])} for c in row["changes"]
            ]
    return render(
        request,
        "imports/roster_preview.html",
        {
            "preview": preview,
            "page": page,
            "statuses": PreviewStatus,
        },
    )


@login_required
@require_POST
def roster_apply(request, pk: int):
    _check_importer(request.user)
    preview = access_roster_preview(request.user, pk)
    try:
        batch = roster_preview_apply(preview=preview, by=request.user)
    except RosterPreviewRefused as refused:
        messages.error(request, str(refused))
        return redirect("imports:roster_preview", pk=preview.pk)
    messages.success(
        request,
        _("名册已更新：新增代表 %(new)d 名，更新 %(changed)d 名。")
        % {"new": batch.created_count, "changed": batch.summary.get("updated", 0)},
    )
    return redirect("imports:detail", pk=batch.pk)


@login_required
@require_POST
def roster_cancel(request, pk: int):
    _check_importer(request.user)
    preview = access_roster_preview(request.user, pk)
    try:
        roster_preview_cancel(preview=preview, by=request.user)
    except RosterPreviewRefused as refused:
        messages.error(request, str(refused))
        return redirect("imports:roster_preview", pk=preview.pk)
    messages.info(request, _("已取消这次名册更新，没有写入任何数据。"))
    return redirect("imports:roster")


# --- accounts for the people on the rosters (全进网) -------------------------------------

CANDIDATES_SHOWN = 200


def _check_inviter(user) -> None:
    if not can_invite(user):
        raise PermissionDenied(_("只有系统管理员和常委会工作人员可以开通账号、发送邀请。"))


@login_required
@require_http_methods(["GET", "POST"])
def people(request):
    """Who on the rosters has no account (make them, with invitations), and who has
    not signed in yet (send the invitation again)."""
    _check_inviter(request.user)
    form = RosterAccountsForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["everyone"]:
            deputies, units = everyone_without_account(request.user)
        else:
            deputies, units = form.cleaned_data["deputies"], form.cleaned_data["units"]
        created = roster_accounts_create(by=request.user, deputies=deputies, units=units)
        messages.success(
            request,
            _("开通账号 %(made)d 个，已发送邀请 %(sent)d 个。")
            % {"made": len(created.accounts), "sent": len(created.invited)},
        )
        if created.unreachable:
            messages.warning(
                request,
                _(
                    "%(count)d 人没有手机号和邮箱，无法发送邀请：%(names)s。请补充联系方式后在下方重新发送。"
                )
                % {
                    "count": len(created.unreachable),
                    "names": "、".join(u.get_full_name() for u in created.unreachable[:20]),
                },
            )
        return redirect("imports:people")
    filters = NotSignedInFilterForm(request.GET or None)
    role, after = "", 0
    if filters.is_valid():
        role = filters.cleaned_data["role"] or ""
        after = filters.cleaned_data["after"] or 0
    rows, next_after = not_signed_in(request.user, role=role, after=after)
    deputies = deputies_without_account(request.user)
    units = units_without_account(request.user)
    return render(
        request,
        "imports/people.html",
        {
            "form": form,
            "filters": filters,
            "rows": rows,
            "role": role,
            "after": after,
            "next_after": next_after,
            "deputy_count": deputies.count(),
            "unit_count": units.count(),
            "shown": CANDIDATES_SHOWN,
            "days": invitation_days(),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def invite_again(request, pk: int):
    _check_inviter(request.user)
    account = roster_accounts_in_scope(request.user).filter(pk=pk).first()
    if account is None:
        raise Http404
    if invitation_send(user=account, by=request.user):
        messages.success(
            request,
            _("已重新发送邀请给“%(name)s”，之前的邀请链接已作废。")
            % {"name": account.get_full_name()},
        )
    else:
        messages.error(
            request,
            _("“%(name)s”没有手机号或邮箱，无法发送邀请。请先在管理后台补充联系方式。")
            % {"name": account.get_full_name()},
        )
    return redirect("imports:people")
