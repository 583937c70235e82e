"""The notification settings form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zhitong.accounts.models import NotifyMode


class NotifyModeForm(forms.Form):
    notify_mode = forms.ChoiceField(
        label=_("消息接收方式"),
        choices=NotifyMode.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "即时通知：每条通知都会立即发送邮件（或短信）；每日汇总：每天一封邮件汇总新的未读通知。"
        ),
    )
