"""Opinions as a handling process: how zhitong.handling acts on an opinion's referrals,
replies and ratings.

An opinion's assignments are its referrals (转办); its replies (a unit's, or the deputy's
on the spot) are reviewed before they reach the citizen, who rates the one sent with the
rating key. The handling services lock the opinion through this adapter, ask it who may
act and whether the opinion's status allows the act, let it move the opinion's status,
and record the one event under the opinion's own verbs and data (the timeline's vocabulary
did not change when the referrals, replies and ratings moved to handling).
"""

from __future__ import annotations

import datetime

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhitong.handling.models import Assignment
from zhitong.handling.registry import Act, Process
from zhitong.opinions import lifecycle
from zhitong.opinions.models import (
    AUTO_CLOSE_DEFAULT,
    DistrictSettings,
    Opinion,
    Status,
    auto_close_days,
)


class OpinionProcess(Process):
    name = "opinions"
    label = gettext_lazy("群众意见")
    model = Opinion
    assignment_key = "referral"
    verbs = {
        Act.ACCEPT: "referral_accept",
        Act.RETURN: "referral_return",
        Act.REPLY: "reply_submit",
        Act.REPLY_ON_SPOT: "answer_on_spot",
        Act.REVIEW: "reply_send",
        Act.RATE: "rating_submit",
        Act.RATE_RECORD: "rating_record",
        Act.RATE_DEFAULT: "rating_default",
    }
    # The deputy or station reviews a reply before it reaches the citizen, who rates it
    # with the tracking code and the rating key only they received.
    reviews_replies = True
    anonymous_rating = True
    reply_attachments = True
    unsatisfied_hint = gettext_lazy("请说明不满意的原因，以便承办单位重新办理。")

    @property
    def error(self):  # type: ignore[override]
        from zhitong.opinions.services import OpinionError

        return OpinionError

    def lock(self, case):
        opinion = (
            Opinion.objects.select_for_update(of=("self",))
            .select_related("district")
            .get(case=case)
        )
        return opinion

    def auto_close_days(self, obj) -> int | None:
        return auto_close_days(obj.district_id) or None

    def awaiting_rating(self, today, calendar):
        """The opinions waiting for a rating whose reply was sent on or before the last day
        their district's working days allow (one query per district with such opinions)."""
        from zhitong.handling.services import last_day_to_close

        waiting = Opinion.objects.filter(status=Status.SENT).order_by()
        districts = set(waiting.values_list("district_id", flat=True).distinct())
        days = dict(
            DistrictSettings.objects.filter(district_id__in=districts).values_list(
                "district_id", "auto_close_working_days"
            )
        )
        tz = timezone.get_current_timezone()
        ids: list[int] = []
        for district_id in sorted(districts):
            allowed = days.get(district_id, AUTO_CLOSE_DEFAULT)
            if not allowed:
                continue
            last = last_day_to_close(today, allowed, calendar)
            until = datetime.datetime.combine(
                last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            )
            ids += (
                waiting.filter(district_id=district_id, replies__sent_at__lt=until)
                .values_list("case_id", flat=True)
                .distinct()
            )
        return sorted(ids)

    def title_of(self, obj) -> str:
        return obj.subject

    def may(self, user, act: Act, obj, assignment) -> bool:
        if act in (Act.ACCEPT, Act.RETURN, Act.REPLY, Act.EXTENSION_REQUEST):
            return user.has_perm("opinions.handle_referral", assignment)
        if act in (Act.RATE_RECORD, Act.REPLY_ON_SPOT, Act.REVIEW):
            return user.has_perm("opinions.triage_opinion", obj)
        if act == Act.RATE:
            return user is None  # the citizen, checked by the public page
        return user.has_perm("opinions.refer_opinion", obj)

    def can(self, act: Act, obj, assignment) -> bool:
        if act == Act.REPLY_ON_SPOT:
            return lifecycle.allowed("answer_on_spot", obj.status)
        if act == Act.REVIEW:
            return lifecycle.allowed("reply_send", obj.status)
        if act in (Act.RATE, Act.RATE_RECORD, Act.RATE_DEFAULT):
            return lifecycle.allowed("rating_submit", obj.status)
        assignment.opinion = obj
        if act == Act.ACCEPT:
            return lifecycle.can_accept_referral(assignment)
        if act == Act.RETURN:
            return lifecycle.can_return_referral(assignment)
        if act == Act.EXTENSION_REQUEST:
            return lifecycle.can_request_extension(assignment)
        if act == Act.EXTENSION_DECIDE:
            return lifecycle.allowed("extension_decide", obj.status)
        if act == Act.REPLY:
            return lifecycle.can_submit_reply(assignment)
        if act in (Act.CHASE, Act.REASSIGN, Act.SET_DEADLINE):
            return obj.status in (Status.REFERRED, Status.HANDLING)
        return False

    def refusal(self, act: Act, obj):
        from zhitong.opinions.services import OpinionError

        message = (
            _("该意见当前状态为“%(status)s”，不能提交答复。")
            if act == Act.REPLY
            else _("该意见当前状态为“%(status)s”，不能进行此操作。")
        )
        return OpinionError("invalid_transition", message % {"status": obj.get_status_display()})

    def moved(self, obj, act: Act, assignment, **details) -> dict | None:
        from zhitong.handling.services import sync_open_dates

        if act == Act.REPLY_ON_SPOT:
            obj.status = lifecycle.target_of("answer_on_spot", obj.status)
            obj.save(update_fields=["status", "updated_at"])
            return None
        if act == Act.REVIEW:
            obj.status = lifecycle.target_of("reply_send", obj.status)
            obj.save(update_fields=["status", "updated_at"])
            return None
        if act in (Act.RATE, Act.RATE_RECORD, Act.RATE_DEFAULT):
            return self._rated(obj, assignment, details["score"])
        if assignment.role != Assignment.Role.LEAD:
            return None
        if act == Act.ACCEPT:
            obj.status = lifecycle.target_of("referral_accept", obj.status)
        elif act == Act.RETURN:
            obj.status = lifecycle.target_of("referral_return", obj.status)
        elif act == Act.REPLY:
            obj.status = lifecycle.target_of("reply_submit", obj.status)
        elif act == Act.REASSIGN:
            # The new lead unit has to sign for it first.
            obj.status = Status.REFERRED
        else:
            return None
        sync_open_dates(obj, also=["status", "updated_at"])
        return None

    def _rated(self, obj, lead, score: str) -> dict:
        """Satisfied closes it (办结); the first unsatisfied rating sends it back to the lead
        unit with a new deadline from today (or to triage after an answer on the spot); the
        second closes it as not satisfied."""
        from zhitong.handling import deadlines
        from zhitong.handling import services as handling

        data: dict = {}
        now = timezone.now()
        target = lifecycle.rating_target(score, obj.returned_for_rework)
        if target == Status.HANDLING and lead is None:
            # An on-the-spot answer has no unit to return to: it goes back to triage.
            target = Status.ACCEPTED
        if target in (Status.HANDLING, Status.ACCEPTED):
            obj.returned_for_rework += 1
        if target == Status.HANDLING:
            lead = Assignment.objects.select_for_update().get(pk=lead.pk)
            handling.restart(lead, start=deadlines.local_date(now))
            data = {
                "referral": lead.pk,
                "due_date": handling.iso(lead.due_date),
                "deadline": lead.deadline,
            }
        obj.status = target
        if target in lifecycle.FINAL_CLOSED:
            obj.closed_at = now
        handling.sync_open_dates(
            obj, also=["status", "returned_for_rework", "closed_at", "updated_at"]
        )
        return data

    def event_data(self, act: Act, data: dict) -> dict:
        if act in (Act.RATE, Act.RATE_RECORD):
            # The opinion's timeline names the referral only when the rating returned it.
            keep = ("score", "rating", "reply")
            if act == Act.RATE_RECORD:
                keep += ("method", "taken_at")
            return {key: data[key] for key in keep}
        return data

    def after(self, act: Act, obj, assignment, **details) -> None:
        from zhitong.opinions import services

        if act == Act.REPLY and assignment.role == Assignment.Role.LEAD:
            services.notify_reply_to_review(obj, assignment)
        elif act == Act.REPLY_ON_SPOT:
            services.triaged(obj, by=details["reply"].author)
        elif act == Act.REVIEW:
            services.tell_reply_sent(obj, details["reply"].text_sent)
        elif act in (Act.RATE, Act.RATE_RECORD, Act.RATE_DEFAULT):
            services.rated(obj, assignment, details["score"], details["comment"], details["rating"])

    def reply_files(self, files) -> list:
        from zhitong.opinions import services

        return services.reply_files_checked(files)

    def reply_attach(self, reply, checked: list, keep) -> list[int]:
        from zhitong.opinions import services

        return [services.attachment_from_upload(reply, one, keep).pk for one in checked]

    def record(self, obj, *, by, verb: str, from_state: str, note: str, data: dict) -> None:
        # Through the opinions' own writer, as every opinion service writes its event.
        from zhitong.opinions import services

        services._record(opinion=obj, by=by, verb=verb, from_state=from_state, note=note, data=data)

    def url(self, obj) -> str:
        try:
            return reverse("opinions:detail", args=[obj.pk])
        except NoReverseMatch:
            return ""

    def staff_recipients(self, obj):
        region = obj.street if obj.street_id else obj.district
        return lambda api: list(api.recipients_for_region(region))

    def passing_text(self, obj, assignment) -> str:
        return _("转办意见已超过办理期限（%(due)s）：%(subject)s") % {
            "due": assignment.due_date.isoformat() if assignment.due_date else "",
            "subject": obj.subject,
        }
