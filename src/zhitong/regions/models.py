"""Regions (行政区划) as a tree with a materialized path, so a subtree is one indexed prefix query."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")


class RegionQuerySet(models.QuerySet):
    def subtree(self, region):
        """The region and everything below it."""
        return self.filter(path__startswith=region.path)

    def streets(self):
        return self.filter(level=RegionLevel.STREET)

    def communities(self):
        return self.filter(level=RegionLevel.COMMUNITY)


class Region(models.Model):
    """An administrative region with its official code.

    Codes: GB/T 2260 six digits for province, city and district; the 12-digit
    statistical division code (统计用区划代码) for streets and communities.
    """

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=RegionLevel.choices)
    # PROTECT: a region with children cannot be removed; the subtree would be orphaned.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Codes from the root down, each followed by "/": subtree = path prefix.
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "") + self.code + "/"
        super().save(*args, **kwargs)

    def is_within(self, other: "Region") -> bool:
        """True if this region is `other` or lies in its subtree."""
        return self.path.startswith(other.path)

    def ancestors(self):
        """From the root down to this region (inclusive), one query."""
        codes = [c for c in self.path.split("/") if c]
        by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]

    @property
    def district_code(self) -> str:
        """The 6-digit code of the district this region lies in ('' above district level).

        12-digit statistical codes of streets and communities begin with their
        district's GB/T 2260 code, so no query is needed.
        """
        if self.level == RegionLevel.DISTRICT:
            return self.code
        if self.level in (RegionLevel.STREET, RegionLevel.COMMUNITY):
            return self.code[:6]
        return ""
