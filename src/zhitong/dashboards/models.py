"""The statistics summary (统计汇总) of every process: per district, street or unit, day or
month, and group."""

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
    # The per-unit figures across processes (process ALL_PROCESSES): key and unit the unit.
    UNITS = "units", _("各承办单位（全部业务）")


# The process of the per-unit rows that count every process's assignments.
ALL_PROCESSES = "*"


class Grain(models.TextChoices):
    DAY = "day", _("日")
    MONTH = "month", _("月")


class Figure(models.Model):
    """The counts of one process's cases of one district and street received in one period
    (a local day, or a calendar month), in one group of one dimension. Each process
    registers its source rows and dimensions (handling.figures); for opinions:

    Every count is of distinct opinions and an opinion is received on exactly one day in
    exactly one street, so the counts of a period or of several streets are sums of rows.
    A month row is the sum of the month's day rows: a year reads about twelve rows per
    group plus the days at its ends, however many opinions it holds. The street partition
    lets street staff read their own street; district staff sum every street.

    Rows with a unit are a second partition, apart from the district's own rows: the
    counts of the opinions referred to that unit (any referral not withdrawn, what the
    unit may see), summed over streets. A unit account reads only these rows; every other
    scope reads only the rows without a unit.

    The rows of process ALL_PROCESSES are the per-unit figures over every process's
    assignments, by the day assigned (dimension UNITS, the unit in both `unit` and `key`).
    """

    # The Case.process of the rows ("opinions"), or ALL_PROCESSES.
    process = models.CharField(_("业务"), max_length=30)

    # Derived rows, rebuilt from the cases: their references are the cases' (checked there),
    # so the summary keeps no constraint and no index of its own on them (a rebuild writes
    # millions of rows; every constraint checked and index kept per row was most of its
    # time). The composite indexes below serve every read; deleting a region or a unit still
    # deletes its rows (on_delete, done by Django).
    district = models.ForeignKey(
        Region,
        verbose_name=_("所属区"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    # The opinion's street; null for opinions without one (only district staff see them).
    street = models.ForeignKey(
        Region,
        verbose_name=_("所属街道"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,
    )
    # Set for the unit partition (the street is then empty); empty for the district's rows.
    unit = models.ForeignKey(
        "units.HandlingUnit",
        verbose_name=_("承办单位"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,
    )
    grain = models.CharField(_("粒度"), max_length=5, choices=Grain.choices)
    # The day, or the first day of the month.
    period = models.DateField(_("统计期"))
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
    closed_default = models.PositiveIntegerField(_("默认满意"), default=0)

    class Meta:
        verbose_name = _("统计汇总")
        verbose_name_plural = _("统计汇总")
        # No unique constraint: the street is nullable and NULLs are distinct on SQLite.
        # A refresh replaces a district's rows under a lock on its DistrictFigureState.
        indexes = [
            models.Index(
                fields=["process", "district", "grain", "period"], name="dashboards_fig_dist"
            ),
            models.Index(
                fields=["process", "street", "grain", "period"], name="dashboards_fig_street"
            ),
            models.Index(fields=["process", "unit", "grain", "period"], name="dashboards_fig_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.process} {self.district_id}/{self.street_id}/{self.unit_id} {self.grain} {self.period} {self.dimension}:{self.key}"


class DistrictFigureState(models.Model):
    """A district's summary: when it was last refreshed, once computed in full (the
    statistics page reads the summary only for such districts). A refresh locks this row,
    so two refreshes of one district never interleave."""

    district = models.OneToOneField(
        Region, verbose_name=_("所属区"), on_delete=models.CASCADE, related_name="figure_state"
    )
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("统计计算状态")
        verbose_name_plural = _("统计计算状态")

    def __str__(self) -> str:
        return f"{self.district_id} {self.computed_at}"


class RefreshMark(models.Model):
    """The high-water mark of the periodic refresh for one process (named after it): the\nlatest change it saw (for opinions, Opinion.updated_at)."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    value = models.DateTimeField(_("时间"), null=True, blank=True)
    # Set while a run is under way (a lease taken by an atomic UPDATE, not a lock held in a
    # transaction): another run that finds it leaves at once, on SQLite as on PostgreSQL.
    running_since = models.DateTimeField(_("开始运行"), null=True, blank=True)

    class Meta:
        verbose_name = _("刷新标记")
        verbose_name_plural = _("刷新标记")

    def __str__(self) -> str:
        return f"{self.name} {self.value}"
