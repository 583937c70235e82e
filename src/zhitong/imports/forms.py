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
