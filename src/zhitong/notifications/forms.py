"""The notification settings form."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from zhitong.accounts.models import NotifyMode
from zhitong.notifications.kinds import kinds_for
from zhitong.notifications.models import Delivery


class NotifyModeForm(forms.Form):
    notify_mode = forms.ChoiceField(
        label=_("消息接收方式"),
        choices=NotifyMode.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "即时通知：每条通知都会立即发送邮件（或短信）；每日汇总：每天一封邮件汇总新的未读通知。"
        ),
    )


class PreferencesForm(forms.Form):
    """One choice per kind of event offered to the user (新意见 ...): at once, in the daily
    digest, or not at all. The service checks what depends on the account (a mobile
    number or an e-mail for messages) and refuses the whole change on any error."""

    def __init__(self, *args, user, **kwargs):
        from zhitong.notifications.services import delivery_of

        super().__init__(*args, **kwargs)
        for kind in kinds_for(user):
            default = Delivery(kind.default_for(user)).label
            self.fields[kind.code] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                widget=forms.RadioSelect,
                initial=delivery_of(user, kind),
                help_text=format_lazy(
                    "{}{}", kind.help_text, _("（默认：%(default)s）") % {"default": default}
                ),
                error_messages={
                    "required": _("请选择一种接收方式。"),
                    "invalid_choice": _("请选择一种接收方式。"),
                },
            )
