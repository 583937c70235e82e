"""Forms of a suggestion's handling (办 · 评) and of the commitment ledger's acts.

Each form only parses; the services check everything else (and say why in Chinese).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhitong.core.forms import MultipleFileField
from zhitong.handling.deadlines import MAX_EXTENSION_MONTHS
from zhitong.handling.models import GIVEN_SCORE_CHOICES, Rating
from zhitong.regions.models import Region
from zhitong.suggestions.handling import RESULT_CLASSES
from zhitong.suggestions.models import NOTE_LIMIT, Commitment, CongressSession, Contact
from zhitong.suggestions.services import FILE_LIMIT, FILES_PER_UPLOAD
from zhitong.units.models import HandlingUnit

# Commitment rows offered on the reply form (no JavaScript: fixed rows, empty ones ignored).
COMMITMENT_ROWS = 5
REPLY_LIMIT = 10000
FILE_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def _note(label, *, required=True, rows=3, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=NOTE_LIMIT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _files(label, *, required=False, help_text=""):
    return MultipleFileField(
        label=label,
        required=required,
        max_count=FILES_PER_UPLOAD,
        max_size=FILE_LIMIT,
        accept=FILE_ACCEPT,
        help_text=help_text,
    )


class ReturnForm(forms.Form):
    reason = _note(_("退回理由"), help_text=_("请说明为何不属于本单位职责，以便改派。"))


class ContactForm(forms.Form):
    contacted_at = forms.DateTimeField(
        label=_("沟通时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    method = forms.ChoiceField(label=_("沟通方式"), choices=Contact.Method.choices)
    note = _note(_("沟通情况"), help_text=_("与代表沟通的主要内容和代表的意见。"))


class ViewsForm(forms.Form):
    """A co-unit's views for the lead unit (协办意见)."""

    text = forms.CharField(
        label=_("协办意见"), max_length=REPLY_LIMIT, widget=forms.Textarea(attrs={"rows": 5})
    )
    files = _files(_("附件（可选）"))


class ReplyForm(forms.Form):
    """The lead unit's written reply: text, the signed letter, the class, commitments."""

    text = forms.CharField(
        label=_("答复内容"), max_length=REPLY_LIMIT, widget=forms.Textarea(attrs={"rows": 6})
    )
    files = _files(
        _("加盖公章的答复函"),
        required=True,
        help_text=_("请上传加盖公章的书面答复函（PDF），可另附照片。"),
    )
    result_class = forms.ChoiceField(
        label=_("答复类别"),
        choices=list(RESULT_CLASSES.items()),
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, COMMITMENT_ROWS + 1):
            self.fields[f"commitment_{n}"] = forms.CharField(
                label=_("承诺事项%(n)s") % {"n": n},
                required=False,
                max_length=NOTE_LIMIT,
            )
            self.fields[f"due_{n}"] = forms.DateField(
                label=_("完成时间%(n)s") % {"n": n},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )

    def commitment_rows(self):
        """The (text, date) bound fields in pairs, for the template."""
        return [(self[f"commitment_{n}"], self[f"due_{n}"]) for n in range(1, COMMITMENT_ROWS + 1)]

    def clean(self):
        data = super().clean()
        rows = []
        for n in range(1, COMMITMENT_ROWS + 1):
            text = (data.get(f"commitment_{n}") or "").strip()
            due = data.get(f"due_{n}")
            if text and not due:
                self.add_error(f"due_{n}", _("请填写这项承诺的完成时间。"))
            elif due and not text:
                self.add_error(f"commitment_{n}", _("请填写承诺事项。"))
            elif text:
                rows.append((text, due))
        data["commitments"] = rows
        return data


class ExtensionForm(forms.Form):
    months = forms.IntegerField(
        label=_("延长（月）"), min_value=1, max_value=MAX_EXTENSION_MONTHS, initial=1
    )
    reason = _note(_("延期理由"))


class ExtensionDecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批结果"),
        choices=[("yes", _("批准")), ("no", _("不批准"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = _note(_("审批意见"), required=False, rows=2)


class ChaseForm(forms.Form):
    note = _note(_("催办说明（可选）"), required=False, rows=2)


class DeadlineForm(forms.Form):
    due = forms.DateField(
        label=_("新的答复期限"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = _note(_("调整理由"), rows=2)


def _or_none(queryset, model):
    return queryset if queryset is not None else model.objects.none()


def _choices(form, units, streets, sessions) -> None:
    form.fields["unit"].queryset = _or_none(units, HandlingUnit)
    form.fields["street"].queryset = _or_none(streets, Region)
    form.fields["session"].queryset = _or_none(sessions, CongressSession)


class _UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ReassignForm(forms.Form):
    unit = _UnitChoice(label=_("改派给"), queryset=HandlingUnit.objects.none())
    reason = _note(_("改派理由"), rows=2)

    def __init__(self, *args, unit_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _or_none(unit_choices, HandlingUnit)


class RateForm(forms.Form):
    result = forms.ChoiceField(
        label=_("对办理结果"), choices=GIVEN_SCORE_CHOICES, widget=forms.RadioSelect
    )
    attitude = forms.ChoiceField(
        label=_("对办理态度"), choices=GIVEN_SCORE_CHOICES, widget=forms.RadioSelect
    )
    comment = _note(
        _("评价意见"),
        required=False,
        help_text=_("不满意时必填。承办单位看不到评价人（背靠背评价）。"),
    )

    def clean(self):
        data = super().clean()
        unsatisfied = Rating.Score.UNSATISFIED in (data.get("result"), data.get("attitude"))
        if unsatisfied and not (data.get("comment") or "").strip():
            self.add_error("comment", _("请说明不满意的原因，以便承办单位重新办理。"))
        return data


class CommitmentReportForm(forms.Form):
    report = _note(_("落实情况"))
    files = _files(_("佐证材料"), help_text=_("PDF、JPG或PNG，最多5个，每个不超过10MB。"))


class CommitmentVerifyForm(forms.Form):
    confirmed = forms.TypedChoiceField(
        label=_("核实结果"),
        choices=[("yes", _("已落实，核实办结")), ("no", _("未落实，退回承办单位"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = _note(_("核实意见"), required=False, rows=2, help_text=_("退回时必填。"))


class CommitmentFilterForm(forms.Form):
    """The ledger's filters (GET)."""

    state = forms.ChoiceField(
        label=_("落实状态"), required=False, choices=[("", _("全部")), *Commitment.State.choices]
    )
    overdue = forms.BooleanField(label=_("只看逾期未落实"), required=False)
    unit = _UnitChoice(label=_("承办单位"), required=False, queryset=HandlingUnit.objects.none())
    street = forms.ModelChoiceField(label=_("街道"), required=False, queryset=Region.objects.none())
    session = forms.ModelChoiceField(
        label=_("所属会议"), required=False, queryset=CongressSession.objects.none()
    )
    month = forms.CharField(
        label=_("承诺完成月份"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
        help_text=_("格式：2026-06"),
    )

    def __init__(
        self, *args, unit_choices=None, street_choices=None, session_choices=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        _choices(self, unit_choices, street_choices, session_choices)

    def clean_month(self):
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            if not (2000 <= year <= 2100 and 1 <= month <= 12):
                raise ValueError
        except ValueError:
            raise ValidationError(_("请按“年-月”填写，例如2026-06。")) from None
        return (year, month)


class HandlingLedgerFilterForm(forms.Form):
    """The suggestion handling ledger's filters (GET)."""

    session = forms.ModelChoiceField(
        label=_("所属会议"), required=False, queryset=CongressSession.objects.none()
    )
    status = forms.ChoiceField(label=_("状态"), required=False)
    unit = _UnitChoice(label=_("主办单位"), required=False, queryset=HandlingUnit.objects.none())
    street = forms.ModelChoiceField(label=_("街道"), required=False, queryset=Region.objects.none())
    overdue = forms.BooleanField(label=_("只看超期未答复"), required=False)

    def __init__(
        self,
        *args,
        unit_choices=None,
        street_choices=None,
        session_choices=None,
        statuses=(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        _choices(self, unit_choices, street_choices, session_choices)
        self.fields["status"].choices = [("", _("全部")), *statuses]
