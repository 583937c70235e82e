"""The opinions' event verbs (zhitong.core.vocabulary): what staff read, what the submitter
reads (or that a step is not shown to them), whose notes go to whom, and one line about
each event's data. The handling acts opinions share (extension, chase, reassignment, new
deadline, deadline passed or recomputed) are registered by zhitong.handling.verbs.
"""

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhitong.core.vocabulary import register
from zhitong.handling.verbs import unit_name


class OpinionVerb(models.TextChoices):
    RECEIVED = "received", gettext_lazy("收到意见")
    SESSION_RECORDED = "session_recorded", gettext_lazy("录入收集活动")
    ACCEPT = "accept", gettext_lazy("受理")
    DECLINE = "decline", gettext_lazy("不予受理")
    ANSWER_ON_SPOT = "answer_on_spot", gettext_lazy("现场答复")
    UPDATE_CATEGORY = "update_category", gettext_lazy("修改类别")
    REFER = "refer", gettext_lazy("转办")
    REFERRAL_ACCEPT = "referral_accept", gettext_lazy("承办单位签收")
    REFERRAL_RETURN = "referral_return", gettext_lazy("承办单位退回")
    REPLY_SUBMIT = "reply_submit", gettext_lazy("承办单位答复")
    REPLY_SEND = "reply_send", gettext_lazy("审核并反馈群众")
    RATING_SUBMIT = "rating_submit", gettext_lazy("群众评价")
    RATING_RECORD = "rating_record", gettext_lazy("回访评价")
    RATING_DEFAULT = "rating_default", gettext_lazy("逾期未评价，默认满意办结")
    MERGE = "merge", gettext_lazy("合并至主意见")
    # The submitter chose, on the form, to follow an open opinion about the same matter.
    FOLLOW = "follow", gettext_lazy("反映人选择跟进相同问题")
    CLOSE_WITH_MAIN = "close_with_main", gettext_lazy("随主意见办结")
    RAISE_SUGGESTION = "raise_suggestion", gettext_lazy("提出代表建议")
    SETTINGS_CHANGE = "opinion_settings_change", gettext_lazy("修改意见办理设置")


def _rating_label(value: str) -> str:
    from zhitong.handling.models import Rating

    return str(Rating.Score(value).label) if value in Rating.Score.values else value


def _refer(data: dict) -> str:
    text = _("转办至%(unit)s，期限%(due)s") % {
        "unit": unit_name(data),
        "due": data.get("due_date", ""),
    }
    co = [c.get("name", "") for c in data.get("co_units") or [] if isinstance(c, dict)]
    if co:
        text += _("；协办：%(units)s") % {"units": "、".join(co)}
    return text


def _rating_record(data: dict) -> str:
    from zhitong.handling.models import Rating

    method = data.get("method", "")
    label = Rating.Method(method).label if method in Rating.Method.values else ""
    text = f"{label}：{_rating_label(data.get('score', ''))}"
    taken_at = str(data.get("taken_at") or "")
    if taken_at:
        # "2026-03-04T10:30+08:00" → "2026-03-04 10:30"
        text += _("（回访时间 %(at)s）") % {"at": taken_at[:16].replace("T", " ")}
    return text


def _settings_change(data: dict) -> str:
    change = data.get("auto_close_working_days") or {}
    return _("逾期未评价自动办结：%(before)s → %(after)s个工作日（0 为不自动办结）") % {
        "before": change.get("from", ""),
        "after": change.get("to", ""),
    }


def _rating_default(data: dict) -> str:
    return _("答复反馈后%(days)s个工作日无人评价") % {"days": data.get("working_days", "")}


register(
    OpinionVerb,
    {
        OpinionVerb.RECEIVED: {
            "public": gettext_lazy("意见已收到"),
            "public_others": gettext_lazy("主件已收到"),
        },
        OpinionVerb.ACCEPT: {"public": gettext_lazy("已受理")},
        OpinionVerb.DECLINE: {
            "public": gettext_lazy("不予受理"),
            "note_public": True,
            "describe": lambda data: str(data.get("reason_label", "")),
        },
        OpinionVerb.ANSWER_ON_SPOT: {"public": gettext_lazy("代表现场答复")},
        OpinionVerb.UPDATE_CATEGORY: {
            "describe": lambda data: str((data.get("to") or {}).get("name", "")),
        },
        OpinionVerb.REFER: {
            "public": gettext_lazy("已转交承办单位办理"),
            "note_unit": True,
            "describe": _refer,
        },
        OpinionVerb.REFERRAL_ACCEPT: {
            "public": gettext_lazy("承办单位已签收，正在办理"),
            "describe": unit_name,
        },
        OpinionVerb.REFERRAL_RETURN: {
            "public": gettext_lazy("重新确定承办单位"),
            "note_unit": True,
            "describe": unit_name,
        },
        OpinionVerb.REPLY_SUBMIT: {
            "public": gettext_lazy("承办单位已答复，正在审核"),
            "note_unit": True,
            "describe": unit_name,
        },
        OpinionVerb.REPLY_SEND: {
            "public": gettext_lazy("答复已反馈给您"),
            "public_others": gettext_lazy("答复已反馈给主件反映人"),
        },
        OpinionVerb.RATING_SUBMIT: {
            "public": gettext_lazy("您已评价"),
            "public_others": gettext_lazy("主件反映人已评价"),
            "note_public": True,
            "note_unit": True,
            "describe": lambda data: _rating_label(data.get("score", "")),
        },
        OpinionVerb.RATING_RECORD: {
            "public": gettext_lazy("回访时您已评价"),
            "public_others": gettext_lazy("主件反映人已回访评价"),
            "note_public": True,
            "note_unit": True,
            "describe": _rating_record,
        },
        OpinionVerb.RATING_DEFAULT: {
            "public": gettext_lazy("规定期限内未评价，按默认满意办结"),
            "public_others": gettext_lazy("主件按默认满意办结"),
            "describe": _rating_default,
        },
        OpinionVerb.MERGE: {
            "public": gettext_lazy("与相同问题合并办理"),
            "describe": lambda data: str((data.get("into") or {}).get("tracking_code", "")),
        },
        OpinionVerb.FOLLOW: {
            "public": gettext_lazy("您选择跟进相同问题，与其合并办理"),
            "describe": lambda data: str((data.get("into") or {}).get("tracking_code", "")),
        },
        OpinionVerb.CLOSE_WITH_MAIN: {"public": gettext_lazy("合并办理的主件已办结")},
        OpinionVerb.RAISE_SUGGESTION: {"describe": lambda data: str(data.get("title", ""))},
        OpinionVerb.SETTINGS_CHANGE: {"describe": _settings_change},
    },
)
