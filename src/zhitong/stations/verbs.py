"""The stations' event verbs (zhitong.core.vocabulary): changes to a station's duty rota,
recorded on the station's timeline."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhitong.core.vocabulary import register
from zhitong.stations.models import DutyPeriod, Weekday


class StationVerb(models.TextChoices):
    ROTA_ADD = "rota_add", _("新增轮值")
    ROTA_CHANGE = "rota_change", _("修改轮值")
    ROTA_REMOVE = "rota_remove", _("删除轮值")


def _slot(line: dict) -> str:
    """星期一上午 张三 from a rota line as the event keeps it."""
    try:
        day = str(Weekday(int(line.get("weekday", -1))).label)
        period = str(DutyPeriod(line.get("period", "")).label)
    except (TypeError, ValueError):
        return str(line.get("deputy", ""))
    return f"{day}{period} {line.get('deputy', '')}"


def _describe_line(data: dict) -> str:
    return _slot(data.get("line") or {})


def _describe_change(data: dict) -> str:
    return f"{_slot(data.get('before') or {})} → {_slot(data.get('line') or {})}"


register(
    StationVerb,
    {
        StationVerb.ROTA_ADD: {"describe": _describe_line},
        StationVerb.ROTA_CHANGE: {"describe": _describe_change},
        StationVerb.ROTA_REMOVE: {"describe": _describe_line},
    },
)
