"""Admin of deputies (人大代表), their seats (代表资格), terms (届次) and groups (代表小组)."""

from django.contrib import admin

from zhitong.core.admin import RecordedEditsAdmin
from zhitong.deputies.models import (
    Deputy,
    DeputyGroup,
    DeputyMembership,
    GroupMembership,
    Term,
)
from zhitong.regions.admin_filters import district_filter


class MembershipInline(admin.TabularInline):
    model = DeputyMembership
    extra = 0
    autocomplete_fields = ("term",)


class DeputyGroupMembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    autocomplete_fields = ("group",)


class GroupMemberInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    autocomplete_fields = ("deputy",)


@admin.register(Term)
class TermAdmin(RecordedEditsAdmin):
    list_display = ("__str__", "region", "level", "number", "start_date", "end_date")
    list_filter = ("level",)
    search_fields = ("region__name", "=number")
    autocomplete_fields = ("region",)
    list_select_related = ("region",)


@admin.register(Deputy)
class DeputyAdmin(RecordedEditsAdmin):
    list_display = (
        "name",
        "gender",
        "birth_year",
        "district",
        "party",
        "public_code",
        "created_at",
    )
    list_filter = (
        "gender",
        "memberships__level",
        "memberships__status",
        district_filter("district"),
    )
    search_fields = ("name", "=public_code", "occupation")
    autocomplete_fields = ("district",)
    raw_id_fields = ("user",)
    list_select_related = ("district",)
    readonly_fields = ("created_at",)
    # stations.admin adds the deputy's stations (stations sit above deputies in the layers).
    inlines = (MembershipInline, DeputyGroupMembershipInline)
    list_per_page = 50


@admin.register(DeputyMembership)
class DeputyMembershipAdmin(RecordedEditsAdmin):
    list_display = ("deputy", "level", "term", "constituency", "status", "start_date", "end_date")
    list_filter = ("level", "status", district_filter("deputy__district"))
    search_fields = ("deputy__name", "=deputy__public_code", "constituency")
    autocomplete_fields = ("deputy", "term")
    list_select_related = ("deputy", "term__region")
    list_per_page = 50


@admin.register(DeputyGroup)
class DeputyGroupAdmin(RecordedEditsAdmin):
    list_display = ("name", "kind", "region")
    list_filter = ("kind", district_filter("region"))
    search_fields = ("name", "region__name")
    autocomplete_fields = ("region",)
    list_select_related = ("region",)
    inlines = (GroupMemberInline,)
