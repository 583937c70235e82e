"""The upload form (上传导入文件)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zhitong.accounts.models import Role

from .models import ImportKind
from .selectors import import_regions


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入类型"), choices=ImportKind.choices)
    region = forms.ModelChoiceField(
        label=_("导入到"),
        queryset=None,
        empty_label=None,
        help_text=_("数据写入的区；街道、社区、站点按名称或代码在该区内查找。"),
    )
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        help_text=_("请使用本页的模板填写；不超过 10 MB，最多 5000 行。"),
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = import_regions(user)


class RosterUploadForm(forms.Form):
    """The deputy roster to compare with the district's deputies (更新代表名册)."""

    region = forms.ModelChoiceField(
        label=_("更新哪个区的名册"),
        queryset=None,
        empty_label=None,
    )
    file = forms.FileField(
        label=_("代表名册（.xlsx）"),
        help_text=_(
            "与“代表名册”模板的列相同；填了“代表编码”的行按编码对应已有代表。"
            "上传后先看预览，确认后才会更新。不超过 10 MB，最多 5000 行。"
        ),
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = import_regions(user)


class RosterAccountsForm(forms.Form):
    """Whom to give accounts (开通账号): chosen deputies and units, or everyone without one."""

    everyone = forms.BooleanField(label=_("名册上所有还没有账号的人"), required=False)
    deputies = forms.ModelMultipleChoiceField(
        label=_("人大代表"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    units = forms.ModelMultipleChoiceField(
        label=_("承办单位联系人"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        from .people import deputies_without_account, units_without_account

        super().__init__(*args, **kwargs)
        self.fields["deputies"].queryset = deputies_without_account(user)
        self.fields["units"].queryset = units_without_account(user)
        self.fields["deputies"].label_from_instance = lambda d: f"{d.name}（{d.public_code}）"
        self.fields["units"].label_from_instance = lambda u: f"{u.name} · {u.contact_person}"
        # A group of no boxes is not offered.
        for name in ("deputies", "units"):
            if not self.fields[name].queryset.exists():
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if not (data.get("everyone") or data.get("deputies") or data.get("units")):
            raise forms.ValidationError(
                _("请勾选要开通账号的人，或选择“名册上所有还没有账号的人”。")
            )
        return data


class NotSignedInFilterForm(forms.Form):
    """The filter of the list of accounts that have not signed in yet."""

    role = forms.ChoiceField(
        label=_("角色"),
        required=False,
        choices=[("", _("全部"))]
        + [(r.value, r.label) for r in (Role.DEPUTY, Role.LIAISON, Role.UNIT)],
    )
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
