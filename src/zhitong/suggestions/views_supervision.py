"""Supervision (督) and quality review (评) pages of suggestions: the supervision activity and
the quality review posted from a suggestion's page, the leader's key suggestions, reception
days, committees and their suggestions, the problem lists.

Views stay thin: a gatekeeper or selector, one service, render. A refused post (a
SuggestionError) comes back with its message on its form, status 400, having changed
nothing; a post the user may not make answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhitong.core.roles import Role
from zhitong.regions.models import Region
from zhitong.suggestions import forms_supervision as forms
from zhitong.suggestions import selectors_supervision as sel
from zhitong.suggestions import services_supervision as services
from zhitong.suggestions.models import Committee, QualityProblem, ReceptionDay
from zhitong.suggestions.panels import refused_page
from zhitong.suggestions.selectors import access_suggestion, suggestions_visible_to
from zhitong.suggestions.services import SuggestionError

PAGE_SIZE = 25


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# --- actions on a suggestion's page --------------------------------------------------------


def _detail_again(request, suggestion, bound: dict, error: str):
    """The suggestion's page again with the refused form and why (status 400)."""
    return refused_page(request, suggestion, bound=bound, error=error)


def _refused(request, suggestion, key, form, error=""):
    if error:
        form.add_error(None, error)
    return _detail_again(
        request, suggestion, {key: form}, error or _("提交的内容有误，请检查后重试。")
    )


@login_required
@require_POST
def activity_view(request, pk):
    """领衔督办: record a supervision activity on a key suggestion."""
    suggestion = access_suggestion(request.user, pk)
    # A suggestion not key is refused by the service, with why (to a leader too).
    if suggestion.is_key and not request.user.has_perm(
        "suggestions.supervise_suggestion", suggestion
    ):
        raise PermissionDenied(_("只有领衔督办的主任会议成员和工作人员可以记录督办活动。"))
    form = forms.ActivityForm(request.POST, prefix="activity")
    if not form.is_valid():
        return _refused(request, suggestion, "activity", form)
    try:
        services.supervision_record(suggestion=suggestion, by=request.user, **form.cleaned_data)
    except SuggestionError as error:
        return _refused(request, suggestion, "activity", form, str(error))
    messages.success(request, _("已记录督办活动。"))
    return redirect("suggestions:detail", pk=suggestion.pk)


@login_required
@require_POST
def quality_review_view(request, pk):
    """质量评审: record one round of the review with the problems found."""
    suggestion = access_suggestion(request.user, pk)
    if not request.user.has_perm("suggestions.manage_suggestion", suggestion):
        raise PermissionDenied(_("只有本区人大常委会的工作人员可以进行质量评审。"))
    units = sel.suggestion_units(suggestion)
    form = forms.QualityReviewForm(
        request.POST,
        prefix="quality",
        rounds=services.quality_rounds_open(request.user, suggestion),
    )
    problems = forms.ProblemFormSet(request.POST, prefix="problem", units=units)
    bound = {"quality": form, "problems": problems}
    if not form.is_valid() or not problems.is_valid():
        return _detail_again(request, suggestion, bound, _("提交的内容有误，请检查后重试。"))
    by_id = {unit.pk: unit for unit in units}
    found = [
        services.ProblemInput(unit=by_id.get(row["unit"]), aspect=row["aspect"], text=row["text"])
        for row in problems.cleaned_data
        if row and row.get("text")
    ]
    try:
        services.quality_review_record(
            suggestion=suggestion, by=request.user, problems=found, **form.cleaned_data
        )
    except SuggestionError as error:
        form.add_error(None, str(error))
        return _detail_again(request, suggestion, bound, str(error))
    messages.success(request, _("已记录质量评审。"))
    return redirect("suggestions:detail", pk=suggestion.pk)


@login_required
@require_POST
def problem_answer_view(request, problem_id):
    """The unit answers one of its problems (整改情况), from its list or the suggestion's
    page (`next=detail`)."""
    problem = (
        QualityProblem.objects.select_related("review__suggestion", "unit")
        .filter(pk=problem_id)
        .first()
    )
    if problem is None:
        raise Http404
    suggestion = access_suggestion(request.user, problem.review.suggestion_id)
    if getattr(request.user, "role", None) != Role.UNIT or request.user.unit_id != problem.unit_id:
        raise PermissionDenied(_("只有问题所针对的承办单位可以反馈整改情况。"))
    form = forms.AnswerForm(request.POST, prefix=f"a{problem.pk}")
    from_detail = request.POST.get("next") == "detail"
    error = ""
    if form.is_valid():
        try:
            services.quality_problem_answer(
                problem=problem, by=request.user, answer=form.cleaned_data["answer"]
            )
        except SuggestionError as refused:
            error = str(refused)
            form.add_error(None, error)
        else:
            messages.success(request, _("已反馈整改情况。"))
            if from_detail:
                return redirect("suggestions:detail", pk=suggestion.pk)
            return redirect("suggestions:unit_problems")
    if from_detail:
        return _refused(request, suggestion, f"answer-{problem.pk}", form, error)
    return _unit_problems(
        request,
        bound={problem.pk: form},
        error=error or _("提交的内容有误，请检查后重试。"),
        status=400,
    )


# --- 领衔督办: the leader's key suggestions ---------------------------------------------------


@login_required
@require_GET
def led_view(request):
    """我领衔督办的建议: the key suggestions this leader leads, with state, due date and the
    last supervision activity."""
    if getattr(request.user, "role", None) != Role.LEADER:
        raise PermissionDenied(_("只有主任会议成员有领衔督办的建议。"))
    page = _page(request, sel.key_suggestions_led_by(request.user))
    return render(request, "suggestions/supervision/led.html", {"page_obj": page})


# --- 主任接待日: reception days ---------------------------------------------------------------


def _require_reader(user) -> list[Region]:
    districts = sel.read_districts(user)
    if not districts:
        raise PermissionDenied(_("只有区人大常委会的工作人员和主任会议成员可以查看主任接待日。"))
    return districts


def _day_form(user, data=None):
    from django.contrib.auth import get_user_model

    staff = sel.staff_districts(user)
    leaders = (
        get_user_model()
        .objects.filter(pk__in=[u.pk for d in staff for u in sel.leaders_of(d)])
        .order_by("display_name", "pk")
    )
    return forms.ReceptionDayForm(data, districts=staff, leaders=leaders)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reception_list_view(request):
    """The reception days (主任接待日) of the user's districts; staff plan a new one."""
    _require_reader(request.user)
    may_plan = bool(sel.staff_districts(request.user))
    form = None
    status = 200
    if request.method == "POST":
        if not may_plan:
            raise PermissionDenied(_("只有本区人大常委会的工作人员可以安排主任接待日。"))
        form = _day_form(request.user, request.POST)
        if form.is_valid():
            try:
                day = services.reception_day_create(by=request.user, **form.cleaned_data)
            except SuggestionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("已安排主任接待日，请生成或调整议程。"))
                return redirect("suggestions:reception_day", pk=day.pk)
        status = 400
    elif may_plan:
        form = _day_form(request.user)
    page = _page(request, sel.reception_days_visible_to(request.user))
    return render(
        request,
        "suggestions/supervision/reception_list.html",
        {"page_obj": page, "form": form},
        status=status,
    )


def _day_context(request, day: ReceptionDay, bound: dict) -> dict:
    items = sel.reception_items(day)
    may_manage = sel.is_district_staff(request.user, day.district)
    planned = day.state == ReceptionDay.State.PLANNED
    from django.utils import timezone

    come = day.held_on <= timezone.localdate()
    for item in items:
        item.move_form = None
        item.outcome_form = None
        if may_manage and planned:
            item.move_form = bound.get(f"move-{item.pk}") or forms.ItemMoveForm(
                prefix=f"m{item.pk}", initial={"position": item.position}
            )
        if may_manage and come and item.outcome_recorded_at is None:
            item.outcome_form = bound.get(f"outcome-{item.pk}") or forms.OutcomeForm(
                prefix=f"o{item.pk}"
            )
    add_form = None
    if may_manage and planned and len(items) < sel.AGENDA_MAX:
        candidates = (
            sel.agenda_candidates(day.district, exclude_day=day)
            .exclude(pk__in=[item.suggestion_id for item in items])
            .select_related("session__term")
            .order_by("-id")[:500]
        )
        add_form = bound.get("add") or forms.ItemAddForm(candidates=candidates)
    return {
        "day": day,
        "items": items,
        "may_manage": may_manage,
        "planned": planned,
        "add_form": add_form,
        "may_propose": may_manage
        and planned
        and not any(item.outcome_recorded_at for item in items),
        "may_hold": may_manage
        and planned
        and come
        and sel.AGENDA_MIN <= len(items) <= sel.AGENDA_MAX,
        "agenda_min": sel.AGENDA_MIN,
        "agenda_max": sel.AGENDA_MAX,
        "action_error": bound.get("error", ""),
        "history": sel.reception_day_history(day),
    }


def _day_page(request, day, bound=None, status=200):
    context = _day_context(request, day, bound or {})
    return render(request, "suggestions/supervision/reception_day.html", context, status=status)


@login_required
@require_GET
def reception_day_view(request, pk):
    """A reception day: its agenda in order with why each was proposed, the forms to adjust
    it and to record outcomes (staff); print-friendly."""
    day = sel.access_reception_day(request.user, pk)
    return _day_page(request, day)


def _day_action(request, pk, *, key=None, form=None, run, success):
    day = sel.access_reception_day(request.user, pk)
    if not sel.is_district_staff(request.user, day.district):
        raise PermissionDenied(_("只有本区人大常委会的工作人员可以安排主任接待日。"))
    if form is not None and not form.is_valid():
        error = _("提交的内容有误，请检查后重试。")
        return _day_page(request, day, {key: form, "error": error}, status=400)
    try:
        run(day, form.cleaned_data if form is not None else {})
    except SuggestionError as refused:
        error = str(refused)
        bound = {"error": error}
        if form is not None:
            form.add_error(None, error)
            bound[key] = form
        return _day_page(request, day, bound, status=400)
    messages.success(request, success)
    return redirect("suggestions:reception_day", pk=day.pk)


def _item_of(day, item_id):
    item = day.items.filter(pk=item_id).first()
    if item is None:
        raise Http404
    return item


@login_required
@require_POST
def reception_propose_view(request, pk):
    return _day_action(
        request,
        pk,
        run=lambda day, d: services.reception_agenda_propose(day=day, by=request.user),
        success=_("已按规则生成建议议程，请核对调整。"),
    )


@login_required
@require_POST
def reception_add_view(request, pk):
    def run(day, data):
        suggestion = suggestions_visible_to(request.user).filter(pk=data["suggestion"]).first()
        if suggestion is None:
            raise SuggestionError("not_found", _("找不到该建议。"))
        services.reception_item_add(
            day=day, by=request.user, suggestion=suggestion, reason=data["reason"]
        )

    return _day_action(
        request,
        pk,
        key="add",
        form=forms.ItemAddForm(request.POST),
        run=run,
        success=_("已列入议程。"),
    )


@login_required
@require_POST
def reception_remove_view(request, pk, item_id):
    return _day_action(
        request,
        pk,
        run=lambda day, d: services.reception_item_remove(
            item=_item_of(day, item_id), by=request.user
        ),
        success=_("已移出议程。"),
    )


@login_required
@require_POST
def reception_move_view(request, pk, item_id):
    return _day_action(
        request,
        pk,
        key=f"move-{item_id}",
        form=forms.ItemMoveForm(request.POST, prefix=f"m{item_id}"),
        run=lambda day, d: services.reception_item_move(
            item=_item_of(day, item_id), by=request.user, position=d["position"]
        ),
        success=_("已调整议程顺序。"),
    )


@login_required
@require_POST
def reception_outcome_view(request, pk, item_id):
    return _day_action(
        request,
        pk,
        key=f"outcome-{item_id}",
        form=forms.OutcomeForm(request.POST, prefix=f"o{item_id}"),
        run=lambda day, d: services.reception_outcome_record(
            item=_item_of(day, item_id), by=request.user, outcome=d["outcome"]
        ),
        success=_("已记录现场督办情况。"),
    )


@login_required
@require_POST
def reception_hold_view(request, pk):
    return _day_action(
        request,
        pk,
        run=lambda day, d: services.reception_day_hold(day=day, by=request.user),
        success=_("已标记主任接待日已举行。"),
    )


# --- 专工委对口: committees --------------------------------------------------------------------


def _committee_form(district, data=None, committee=None):
    initial = None
    if committee is not None:
        initial = {
            "name": committee.name,
            "categories": list(committee.categories.all()),
            "members": list(committee.members.all()),
        }
    return forms.CommitteeForm(data, initial=initial, staff=sel.staff_of(district))


def _staff_district(request) -> Region:
    districts = sel.staff_districts(request.user)
    if not districts:
        raise PermissionDenied(_("只有本区人大常委会的工作人员可以设置专工委。"))
    code = request.GET.get("district") or request.POST.get("district") or districts[0].code
    district = next((d for d in districts if d.code == code), None)
    if district is None:
        raise PermissionDenied(_("只有本区人大常委会的工作人员可以设置专工委。"))
    return district


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def committees_view(request):
    """The district's committees (专工委) and a form for a new one (staff)."""
    district = _staff_district(request)
    form = _committee_form(district, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.committee_save(by=request.user, district=district, **form.cleaned_data)
            except SuggestionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("已保存专工委。"))
                return redirect("suggestions:committees")
        status = 400
    return render(
        request,
        "suggestions/supervision/committees.html",
        {
            "district": district,
            "districts": sel.staff_districts(request.user),
            "committees": sel.committees_of(district),
            "form": form,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def committee_edit_view(request, pk):
    committee = Committee.objects.select_related("district").filter(pk=pk).first()
    if committee is None or not sel.may_read_district(request.user, committee.district):
        raise Http404
    if not sel.is_district_staff(request.user, committee.district):
        raise PermissionDenied(_("只有本区人大常委会的工作人员可以设置专工委。"))
    district = committee.district
    status = 200
    if request.method == "POST":
        form = _committee_form(district, request.POST)
        if form.is_valid():
            try:
                services.committee_save(
                    by=request.user, district=district, committee=committee, **form.cleaned_data
                )
            except SuggestionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("已保存专工委。"))
                return redirect("suggestions:committees")
        status = 400
    else:
        form = _committee_form(district, committee=committee)
    return render(
        request,
        "suggestions/supervision/committee_edit.html",
        {"committee": committee, "form": form},
        status=status,
    )


@login_required
@require_GET
def followed_view(request):
    """对口建议: the suggestions of the categories the user's committees follow."""
    committees = sel.committees_of_member(request.user)
    # Committees' members are the district's staff; a member of none sees why it is empty.
    if not committees and not sel.staff_districts(request.user):
        raise PermissionDenied(_("您不是专工委的工作人员。"))
    page = _page(request, sel.followed_suggestions(request.user))
    return render(
        request,
        "suggestions/supervision/followed.html",
        {"page_obj": page, "committees": committees},
    )


# --- 质量评审: problem lists ------------------------------------------------------------------


def _unit_problems(request, bound=None, error="", status=200):
    if getattr(request.user, "role", None) != Role.UNIT or not request.user.unit_id:
        raise PermissionDenied(_("只有承办单位可以查看本单位的评审问题。"))
    page = _page(request, sel.problems_of_unit(request.user))
    for problem in page:
        problem.answer_form = None
        if problem.answered_at is None:
            problem.answer_form = (bound or {}).get(problem.pk) or forms.AnswerForm(
                prefix=f"a{problem.pk}"
            )
    outstanding = sel.problems_of_unit(request.user).filter(answered_at__isnull=True).count()
    return render(
        request,
        "suggestions/supervision/unit_problems.html",
        {"page_obj": page, "outstanding": outstanding, "action_error": error},
        status=status,
    )


@login_required
@require_GET
def unit_problems_view(request):
    """The unit's problem list (质量评审反馈问题清单): outstanding first, with answer forms."""
    return _unit_problems(request)


@login_required
@require_GET
def district_problems_view(request):
    """The district's problems from quality reviews, with outstanding counts per unit."""
    districts = _require_reader(request.user)
    code = request.GET.get("district") or districts[0].code
    district = next((d for d in districts if d.code == code), None)
    if district is None:
        raise PermissionDenied(_("您无权查看该区的评审问题。"))
    problems = sel.district_problems(request.user, district)
    return render(
        request,
        "suggestions/supervision/district_problems.html",
        {
            "district": district,
            "districts": districts,
            "per_unit": sel.outstanding_by_unit(problems),
            "page_obj": _page(request, problems),
        },
    )
