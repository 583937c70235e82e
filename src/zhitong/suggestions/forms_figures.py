"""The filter of the per-unit figures (三评价): a year, or dates from/to, and a session."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from zhitong.suggestions.models import CongressSession


class UnitFiguresForm(forms.Form):
    year = forms.IntegerField(
        label=_("年度"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("按建议首次交办的日期统计；填写起止日期时以起止日期为准。"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    start = forms.DateField(
        label=_("交办日期从"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("交办日期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    session = forms.ModelChoiceField(
        label=_("会议"),
        queryset=CongressSession.objects.none(),
        required=False,
        empty_label=_("全部会议"),
    )

    def __init__(self, *args, sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sessions is not None:
            self.fields["session"].queryset = sessions

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return data

    def period(self, today: datetime.date) -> tuple[datetime.date, datetime.date]:
        """The period chosen (valid form), else this year."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        start, end = data.get("start"), data.get("end")
        if start or end:
            start = start or datetime.date(end.year, 1, 1)
            end = end or datetime.date(start.year, 12, 31)
            return start, end
        year = data.get("year") or today.year
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)

    def session_chosen(self) -> CongressSession | None:
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("session")
        return None
