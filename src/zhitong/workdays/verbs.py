"""The working-day calendar's event verbs (zhitong.core.vocabulary)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhitong.core.vocabulary import register


class WorkdaysVerb(models.TextChoices):
    CALENDAR_PUBLISHED = "calendar_published", _("发布放假安排")


register(WorkdaysVerb)
