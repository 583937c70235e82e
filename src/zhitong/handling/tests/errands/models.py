"""An errand: a case with two states, handed to units with a months deadline and rated
back-to-back by the deputy who asked for it."""

from django.conf import settings
from django.db import models

from zhitong.handling.models import CaseMixin, link_case_model
from zhitong.regions.models import Region


class Errand(CaseMixin):
    class State(models.TextChoices):
        OPEN = "open", "进行中"
        DONE = "done", "已完成"

    title = models.CharField(max_length=200)
    district = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    # The deputy who rates the reply (back-to-back: the unit never learns who).
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return self.title


link_case_model(Errand, name="errand", related_name="assignments")
