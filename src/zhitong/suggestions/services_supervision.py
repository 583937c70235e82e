"""Supervising suggestions (督) and reviewing their quality (评): every state change, one
function each, keyword-only, the actor as `by`, inside a transaction, one event each.

- 领衔督办: a supervision activity (meeting, site visit, other) on a key suggestion, by the
  leader who leads it or the district's staff.
- 主任接待日: a reception day (date, receiving director, place), its proposed agenda, the
  items added, removed and moved by staff, each item's outcome (on the suggestion's
  timeline, and a supervision activity of kind reception), the day marked held.
- 专工委对口: the district's committees, the categories they follow and their staff.
- 质量评审: a review in two rounds (after the reply; after the commitments fall due) on
  three axes with the problems found, each for a unit of the suggestion, which answers it.

Bad input raises SuggestionError (a stable code, a Chinese message) and changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhitong.core.events import event_record
from zhitong.handling import services as handling
from zhitong.regions.models import Region
from zhitong.suggestions import lifecycle
from zhitong.suggestions import selectors_supervision as sel
from zhitong.suggestions.models import (
    NOTE_LIMIT,
    Committee,
    QualityProblem,
    QualityReview,
    ReceptionDay,
    ReceptionItem,
    Suggestion,
    SupervisionActivity,
)
from zhitong.suggestions.services import (
    SuggestionError,
    _check_state,
    _locked,
    _record,
    _require,
    _text,
    notify_after_commit,
)
from zhitong.suggestions.verbs import SuggestionVerb
from zhitong.units.models import Category, HandlingUnit

# The kinds of activity recorded by hand (a reception day's are recorded with its outcome).
ACTIVITY_KINDS = (
    SupervisionActivity.Kind.MEETING,
    SupervisionActivity.Kind.SITE_VISIT,
    SupervisionActivity.Kind.OTHER,
)
PLACE_LIMIT = 100
NAME_LIMIT = 100
PROBLEM_LIMIT = 20
# The aspects a quality problem is about (the review's three axes).
ASPECTS = {
    "compliance": gettext_lazy("合规"),
    "writing": gettext_lazy("文书"),
    "effect": gettext_lazy("效果"),
}


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _signed_in(user) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("请先登录。"))


def _check_past(day, *, field: str) -> datetime.date:
    if not isinstance(day, datetime.date):
        raise SuggestionError("invalid_date", _("请填写有效的%(field)s。") % {"field": field})
    if day > timezone.localdate():
        raise SuggestionError("future_date", _("%(field)s不能晚于今天。") % {"field": field})
    return day


PROBLEM_TASK = "quality_problem"


# Notify after the commit (`recipients`: a function of the notifications API).
_tell = notify_after_commit


# --- 领衔督办: supervision activities on key suggestions ---------------------------------------


@transaction.atomic
def supervision_record(
    *, suggestion: Suggestion, by, kind: str, held_on: datetime.date, note: str
) -> SupervisionActivity:
    """The leader who leads a key suggestion's supervision (领衔督办), or the district's
    staff, record a supervision activity held: a meeting, a site visit, or another."""
    _signed_in(by)
    suggestion = _locked(suggestion)
    if not suggestion.is_key:
        raise SuggestionError("not_key", _("只有重点督办建议才能记录领衔督办活动。"))
    _require(by, "suggestions.supervise_suggestion", suggestion)
    _check_state(suggestion, "supervise")
    if kind not in ACTIVITY_KINDS:
        raise SuggestionError("invalid_kind", _("请选择督办方式。"))
    held_on = _check_past(held_on, field=_("督办日期"))
    if suggestion.assigned_at and held_on < timezone.localdate(suggestion.assigned_at):
        raise SuggestionError("early_date", _("督办日期不能早于交办日期。"))
    note = _text(note, field=_("督办情况"), limit=NOTE_LIMIT)
    activity = SupervisionActivity.objects.create(
        suggestion=suggestion,
        kind=kind,
        held_on=held_on,
        note=note,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    _record(
        suggestion,
        by=by,
        verb=SuggestionVerb.SUPERVISION,
        note=note,
        data={
            "activity": activity.pk,
            "kind": kind,
            "kind_label": str(activity.get_kind_display()),
            "held_on": held_on.isoformat(),
        },
    )
    return activity


# --- 主任接待日: reception days --------------------------------------------------------------


def _require_staff(by, district) -> None:
    _signed_in(by)
    if not sel.is_district_staff(by, district):
        raise PermissionDenied(_("只有本区人大常委会的工作人员可以安排主任接待日。"))


def _day_event(day: ReceptionDay, *, by, verb: str, from_state: str = "", data=None) -> None:
    event_record(
        actor=by,
        subject=day,
        verb=verb,
        from_state=from_state or day.state,
        to_state=day.state,
        data=data or {},
        district_code=day.district.code,
    )


def _locked_day(day: ReceptionDay | int) -> ReceptionDay:
    pk = day.pk if isinstance(day, ReceptionDay) else day
    return (
        ReceptionDay.objects.select_for_update(of=("self",)).select_related("district").get(pk=pk)
    )


def _check_planned(day: ReceptionDay) -> None:
    if day.state != ReceptionDay.State.PLANNED:
        raise SuggestionError("day_held", _("该主任接待日已举行，议程不能再调整。"))


def _check_director(director, district: Region) -> None:
    if director is None:
        raise SuggestionError("director_required", _("请选择接待的主任会议成员。"))
    if not sel.leaders_of(district).filter(pk=director.pk).exists():
        raise SuggestionError("invalid_director", _("接待领导须是本区主任会议成员。"))


@transaction.atomic
def reception_day_create(
    *, by, district: Region, held_on: datetime.date, director, place: str = ""
) -> ReceptionDay:
    """Staff plan a reception day (主任接待日): its date, the director who receives (a
    member of the district's directors' meeting) and the place."""
    _require_staff(by, district)
    if not isinstance(held_on, datetime.date):
        raise SuggestionError("invalid_date", _("请填写有效的接待日期。"))
    _check_director(director, district)
    place = _text(place, field=_("地点"), limit=PLACE_LIMIT, required=False)
    day = ReceptionDay.objects.create(
        district=district, held_on=held_on, director=director, place=place, created_by=by
    )
    _tell(
        recipients=lambda api: [director],
        verb="reception_day",
        text=_("请您于%(date)s接待代表（主任接待日）%(place)s")
        % {"date": held_on.isoformat(), "place": place},
        url=reverse("suggestions:reception_day", args=[day.pk]),
        subject=day,
    )
    _day_event(
        day,
        by=by,
        verb=SuggestionVerb.RECEPTION_DAY,
        from_state="",
        data={
            "held_on": held_on.isoformat(),
            "director": {"id": director.pk, "name": _name(director)},
            "place": place,
        },
    )
    return day


def _item_data(item: ReceptionItem) -> dict:
    return {
        "item": item.pk,
        "suggestion": item.suggestion_id,
        "position": item.position,
        "reason": item.reason,
    }


def _renumber(day: ReceptionDay, order: list[int] | None = None) -> None:
    items = list(day.items.order_by("position", "pk"))
    if order is not None:
        rank = {pk: n for n, pk in enumerate(order)}
        items.sort(key=lambda item: rank.get(item.pk, len(rank)))
    # Positions carry no unique constraint: each row is saved once, in its new place.
    for number, item in enumerate(items, 1):
        if item.position != number:
            item.position = number
            item.save(update_fields=["position"])


@transaction.atomic
def reception_agenda_propose(*, day: ReceptionDay, by) -> list[ReceptionItem]:
    """The platform proposes the day's agenda (selectors_supervision.agenda_proposal) in
    place of the items it has: overdue replies, not satisfied, key ones, the oldest open
    commitments; 10 to 15, each with why. Refused once an outcome is recorded."""
    day = _locked_day(day)
    _require_staff(by, day.district)
    _check_planned(day)
    if day.items.exclude(outcome_recorded_at=None).exists():
        raise SuggestionError(
            "outcomes_recorded", _("已有议程记录了现场督办情况，不能重新生成议程。")
        )
    proposal = sel.agenda_proposal(day)
    if not proposal:
        raise SuggestionError("nothing_to_propose", _("本区暂无在办或承诺落实中的建议可列入议程。"))
    day.items.all().delete()
    items = ReceptionItem.objects.bulk_create(
        [
            ReceptionItem(day=day, suggestion=p.suggestion, position=n, reason=p.reason)
            for n, p in enumerate(proposal, 1)
        ]
    )
    _day_event(
        day,
        by=by,
        verb=SuggestionVerb.RECEPTION_AGENDA,
        data={"proposed": [_item_data(item) for item in items]},
    )
    return items


@transaction.atomic
def reception_item_add(
    *, day: ReceptionDay, by, suggestion: Suggestion, reason: str = ""
) -> ReceptionItem:
    """Staff add a suggestion of the district, still handled or carried out, to the day's
    agenda (at its end); at most 15, each once, none on another planned day."""
    day = _locked_day(day)
    _require_staff(by, day.district)
    _check_planned(day)
    if suggestion.district_id != day.district_id:
        raise SuggestionError("other_district", _("只能把本区的建议列入议程。"))
    if suggestion.status not in sel.AGENDA_STATUSES:
        raise SuggestionError(
            "not_running",
            _("该建议当前状态为“%(status)s”，不能列入接待日议程。")
            % {"status": suggestion.get_status_display()},
        )
    if day.items.filter(suggestion=suggestion).exists():
        raise SuggestionError("already_on_agenda", _("该建议已在本次议程中。"))
    if (
        ReceptionItem.objects.filter(suggestion=suggestion, day__state=ReceptionDay.State.PLANNED)
        .exclude(day=day)
        .exists()
    ):
        raise SuggestionError("on_another_day", _("该建议已列入另一个筹备中的主任接待日。"))
    if day.items.count() >= sel.AGENDA_MAX:
        raise SuggestionError(
            "too_many", _("每次主任接待日最多%(n)s件建议。") % {"n": sel.AGENDA_MAX}
        )
    reason = _text(reason, field=_("列入理由"), limit=100, required=False) or _("工作人员列入")
    last = day.items.aggregate(last=Max("position"))["last"] or 0
    item = ReceptionItem.objects.create(
        day=day, suggestion=suggestion, position=last + 1, reason=reason
    )
    _day_event(day, by=by, verb=SuggestionVerb.RECEPTION_AGENDA, data={"added": _item_data(item)})
    return item


def _locked_item(item: ReceptionItem | int) -> tuple[ReceptionDay, ReceptionItem]:
    pk = item.pk if isinstance(item, ReceptionItem) else item
    day_id = ReceptionItem.objects.values_list("day_id", flat=True).get(pk=pk)
    day = _locked_day(day_id)
    return day, ReceptionItem.objects.select_related("suggestion").get(pk=pk)


@transaction.atomic
def reception_item_remove(*, item: ReceptionItem, by) -> None:
    """Staff take a suggestion off the day's agenda (before its outcome is recorded)."""
    day, item = _locked_item(item)
    _require_staff(by, day.district)
    _check_planned(day)
    if item.outcome_recorded_at is not None:
        raise SuggestionError("outcome_recorded", _("已记录现场督办情况，不能移出议程。"))
    data = _item_data(item)
    item.delete()
    _renumber(day)
    _day_event(day, by=by, verb=SuggestionVerb.RECEPTION_AGENDA, data={"removed": data})


@transaction.atomic
def reception_item_move(*, item: ReceptionItem, by, position: int) -> ReceptionItem:
    """Staff move an item to `position` (1 is first) on the day's agenda."""
    day, item = _locked_item(item)
    _require_staff(by, day.district)
    _check_planned(day)
    order = list(day.items.order_by("position", "pk").values_list("pk", flat=True))
    if not isinstance(position, int) or not 1 <= position <= len(order):
        raise SuggestionError(
            "invalid_position", _("请填写1到%(n)s之间的序号。") % {"n": len(order)}
        )
    old = item.position
    order.remove(item.pk)
    order.insert(position - 1, item.pk)
    _renumber(day, order)
    item.refresh_from_db()
    _day_event(
        day,
        by=by,
        verb=SuggestionVerb.RECEPTION_AGENDA,
        data={"moved": _item_data(item), "from": old},
    )
    return item


@transaction.atomic
def reception_outcome_record(*, item: ReceptionItem, by, outcome: str) -> ReceptionItem:
    """Staff record what came of a suggestion on the day (现场督办情况), once the day has
    come: on the suggestion's timeline, and as a supervision activity of kind reception."""
    day, item = _locked_item(item)
    _require_staff(by, day.district)
    if day.held_on > timezone.localdate():
        raise SuggestionError("not_yet", _("主任接待日还没到，不能记录现场督办情况。"))
    if item.outcome_recorded_at is not None:
        raise SuggestionError("already_recorded", _("已经记录过该建议的现场督办情况。"))
    outcome = _text(outcome, field=_("现场督办情况"), limit=NOTE_LIMIT)
    suggestion = _locked(item.suggestion_id)
    now = timezone.now()
    item.outcome = outcome
    item.outcome_recorded_at = now
    item.save(update_fields=["outcome", "outcome_recorded_at"])
    activity = SupervisionActivity.objects.create(
        suggestion=suggestion,
        kind=SupervisionActivity.Kind.RECEPTION,
        held_on=day.held_on,
        note=outcome,
        recorded_by=by,
        recorded_at=now,
    )
    _record(
        suggestion,
        by=by,
        verb=SuggestionVerb.RECEPTION,
        note=outcome,
        data={
            "day": day.pk,
            "item": item.pk,
            "activity": activity.pk,
            "held_on": day.held_on.isoformat(),
            "director": {"id": day.director_id, "name": _name(day.director)},
        },
    )
    return item


@transaction.atomic
def reception_day_hold(*, day: ReceptionDay, by) -> ReceptionDay:
    """Staff mark the day held, on or after its date, with 10 to 15 suggestions taken."""
    day = _locked_day(day)
    _require_staff(by, day.district)
    _check_planned(day)
    if day.held_on > timezone.localdate():
        raise SuggestionError("not_yet", _("主任接待日还没到，不能标记为已举行。"))
    count = day.items.count()
    if not sel.AGENDA_MIN <= count <= sel.AGENDA_MAX:
        raise SuggestionError(
            "agenda_size",
            _("主任接待日应督办%(min)s至%(max)s件建议，现有%(n)s件。")
            % {"min": sel.AGENDA_MIN, "max": sel.AGENDA_MAX, "n": count},
        )
    day.state = ReceptionDay.State.HELD
    day.save(update_fields=["state"])
    _day_event(
        day,
        by=by,
        verb=SuggestionVerb.RECEPTION_HELD,
        from_state=ReceptionDay.State.PLANNED,
        data={"items": count},
    )
    return day


# --- 专工委对口: committees ----------------------------------------------------------------


@transaction.atomic
def committee_save(
    *,
    by,
    district: Region,
    name: str,
    categories: Iterable[Category] = (),
    members: Iterable = (),
    committee: Committee | None = None,
) -> Committee:
    """Staff create or edit one of the district's committees (专工委): its name, the
    categories it follows and its staff members."""
    _require_staff(by, district)
    if committee is not None:
        committee = Committee.objects.select_for_update().get(pk=committee.pk)
        if committee.district_id != district.pk:
            raise SuggestionError("not_found", _("找不到该专工委。"))
    name = _text(name, field=_("专工委名称"), limit=NAME_LIMIT)
    same = Committee.objects.filter(district=district, name=name)
    if committee is not None:
        same = same.exclude(pk=committee.pk)
    if same.exists():
        raise SuggestionError("duplicate_name", _("本区已有同名的专工委。"))
    categories = list(dict.fromkeys(categories))
    members = list(dict.fromkeys(members))
    allowed = set(sel.staff_of(district).values_list("pk", flat=True))
    for member in members:
        if member.pk not in allowed:
            raise SuggestionError(
                "invalid_member",
                _("%(name)s不是本区人大常委会的工作人员。") % {"name": _name(member)},
            )
    created = committee is None
    if committee is None:
        committee = Committee.objects.create(district=district, name=name)
    else:
        committee.name = name
        committee.save(update_fields=["name"])
    committee.categories.set(categories)
    committee.members.set(members)
    event_record(
        actor=by,
        subject=committee,
        verb=SuggestionVerb.COMMITTEE_SAVE,
        data={
            "created": created,
            "name": name,
            "categories": [{"id": c.pk, "name": c.name} for c in categories],
            "members": [{"id": m.pk, "name": _name(m)} for m in members],
        },
        district_code=district.code,
    )
    return committee


# --- 质量评审: quality review -----------------------------------------------------------------


@dataclass(frozen=True)
class ProblemInput:
    unit: HandlingUnit | None
    aspect: str
    text: str


@transaction.atomic
def quality_review_record(
    *,
    suggestion: Suggestion,
    by,
    round: int,
    compliance: str,
    writing: str,
    effect: str,
    comment: str = "",
    problems: Iterable[ProblemInput] = (),
) -> QualityReview:
    """Staff review the quality of a suggestion's handling (质量评审): round 1 after the
    reply, round 2 once every commitment has fallen due (or it made none); each round once;
    graded 好/较好/差 on compliance (合规), writing (文书) and effect (效果), with the
    problems found, each for the lead unit or a co-unit to answer."""
    _signed_in(by)
    suggestion = _locked(suggestion)
    _require(by, "suggestions.manage_suggestion", suggestion)
    _check_state(suggestion, "quality_review")
    if round not in QualityReview.Round.values:
        raise SuggestionError("invalid_round", _("请选择评审轮次。"))
    if suggestion.quality_reviews.filter(round=round).exists():
        raise SuggestionError(
            "already_reviewed",
            _("该建议已经进行过%(round)s。") % {"round": QualityReview.Round(round).label},
        )
    if round == QualityReview.Round.AFTER_COMMITMENTS and not sel.commitments_fallen_due(
        suggestion
    ):
        raise SuggestionError(
            "commitments_not_due", _("答复承诺事项尚未全部到期，还不能进行承诺到期后评审。")
        )
    grades = {"compliance": compliance, "writing": writing, "effect": effect}
    for axis, grade in grades.items():
        if grade not in QualityReview.Grade.values:
            raise SuggestionError(
                "invalid_grade", _("请为“%(axis)s”选择评审等次。") % {"axis": ASPECTS[axis]}
            )
    comment = _text(comment, field=_("评审意见"), limit=NOTE_LIMIT, required=False)
    problems = list(problems)
    if len(problems) > PROBLEM_LIMIT:
        raise SuggestionError("too_many", _("一次评审最多列出%(n)s个问题。") % {"n": PROBLEM_LIMIT})
    units = {unit.pk: unit for unit in sel.suggestion_units(suggestion)}
    checked = []
    for problem in problems:
        unit = problem.unit
        if unit is None or unit.pk not in units:
            raise SuggestionError("invalid_unit", _("问题须针对该建议的主办或协办单位。"))
        if problem.aspect not in ASPECTS:
            raise SuggestionError("invalid_aspect", _("请选择问题所属方面。"))
        text = _text(problem.text, field=_("问题"), limit=NOTE_LIMIT)
        checked.append(ProblemInput(unit=units[unit.pk], aspect=problem.aspect, text=text))
    review = QualityReview.objects.create(
        suggestion=suggestion,
        round=round,
        comment=comment,
        reviewer=by,
        reviewed_at=timezone.now(),
        **grades,
    )
    rows = QualityProblem.objects.bulk_create(
        [QualityProblem(review=review, unit=p.unit, axis=p.aspect, text=p.text) for p in checked]
    )
    for row in rows:
        _tell(
            recipients=lambda api, unit=row.unit: list(api.recipients_for_unit(unit)),
            verb=PROBLEM_TASK,
            text=_("质量评审发现问题，请反馈整改情况：%(title)s（%(text)s）")
            % {"title": suggestion.title, "text": row.text[:40]},
            url=reverse("suggestions:unit_problems"),
            subject=row,
            task=True,
        )
    _record(
        suggestion,
        by=by,
        verb=SuggestionVerb.QUALITY_REVIEW,
        note=comment,
        data={
            "review": review.pk,
            "round": round,
            "round_label": str(review.get_round_display()),
            **grades,
            "problems": [
                {
                    "id": row.pk,
                    "unit": handling.unit_data(row.unit),
                    "aspect": row.axis,
                    "text": row.text,
                }
                for row in rows
            ],
        },
    )
    return review


@transaction.atomic
def quality_problem_answer(*, problem: QualityProblem, by, answer: str) -> QualityProblem:
    """The unit answers a problem the review found for it (整改情况), once."""
    _signed_in(by)
    suggestion_id = (
        QualityProblem.objects.filter(pk=problem.pk)
        .values_list("review__suggestion_id", flat=True)
        .get()
    )
    suggestion = _locked(suggestion_id)
    problem = QualityProblem.objects.select_for_update().select_related("unit").get(pk=problem.pk)
    if getattr(by, "role", None) != "unit" or getattr(by, "unit_id", None) != problem.unit_id:
        raise PermissionDenied(_("只有问题所针对的承办单位可以反馈整改情况。"))
    if problem.answered_at is not None:
        raise SuggestionError("already_answered", _("该问题已经反馈过整改情况。"))
    answer = _text(answer, field=_("整改情况"), limit=NOTE_LIMIT)
    problem.answer = answer
    problem.answered_at = timezone.now()
    problem.answered_by = by
    problem.save(update_fields=["answer", "answered_at", "answered_by"])
    handling.tasks_done(problem, verb=PROBLEM_TASK, by=by)
    _record(
        suggestion,
        by=by,
        verb=SuggestionVerb.PROBLEM_ANSWER,
        note=answer,
        data={
            "problem": problem.pk,
            "review": problem.review_id,
            "unit": handling.unit_data(problem.unit),
            "aspect": problem.axis,
            "text": problem.text,
        },
    )
    return problem


def may_record_activity(user, suggestion: Suggestion) -> bool:
    return (
        suggestion.is_key
        and user.has_perm("suggestions.supervise_suggestion", suggestion)
        and lifecycle.allowed("supervise", suggestion.status)
    )


def quality_rounds_open(user, suggestion: Suggestion) -> list[int]:
    """The review rounds `user` may record on `suggestion` now."""
    if not user.has_perm("suggestions.manage_suggestion", suggestion) or not lifecycle.allowed(
        "quality_review", suggestion.status
    ):
        return []
    done = set(suggestion.quality_reviews.values_list("round", flat=True))
    rounds = []
    if QualityReview.Round.AFTER_REPLY not in done:
        rounds.append(int(QualityReview.Round.AFTER_REPLY))
    if QualityReview.Round.AFTER_COMMITMENTS not in done and sel.commitments_fallen_due(suggestion):
        rounds.append(int(QualityReview.Round.AFTER_COMMITMENTS))
    return rounds
