"""Forms of the station work pages: one line of the duty rota (值班表)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhitong.stations.models import DutyPeriod, DutyRota, Station, Weekday
from zhitong.stations.services import rota_deputies


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RotaLineForm(forms.Form):
    """Who is on duty, on which weekday and period, from and until when. The rules that
    need the database (opening hours, a deputy twice in a slot) are the service's."""

    deputy = forms.ModelChoiceField(
        label=_("值班代表"),
        queryset=None,
        empty_label=_("请选择代表"),
        help_text=_("本街道各联络站的进站代表。"),
        error_messages={
            "required": _("请选择值班代表。"),
            "invalid_choice": _("请从列表中选择本街道的进站代表。"),
        },
    )
    weekday = forms.TypedChoiceField(
        label=_("星期"),
        choices=[("", _("请选择")), *Weekday.choices],
        coerce=int,
        error_messages={"required": _("请选择星期几。"), "invalid_choice": _("请选择星期几。")},
    )
    period = forms.ChoiceField(
        label=_("时段"),
        choices=[("", _("请选择")), *DutyPeriod.choices],
        help_text=_("全天即上午和下午；只能安排在本站开放的时段。"),
        error_messages={"required": _("请选择时段。"), "invalid_choice": _("请选择时段。")},
    )
    valid_from = forms.DateField(
        label=_("生效日期"),
        widget=_date_widget(),
        error_messages={
            "required": _("请填写生效日期。"),
            "invalid": _("请按 年-月-日 填写日期，例如 2026-03-01。"),
        },
    )
    valid_until = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=_date_widget(),
        help_text=_("不填表示长期有效。"),
        error_messages={"invalid": _("请按 年-月-日 填写日期，例如 2026-12-31。")},
    )

    def __init__(self, *args, station: Station, line: DutyRota | None = None, **kwargs):
        if line is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "deputy": line.deputy_id,
                "weekday": line.weekday,
                "period": line.period,
                "valid_from": line.valid_from,
                "valid_until": line.valid_until,
            }
        kwargs.setdefault("initial", {}).setdefault("valid_from", timezone.localdate())
        super().__init__(*args, **kwargs)
        # A deputy who has since left the street stays choosable on their own line.
        self.fields["deputy"].queryset = rota_deputies(
            station, timezone.localdate(), keep=line.deputy_id if line is not None else None
        )

    def clean(self):
        data = super().clean()
        start: datetime.date | None = data.get("valid_from")
        end: datetime.date | None = data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("截止日期不能早于生效日期。"))
        return data
