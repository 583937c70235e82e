"""Admin of liaison stations (代表联络站点) with their deputies (进站代表) and duty rota (轮值安排)."""

from django.contrib import admin

from zhitong.core.admin import RecordedEditsAdmin
from zhitong.deputies.admin import DeputyAdmin
from zhitong.regions.admin_filters import district_filter
from zhitong.stations.models import DutyRota, Station, StationAssignment


class DeputyStationInline(admin.TabularInline):
    """A deputy's stations, on the deputy's admin page (added from here: stations sit above
    deputies in the layers)."""

    model = StationAssignment
    extra = 0
    autocomplete_fields = ("station",)


DeputyAdmin.inlines = (*DeputyAdmin.inlines, DeputyStationInline)


class AssignmentInline(admin.TabularInline):
    model = StationAssignment
    extra = 0
    autocomplete_fields = ("deputy",)


class RotaInline(admin.TabularInline):
    model = DutyRota
    extra = 0
    autocomplete_fields = ("deputy",)


@admin.register(Station)
class StationAdmin(RecordedEditsAdmin):
    list_display = ("name", "kind", "street", "region", "public_code", "is_active")
    list_filter = ("kind", "is_active", district_filter("street"))
    search_fields = ("name", "=public_code", "address", "street__name")
    autocomplete_fields = ("region", "linked_communities")
    raw_id_fields = ("liaisons",)
    list_select_related = ("street", "region")
    readonly_fields = ("street",)
    inlines = (AssignmentInline, RotaInline)
    list_per_page = 50
