"""Handling units (承办单位), the category taxonomy (分类) and its routing table (分级分类)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhitong.regions.models import Region


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("区政府部门")
    STREET_OFFICE = "street_office", _("街道办事处")
    COURT = "court", _("法院")
    PROCURATORATE = "procuratorate", _("检察院")
    SUPERVISORY = "supervisory", _("监察委员会")
    OTHER = "other", _("其他单位")


class HandlingUnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_region(self, region: Region):
        return self.filter(region__path__startswith=region.path)


class HandlingUnit(models.Model):
    """A body that handles referred opinions and suggestions ("一府一委两院")."""

    name = models.CharField(_("单位名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("单位类型"), max_length=20, choices=UnitKind.choices)
    # PROTECT: units keep their history; a region with units cannot vanish under them.
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区划"),
        on_delete=models.PROTECT,
        related_name="handling_units",
        help_text=_("区级单位属于区，街道办事处属于其街道。"),
    )
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)

    objects = HandlingUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["region__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name_in_region")
        ]

    def __str__(self):
        return self.name


class Category(models.Model):
    """A subject in the two-level taxonomy, e.g. 民生保障 › 物业管理."""

    name = models.CharField(_("名称"), max_length=50)
    # PROTECT: removing a top-level subject must not silently drop its children.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.CharField(_("编码"), max_length=20, unique=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("在用"), default=True)
    # Working days a unit has to handle an opinion of this subject; blank = the parent's,
    # else DEFAULT_DEADLINE_DAYS.
    deadline_days = models.PositiveSmallIntegerField(
        _("办理期限（工作日）"),
        null=True,
        blank=True,
        help_text=_("留空则沿用上级分类或默认15个工作日。"),
    )

    class Meta:
        verbose_name = _("分类")
        verbose_name_plural = _("分类")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name")
        ]

    def __str__(self):
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    @property
    def is_top_level(self) -> bool:
        return self.parent_id is None


DEFAULT_DEADLINE_DAYS = 15


def deadline_days_for(category: "Category | None") -> int:
    """Working days allowed for an opinion of `category` (its own, its parent's, or 15)."""
    if category is not None:
        if category.deadline_days:
            return category.deadline_days
        if category.parent_id and category.parent.deadline_days:
            return category.parent.deadline_days
    return DEFAULT_DEADLINE_DAYS


class CategoryRoute(models.Model):
    """Which unit handles a subject arising in a region (分级分类交办).

    The route of the most specific region wins: a street's route for 物业管理 sends
    the matter to that street's office; the district's route for 教育 to the
    district education bureau.
    """

    # CASCADE: a route is meaningless without its subject or region.
    category = models.ForeignKey(
        Category, verbose_name=_("分类"), on_delete=models.CASCADE, related_name="routes"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("区划"), on_delete=models.CASCADE, related_name="category_routes"
    )
    # PROTECT: a unit in the routing table must be taken out of it before removal.
    unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("默认承办单位"),
        on_delete=models.PROTECT,
        related_name="routes",
    )

    class Meta:
        verbose_name = _("分类交办规则")
        verbose_name_plural = _("分类交办规则")
        constraints = [
            models.UniqueConstraint(fields=["category", "region"], name="route_unique_per_region")
        ]

    def __str__(self):
        return f"{self.region} · {self.category} → {self.unit}"


def route_for(category: Category, region: Region) -> HandlingUnit | None:
    """The default unit for `category` in `region`: the nearest route up the region tree.

    A second-level category with no route of its own falls back to its parent's.
    """
    codes = [c for c in region.path.split("/") if c]
    category_ids = [category.pk] + ([category.parent_id] if category.parent_id else [])
    routes = {
        (r.category_id, r.region.code): r.unit
        for r in CategoryRoute.objects.filter(
            category_id__in=category_ids, region__code__in=codes
        ).select_related("unit", "region")
    }
    for cat_id in category_ids:
        for code in reversed(codes):
            if (cat_id, code) in routes:
                return routes[(cat_id, code)]
    return None
