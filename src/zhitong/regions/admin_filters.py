"""A list filter by district that the structure admins share."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from zhitong.regions.models import Region, RegionLevel


def district_filter(field_path: str, title=None):
    """A list filter by district over the Region at `field_path` ("" for a Region itself).

    Django's related-field filter would list every street and community of a city;
    this lists districts only and filters by path prefix, so it matches the subtree.
    """
    prefix = f"{field_path}__" if field_path else ""

    class DistrictListFilter(admin.SimpleListFilter):
        parameter_name = f"{field_path or 'region'}_district"

        def lookups(self, request, model_admin):
            return [
                (str(region.pk), region.name)
                for region in Region.objects.filter(level=RegionLevel.DISTRICT)
            ]

        def queryset(self, request, queryset):
            if not self.value():
                return queryset
            region = Region.objects.filter(pk=self.value()).first()
            if region is None:
                return queryset.none()
            return queryset.filter(**{f"{prefix}path__startswith": region.path})

    DistrictListFilter.title = title or _("所属区")
    return DistrictListFilter
