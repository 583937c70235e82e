"""The staff's pages of 交: the queue (建议办理总表), the acts on a suggestion's page
(registration, proposed units, key, reassignment), the assignment meeting (交办会), the
district's settings and sessions, and the booklet (建议汇编)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhitong.core.jobs import job_start
from zhitong.core.models import Job
from zhitong.handling.registry import HandlingError
from zhitong.suggestions import forms_staff, selectors_staff, services, services_settings
from zhitong.suggestions.booklet import BOOKLET_JOB, booklet_label
from zhitong.suggestions.models import CongressSession, DistrictSettings
from zhitong.suggestions.panels import refused_page
from zhitong.suggestions.selectors import access_suggestion

PAGE_SIZE = 50


def _require_staff(user) -> None:
    if not selectors_staff.is_staff(user) or not selectors_staff.staff_districts(user):
        raise PermissionDenied(_("只有区人大常委会的工作人员可以使用此页面。"))


# --- the queue ----------------------------------------------------------------------------


@login_required
@require_GET
def queue_view(request):
    """建议办理总表: every suggestion of the staff's districts once submitted."""
    _require_staff(request.user)
    form = forms_staff.QueueFilterForm(request.GET or None, user=request.user)
    today = timezone.localdate()
    flt = form.queue_filter()
    page = Paginator(
        selectors_staff.staff_queue(request.user, flt, today=today), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    counts = selectors_staff.cosigner_counts(s.pk for s in rows)
    for s in rows:
        s.cosigner_count = counts.get(s.pk, 0)
        s.deadline_state = selectors_staff.deadline_state(s, today)
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(
        request,
        "suggestions/staff/queue.html",
        {"form": form, "page": page, "rows": rows, "query": kept.urlencode()},
    )


# --- acts on a suggestion's page ----------------------------------------------------------


def _act(request, pk, *, key, form_class, run, success, form_kwargs=None):
    """Gatekeeper (404), permission (403), form, service; a refused form comes back on the
    suggestion's page with its errors (400) and nothing changed."""
    suggestion = access_suggestion(request.user, pk)
    if not request.user.has_perm("suggestions.manage_suggestion", suggestion):
        raise PermissionDenied(_("你无权办理这件建议。"))
    kwargs = form_kwargs(suggestion) if callable(form_kwargs) else (form_kwargs or {})
    form = form_class(request.POST, suggestion=suggestion, **kwargs)
    if form.is_valid():
        try:
            run(suggestion, form.cleaned_data)
        except HandlingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, success)
            return redirect(reverse("suggestions:detail", args=[pk]) + f"#panel-{key}")
    # Its panel may not be shown in this state: the errors go to the top of the page too.
    error = "；".join(str(e) for errors in form.errors.values() for e in errors)
    return refused_page(request, suggestion, bound={key: form}, error=error)


@login_required
@require_POST
def register_view(request, pk):
    return _act(
        request,
        pk,
        key="register",
        form_class=forms_staff.RegisterForm,
        run=lambda s, d: services.suggestion_register(
            suggestion=s,
            by=request.user,
            category=d["category"],
            session=d["session"],
            lead=d["lead"],
            co_units=list(d["co_units"]),
            is_key=d["is_key"],
            key_leader=d["key_leader"],
        ),
        success=_("已立案编号，待交办会确认交办。"),
    )


@login_required
@require_POST
def propose_view(request, pk):
    return _act(
        request,
        pk,
        key="propose",
        form_class=forms_staff.ProposeForm,
        run=lambda s, d: services.suggestion_propose(
            suggestion=s, by=request.user, lead=d["lead"], co_units=list(d["co_units"])
        ),
        success=_("拟交办单位已保存。"),
    )


@login_required
@require_POST
def mark_key_view(request, pk):
    return _act(
        request,
        pk,
        key="key",
        form_class=forms_staff.KeyForm,
        run=lambda s, d: services.suggestion_mark_key(
            suggestion=s, by=request.user, is_key=d["is_key"], key_leader=d["key_leader"]
        ),
        success=_("重点督办设置已保存。"),
    )


@login_required
@require_POST
def reassign_view(request, pk):
    return _act(
        request,
        pk,
        key="reassign",
        form_class=forms_staff.ReassignForm,
        form_kwargs=lambda s: {"refused": selectors_staff.refused_waiting(s)},
        run=lambda s, d: services.suggestion_reassign_returned(
            suggestion=s, by=request.user, unit=d["unit"], assignment=d["refused"]
        ),
        success=_("已改派。"),
    )


# --- the assignment meeting ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_view(request):
    """交办会: the registered suggestions waiting for assignment, confirmed all or none."""
    districts = selectors_staff.assigning_districts(request.user)
    if not districts:
        raise PermissionDenied(_("只有区人大常委会的工作人员和区政府办公室可以确认交办。"))
    district = selectors_staff.pick_district(
        districts, request.GET.get("district") or request.POST.get("district")
    )
    awaiting = selectors_staff.awaiting_assignment(district)
    form = forms_staff.AssignBatchForm(
        request.POST if request.method == "POST" else None, awaiting=awaiting
    )
    if request.method == "POST" and form.is_valid():
        try:
            done = services.suggestions_assign(
                suggestions=list(form.cleaned_data["suggestions"]),
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except HandlingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已交办 %(count)d 件建议。") % {"count": len(done)})
            return redirect(
                reverse("suggestions:meeting") + "?" + urlencode({"district": district.code})
            )
    checked = {str(v) for v in request.POST.getlist("suggestions")} if form.is_bound else set()
    return render(
        request,
        "suggestions/staff/meeting.html",
        {
            "form": form,
            "district": district,
            "districts": districts,
            "awaiting": list(awaiting),
            "checked": checked,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- the district's settings and sessions -------------------------------------------------


def _staff_district(request):
    _require_staff(request.user)
    districts = selectors_staff.staff_districts(request.user)
    code = request.GET.get("district") or request.POST.get("district")
    return districts, selectors_staff.pick_district(districts, code)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def settings_view(request):
    """建议办理设置: the district's deadlines and its government office."""
    districts, district = _staff_district(request)
    current = DistrictSettings.objects.filter(district=district).first() or DistrictSettings(
        district=district
    )
    form = forms_staff.SettingsForm(
        request.POST if request.method == "POST" else None, instance=current, district=district
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services_settings.suggestion_settings_update(
                district=district,
                by=request.user,
                reply_months=d["reply_months"],
                co_unit_months=d["co_unit_months"],
                max_extension_months=d["max_extension_months"],
                refuse_working_days=d["refuse_working_days"],
                rehandle_months=d["rehandle_months"],
                government_office=d["government_office"],
            )
        except HandlingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("建议办理设置已保存。"))
            return redirect(f"{reverse('suggestions:settings')}?district={district.code}")
    return render(
        request,
        "suggestions/staff/settings.html",
        {"form": form, "district": district, "districts": districts, "current": current},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def sessions_view(request):
    """人代会会议: the district's sessions, and a form to add one."""
    districts, district = _staff_district(request)
    form = forms_staff.SessionForm(
        request.POST if request.method == "POST" else None, district=district
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services_settings.session_create(
                by=request.user,
                term=d["term"],
                number=d["number"],
                opens_on=d["opens_on"],
                closes_on=d["closes_on"],
            )
        except HandlingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("会议已添加。"))
            return redirect(f"{reverse('suggestions:sessions')}?district={district.code}")
    return render(
        request,
        "suggestions/staff/sessions.html",
        {
            "form": form,
            "district": district,
            "districts": districts,
            "sessions": list(selectors_staff.district_sessions(district)),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _access_session(user, pk) -> CongressSession:
    ids = {d.pk for d in selectors_staff.staff_districts(user)}
    session = CongressSession.objects.select_related("term", "district").filter(pk=pk).first()
    if session is None or session.district_id not in ids:
        raise Http404(_("找不到该会议。"))
    return session


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_edit_view(request, pk):
    _require_staff(request.user)
    session = _access_session(request.user, pk)
    form = forms_staff.SessionForm(
        request.POST if request.method == "POST" else None,
        district=session.district,
        editing=session,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services_settings.session_update(
                session=session,
                by=request.user,
                number=d["number"],
                opens_on=d["opens_on"],
                closes_on=d["closes_on"],
            )
        except HandlingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("会议已修改。"))
            return redirect(f"{reverse('suggestions:sessions')}?district={session.district.code}")
    return render(
        request,
        "suggestions/staff/session_edit.html",
        {"form": form, "session": session},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- the booklet --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def booklet_view(request):
    """建议汇编: a session's registered suggestions as a PDF, built in the background."""
    districts, district = _staff_district(request)
    form = forms_staff.BookletForm(
        request.POST if request.method == "POST" else None, district=district
    )
    if request.method == "POST" and form.is_valid():
        session = form.cleaned_data["session"]
        job = job_start(
            kind=BOOKLET_JOB,
            by=request.user,
            label=booklet_label(session),
            params={"district": district.pk, "session": session.pk},
        )
        return redirect("suggestions:booklet_job", pk=job.pk)
    return render(
        request,
        "suggestions/staff/booklet.html",
        {
            "form": form,
            "district": district,
            "districts": districts,
            "jobs": list(selectors_staff.booklet_jobs(district)[:20]),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
def booklet_job_view(request, pk):
    _require_staff(request.user)
    job = selectors_staff.access_booklet_job(request.user, pk)
    running = job.state in (Job.State.QUEUED, Job.State.RUNNING, Job.State.RETRYING)
    return render(request, "suggestions/staff/booklet_job.html", {"job": job, "running": running})


@login_required
@require_GET
def booklet_download_view(request, pk):
    _require_staff(request.user)
    job = selectors_staff.access_booklet_job(request.user, pk)
    if job.state != Job.State.DONE or not job.file:
        raise Http404(_("汇编尚未生成。"))
    response = FileResponse(job.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=job.file_name or "booklet.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
