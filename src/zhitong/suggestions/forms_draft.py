"""Forms of drafting and review (提 · 阅看): the draft, its files, co-signers, the answer
to an invitation, submitting and withdrawing, and the reviewer's checklist."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhitong.core.forms import MultipleFileField
from zhitong.deputies.models import Deputy
from zhitong.opinions.forms_work import categories
from zhitong.regions.models import Region, RegionLevel
from zhitong.suggestions.models import (
    CONTENT_LIMIT,
    NOTE_LIMIT,
    TITLE_LIMIT,
    CongressSession,
    Review,
    Suggestion,
)
from zhitong.suggestions.services import FILE_LIMIT, FILES_PER_UPLOAD

DURING = "during"
RECESS = "recess"


class _CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} › {obj.name}" if obj.parent_id else obj.name


class _NameChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class DraftForm(forms.Form):
    """A new draft, or the draft revised (also after a return)."""

    title = forms.CharField(
        label=_("建议标题"),
        max_length=TITLE_LIMIT,
        error_messages={
            "required": _("请填写建议标题。"),
            "max_length": _("建议标题不能超过%(limit_value)d个字（现有%(show_value)d个字）。"),
        },
    )
    content = forms.CharField(
        label=_("建议内容"),
        required=False,
        max_length=CONTENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "一事一议：一件建议只提一个事项。写明问题、原因和具体建议；提交前可先保存草稿。"
        ),
        error_messages={
            "max_length": _("建议内容不能超过%(limit_value)d个字（现有%(show_value)d个字）。")
        },
    )
    category = _CategoryChoice(
        label=_("类别"), queryset=categories(), required=False, empty_label=_("（暂不选择）")
    )
    street = _NameChoice(
        label=_("阅看街道"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("（不经街道，直接报区人大阅看）"),
        help_text=_("默认为您所在的街道代表小组，由该街道人大工委先行阅看。"),
    )
    session = forms.ModelChoiceField(
        label=_("所属会议"),
        queryset=CongressSession.objects.none(),
        required=False,
        empty_label=_("（暂不选择）"),
    )
    period = forms.ChoiceField(
        label=_("提出时间"),
        choices=[(DURING, _("大会期间")), (RECESS, _("闭会期间"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择大会期间或闭会期间。")},
    )

    def __init__(self, *args, district: Region | None = None, new: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if new:
            # A new draft left blank takes the deputy's street group and the session in
            # course (suggestion_draft); an edited one left blank has none.
            self.fields["street"].empty_label = _("（我所在的街道代表小组）")
            self.fields["session"].empty_label = _("（当前会议）")
        if district is None:  # nothing to offer (the form rendered alone)
            return
        self.fields["street"].queryset = Region.objects.filter(
            level=RegionLevel.STREET, path__startswith=district.path
        ).order_by("path")
        self.fields["session"].queryset = CongressSession.objects.filter(
            district=district
        ).select_related("term")

    @staticmethod
    def initial_for(suggestion: Suggestion) -> dict:
        return {
            "title": suggestion.title,
            "content": suggestion.content,
            "category": suggestion.category_id,
            "street": suggestion.street_id,
            "session": suggestion.session_id,
            "period": DURING if suggestion.during_session else RECESS,
        }

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "content": data["content"],
            "category": data["category"],
            "street": data["street"],
            "session": data["session"],
            "during_session": data["period"] == DURING,
        }


class FilesForm(forms.Form):
    files = MultipleFileField(
        label=_("上传附件"),
        max_count=FILES_PER_UPLOAD,
        max_size=FILE_LIMIT,
        accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png",
        help_text=_("PDF、JPG或PNG，每个不超过10MB，一次最多5个。"),
        error_messages={"required": _("请选择要上传的文件。")},
    )


class _DeputiesChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class InviteForm(forms.Form):
    """Deputies of the district to invite to co-sign, chosen by name, several at once. The
    list offers those not yet invited; the service refuses the lead deputy and anyone
    invited before with a message that says so."""

    deputies = _DeputiesChoice(
        label=_("邀请联名代表"),
        queryset=Deputy.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("可多选（按住Ctrl或Shift键）。"),
        error_messages={
            "required": _("请选择要邀请联名的代表。"),
            "invalid_choice": _("请选择本区的代表。"),
            "invalid_pk_value": _("请选择本区的代表。"),
        },
    )

    def __init__(self, *args, suggestion: Suggestion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if suggestion is None:  # nothing to offer (the form rendered alone)
            return
        field = self.fields["deputies"]
        field.queryset = Deputy.objects.filter(district_id=suggestion.district_id).order_by(
            "name", "id"
        )
        taken = {suggestion.lead_deputy_id, *(c.deputy_id for c in suggestion.cosigners.all())}
        field.widget.choices = [
            (deputy.pk, deputy.name) for deputy in field.queryset if deputy.pk not in taken
        ]


ACCEPT = "accept"
DECLINE = "decline"


class RespondForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("答复"),
        choices=[(ACCEPT, _("同意联名")), (DECLINE, _("谢绝联名"))],
        error_messages={"required": _("请选择同意或谢绝。")},
    )


# Submitting takes no input: the page shows what will be sent and the 一事一议 hint.
SubmitForm = forms.Form


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回理由"),
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(forms.Form):
    """The review before filing (阅看): the checklist, comments and the outcome."""

    checks = forms.MultipleChoiceField(
        label=_("审查要点（符合的请勾选）"),
        choices=Review.CHECKS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=_("阅看意见"),
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回修改时必填，代表将看到这些意见。"),
    )
    outcome = forms.ChoiceField(
        label=_("阅看结果"),
        choices=Review.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择阅看结果。")},
    )
    criticism = forms.BooleanField(label=_("属于批评和意见（而非建议）"), required=False)

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == Review.Outcome.RETURN and not (data.get("comment") or "").strip():
            self.add_error("comment", _("退回修改时请写明阅看意见。"))
        checks = set(data.get("checks") or ())
        if outcome == Review.Outcome.PASS and len(checks) < len(Review.CHECKS):
            self.add_error("checks", _("审查要点未全部符合，不能通过；请退回修改或转为意见办理。"))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        checked = set(data["checks"])
        return {
            "outcome": data["outcome"],
            "checks": {key: key in checked for key, _label in Review.CHECKS},
            "comment": data["comment"],
            "criticism": data["criticism"],
        }
