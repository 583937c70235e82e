"""The notifications' event verbs (zhitong.core.vocabulary)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhitong.core.vocabulary import register


class NotificationVerb(models.TextChoices):
    NOTIFY_MODE_SET = "notify_mode_set", _("修改提醒方式")
    PREFERENCES_SET = "notification_preferences_set", _("修改通知偏好")


register(NotificationVerb)
