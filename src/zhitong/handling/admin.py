"""Admin of handling (交办承办): read-only; every change goes through the services, which
write the event on the case's timeline."""

from django.contrib import admin

from zhitong.handling.models import Assignment, Case, Chase, Extension, Rating, Reply
from zhitong.regions.admin_filters import district_filter


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("reference", "title", "process", "district", "created_at")
    list_filter = ("process", district_filter("district"))
    search_fields = ("=reference", "title")
    list_select_related = ("district",)
    ordering = ("-created_at", "-id")


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = (
        "case",
        "unit_name",
        "role",
        "state",
        "assigned_at",
        "rule",
        "period",
        "due_date",
        "deadline_provisional",
        "chase_count",
    )
    list_filter = ("state", "role", "rule", "deadline_provisional", "case__process")
    search_fields = ("=case__reference", "unit_name")
    list_select_related = ("case",)
    ordering = ("-assigned_at", "-id")


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "period", "state", "requested_at", "decided_at")
    list_filter = ("state",)
    search_fields = ("=assignment__case__reference", "assignment__unit_name")
    list_select_related = ("assignment", "assignment__case")
    ordering = ("-requested_at",)


@admin.register(Chase)
class ChaseAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "chased_by", "chased_at", "was_overdue")
    search_fields = ("=assignment__case__reference",)
    list_select_related = ("assignment", "assignment__case", "chased_by")
    ordering = ("-chased_at",)


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdmin):
    list_display = ("case", "unit_name", "on_the_spot", "result_class", "created_at", "sent_at")
    search_fields = ("=case__reference",)
    list_select_related = ("case",)
    ordering = ("-created_at",)


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("case", "score", "method", "back_to_back", "created_at")
    list_filter = ("score", "method")
    search_fields = ("=case__reference",)
    list_select_related = ("case",)
    ordering = ("-created_at",)
