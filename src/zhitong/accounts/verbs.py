"""The accounts' event verbs (zhitong.core.vocabulary)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhitong.core.vocabulary import register


class AccountVerb(models.TextChoices):
    ACCOUNT_CREATED = "account_created", _("开通账号")
    INVITATION_SENT = "invitation_sent", _("发送登录邀请")
    INVITATION_ACCEPTED = "invitation_accepted", _("接受邀请并设置密码")
    ACCOUNT_UNLOCKED = "account_unlocked", _("解除登录锁定")


register(AccountVerb)
