"""Admin of regions (行政区划)."""

from django.contrib import admin

from zhitong.core.admin import RecordedEditsAdmin
from zhitong.regions.admin_filters import district_filter
from zhitong.regions.models import Region


@admin.register(Region)
class RegionAdmin(RecordedEditsAdmin):
    list_display = ("name", "code", "level", "parent", "sort_order")
    list_filter = ("level", district_filter(""))
    search_fields = ("name", "=code")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)
    readonly_fields = ("path",)
    ordering = ("path",)
    list_per_page = 50
