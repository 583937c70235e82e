"""Suggestions as a handling process: how zhitong.handling acts on a suggestion.

A suggestion's assignments are its lead unit (主办, 3 months to reply) and co-units (协办,
1 month to send their views to the lead unit), counted in calendar months from the
assignment meeting. The unit may refuse within the district's working days; the lead unit
records its contact with the deputy (办前沟通) before it replies with a result class
(A/B/C/D), its signed letter and dated commitments; the lead deputy rates the reply
back-to-back on the result and on the unit's attitude; an unsatisfied result is handled
again within a month and rated again.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhitong.handling import deadlines
from zhitong.handling.models import Assignment, Extension, Rating
from zhitong.handling.registry import Act, Process
from zhitong.suggestions import lifecycle
from zhitong.suggestions.models import Commitment, Contact, File, Status, Suggestion
from zhitong.suggestions.verbs import SuggestionVerb

RESULT_CLASSES = {
    "A": gettext_lazy("A 已解决或基本解决"),
    "B": gettext_lazy("B 正在解决或列入计划解决"),
    "C": gettext_lazy("C 因条件限制需以后解决"),
    "D": gettext_lazy("D 留作参考"),
}
# A reply of class B (being solved, or planned) names what will be done by when.
CLASSES_WITH_COMMITMENTS = ("B",)


def suggestion_url(suggestion) -> str:
    try:
        return reverse("suggestions:detail", args=[suggestion.pk])
    except NoReverseMatch:
        return ""


class SuggestionProcess(Process):
    name = "suggestions"
    label = gettext_lazy("代表建议")
    model = Suggestion
    result_classes = tuple(RESULT_CLASSES)
    back_to_back = True
    reply_attachments = True
    rating_aspects = {"attitude": gettext_lazy("办理态度")}
    unsatisfied_hint = gettext_lazy("请说明不满意的原因，以便承办单位重新办理。")

    @property
    def error(self):  # type: ignore[override]
        from zhitong.suggestions.services import SuggestionError

        return SuggestionError

    def lock(self, case):
        return (
            Suggestion.objects.select_for_update(of=("self",))
            .select_related("district", "lead_deputy")
            .get(case=case)
        )

    def title_of(self, obj) -> str:
        return obj.title

    def may(self, user, act: Act, obj, assignment) -> bool:
        if act in (Act.ACCEPT, Act.RETURN, Act.REPLY, Act.EXTENSION_REQUEST):
            return user.has_perm("handling.handle_assignment", assignment)
        if act == Act.RATE:
            return user.has_perm("suggestions.rate_suggestion", obj)
        if act == Act.CHASE:
            return user.has_perm("suggestions.chase_suggestion", obj)
        # Extension decisions, reassignment, a new deadline: the district's staff.
        return user.has_perm("suggestions.manage_suggestion", obj)

    def can(self, act: Act, obj, assignment) -> bool:
        status = obj.status
        if act == Act.RATE:
            return lifecycle.allowed("rate", status)
        if act in (Act.RATE_RECORD, Act.RATE_DEFAULT, Act.REPLY_ON_SPOT, Act.REVIEW):
            return False
        if act == Act.ACCEPT:
            return status in lifecycle.RUNNING
        if act == Act.RETURN:
            return status in lifecycle.RUNNING and self._may_still_refuse(obj, assignment)
        if act == Act.REPLY:
            if assignment.role == Assignment.Role.CO:
                return lifecycle.allowed("co_view", status)
            return lifecycle.allowed("reply", status)
        if act in (Act.EXTENSION_REQUEST, Act.EXTENSION_DECIDE):
            return status in lifecycle.RUNNING and assignment.role == Assignment.Role.LEAD
        if act in (Act.CHASE, Act.REASSIGN, Act.SET_DEADLINE):
            return status in lifecycle.RUNNING or (
                assignment is not None
                and assignment.role == Assignment.Role.CO
                and status == Status.REPLIED
            )
        return False

    def _may_still_refuse(self, obj, assignment) -> bool:
        """A unit refuses (not its business) within the district's working days of the
        assignment, and only before it signed for it."""
        from zhitong.suggestions.services import settings_for
        from zhitong.workdays.selectors import working_calendar

        if assignment is None or assignment.state != Assignment.State.PENDING:
            return False
        days = settings_for(obj.district_id).refuse_working_days
        start = deadlines.local_date(assignment.assigned_at)
        last = deadlines.compute_rule("working_days", start, days, working_calendar()).due
        return timezone.localdate() <= last

    def refusal(self, act: Act, obj):
        from zhitong.suggestions.services import SuggestionError

        if act == Act.RETURN:
            return SuggestionError(
                "too_late_to_refuse",
                _("已签收或已超过退回期限，不能退回；如确非本单位职责，请联系常委会工作人员改派。"),
            )
        return SuggestionError(
            "invalid_transition",
            _("该建议当前状态为“%(status)s”，不能进行此操作。")
            % {"status": obj.get_status_display()},
        )

    def moved(self, obj, act: Act, assignment, **details) -> dict | None:
        from zhitong.handling.services import sync_open_dates

        if act in (Act.RATE, Act.RATE_RECORD):
            return self._rated(obj, assignment, details["score"])
        if act == Act.REPLY:
            return self._replied(obj, assignment, details)
        if assignment is None or assignment.role != Assignment.Role.LEAD:
            return None
        also = ["status", "updated_at"]
        if act == Act.ACCEPT and obj.status == Status.ASSIGNED:
            obj.status = Status.HANDLING
        elif act == Act.REASSIGN:
            obj.status = Status.ASSIGNED
        elif act == Act.RETURN:
            # The co-units' assignments ended with the lead's (handling): staff assign it
            # afresh (the refusing unit is no longer proposed).
            obj.status = Status.REGISTERED
            obj.proposed_lead = None
            also.append("proposed_lead")
        sync_open_dates(obj, also=also)
        return None

    def _replied(self, obj, assignment, details) -> dict | None:
        from zhitong.handling.services import sync_open_dates
        from zhitong.suggestions.services import SuggestionError

        reply = details["reply"]
        commitments = details.get("commitments") or []
        if assignment.role == Assignment.Role.CO:
            if commitments:
                raise SuggestionError(
                    "co_commitments", _("协办单位的意见不列承诺事项，由主办单位答复时列明。")
                )
            return None
        if not Contact.objects.filter(assignment=assignment).exists():
            raise SuggestionError(
                "contact_first", _("答复前请先记录与代表的办前沟通情况（办前沟通）。")
            )
        if not File.objects.filter(reply=reply, content_type="application/pdf").exists():
            raise SuggestionError("letter_required", _("请上传加盖公章的书面答复函（PDF）。"))
        # A second reply (after re-handling) may keep the commitments already made.
        if (
            reply.result_class in CLASSES_WITH_COMMITMENTS
            and not commitments
            and not obj.commitments.exists()
        ):
            raise SuggestionError(
                "commitments_required",
                _("B类答复（正在解决或列入计划解决）请列明承诺事项和完成时间。"),
            )
        start = obj.commitments.count()
        rows = Commitment.objects.bulk_create(
            [
                Commitment(
                    suggestion=obj,
                    reply=reply,
                    unit=assignment.unit,
                    district_id=obj.district_id,
                    street_id=obj.street_id,
                    position=start + number,
                    text=item.text,
                    due_date=item.due_date,
                )
                for number, item in enumerate(commitments, 1)
            ]
        )
        obj.status = lifecycle.target_of("reply", obj.status)
        sync_open_dates(obj, also=["status", "updated_at"])
        return {
            "commitments": [
                {"id": row.pk, "text": row.text, "due_date": row.due_date.isoformat()}
                for row in rows
            ]
        }

    def _rated(self, obj, lead, score: str) -> dict:
        """Not satisfied with the result: the lead unit handles it again within the
        district's months (once); satisfied, or the second time: carried out when its
        commitments are all verified, else followed in the ledger until they are."""
        from zhitong.handling import services as handling
        from zhitong.suggestions.services import settings_for

        data: dict = {}
        now = timezone.now()
        if score == Rating.Score.UNSATISFIED and obj.rehandle_count < 1 and lead is not None:
            obj.rehandle_count += 1
            lead = Assignment.objects.select_for_update().get(pk=lead.pk)
            handling.restart(
                lead,
                start=deadlines.local_date(now),
                period=settings_for(obj.district_id).rehandle_months,
            )
            obj.status = Status.REHANDLING
            data = {
                "assignment": lead.pk,
                "rehandle": True,
                "due_date": handling.iso(lead.due_date),
                "deadline": lead.deadline,
            }
        elif obj.commitments.exclude(state=Commitment.State.VERIFIED).exists():
            obj.status = Status.CARRYING_OUT
        else:
            obj.status = Status.CLOSED
            obj.closed_at = now
        handling.sync_open_dates(obj, also=["status", "rehandle_count", "closed_at", "updated_at"])
        return data

    def after(self, act: Act, obj, assignment, **details) -> None:
        from zhitong.suggestions import services

        super().after(act, obj, assignment, **details)
        if act == Act.REPLY and assignment.role == Assignment.Role.LEAD:
            services._notify(
                obj,
                recipients=services.deputy_users(obj),
                verb="suggestion_replied",
                text=_("%(unit)s已答复您的建议，请评价：%(title)s")
                % {"unit": assignment.unit_name, "title": obj.title},
            )
        elif act == Act.REPLY:
            lead_unit = (
                Assignment.objects.filter(
                    case_id=obj.case_id,
                    role=Assignment.Role.LEAD,
                    state__in=deadlines.OPEN_STATES,
                )
                .select_related("unit")
                .first()
            )
            if lead_unit is not None:
                services._notify(
                    obj,
                    recipients=lambda api: list(api.recipients_for_unit(lead_unit.unit)),
                    verb="co_view_submitted",
                    text=_("协办单位%(unit)s提出了协办意见：%(title)s")
                    % {"unit": assignment.unit_name, "title": obj.title},
                )
        elif act == Act.RETURN:
            services._notify(
                obj,
                recipients=services.staff_of(obj),
                verb="suggestion_refused",
                text=_("%(unit)s退回了交办的建议，请改派：%(title)s")
                % {"unit": assignment.unit_name, "title": obj.title},
                task=True,
            )
        elif act == Act.RATE and obj.status == Status.REHANDLING:
            services._notify(
                obj,
                recipients=lambda api: list(api.recipients_for_unit(assignment.unit)),
                verb="suggestion_rehandle",
                text=_("代表对答复不满意，请在期限内重新办理：%(title)s") % {"title": obj.title},
            )

    def reply_files(self, files) -> list:
        from zhitong.suggestions.services import files_checked

        return files_checked(files)

    def reply_attach(self, reply, checked: list, keep) -> list[int]:
        from zhitong.suggestions.services import file_store

        suggestion = Suggestion.objects.get(case_id=reply.case_id)
        return [
            file_store(
                suggestion, one, by=reply.author, purpose=File.Purpose.REPLY, keep=keep, reply=reply
            ).pk
            for one in checked
        ]

    def url(self, obj) -> str:
        return suggestion_url(obj)

    def staff_recipients(self, obj):
        from zhitong.suggestions.services import staff_of

        return staff_of(obj)

    def extension_watchers(self, obj) -> list:
        # The deputy is told of an extension decision.
        return [obj.lead_deputy.user] if obj.lead_deputy.user_id else []

    def extension_limit(self, obj, assignment) -> int | None:
        """The district's most months of extension, less what was already granted."""
        from zhitong.suggestions.services import settings_for

        granted = sum(
            e.period for e in assignment.extensions.all() if e.state == Extension.State.APPROVED
        )
        return max(settings_for(obj.district_id).max_extension_months - granted, 0)

    def daily(self, today) -> int:
        """The daily check: each commitment whose date passed unfulfilled, recorded once."""
        from zhitong.suggestions.services import commitments_record_passings

        return commitments_record_passings(today=today)

    def passing_text(self, obj, assignment) -> str:
        return _("交办的代表建议已超过答复期限（%(due)s）：%(title)s") % {
            "due": assignment.due_date.isoformat() if assignment.due_date else "",
            "title": obj.title,
        }


__all__ = ["SuggestionProcess", "SuggestionVerb", "suggestion_url"]
