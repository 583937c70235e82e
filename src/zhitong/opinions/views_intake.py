"""Work pages for taking opinions in: record one (a station visit), enter a batch from an
event, import an offline ledger (/work/opinions/record/, sessions/new/, import/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhitong.core.jobs import job_start
from zhitong.core.sheets.layout import MAX_DATA_ROWS
from zhitong.core.sheets.template import layout_workbook
from zhitong.core.spreadsheets import for_the_worker
from zhitong.notifications.selectors import message_sent_about
from zhitong.opinions import intake
from zhitong.opinions import jobs as opinion_jobs
from zhitong.opinions.forms_intake import (
    SESSION_ROWS,
    SESSION_ROWS_STEP,
    LedgerUploadForm,
    RecordForm,
    SessionForm,
    recording_context,
    session_formset,
    station_from_query,
)
from zhitong.opinions.ledger_import import LEDGER_LAYOUT, can_import_ledger, category_example
from zhitong.opinions.phones import is_mobile
from zhitong.opinions.selectors import access_opinion, opinions_visible_to
from zhitong.opinions.views_public import new_submission_key, read_submission_key

SESSION_OPINIONS_PER_PAGE = 50
ERRORS_PER_PAGE = 200
CREATED_SHOWN = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _check_recorder(user) -> None:
    if not intake.may_record_at_all(user):
        raise PermissionDenied(
            _("只有人大代表、联络员、街道人大工委和常委会工作人员可以录入意见。")
        )


def _case_url(pk: int) -> str:
    # The case page belongs to the work pages; without it the confirmation still works.
    try:
        return reverse("opinions:detail", args=[pk])
    except NoReverseMatch:
        return ""


def _rows_wanted(value, default: int = SESSION_ROWS) -> int:
    try:
        rows = int(value)
    except (TypeError, ValueError):
        return default
    return max(1, min(rows, intake.MAX_SESSION_ROWS))


# --- one opinion ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def record(request):
    """A deputy or liaison takes down an opinion at a station visit (联络站接待录入)."""
    _check_recorder(request.user)
    context = recording_context(request.user)
    status = 200
    station_refused = False
    if request.method == "POST":
        signed = request.POST.get("submission_key", "")
        key = read_submission_key(signed)
        existing = intake.opinion_by_submission_key(key)
        if existing is not None and existing.recorded_by_id == request.user.pk:
            return redirect("opinions:recorded", pk=existing.pk)
        form = RecordForm(request.POST, request.FILES, context=context)
        if key is None:
            form.is_valid()
            form.add_error(None, _("页面已过期，请检查填写的内容，再点一次“保存”。"))
            signed = new_submission_key()
        elif form.is_valid():
            data = form.cleaned_data
            try:
                opinion = intake.opinion_record(
                    by=request.user,
                    data=form.opinion_data(),
                    photos=data["photos"],
                    station=data.get("station"),
                    deputy=data.get("deputy"),
                    channel=data["channel"],
                    received_at=data["received_on"],
                    submission_key=key,
                )
            except PermissionDenied as error:
                form.add_error("station", str(error))
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    _("已录入。查询码：%(code)s") % {"code": opinion.tracking_code},
                )
                response = redirect("opinions:recorded", pk=opinion.pk)
                response.status_code = 303
                return response
        status = 400
    else:
        # A home page's "录入意见" links with ?station=<id>: that station comes chosen, if
        # the user may record at it; any other value is set aside and said so.
        asked = request.GET.get("station", "")
        chosen = station_from_query(asked, context)
        station_refused = bool(asked) and chosen is None
        form = RecordForm(context=context, initial={"station": chosen.pk} if chosen else None)
        signed = new_submission_key()
    return render(
        request,
        "opinions/intake/record.html",
        {
            "form": form,
            "station_refused": station_refused,
            "submission_key": signed,
            "has_targets": bool(context["stations"] or context["places"]),
            "photos_dropped": request.method == "POST" and bool(request.FILES),
        },
        status=status,
    )


@login_required
@require_GET
def recorded(request, pk: int):
    """The confirmation after recording: the tracking code to tell the visitor."""
    _check_recorder(request.user)
    opinion = access_opinion(request.user, pk)
    return render(
        request,
        "opinions/intake/recorded.html",
        {
            "opinion": opinion,
            "case_url": _case_url(opinion.pk),
            # What the page may claim: a text message reaches a mobile number only.
            "code_sent": message_sent_about(opinion),
            "mobile": is_mobile(opinion.submitter_phone),
        },
    )


# --- a batch from one event ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request):
    """Batch entry for an event (半月谈、夜话): one event, many opinions, all or nothing.

    Works without JavaScript: N blank rows (?rows=N), and a "more rows" button that
    posts what was typed and comes back with more rows.
    """
    _check_recorder(request.user)
    context = recording_context(request.user)
    status = 200
    adding = False
    batch_error = None
    if request.method == "POST":
        data = request.POST.copy()
        adding = "add_rows" in data
        if adding:
            total = _rows_wanted(data.get("rows-TOTAL_FORMS"), 0) + SESSION_ROWS_STEP
            data["rows-TOTAL_FORMS"] = str(min(total, intake.MAX_SESSION_ROWS))
        rows = _rows_wanted(data.get("rows-TOTAL_FORMS"))
        form = SessionForm(data, context=context)
        formset = session_formset(rows)(data, prefix="rows", form_kwargs={"context": context})
        if not adding:
            form_ok = form.is_valid()
            rows_ok = formset.is_valid()
            if form_ok and rows_ok:
                filled = [f for f in formset.forms if f.has_changed()]
                try:
                    session = intake.intake_session_record(
                        by=request.user,
                        session_data=form.session_data(),
                        opinions=[f.opinion_data() for f in filled],
                    )
                except PermissionDenied as error:
                    form.add_error("station", str(error))
                except intake.BatchInvalid as error:
                    batch_error = error
                    for name, messages_ in error.session_errors.items():
                        form.add_error(None if name == "__all__" else name, messages_)
                    for index, row_error in error.row_errors.items():
                        filled[index].add_service_errors(row_error)
                else:
                    messages.success(
                        request,
                        _("已保存活动“%(title)s”及 %(count)d 条意见。")
                        % {"title": session.title, "count": len(filled)},
                    )
                    response = redirect("opinions:session_detail", pk=session.pk)
                    response.status_code = 303
                    return response
            status = 400
    else:
        rows = _rows_wanted(request.GET.get("rows"))
        form = SessionForm(context=context)
        formset = session_formset(rows)(prefix="rows", form_kwargs={"context": context})
    return render(
        request,
        "opinions/intake/session_new.html",
        {
            "form": form,
            "formset": formset,
            "adding": adding,
            "batch_error": batch_error,
            "has_targets": bool(context["stations"]),
            "more_rows": min(len(formset.forms) + SESSION_ROWS_STEP, intake.MAX_SESSION_ROWS),
            "max_rows": intake.MAX_SESSION_ROWS,
        },
        status=status,
    )


@login_required
@require_GET
def session_detail(request, pk: int):
    """An event and the opinions taken at it, each with its tracking code."""
    _check_recorder(request.user)
    session = intake.access_intake_session(request.user, pk)
    opinions = (
        opinions_visible_to(request.user)
        .filter(intake_session=session)
        .select_related("place")
        .order_by("pk")
    )
    page = Paginator(opinions, SESSION_OPINIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "opinions/intake/session_detail.html",
        {"session": session, "page": page, "deputies": list(session.deputies.all())},
    )


# --- an offline ledger ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request):
    """Import an .xlsx ledger of opinions collected offline; nothing is written on error."""
    _check_recorder(request.user)
    districts = [
        d for d in intake.recording_districts(request.user) if can_import_ledger(request.user, d)
    ]
    form = LedgerUploadForm(request.POST or None, request.FILES or None, districts=districts)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data["district"] is not None:
            upload = form.cleaned_data["file"]
            if for_the_worker(upload):
                # A large ledger is imported by the task worker; its page shows the
                # progress, then the report or the opinions created.
                job = job_start(
                    kind=opinion_jobs.LEDGER_IMPORT,
                    by=request.user,
                    label=_("导入意见台账：%(file)s") % {"file": upload.name},
                    params={
                        "district": form.cleaned_data["district"].pk,
                        "file_name": upload.name[:255],
                    },
                    source=upload,
                    source_name="ledger.xlsx",
                )
                return redirect("core:job", pk=job.pk)
            try:
                result = intake.opinions_import_ledger(
                    by=request.user,
                    file=upload,
                    file_name=upload.name,
                    district=form.cleaned_data["district"],
                )
            except PermissionDenied as error:
                form.add_error("district", str(error))
                status = 403
            else:
                status = 200 if result.succeeded else 400
        else:
            status = 400
    errors = created = None
    if result is not None and not result.succeeded:
        errors = Paginator(result.errors, ERRORS_PER_PAGE).get_page(1)
    if result is not None and result.succeeded:
        created = result.created[:CREATED_SHOWN]
    return render(
        request,
        "opinions/intake/ledger_import.html",
        {
            "form": form,
            "result": result,
            "errors": errors,
            "created": created,
            "layout": LEDGER_LAYOUT,
            "category_example": category_example(),
            "max_rows": MAX_DATA_ROWS,
            "has_targets": bool(districts),
        },
        status=status,
    )


@login_required
@require_GET
def ledger_template(request):
    """The blank ledger template (意见建议台账导入模板.xlsx), with filling instructions."""
    _check_recorder(request.user)
    response = HttpResponse(
        layout_workbook(LEDGER_LAYOUT, examples={"category": category_example()}),
        content_type=XLSX,
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"{LEDGER_LAYOUT.sheet_title}导入模板.xlsx"
    )
    return response
