"""The suggestions' event verbs (zhitong.core.vocabulary)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhitong.core.vocabulary import register


class SuggestionVerb(models.TextChoices):
    RAISED_FROM_OPINIONS = "raised_from_opinions", _("由群众意见提出")


register(SuggestionVerb)
