"""Admin of handling units (承办单位), categories (分类) and their routing table (分类交办规则)."""

from django.contrib import admin

from zhitong.core.admin import RecordedEditsAdmin
from zhitong.regions.admin_filters import district_filter
from zhitong.units.models import Category, CategoryRoute, HandlingUnit


class RouteInline(admin.TabularInline):
    model = CategoryRoute
    extra = 0
    autocomplete_fields = ("category", "region", "unit")


class UnitRouteInline(RouteInline):
    fk_name = "unit"


class CategoryRouteInline(RouteInline):
    fk_name = "category"


@admin.register(HandlingUnit)
class HandlingUnitAdmin(RecordedEditsAdmin):
    list_display = (
        "name",
        "short_name",
        "kind",
        "region",
        "contact_person",
        "contact_phone",
        "is_active",
    )
    list_filter = ("kind", "is_active", district_filter("region"))
    search_fields = ("name", "short_name", "region__name")
    autocomplete_fields = ("region",)
    list_select_related = ("region",)
    inlines = (UnitRouteInline,)
    list_per_page = 50


@admin.register(Category)
class CategoryAdmin(RecordedEditsAdmin):
    list_display = ("__str__", "code", "parent", "sort_order", "is_active")
    list_filter = ("is_active", ("parent", admin.EmptyFieldListFilter))
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)
    inlines = (CategoryRouteInline,)


@admin.register(CategoryRoute)
class CategoryRouteAdmin(RecordedEditsAdmin):
    list_display = ("category", "region", "unit")
    list_filter = (district_filter("region"),)
    search_fields = ("category__name", "region__name", "unit__name")
    autocomplete_fields = ("category", "region", "unit")
    list_select_related = ("category__parent", "region", "unit")
    list_per_page = 50
