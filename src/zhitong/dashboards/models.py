"""Summary tables of opinion figures (意见统计汇总), one row per district, day and group."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhitong.regions.models import Region


class Dimension(models.TextChoices):
    TOTAL = "total", _("合计")
    CHANNEL = "channel", _("按渠道")
    CATEGORY = "category", _("按类别")
    STREET = "street", _("按街道")
    STATION = "station", _("按站点")
    UNIT = "unit", _("按承办单位（主办）")


class OpinionDayFigure(models.Model):
    """The counts of the opinions of one district received on one local day, in one group.

    Every count is of distinct opinions and an opinion is received on exactly one day, so
    the counts of a period are the sums over its days (see zhitong.opinions.stats).
    """

    district = models.ForeignKey(
        Region, verbose_name=_("所属区"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("接收日期"))
    dimension = models.CharField(_("维度"), max_length=20, choices=Dimension.choices)
    # The channel code or the id of the category/street/station/unit; "" for none (未填写).
    key = models.CharField(_("分组"), max_length=40, blank=True)
    # Only the unit breakdown labels a group by a snapshot (the referral's unit name).
    label = models.CharField(_("名称"), max_length=100, blank=True)
    collected = models.PositiveIntegerField(_("收集"), default=0)
    closed = models.PositiveIntegerField(_("办结"), default=0)
    closed_referred = models.PositiveIntegerField(_("办结且转办"), default=0)
    on_time = models.PositiveIntegerField(_("按期办结"), default=0)
    rated = models.PositiveIntegerField(_("已评价"), default=0)
    satisfied = models.PositiveIntegerField(_("满意"), default=0)

    class Meta:
        verbose_name = _("意见日统计")
        verbose_name_plural = _("意见日统计")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "day", "dimension", "key"],
                name="dashboards_opinion_day_figure_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["district", "dimension", "day"], name="dashboards_odf_dist_dim_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.district_id} {self.day} {self.dimension}:{self.key}"


class DistrictFigureState(models.Model):
    """A district whose summary has been computed in full at least once, and when last
    refreshed: the statistics page reads the summary only for such districts."""

    district = models.OneToOneField(
        Region, verbose_name=_("所属区"), on_delete=models.CASCADE, related_name="figure_state"
    )
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("统计计算状态")
        verbose_name_plural = _("统计计算状态")

    def __str__(self) -> str:
        return f"{self.district_id} {self.computed_at}"


class RefreshMark(models.Model):
    """The high-water mark of the periodic refresh: the latest Opinion.updated_at it saw."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    value = models.DateTimeField(_("时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("刷新标记")
        verbose_name_plural = _("刷新标记")

    def __str__(self) -> str:
        return f"{self.name} {self.value}"
