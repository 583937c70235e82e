"""Opinions as a handling process: how zhitong.handling acts on an opinion's referrals.

An opinion's assignments are its referrals (转办). The handling services lock the opinion
through this adapter, ask it who may act and whether the opinion's status allows the act,
let it move the opinion's status, and record the one event under the opinion's own verbs
(the timeline's vocabulary did not change when the referrals moved to handling).
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhitong.handling.models import Assignment
from zhitong.handling.registry import Act, Process
from zhitong.opinions import lifecycle
from zhitong.opinions.models import Opinion, Status


class OpinionProcess(Process):
    name = "opinions"
    label = gettext_lazy("群众意见")
    model = Opinion
    assignment_key = "referral"
    verbs = {
        Act.ACCEPT: "referral_accept",
        Act.RETURN: "referral_return",
    }

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

    def title_of(self, obj) -> str:
        return obj.subject

    def may(self, user, act: Act, obj, assignment) -> bool:
        if act in (Act.ACCEPT, Act.RETURN, Act.REPLY, Act.EXTENSION_REQUEST):
            return user.has_perm("opinions.handle_referral", assignment)
        if act == Act.RATE_RECORD:
            return user.has_perm("opinions.triage_opinion", obj)
        if act == Act.RATE:
            return False  # the citizen rates with the rating key (opinions.services)
        return user.has_perm("opinions.refer_opinion", obj)

    def can(self, act: Act, obj, assignment) -> bool:
        assignment.opinion = obj
        if act == Act.ACCEPT:
            return lifecycle.can_accept_referral(assignment)
        if act == Act.RETURN:
            return lifecycle.can_return_referral(assignment)
        if act == Act.EXTENSION_REQUEST:
            return lifecycle.can_request_extension(assignment)
        if act == Act.EXTENSION_DECIDE:
            return lifecycle.allowed("extension_decide", obj.status)
        if act in (Act.CHASE, Act.REASSIGN, Act.SET_DEADLINE):
            return obj.status in (Status.REFERRED, Status.HANDLING)
        # Replies and ratings of opinions go through opinions.services (the review).
        return False

    def moved(self, obj, act: Act, assignment, **details) -> None:
        from zhitong.handling.services import sync_open_dates

        if assignment.role != Assignment.Role.LEAD:
            return
        if act == Act.ACCEPT:
            obj.status = lifecycle.target_of("referral_accept", obj.status)
        elif act == Act.RETURN:
            obj.status = lifecycle.target_of("referral_return", obj.status)
        elif act == Act.REASSIGN:
            # The new lead unit has to sign for it first.
            obj.status = Status.REFERRED
        else:
            return
        sync_open_dates(obj, also=["status", "updated_at"])

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
