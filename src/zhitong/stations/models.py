"""Liaison stations (家站室点): where deputies meet the people, with assignments and a duty rota."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhitong.deputies.models import Deputy
from zhitong.regions.models import Region


class StationKind(models.TextChoices):
    STUDIO = "studio", _("街道代表工作室")
    COMMUNITY = "community", _("社区代表联络站")
    CENTRAL = "central", _("社区中心代表联络站")
    BUILDING = "building", _("楼宇联络点")
    STREET_BLOCK = "street_block", _("特色街区联络点")
    PARK = "park", _("产业园区联络点")
    HERITAGE = "heritage", _("文化遗产联络点")


# Kinds counted as "points" (联络点) rather than stations.
POINT_KINDS = {
    StationKind.BUILDING,
    StationKind.STREET_BLOCK,
    StationKind.PARK,
    StationKind.HERITAGE,
}


class StationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_region(self, region: Region):
        return self.filter(region__path__startswith=region.path)


class Station(models.Model):
    """A place deputies receive the people: studio, station or liaison point."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=StationKind.choices)
    # PROTECT: a region with stations cannot be removed. Community stations sit in
    # their community; studios, central stations and points in their street.
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="stations"
    )
    # The street the station belongs to, denormalized for filtering and scoping.
    street = models.ForeignKey(
        Region,
        verbose_name=_("所属街道"),
        on_delete=models.PROTECT,
        related_name="street_stations",
        editable=False,
    )
    address = models.CharField(_("地址"), max_length=200)
    opening_hours = models.CharField(_("开放时间"), max_length=200, blank=True)
    public_phone = models.CharField(_("站点电话"), max_length=30, blank=True)
    introduction = models.TextField(_("简介"), blank=True)
    linked_communities = models.ManyToManyField(
        Region,
        verbose_name=_("联系社区"),
        blank=True,
        related_name="central_stations",
        help_text=_("社区中心代表联络站联系的社区。"),
    )
    liaisons = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联络员"),
        blank=True,
        related_name="liaison_stations",
    )
    # Stable public identifier for URLs and QR codes; never reused.
    public_code = models.CharField(_("公开编码"), max_length=12, unique=True)
    is_active = models.BooleanField(_("在用"), default=True)
    # Notes for staff only (keys, contacts of the host building, etc.).
    internal_notes = models.TextField(_("内部备注（不公开）"), blank=True)

    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = _("代表联络站点")
        verbose_name_plural = _("代表联络站点")
        ordering = ["street__path", "kind", "name"]
        indexes = [models.Index(fields=["street", "kind"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.street = street_of(self.region)
        super().save(*args, **kwargs)


def street_of(region: Region) -> Region:
    """The street a region lies in (itself for a street)."""
    from zhitong.regions.models import RegionLevel

    if region.level == RegionLevel.STREET:
        return region
    if region.level == RegionLevel.COMMUNITY:
        return region.parent
    raise ValueError(f"{region} 不是街道或社区")


class AssignmentQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on)))


class StationAssignment(models.Model):
    """A deputy assigned to a station (全部编组进站), with dates."""

    # CASCADE: an assignment is part of the station's and the deputy's record.
    station = models.ForeignKey(
        Station, verbose_name=_("站点"), on_delete=models.CASCADE, related_name="assignments"
    )
    deputy = models.ForeignKey(
        Deputy, verbose_name=_("代表"), on_delete=models.CASCADE, related_name="station_assignments"
    )
    is_head = models.BooleanField(_("站长"), default=False)
    start_date = models.DateField(_("进站日期"))
    end_date = models.DateField(_("离站日期"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("进站代表")
        verbose_name_plural = _("进站代表")
        ordering = ["station", "-is_head", "deputy__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "deputy", "start_date"], name="assignment_unique"
            )
        ]

    def __str__(self):
        return f"{self.station} · {self.deputy}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("星期一")
    TUESDAY = 1, _("星期二")
    WEDNESDAY = 2, _("星期三")
    THURSDAY = 3, _("星期四")
    FRIDAY = 4, _("星期五")
    SATURDAY = 5, _("星期六")
    SUNDAY = 6, _("星期日")


class DutyPeriod(models.TextChoices):
    MORNING = "am", _("上午")
    AFTERNOON = "pm", _("下午")
    EVENING = "evening", _("晚上")
    ALL_DAY = "day", _("全天")


class RotaQuerySet(models.QuerySet):
    def on(self, day):
        return self.filter(
            Q(weekday=day.weekday())
            & Q(valid_from__lte=day)
            & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        )


class DutyRota(models.Model):
    """One recurring duty slot (代表轮值): a deputy at a station on a weekday."""

    # CASCADE: rota lines are part of the station.
    station = models.ForeignKey(
        Station, verbose_name=_("站点"), on_delete=models.CASCADE, related_name="rota"
    )
    deputy = models.ForeignKey(
        Deputy, verbose_name=_("代表"), on_delete=models.CASCADE, related_name="duty_rota"
    )
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    period = models.CharField(_("时段"), max_length=8, choices=DutyPeriod.choices)
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)

    objects = RotaQuerySet.as_manager()

    class Meta:
        verbose_name = _("轮值安排")
        verbose_name_plural = _("轮值安排")
        ordering = ["station", "weekday", "period"]
        indexes = [models.Index(fields=["station", "weekday"])]

    def __str__(self):
        return (
            f"{self.station} {self.get_weekday_display()}{self.get_period_display()} {self.deputy}"
        )
