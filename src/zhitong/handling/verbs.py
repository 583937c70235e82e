"""Handling's event verbs, shared by every process (zhitong.core.vocabulary).

A process may name some acts with its own verbs (opinions: referral_accept,
referral_return); the rest are these. None is shown to the public; their notes are
meant for the handling unit.
"""

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhitong.core.vocabulary import register


class HandlingVerb(models.TextChoices):
    ASSIGNMENT_ACCEPT = "assignment_accept", gettext_lazy("承办单位签收")
    ASSIGNMENT_RETURN = "assignment_return", gettext_lazy("承办单位退回")
    ASSIGNMENT_REPLY = "assignment_reply", gettext_lazy("承办单位答复")
    REPLY_ON_SPOT = "reply_on_spot", gettext_lazy("现场答复")
    REPLY_REVIEW = "reply_review", gettext_lazy("审核答复后反馈")
    EXTENSION_REQUEST = "extension_request", gettext_lazy("申请延期")
    EXTENSION_DECIDE = "extension_decide", gettext_lazy("延期审批")
    CHASE = "chase", gettext_lazy("催办")
    REASSIGN = "reassign", gettext_lazy("改派承办单位")
    DEADLINE_SET = "deadline_set", gettext_lazy("调整办理期限")
    REPLY_RATE = "reply_rate", gettext_lazy("评价答复")
    REPLY_RATE_TAKEN = "reply_rate_taken", gettext_lazy("回访评价答复")
    REPLY_RATE_DEFAULT = "reply_rate_default", gettext_lazy("逾期未评价，默认满意")
    DEADLINE_PASSED = "deadline_passed", gettext_lazy("超过办理期限")
    DEADLINE_RECOMPUTED = "deadline_recomputed", gettext_lazy("重新计算期限")


def unit_name(data: dict) -> str:
    unit = data.get("unit")
    return str(unit.get("name", "")) if isinstance(unit, dict) else str(unit or "")


def _reply(data: dict) -> str:
    # A co-unit's reply is its views for the lead unit, not the answer to the case.
    if data.get("role") == "co":
        return _("%(unit)s（协办意见）") % {"unit": unit_name(data)}
    return unit_name(data)


def _extension_request(data: dict) -> str:
    if "months" in data:
        return _("申请延长%(n)s个月") % {"n": data.get("months", "")}
    return _("申请延长%(days)s个工作日") % {"days": data.get("working_days", "")}


def _extension_decide(data: dict) -> str:
    if data.get("approved"):
        return _("批准，期限改为%(due)s") % {"due": data.get("to_due", "")}
    return _("不批准")


def _deadline_passed(data: dict) -> str:
    return _("%(unit)s，期限%(due)s") % {"unit": unit_name(data), "due": data.get("due_date", "")}


def _deadline_recomputed(data: dict) -> str:
    dues = [c.get("to_due", "") for c in data.get("changes") or [] if isinstance(c, dict)]
    return _("新期限%(due)s") % {"due": "、".join(dues)}


def _chase(data: dict) -> str:
    return _("%(unit)s（第%(n)s次）") % {"unit": unit_name(data), "n": data.get("count", "")}


def _reassign(data: dict) -> str:
    return _("改派至%(unit)s，期限%(due)s") % {
        "unit": unit_name(data),
        "due": data.get("due_date", ""),
    }


def _deadline_set(data: dict) -> str:
    return _("%(unit)s，期限改为%(due)s") % {"unit": unit_name(data), "due": data.get("to_due", "")}


def _rated(data: dict) -> str:
    from zhitong.handling.models import Rating

    score = data.get("score", "")
    return str(Rating.Score(score).label) if score in Rating.Score.values else ""


def _closed_by_default(data: dict) -> str:
    return _("答复反馈后%(days)s个工作日无人评价，系统办结") % {
        "days": data.get("working_days", "")
    }


_FOR_UNIT = {"note_unit": True}
register(
    HandlingVerb,
    {
        HandlingVerb.ASSIGNMENT_ACCEPT: {"describe": unit_name},
        HandlingVerb.ASSIGNMENT_RETURN: {**_FOR_UNIT, "describe": unit_name},
        HandlingVerb.ASSIGNMENT_REPLY: {**_FOR_UNIT, "describe": _reply},
        HandlingVerb.REPLY_ON_SPOT: {},
        HandlingVerb.REPLY_REVIEW: {},
        HandlingVerb.EXTENSION_REQUEST: {**_FOR_UNIT, "describe": _extension_request},
        HandlingVerb.EXTENSION_DECIDE: {**_FOR_UNIT, "describe": _extension_decide},
        HandlingVerb.CHASE: {**_FOR_UNIT, "describe": _chase},
        HandlingVerb.REASSIGN: {**_FOR_UNIT, "describe": _reassign},
        HandlingVerb.DEADLINE_SET: {**_FOR_UNIT, "describe": _deadline_set},
        HandlingVerb.REPLY_RATE: {**_FOR_UNIT, "describe": _rated},
        HandlingVerb.REPLY_RATE_TAKEN: {**_FOR_UNIT, "describe": _rated},
        HandlingVerb.REPLY_RATE_DEFAULT: {"describe": _closed_by_default},
        HandlingVerb.DEADLINE_PASSED: {**_FOR_UNIT, "describe": _deadline_passed},
        HandlingVerb.DEADLINE_RECOMPUTED: {**_FOR_UNIT, "describe": _deadline_recomputed},
    },
)
