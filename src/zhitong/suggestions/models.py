"""Deputies' suggestions (代表建议). This release holds drafts raised from opinions; the
review, assignment, handling, supervision and rating steps (提交办督评) come later."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhitong.deputies.models import Deputy
from zhitong.regions.models import Region


class Suggestion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")

    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("内容"), blank=True)
    # PROTECT: a deputy's suggestions are part of their record.
    lead_deputy = models.ForeignKey(
        Deputy, verbose_name=_("领衔代表"), on_delete=models.PROTECT, related_name="suggestions"
    )
    district = models.ForeignKey(
        Region, verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    # The opinions it was raised from; the link is kept both ways.
    source_opinions = models.ManyToManyField(
        "opinions.Opinion", verbose_name=_("来源意见"), blank=True, related_name="suggestions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("代表建议")
        verbose_name_plural = _("代表建议")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title
