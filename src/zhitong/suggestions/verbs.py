"""The suggestions' event verbs (zhitong.core.vocabulary). The handling acts (signing,
refusing, replying, extension, chase, rating) use handling's own verbs; the rest are
these. None is shown to the public."""

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhitong.core.vocabulary import register


class SuggestionVerb(models.TextChoices):
    RAISED_FROM_OPINIONS = "raised_from_opinions", gettext_lazy("由群众意见提出")
    DRAFTED = "suggestion_draft", gettext_lazy("起草建议")
    EDITED = "suggestion_edit", gettext_lazy("修改建议")
    COSIGNER_INVITE = "cosigner_invite", gettext_lazy("邀请联名")
    COSIGNER_ACCEPT = "cosigner_accept", gettext_lazy("同意联名")
    COSIGNER_DECLINE = "cosigner_decline", gettext_lazy("谢绝联名")
    SUBMITTED = "suggestion_submit", gettext_lazy("提交建议")
    WITHDRAWN = "suggestion_withdraw", gettext_lazy("撤回建议")
    REVIEWED = "suggestion_review", gettext_lazy("阅看")
    REGISTERED = "suggestion_register", gettext_lazy("立案编号")
    ASSIGNED = "suggestion_assign", gettext_lazy("交办")
    REASSIGNED = "suggestion_reassign", gettext_lazy("退回后改派")
    CONTACT = "suggestion_contact", gettext_lazy("办前沟通")
    REHANDLE = "suggestion_rehandle", gettext_lazy("重新办理")
    COMMITMENT_REPORT = "commitment_report", gettext_lazy("报告承诺落实情况")
    COMMITMENT_VERIFY = "commitment_verify", gettext_lazy("核实承诺落实情况")
    COMMITMENT_OVERDUE = "commitment_overdue", gettext_lazy("承诺事项逾期未落实")
    CLOSED = "suggestion_close", gettext_lazy("办结")
    KEY_MARK = "suggestion_key", gettext_lazy("确定重点督办")
    SUPERVISION = "suggestion_supervise", gettext_lazy("督办活动")
    RECEPTION = "suggestion_reception", gettext_lazy("主任接待日现场督办")
    QUALITY_REVIEW = "quality_review", gettext_lazy("质量评审")
    PROBLEM_ANSWER = "quality_problem_answer", gettext_lazy("反馈评审问题整改情况")
    # On a reception day (主任接待日) and a committee (专工委), not on a suggestion.
    RECEPTION_DAY = "reception_day", gettext_lazy("安排主任接待日")
    RECEPTION_AGENDA = "reception_agenda", gettext_lazy("调整主任接待日议程")
    RECEPTION_HELD = "reception_held", gettext_lazy("主任接待日已举行")
    COMMITTEE_SAVE = "committee_save", gettext_lazy("设置专工委对口")


def _review(data: dict) -> str:
    return " · ".join(
        str(part) for part in (data.get("level_label"), data.get("outcome_label")) if part
    )


def _register(data: dict) -> str:
    return str(data.get("reference", ""))


def _assign(data: dict) -> str:
    lead = (data.get("lead") or {}).get("name", "")
    co = "、".join(unit.get("name", "") for unit in data.get("co_units") or [])
    text = _("主办：%(lead)s") % {"lead": lead}
    if co:
        text += _("；协办：%(co)s") % {"co": co}
    if data.get("due_date"):
        text += _("；答复期限 %(due)s") % {"due": data["due_date"]}
    return text


def _commitment(data: dict) -> str:
    return str(data.get("text", ""))[:60]


def _supervision(data: dict) -> str:
    return " ".join(str(part) for part in (data.get("held_on"), data.get("kind_label")) if part)


def _reception(data: dict) -> str:
    director = (data.get("director") or {}).get("name", "")
    return _("%(date)s 主任接待日（%(director)s）") % {
        "date": data.get("held_on", ""),
        "director": director,
    }


_GRADES = {"good": gettext_lazy("好"), "fair": gettext_lazy("较好"), "poor": gettext_lazy("差")}


def _quality(data: dict) -> str:
    grades = _("合规%(c)s，文书%(w)s，效果%(e)s") % {
        "c": _GRADES.get(data.get("compliance", ""), ""),
        "w": _GRADES.get(data.get("writing", ""), ""),
        "e": _GRADES.get(data.get("effect", ""), ""),
    }
    problems = len(data.get("problems") or [])
    text = f"{data.get('round_label', '')} · {grades}"
    if problems:
        text += _("；发现问题%(n)s个") % {"n": problems}
    return text


def _problem(data: dict) -> str:
    unit = (data.get("unit") or {}).get("name", "")
    return f"{unit}：{str(data.get('text', ''))[:60]}"


register(
    SuggestionVerb,
    {
        SuggestionVerb.REVIEWED: {"describe": _review},
        SuggestionVerb.REGISTERED: {"describe": _register},
        SuggestionVerb.ASSIGNED: {"note_unit": True, "describe": _assign},
        SuggestionVerb.REASSIGNED: {"note_unit": True, "describe": _assign},
        SuggestionVerb.CONTACT: {"note_unit": True},
        SuggestionVerb.REHANDLE: {"note_unit": True},
        SuggestionVerb.COMMITMENT_REPORT: {"note_unit": True, "describe": _commitment},
        SuggestionVerb.COMMITMENT_VERIFY: {"note_unit": True, "describe": _commitment},
        SuggestionVerb.COMMITMENT_OVERDUE: {"describe": _commitment},
        SuggestionVerb.SUPERVISION: {"note_unit": True, "describe": _supervision},
        SuggestionVerb.RECEPTION: {"note_unit": True, "describe": _reception},
        SuggestionVerb.QUALITY_REVIEW: {"note_unit": True, "describe": _quality},
        SuggestionVerb.PROBLEM_ANSWER: {"note_unit": True, "describe": _problem},
    },
)
