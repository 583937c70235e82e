from django import forms
from django.utils.translation import gettext_lazy as _

from zhitong.insights.services import THRESHOLD_RANGE


class RoutingSettingsForm(forms.Form):
    auto_route = forms.BooleanField(
        label=_("开启自动分类转办"),
        required=False,
        help_text=_(
            "开启后，新意见的模型置信度不低于门槛时，按模型建议的分类和分类交办规则自动受理并转办；"
            "每次都在办理过程中记为模型的操作。默认关闭。"
        ),
    )
    threshold = forms.FloatField(
        label=_("置信度门槛"),
        min_value=THRESHOLD_RANGE[0],
        max_value=THRESHOLD_RANGE[1],
        help_text=_("0.5至0.999。门槛越高，自动转办的越少、越准。"),
        widget=forms.NumberInput(attrs={"step": "0.001"}),
    )
