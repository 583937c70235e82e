"""The upload form (上传导入文件)."""

from django import forms
from django.utils.translation import gettext_lazy as _

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
